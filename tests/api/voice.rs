//! Voice calls, end to end against a fake voice gateway: a page rings the
//! engineer's phone and the call reads out its title and deadline; a storm
//! of pages rings one number at most `calls_per_window` times in the
//! window, the rest falling over to the person's next channel; the
//! carrier's flow control waits a minute. The gateway's signed call
//! reports: key 1 acknowledges as the engineer, key 2 declines and brings
//! the reminder to the support lead due now (but not to him), a call nobody answers falls
//! over to the next channel; forged, stale and repeated reports change
//! nothing.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit};
use crate::fake_voice::FakeVoice;
use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_page_rings_the_engineer_and_reads_out_its_title_and_deadline,
        key_1_on_the_call_acknowledges_as_the_engineer_once,
    ],
    once: [
        a_storm_rings_a_number_at_most_the_limit_and_the_rest_fall_over,
        key_2_declines_and_the_support_lead_is_paged_at_once,
        a_call_nobody_answers_falls_over_to_the_next_channel,
    ],
}

const PHONE: &str = "+8613800138000";

/// A unit whose engineer 赵磊 is called first, then paged on a webhook.
async fn called_unit(backend: Backend) -> Option<(TestApp, FakeVoice, Receiver, i64)> {
    let voice = FakeVoice::start().await;
    let app = TestApp::spawn_with(backend, |c| voice.configure(c)).await?;
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let engineer = engineer_first_on(&app, unit, "voice", PHONE).await;
    let body = json!({"kind": "webhook", "address": hooks.url("engineer")});
    expect_json(app.post(&format!("/api/v1/people/{engineer}/channels"), &body).await, StatusCode::CREATED).await;
    Some((app, voice, hooks, unit))
}

async fn voice_page(app: &TestApp, id: i64) -> Value {
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    pages.as_array().unwrap().iter().find(|p| p["channel"] == "voice").cloned().expect("a voice page")
}

async fn issued(app: &TestApp, unit: i64) -> i64 {
    app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap()
}

async fn a_page_rings_the_engineer_and_reads_out_its_title_and_deadline(backend: Backend) {
    let Some((app, voice, hooks, unit)) = called_unit(backend).await else { return };
    let id = issued(&app, unit).await;
    app.tick().await;
    let calls = voice.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].to, PHONE);
    let title = calls[0].params["title"].as_str().unwrap();
    assert!(title.starts_with("【应急响应派单】"), "{title}");
    assert_eq!(calls[0].params["deadline"], "05:00", "two hours after 03:00, in Asia/Shanghai");
    assert_eq!(voice_page(&app, id).await["status"], "sent");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    assert!(!events.as_array().unwrap().iter().any(|e| e["kind"] == "page_fallback"), "the call went out: {events}");
    drop(hooks);
}

async fn a_storm_rings_a_number_at_most_the_limit_and_the_rest_fall_over() {
    let Some((app, voice, hooks, unit)) = called_unit(Backend::Sqlite).await else { return };
    // Four notices at once: three calls (the limit); the fourth is not
    // placed, and its notice reaches him on his webhook (a dispatch pages
    // every channel).
    let mut ids = Vec::new();
    for _ in 0..4 {
        ids.push(issued(&app, unit).await);
    }
    app.tick().await;
    app.tick().await;
    assert_eq!(voice.calls().len(), 3, "at most 3 calls within 15 minutes");
    let mut refused = Vec::new();
    for id in &ids {
        let page = voice_page(&app, *id).await;
        if page["status"] == "failed" {
            refused.push(page["error"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("3 calls within 15m"), "{refused:?}");
    assert_eq!(hooks.take_names().iter().filter(|n| *n == "engineer").count(), 4);

    // Ten minutes on, the reminders (his first channel only) come due: the
    // number is still at its limit, so none rings and each falls over.
    app.clock.advance(Duration::minutes(11));
    app.tick().await;
    app.tick().await;
    assert_eq!(voice.calls().len(), 3, "no call past the limit");
    for id in &ids {
        let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
        let fell_over = events.as_array().unwrap().iter().any(|e| {
            e["kind"] == "page_fallback" && e["data"]["recipient"] == "赵磊" && e["data"]["failure"] == "call_limit"
        });
        assert!(fell_over, "{events}");
    }

    // Past the window the phone rings again; the carrier's flow control waits a minute.
    app.clock.advance(Duration::minutes(5));
    voice.limit_next(1);
    let later = issued(&app, unit).await;
    app.tick().await;
    let page = voice_page(&app, later).await;
    assert_eq!(page["status"], "queued", "{page}");
    assert!(page["error"].as_str().unwrap().contains("isv.BUSINESS_LIMIT_CONTROL"), "{page}");
    app.clock.advance(Duration::seconds(61));
    app.tick().await;
    assert_eq!(voice_page(&app, later).await["status"], "sent");
    assert_eq!(voice.calls().len(), 4);
}

fn now(app: &TestApp) -> i64 {
    use onsite::domain::clock::Clock;
    app.clock.now().timestamp()
}

async fn results(response: reqwest::Response) -> Vec<String> {
    let body = expect_json(response, StatusCode::OK).await;
    assert_eq!(body["code"], 0, "{body}");
    body["results"].as_array().unwrap().iter().map(|r| r["result"].as_str().unwrap().to_owned()).collect()
}

async fn timeline(app: &TestApp, id: i64) -> Vec<Value> {
    app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await.as_array().unwrap().clone()
}

async fn key_1_on_the_call_acknowledges_as_the_engineer_once(backend: Backend) {
    let Some((app, voice, _hooks, unit)) = called_unit(backend).await else { return };
    let id = issued(&app, unit).await;
    app.tick().await;
    let onsite = &app.url("");

    // Forged, stale and unsigned reports are refused and change nothing.
    let forged = voice.report_signed(onsite, 0, "300000", Some("1"), now(&app), "not-the-secret").await;
    assert_eq!(expect_problem(forged, StatusCode::FORBIDDEN).await["code"], "signature");
    let stale = voice.report(onsite, 0, "300000", Some("1"), now(&app) - 600).await;
    assert_eq!(expect_problem(stale, StatusCode::BAD_REQUEST).await["code"], "stale");
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["status"], "notified");

    // He answers and presses 1: acknowledged as him, from the call.
    assert_eq!(results(voice.report(onsite, 0, "300000", Some("1"), now(&app)).await).await, ["acknowledged"]);
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["status"], "acknowledged");
    let acks: Vec<Value> = timeline(&app, id).await.into_iter().filter(|e| e["kind"] == "acknowledged").collect();
    assert_eq!(acks.len(), 1, "{acks:?}");
    assert_eq!(acks[0]["source"], "voice");
    assert_eq!(acks[0]["actor"], "赵磊");
    let page = voice_page(&app, id).await;
    assert_eq!((page["status"].as_str(), page["receipt"].as_str()), (Some("sent"), Some("answered")), "{page}");
    assert_eq!(page["receipt_label"]["zh"], "已接听");

    // The gateway retries the same report: answered, not applied again;
    // the call's final report (heard through) changes nothing either.
    assert_eq!(results(voice.report(onsite, 0, "300000", Some("1"), now(&app)).await).await, ["repeated"]);
    assert_eq!(results(voice.report(onsite, 0, "200000", Some("1"), now(&app)).await).await, ["refused"]);
    let acks = timeline(&app, id).await.into_iter().filter(|e| e["kind"] == "acknowledged").count();
    assert_eq!(acks, 1);
}

async fn key_2_declines_and_the_support_lead_is_paged_at_once() {
    let Some((app, voice, hooks, unit)) = called_unit(Backend::Sqlite).await else { return };
    let id = issued(&app, unit).await;
    app.tick().await;
    hooks.take_names();
    let onsite = &app.url("");

    // Two minutes in, long before the ten-minute reminder, he cannot go.
    app.clock.advance(Duration::minutes(2));
    assert_eq!(results(voice.report(onsite, 0, "300000", Some("2"), now(&app)).await).await, ["declined"]);
    let declined = timeline(&app, id).await.into_iter().find(|e| e["kind"] == "declined").expect("declined");
    assert_eq!((declined["actor"].as_str(), declined["source"].as_str()), (Some("赵磊"), Some("voice")));
    app.tick().await;
    app.tick().await;
    let names = hooks.take_names();
    assert!(names.contains(&"support_lead".to_owned()), "the reminder went out now: {names:?}");
    assert_eq!(voice.calls().len(), 1, "but not to him: he declined");
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    assert!(pages.as_array().unwrap().iter().any(|p| p["reason"] == "ack_reminder"), "{pages}");

    // Someone else acknowledges; a decline now (his call's key 2 reported
    // late) is refused and changes nothing.
    expect_json(app.event(id, json!({"kind": "acknowledged"})).await, StatusCode::CREATED).await;
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{id}")).await["status"], "acknowledged");
    assert_eq!(results(voice.report(onsite, 0, "200000", Some("2"), now(&app)).await).await, ["refused"]);
    assert_eq!(timeline(&app, id).await.iter().filter(|e| e["kind"] == "declined").count(), 1);
}

async fn a_call_nobody_answers_falls_over_to_the_next_channel() {
    let Some((app, voice, hooks, unit)) = called_unit(Backend::Sqlite).await else { return };
    let id = issued(&app, unit).await;
    app.tick().await;
    let onsite = &app.url("");

    // The dispatch's call goes unanswered, but the dispatch reached him on
    // every channel: the page fails, nothing more is sent.
    assert_eq!(results(voice.report(onsite, 0, "200003", None, now(&app)).await).await, ["not_answered"]);
    let page = voice_page(&app, id).await;
    assert_eq!((page["status"].as_str(), page["error_code"].as_str()), (Some("failed"), Some("not_answered")));
    assert!(!timeline(&app, id).await.iter().any(|e| e["kind"] == "page_fallback"));
    hooks.take_names();

    // The reminder goes to his first channel only: the phone. Busy: it
    // falls over to his webhook at once.
    app.clock.advance(Duration::minutes(11));
    app.tick().await;
    assert_eq!(voice.calls().len(), 2);
    assert!(!hooks.take_names().contains(&"engineer".to_owned()), "the reminder rang the phone first");
    assert_eq!(results(voice.report(onsite, 1, "200002", None, now(&app)).await).await, ["not_answered"]);
    app.tick().await;
    assert!(hooks.take_names().contains(&"engineer".to_owned()), "fell over to the webhook");
    let fell_over = timeline(&app, id).await.into_iter().any(|e| {
        e["kind"] == "page_fallback" && e["data"]["recipient"] == "赵磊" && e["data"]["failure"] == "not_answered"
    });
    assert!(fell_over);
    // A late report of the same call (its final record) changes nothing more.
    assert_eq!(results(voice.report(onsite, 1, "200003", None, now(&app)).await).await, ["noted"]);
}

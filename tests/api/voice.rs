//! Voice calls, end to end against a fake voice gateway: a page rings the
//! engineer's phone and the call reads out its title and deadline; a storm
//! of pages rings one number at most `calls_per_window` times in the
//! window, the rest falling over to the person's next channel; the
//! carrier's flow control waits a minute.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::{engineer_first_on, paged_unit};
use crate::fake_voice::FakeVoice;
use crate::helpers::{Backend, TestApp, expect_json};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_page_rings_the_engineer_and_reads_out_its_title_and_deadline,
    ],
    once: [
        a_storm_rings_a_number_at_most_the_limit_and_the_rest_fall_over,
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

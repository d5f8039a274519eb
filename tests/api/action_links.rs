//! Action links in pages without buttons: a signed, expiring `/a/{token}`
//! phone page from which the paged person reports a milestone.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::json;

use crate::escalation::paged_unit;
use crate::helpers::{Backend, TestApp};
use crate::receiver::Receiver;

crate::tests! {
    both: [
        an_action_link_reports_a_milestone_as_the_paged_person,
        the_paged_person_can_decline_until_someone_acknowledges,
        a_link_stops_working_when_its_person_is_deactivated_or_its_channel_removed,
        an_on_site_photo_from_the_phone_page_is_kept_on_the_milestone,
    ],
    once: [
        tried_tokens_from_one_address_are_limited,
    ],
}

/// Issues a notice and returns its assignment and the action link's token
/// from the engineer's webhook page.
async fn paged_link(app: &TestApp, hooks: &Receiver) -> (i64, String) {
    let unit = paged_unit(app, hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let page = hooks.received().into_iter().find(|r| r.name == "engineer").unwrap();
    let text = page.body["text"].as_str().unwrap().to_owned();
    let zh = text.split("\n——\n").next().unwrap();
    let link = zh
        .lines()
        .find_map(|l| l.strip_prefix("操作 Act: "))
        .unwrap_or_else(|| panic!("no link in the Chinese part: {text}"));
    (id, link.rsplit_once("/a/").unwrap().1.to_owned())
}

async fn an_action_link_reports_a_milestone_as_the_paged_person(app: TestApp) {
    let hooks = Receiver::start().await;
    let (id, token) = paged_link(&app, &hooks).await;
    let url = app.url(&format!("/a/{token}"));

    let html = app.client.get(&url).send().await.unwrap();
    assert_eq!(html.status(), StatusCode::OK);
    let html = html.text().await.unwrap();
    assert!(html.contains("某门户网站首页被篡改") && html.contains("value=\"acknowledged\""), "{html}");
    assert!(html.contains("剩余 2小时"), "{html}");

    app.clock.advance(Duration::minutes(3));
    let done = app.client.post(&url).form(&[("action", "acknowledged")]).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("已记录：已接收"));
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let ack = events.as_array().unwrap().iter().find(|e| e["kind"] == "acknowledged").unwrap().clone();
    assert_eq!((ack["actor"].as_str(), ack["source"].as_str()), (Some("赵磊"), Some("web")));
    assert_eq!(ack["at"], "2026-11-25T03:03:00+08:00");

    let again = app.client.post(&url).form(&[("action", "acknowledged")]).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    assert!(again.text().await.unwrap().contains("报告过"));
    let bogus = app.client.post(&url).form(&[("action", "closed")]).send().await.unwrap();
    assert_eq!(bogus.status(), StatusCode::UNPROCESSABLE_ENTITY, "a link cannot close an assignment");

    let (payload, mac) = token.split_once('.').unwrap();
    let tampered = format!("{payload}.{}", mac.chars().rev().collect::<String>());
    let refused = app.client.get(app.url(&format!("/a/{tampered}"))).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert!(refused.text().await.unwrap().contains("链接无效或已过期"));

    app.clock.advance(Duration::hours(25));
    let expired = app.client.post(&url).form(&[("action", "plan_activated")]).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::NOT_FOUND);
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["plan_activated_at"].is_null(), "an expired link changed nothing");
}

async fn the_paged_person_can_decline_until_someone_acknowledges(app: TestApp) {
    let hooks = Receiver::start().await;
    let (id, token) = paged_link(&app, &hooks).await;
    let url = app.url(&format!("/a/{token}"));
    let html = app.client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"declined\"") && html.contains("无法接单"), "{html}");

    hooks.take_names();
    app.clock.advance(Duration::minutes(2));
    let declined = app.client.post(&url).form(&[("action", "declined")]).send().await.unwrap();
    assert_eq!(declined.status(), StatusCode::OK);
    let html = declined.text().await.unwrap();
    assert!(html.contains("已告知无法接单"), "{html}");
    app.tick().await;
    assert!(hooks.take_names().contains(&"support_lead".to_owned()), "the support lead is paged now");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let declined = events.as_array().unwrap().iter().find(|e| e["kind"] == "declined").unwrap().clone();
    assert_eq!((declined["actor"].as_str(), declined["source"].as_str()), (Some("赵磊"), Some("web")));

    // Acknowledged: the button is gone, and a stale press is refused.
    app.client.post(&url).form(&[("action", "acknowledged")]).send().await.unwrap();
    let html = app.client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("value=\"declined\""), "{html}");
    let stale = app.client.post(&url).form(&[("action", "declined")]).send().await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    assert!(stale.text().await.unwrap().contains("无法拒绝"));
}

/// Someone trying tokens from one address is held back after the
/// configured number of requests a minute, and a press then changes nothing.
async fn tried_tokens_from_one_address_are_limited() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |c| c.web.action_link_requests_per_minute = 3).await.expect("sqlite app");
    let hooks = Receiver::start().await;
    let (id, token) = paged_link(&app, &hooks).await;
    for guess in ["AAAA.BBBB", "AAAA.CCCC", "AAAA.DDDD"] {
        let r = app.client.get(app.url(&format!("/a/{guess}"))).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    let url = app.url(&format!("/a/{token}"));
    let held = app.client.post(&url).form(&[("action", "acknowledged")]).send().await.unwrap();
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS, "even the right link waits");
    assert_eq!(held.headers()["retry-after"], "60");
    assert!(held.text().await.unwrap().contains("请求过于频繁"));
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["acknowledged_at"].is_null(), "a refused press changed nothing");
    assert_eq!(a["status"], "notified");
}

/// A link sent before the person left (or their channel was taken away)
/// must not keep working until it expires.
async fn a_link_stops_working_when_its_person_is_deactivated_or_its_channel_removed(app: TestApp) {
    let hooks = Receiver::start().await;
    let (id, token) = paged_link(&app, &hooks).await;
    let url = app.url(&format!("/a/{token}"));
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), StatusCode::OK);
    let assignment = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    let unit = assignment["unit_id"].as_i64().unwrap();
    let people = app.get_ok(&format!("/api/v1/units/{unit}/people")).await;
    let engineer = people.as_array().unwrap().iter().find(|p| p["name"] == "赵磊").unwrap()["id"].as_i64().unwrap();
    let timeline = app.timeline_len(id).await;

    let off = app.client.put(app.url(&format!("/api/v1/people/{engineer}/active"))).bearer_auth(&app.token);
    let off =
        crate::helpers::expect_json(off.json(&json!({"active": false})).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(off["active"], false);
    let refused = app.client.post(&url).form(&[("action", "acknowledged")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert!(refused.text().await.unwrap().contains("链接无效或已过期"));
    assert_eq!(app.timeline_len(id).await, timeline, "nothing recorded");

    let on = app.client.put(app.url(&format!("/api/v1/people/{engineer}/active"))).bearer_auth(&app.token);
    crate::helpers::expect_json(on.json(&json!({"active": true})).send().await.unwrap(), StatusCode::OK).await;
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), StatusCode::OK, "back once reactivated");

    let channel = app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await[0]["id"].as_i64().unwrap();
    let removed = app.client.delete(app.url(&format!("/api/v1/channels/{channel}"))).bearer_auth(&app.token);
    assert_eq!(removed.send().await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await, json!([]));
    let refused = app.client.post(&url).form(&[("action", "acknowledged")]).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND, "the channel the link went out on is gone");
    assert_eq!(app.timeline_len(id).await, timeline, "nothing recorded");
}

/// Posts `bytes` as the phone page's photo form does.
async fn send_photo(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>) -> (StatusCode, String) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()).mime_str("image/jpeg").unwrap(),
    );
    let r = app.client.post(app.url(&format!("/a/{token}/photo"))).multipart(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn an_on_site_photo_from_the_phone_page_is_kept_on_the_milestone(app: TestApp) {
    let hooks = Receiver::start().await;
    let (id, token) = paged_link(&app, &hooks).await;
    let html = app.client.get(app.url(&format!("/a/{token}"))).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains(&format!("action=\"/a/{token}/photo\"")) && html.contains("capture=\"environment\""),
        "{html}"
    );

    // Taken some 9 km from the site: kept, and the person is told it is flagged.
    let far = crate::attachments::photo_at((29, 37, 0), (106, 30, 0));
    let (status, page) = send_photo(&app, &token, "IMG_0001.jpg", far).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("现场照片已上传") && page.contains("超出到场范围") && page.contains("flagged"), "{page}");
    assert!(page.contains("IMG_0001.jpg"), "the page lists the photos sent: {page}");
    let kept = app.get_ok(&format!("/api/v1/assignments/{id}/milestones/on_site/attachments")).await;
    assert_eq!(kept.as_array().unwrap().len(), 1);
    assert_eq!(
        (kept[0]["uploaded_by"].as_str(), kept[0]["place"]["far_from_site"].as_bool()),
        (Some("赵磊"), Some(true))
    );
    // The milestone itself is the button's to report: a photo does not report it.
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["on_site_at"].is_null(), "{a}");

    // A page dressed as a photo is refused in both languages; nothing is kept.
    let (status, page) = send_photo(&app, &token, "x.jpg", b"<html><script>alert(1)</script></html>".to_vec()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("未执行") && page.contains("不接受") && page.contains("not accepted"), "{page}");
    // A bad link keeps nothing either.
    let (status, _) =
        send_photo(&app, "not-a-link", "y.jpg", crate::attachments::photo_at((29, 33, 28), (106, 34, 38))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_ok(&format!("/api/v1/assignments/{id}/milestones/on_site/attachments")).await.as_array().unwrap().len(),
        1
    );
}

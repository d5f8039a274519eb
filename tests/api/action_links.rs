//! Action links in pages without buttons: a signed, expiring `/a/{token}`
//! phone page from which the paged person reports a milestone.

use chrono::Duration;
use reqwest::StatusCode;

use crate::escalation::paged_unit;
use crate::helpers::TestApp;
use crate::receiver::Receiver;

crate::on_both_backends!(an_action_link_reports_a_milestone_as_the_paged_person);

async fn an_action_link_reports_a_milestone_as_the_paged_person(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let page = hooks.received().into_iter().find(|r| r.name == "engineer").unwrap();
    let text = page.body["text"].as_str().unwrap().to_owned();
    let zh = text.split("\n——\n").next().unwrap();
    let link = zh
        .lines()
        .find_map(|l| l.strip_prefix("操作 Act: "))
        .unwrap_or_else(|| panic!("no link in the Chinese part: {text}"));
    let token = link.rsplit_once("/a/").unwrap().1.to_owned();
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

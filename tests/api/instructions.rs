//! Instructions (工作指示): the bureau passes one to units, each unit's
//! liaison confirms reading it from Telegram, a signed link, the API or the
//! page; an unread one is reminded and then escalated to the unit's support
//! lead, all on the injected clock.

use chrono::Duration;
use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::paged_unit;
use crate::helpers::{TestApp, expect_json, expect_problem, t0};
use crate::receiver::Receiver;
use crate::web::Web;

crate::on_both_backends!(
    an_instruction_is_confirmed_from_telegram_and_an_unread_one_reminded_then_escalated,
    who_may_issue_read_and_confirm_instructions,
    bad_instructions_are_refused_in_both_languages_and_store_nothing,
    a_read_link_confirms_for_the_person_it_was_sent_to,
    instructions_are_issued_and_confirmed_on_the_web,
);

/// An instruction to `units` (every unit when empty), to confirm within four hours of t0.
pub fn body(units: &[i64]) -> Value {
    json!({
        "title": "关于做好元旦期间网络安全保障工作的通知",
        "body": "请各单位即日起落实 7×24 小时值守，12月31日前报送值守安排。",
        "unit_ids": units,
        "confirm_by": "2026-11-25T07:00:00+08:00",
    })
}

async fn issued(app: &TestApp, units: &[i64]) -> Value {
    expect_json(app.post("/api/v1/instructions", &body(units)).await, StatusCode::CREATED).await
}

/// Links `person` to Telegram `chat` with a one-time code.
async fn link(app: &TestApp, person: i64, chat: i64) {
    let code =
        expect_json(app.post(&format!("/api/v1/people/{person}/telegram-link"), &json!({})).await, StatusCode::CREATED)
            .await;
    app.telegram.text(chat, &format!("/start {}", code["code"].as_str().unwrap()), None);
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.starts_with("绑定成功"));
}

fn receipt(i: &Value, unit: i64) -> &Value {
    i["receipts"].as_array().unwrap().iter().find(|r| r["unit_id"] == unit).unwrap()
}

const A_LIAISON: i64 = 6001;
const A_LEAD: i64 = 6002;
const B_LIAISON: i64 = 6101;
const B_LEAD: i64 = 6102;

async fn an_instruction_is_confirmed_from_telegram_and_an_unread_one_reminded_then_escalated(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    for (person, chat) in
        [(a.people[0], A_LIAISON), (a.people[1], A_LEAD), (b.people[0], B_LIAISON), (b.people[1], B_LEAD)]
    {
        link(&app, person, chat).await;
    }
    let i = issued(&app, &[a.id, b.id]).await;
    let id = i["id"].as_i64().unwrap();
    assert_eq!((i["units"].as_u64(), i["confirmed"].as_u64()), (Some(2), Some(0)));
    assert_eq!(receipt(&i, a.id)["delivered_to"], json!(["王敏"]));

    // Delivered to each unit's liaison only, with its read button.
    app.tick().await;
    // Sent at once, in no particular order.
    let mut sent = app.telegram.take_sent();
    sent.sort_by_key(|s| s.chat_id);
    assert_eq!(sent.iter().map(|s| s.chat_id).collect::<Vec<_>>(), [A_LIAISON, B_LIAISON]);
    let to_a = &sent[0];
    assert!(to_a.text.starts_with("【工作指示】关于做好元旦期间网络安全保障工作的通知"), "{}", to_a.text);
    assert!(to_a.text.contains("请阅读后于 2026-11-25 07:00 前确认已阅"), "{}", to_a.text);
    assert!(to_a.text.contains("7×24 小时值守"), "{}", to_a.text);
    let button = &to_a.reply_markup["inline_keyboard"][0][0];
    assert_eq!(button["text"], "确认已阅");
    let data = button["callback_data"].as_str().unwrap().to_owned();
    assert!(data.starts_with("i:read:"), "{data}");

    // A's liaison confirms by the button.
    app.clock.advance(Duration::minutes(12));
    app.telegram.press(A_LIAISON, &to_a.message, &data);
    app.bot_step().await;
    let answers = app.telegram.take_answers();
    assert_eq!(answers[0].1, "✅ 王敏 于 2026-11-25 03:12 确认已阅“关于做好元旦期间网络安全保障工作的通知”");
    let edits = app.telegram.take_edits();
    assert!(edits[0].2.ends_with("确认已阅“关于做好元旦期间网络安全保障工作的通知”"), "{}", edits[0].2);
    let now = app.get_ok(&format!("/api/v1/instructions/{id}")).await;
    let ra = receipt(&now, a.id);
    assert_eq!(
        (ra["standing"].as_str(), ra["confirmed_by"].as_str(), ra["confirmed_via"].as_str()),
        (Some("on_time"), Some("王敏"), Some("bot"))
    );
    assert_eq!(ra["confirmed_at"], "2026-11-25T03:12:00+08:00");
    assert_eq!(receipt(&now, b.id)["standing"], "pending");

    // Pressed again: told who confirmed first, nothing changes.
    app.telegram.press(A_LIAISON, &to_a.message, &data);
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.contains("本单位已由 王敏 于 2026-11-25 03:12 确认已阅"));
    // B's receipt pressed from A's chat (forged data): refused with why.
    let b_data = sent[1].reply_markup["inline_keyboard"][0][0]["callback_data"].as_str().unwrap().to_owned();
    app.telegram.press(A_LIAISON, &to_a.message, &b_data);
    app.bot_step().await;
    let refused = app.telegram.take_answers();
    assert!(refused[0].1.contains("这不是发给本单位的工作指示") && refused[0].2, "{refused:?}");

    // An hour after it went out: B's liaison is reminded, A's is not.
    app.clock.set(t0() + Duration::minutes(59));
    app.tick().await;
    assert!(app.telegram.take_sent().is_empty(), "nothing before the hour");
    app.clock.set(t0() + Duration::hours(1));
    assert_eq!(app.tick().await.instructions, 1);
    let reminded = app.telegram.take_sent();
    assert_eq!(reminded.iter().map(|s| s.chat_id).collect::<Vec<_>>(), [B_LIAISON]);
    assert!(reminded[0].text.starts_with("【工作指示待确认】"), "{}", reminded[0].text);
    assert_eq!(reminded[0].reply_markup["inline_keyboard"][0][0]["callback_data"], b_data.as_str());

    // Past the deadline by the configured half hour: B's support lead is told.
    app.clock.set(t0() + Duration::hours(4) + Duration::minutes(29));
    app.tick().await;
    assert!(app.telegram.take_sent().is_empty());
    app.clock.set(t0() + Duration::hours(4) + Duration::minutes(30));
    app.tick().await;
    let escalated = app.telegram.take_sent();
    assert_eq!(escalated.iter().map(|s| s.chat_id).collect::<Vec<_>>(), [B_LEAD]);
    let text = &escalated[0].text;
    assert!(text.starts_with("【工作指示逾期未确认】"), "{text}");
    assert!(
        text.contains("李强，山城尚未确认已阅以下工作指示（确认期限 2026-11-25 07:00 已过；已传达：王敏）"),
        "{text}"
    );
    let overdue = app.get_ok(&format!("/api/v1/instructions/{id}")).await;
    let rb = receipt(&overdue, b.id);
    assert_eq!(rb["standing"], "overdue");
    assert_eq!(
        (rb["reminded_at"].as_str(), rb["escalated_at"].as_str()),
        (Some("2026-11-25T04:00:00+08:00"), Some("2026-11-25T07:30:00+08:00"))
    );

    // The support lead confirms from the escalation: late, and nothing follows.
    app.clock.advance(Duration::minutes(5));
    app.telegram.press(B_LEAD, &escalated[0].message, &b_data);
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.starts_with("✅ 李强 于 2026-11-25 07:35 确认已阅"));
    let done = app.get_ok(&format!("/api/v1/instructions/{id}")).await;
    assert_eq!(receipt(&done, b.id)["standing"], "late");
    assert_eq!(done["confirmed"], 2);
    app.clock.advance(Duration::days(2));
    assert_eq!(app.tick().await.instructions, 0);
    assert!(app.telegram.take_sent().is_empty());

    // Every step is in the audit log.
    let audit = app.state.store.audit_entries(200).await.unwrap();
    let actions: Vec<(&str, &str)> = audit
        .iter()
        .filter(|e| e.action.starts_with("instruction."))
        .map(|e| (e.action.as_str(), e.actor.as_str()))
        .collect();
    assert_eq!(
        actions,
        [("instruction.confirmed", "李强"), ("instruction.confirmed", "王敏"), ("instruction.issued", "duty")]
    );
}

async fn who_may_issue_read_and_confirm_instructions(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;

    for token in [&unit_a, &manager] {
        let refused =
            expect_problem(app.post_as(token, "/api/v1/instructions", &body(&[])).await, StatusCode::FORBIDDEN).await;
        assert!(refused["detail"].as_str().unwrap().contains("bureau"), "{refused}");
    }
    let to_a = issued(&app, &[a.id]).await["id"].as_i64().unwrap();
    let to_all = issued(&app, &[]).await;
    assert_eq!((to_all["all_units"].as_bool(), to_all["units"].as_u64()), (Some(true), Some(2)));
    let to_all = to_all["id"].as_i64().unwrap();

    // A unit reads its own; another unit's is not found.
    let listed = expect_json(app.get_as(&unit_b, "/api/v1/instructions").await, StatusCode::OK).await;
    assert_eq!(listed.as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect::<Vec<_>>(), [to_all]);
    expect_problem(app.get_as(&unit_b, &format!("/api/v1/instructions/{to_a}")).await, StatusCode::NOT_FOUND).await;
    let own = expect_json(app.get_as(&unit_b, &format!("/api/v1/instructions/{to_all}")).await, StatusCode::OK).await;
    assert_eq!(own["receipts"].as_array().unwrap().len(), 1, "a unit sees its own receipt only");
    let read = expect_json(app.get_as(&manager, &format!("/api/v1/instructions/{to_all}")).await, StatusCode::OK).await;
    assert_eq!(read["receipts"].as_array().unwrap().len(), 2);

    // Only the unit itself confirms: not the bureau, not a manager.
    let path = format!("/api/v1/instructions/{to_a}/confirm");
    for token in [&app.token, &manager] {
        let refused = expect_problem(app.post_as(token, &path, &json!({})).await, StatusCode::FORBIDDEN).await;
        assert!(refused["detail"].as_str().unwrap().contains("unit's own"), "{refused}");
    }
    expect_problem(app.post_as(&unit_b, &path, &json!({})).await, StatusCode::NOT_FOUND).await;
    app.clock.advance(Duration::minutes(7));
    let confirmed = expect_json(app.post_as(&unit_a, &path, &json!({})).await, StatusCode::OK).await;
    assert_eq!(
        (confirmed["confirmed_by"].as_str(), confirmed["confirmed_via"].as_str(), confirmed["standing"].as_str()),
        (Some("andun"), Some("api"), Some("on_time"))
    );
    app.clock.advance(Duration::hours(9));
    let again = expect_json(app.post_as(&unit_a, &path, &json!({})).await, StatusCode::OK).await;
    assert_eq!(again["confirmed_at"], confirmed["confirmed_at"], "confirming again changes nothing");
    assert_eq!(again["standing"], "on_time");
}

async fn bad_instructions_are_refused_in_both_languages_and_store_nothing(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let bad = json!({"title": " ", "body": "", "unit_ids": [a.id], "confirm_by": "2026-11-25T02:00:00+08:00"});
    let refused = expect_problem(app.post("/api/v1/instructions", &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let errors: Vec<(&str, &str, &str)> = refused["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["code"].as_str().unwrap(), e["message_zh"].as_str().unwrap()))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert_eq!((errors[2].0, errors[2].1, errors[2].2), ("confirm_by", "past", "确认期限须晚于当前时间"));
    let unknown =
        json!({"title": "t", "body": "b", "unit_ids": [a.id, 999_999], "confirm_by": "2026-11-26T00:00:00+08:00"});
    let refused =
        expect_problem(app.post("/api/v1/instructions", &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["message_zh"], "单位 999999 不存在");
    let no_deadline = json!({"title": "t", "body": "b"});
    let refused =
        expect_problem(app.post("/api/v1/instructions", &no_deadline).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(refused["errors"][0]["field"], "confirm_by");
    assert_eq!(app.get_ok("/api/v1/instructions").await, json!([]), "nothing stored");
    assert_eq!(app.tick().await.pages, 0, "nobody paged");
}

async fn a_read_link_confirms_for_the_person_it_was_sent_to(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let id = issued(&app, &[unit]).await["id"].as_i64().unwrap();
    app.tick().await;
    let page = hooks.received().into_iter().find(|r| r.name == "liaison").expect("the liaison's page");
    assert!(hooks.received().iter().all(|r| r.name == "liaison"), "the liaison alone is told at first");
    assert_eq!(page.body["page"]["reason"], "instruction");
    assert!(page.body["page"]["instruction_receipt_id"].as_i64().is_some());
    let text = page.body["text"].as_str().unwrap();
    let link = text.lines().find_map(|l| l.strip_prefix("操作 Act: ")).unwrap_or_else(|| panic!("{text}"));
    let token = link.rsplit_once("/r/").unwrap().1.to_owned();
    let url = app.url(&format!("/r/{token}"));

    let html = app.client.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("关于做好元旦期间网络安全保障工作的通知") && html.contains("待确认"), "{html}");
    assert!(html.contains("id=\"confirm-read\""), "{html}");
    // An action link's page does not take a read token, nor a tampered one.
    for bad in [format!("/a/{token}"), format!("/r/{}x", token)] {
        let refused = app.client.get(app.url(&bad)).send().await.unwrap();
        assert_eq!(refused.status(), StatusCode::NOT_FOUND, "{bad}");
    }

    app.clock.advance(Duration::minutes(20));
    let done = app.client.post(&url).send().await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    let html = done.text().await.unwrap();
    assert!(html.contains("已确认已阅") && html.contains("王敏 · 2026-11-25 03:20"), "{html}");
    assert!(!html.contains("id=\"confirm-read\""), "no button once confirmed");
    let i = app.get_ok(&format!("/api/v1/instructions/{id}")).await;
    assert_eq!(
        (receipt(&i, unit)["confirmed_by"].as_str(), receipt(&i, unit)["confirmed_via"].as_str()),
        (Some("王敏"), Some("web"))
    );

    app.clock.advance(Duration::hours(25));
    let expired = app.client.get(&url).send().await.unwrap();
    assert_eq!(expired.status(), StatusCode::NOT_FOUND, "the link expires like an action link");
}

async fn instructions_are_issued_and_confirmed_on_the_web(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    app.user_token("boss", UserRole::Manager, None).await;
    let (bureau, unit, manager) =
        (Web::sign_in(&app, "duty").await, Web::sign_in(&app, "andun").await, Web::sign_in(&app, "boss").await);

    let (_, page) = bureau.get("/instructions").await;
    assert!(page.contains("id=\"new-instruction\"") && page.contains("安盾"), "the bureau gets the form");
    for reader in [&unit, &manager] {
        let (status, page) = reader.get("/instructions").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!page.contains("id=\"new-instruction\""), "only the bureau issues");
    }

    // Refused: the typed text comes back with why.
    let unit_id = a.id.to_string();
    let fields = |when: &'static str| {
        vec![("title", "元旦保障"), ("body", "请落实值守安排"), ("unit_ids", unit_id.as_str()), ("confirm_by", when)]
    };
    let (status, _, page) = bureau.post("/instructions", &fields("2026-11-25T01:00")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("确认期限须晚于当前时间") && page.contains("请落实值守安排"), "{page}");
    assert_eq!(app.get_ok("/api/v1/instructions").await, json!([]));

    let (status, location, _) = bureau.post("/instructions", &fields("2026-11-25T09:00")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = unit.get(&location).await;
    assert!(page.contains("请落实值守安排") && page.contains("id=\"confirm-instruction\""), "{page}");
    let (_, page) = manager.get(&location).await;
    assert!(!page.contains("id=\"confirm-instruction\""), "a manager reads only");

    app.clock.advance(Duration::minutes(30));
    let (status, _, page) = unit.post(&format!("{location}/confirm"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("已按时确认") && page.contains("2026-11-25 03:30"), "{page}");
    assert!(!page.contains("id=\"confirm-instruction\""));
    let (_, page) = bureau.get(&location).await;
    assert!(page.contains("andun（网页）") && page.contains("1 / 1"), "{page}");
}

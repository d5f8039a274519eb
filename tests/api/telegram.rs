//! The engineers' bot against a fake Telegram: linking a chat, pages with
//! buttons, presses that record milestones, on site with a location,
//! `/status`, notes and language, and Telegram's own errors as a channel.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fake_telegram::Failure;
use crate::helpers::{Backend, TestApp, expect_json, t0};

crate::tests! {
    both: [
        a_chat_is_linked_with_a_one_time_code_and_bad_codes_bind_nothing,
        a_page_arrives_with_buttons_and_a_press_records_the_milestone,
        a_press_that_is_no_longer_valid_is_answered_with_why,
        on_site_asks_for_a_location_and_flags_one_far_from_the_site,
        a_photo_in_reply_to_a_page_is_kept_on_its_on_site_milestone,
        status_notes_and_language,
        a_redelivered_update_is_handled_once,
        telegram_rate_limits_and_blocked_chats_are_handled_as_a_channel,
        a_units_duty_group_gets_the_engineers_pages_and_members_act_from_it,
        every_button_records_its_milestone_and_edits_the_page,
        a_blocked_bot_falls_over_to_the_next_channel,
        malformed_or_unexpected_updates_are_answered_or_ignored,
    ],
    once: [
        pages_are_paced_per_chat_without_holding_up_other_chats,
        link_codes_tried_from_one_chat_are_limited,
    ],
}

const ENGINEER_CHAT: i64 = 5551;

/// A JPEG without metadata, as Telegram re-encodes a photo sent as a photo.
fn plain_jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn a_photo_in_reply_to_a_page_is_kept_on_its_on_site_milestone(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (first, page) = paged(&app, unit, ENGINEER_CHAT).await;
    let (second, _) = paged(&app, unit, ENGINEER_CHAT).await;
    let files = |id: i64| format!("/api/v1/assignments/{id}/milestones/on_site/attachments");
    let answer = |app: &TestApp| app.telegram.take_sent().pop().expect("an answer").text;

    // Two assignments are open: a photo that replies to no page is not guessed at.
    app.telegram.photo(ENGINEER_CHAT, plain_jpeg(), None);
    app.bot_step().await;
    assert!(answer(&app).contains("请直接回复派单消息发送现场照片"));

    // In reply to the first page: its largest size is downloaded and kept there.
    app.telegram.photo(ENGINEER_CHAT, plain_jpeg(), Some(&page));
    app.bot_step().await;
    let text = answer(&app);
    assert!(text.contains(&format!("现场照片已保存到派单 {first}")) && text.contains("没有位置信息"), "{text}");
    assert_eq!(app.telegram.downloads().last().map(String::as_str), Some("photos/file_4.jpg"), "the largest size");

    // Sent as a file it keeps its position: taken 9 km away, flagged.
    let far = crate::attachments::photo_at((29, 37, 0), (106, 30, 0));
    app.telegram.image_document(ENGINEER_CHAT, "IMG_0001.jpg", far, Some(&page));
    app.bot_step().await;
    let text = answer(&app);
    assert!(text.contains("⚠️ 照片拍摄位置距现场约"), "{text}");
    let kept = app.get_ok(&files(first)).await;
    assert_eq!(kept.as_array().unwrap().len(), 2);
    assert_eq!(
        (kept[1]["name"].as_str(), kept[1]["place"]["far_from_site"].as_bool()),
        (Some("IMG_0001.jpg"), Some(true))
    );
    assert_eq!(app.get_ok(&files(second)).await.as_array().unwrap().len(), 0, "the other assignment has none");

    // Larger than the service keeps: refused without downloading it.
    let before = app.telegram.downloads().len();
    let mut big = plain_jpeg();
    big.resize(3 * 1024 * 1024, 0);
    app.telegram.image_document(ENGINEER_CHAT, "big.jpg", big, Some(&page));
    app.bot_step().await;
    assert!(answer(&app).contains("照片过大"));
    assert_eq!(app.telegram.downloads().len(), before, "not downloaded");
    assert_eq!(app.get_ok(&files(first)).await.as_array().unwrap().len(), 2);

    // In English for a chat that reads English.
    app.telegram.text(ENGINEER_CHAT, "/lang en", None);
    app.bot_step().await;
    app.telegram.take_sent();
    app.telegram.photo(ENGINEER_CHAT, b"<html></html>".to_vec(), Some(&page));
    app.bot_step().await;
    let text = answer(&app);
    assert!(text.contains("not accepted"), "a file that is no image is refused in the chat's language: {text}");
}

/// A unit with an engineer (and a liaison); returns (unit, engineer person id).
async fn unit(app: &TestApp, name: &str) -> (i64, i64) {
    let u = app.unit_with_people(name).await;
    (u.id, u.people[3])
}

async fn link(app: &TestApp, person: i64, chat: i64) {
    let code = link_code(app, person).await;
    app.telegram.text(chat, &format!("/start {code}"), None);
    app.bot_step().await;
    let sent = app.telegram.take_sent();
    assert!(sent[0].text.starts_with("绑定成功"), "{}", sent[0].text);
}

/// Issues a notice to `unit` and delivers its pages; returns (assignment, the Telegram page).
async fn paged(app: &TestApp, unit: i64, chat: i64) -> (i64, Value) {
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let page = app.telegram.take_sent().into_iter().find(|s| s.chat_id == chat).expect("a page to the chat");
    (id, page.message)
}

/// A fresh link code for `person`, as the bureau issues it.
async fn link_code(app: &TestApp, person: i64) -> String {
    let code =
        expect_json(app.post(&format!("/api/v1/people/{person}/telegram-link"), &json!({})).await, StatusCode::CREATED)
            .await;
    code["code"].as_str().unwrap().to_owned()
}

async fn a_chat_is_linked_with_a_one_time_code_and_bad_codes_bind_nothing(app: TestApp) {
    let (_, engineer) = unit(&app, "安盾").await;
    let code = link_code(&app, engineer).await;
    assert_eq!(code.len(), 10);

    app.telegram.text(ENGINEER_CHAT, "/start NOTACODE12", None);
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.contains("绑定码无效"));

    app.telegram.text(ENGINEER_CHAT, &format!("/start {}", code.to_lowercase()), None);
    app.bot_step().await;
    let reply = app.telegram.take_sent().remove(0);
    assert_eq!(reply.chat_id, ENGINEER_CHAT);
    assert!(reply.text.contains("赵磊"), "{}", reply.text);
    let channels = app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await;
    assert_eq!(channels.as_array().unwrap().len(), 1);
    assert_eq!(channels[0]["kind"], "telegram");
    assert_eq!(channels[0]["address"], ENGINEER_CHAT.to_string());

    // The code is single-use: another chat cannot take it over.
    app.telegram.text(6662, &format!("/start {code}"), None);
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.contains("已被使用"));

    // A code used after its day is refused.
    let late = expect_json(
        app.post(&format!("/api/v1/people/{engineer}/telegram-link"), &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    app.clock.advance(Duration::hours(25));
    app.telegram.text(6662, &format!("/start {}", late["code"].as_str().unwrap()), None);
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.contains("已过期"));
    assert_eq!(app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await.as_array().unwrap().len(), 1);
}

async fn a_page_arrives_with_buttons_and_a_press_records_the_milestone(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;
    let text = page["text"].as_str().unwrap();
    assert!(text.starts_with("【应急响应派单】"), "{text}");
    assert!(text.contains("剩余 2小时"), "{text}");
    let buttons: Vec<(String, String)> = page["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row.as_array().unwrap().iter())
        .map(|b| (b["text"].as_str().unwrap().to_owned(), b["callback_data"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(buttons[0], ("确认接收".to_owned(), format!("m:ack:{id}")));
    assert_eq!(buttons.len(), 4);

    app.clock.advance(Duration::minutes(4));
    app.telegram.press(ENGINEER_CHAT, &page, &format!("m:ack:{id}"));
    app.bot_step().await;
    let answers = app.telegram.take_answers();
    assert_eq!(answers[0].1, "✅ 赵磊 于 2026-11-25 03:04 报告“已接收”");
    let edits = app.telegram.take_edits();
    assert!(edits[0].2.ends_with("✅ 赵磊 于 2026-11-25 03:04 报告“已接收”"), "{}", edits[0].2);
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert_eq!(a["milestones"]["acknowledged_at"], "2026-11-25T03:04:00+08:00");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let ack = events.as_array().unwrap().iter().find(|e| e["kind"] == "acknowledged").unwrap().clone();
    assert_eq!((ack["source"].as_str(), ack["actor"].as_str()), (Some("bot"), Some("赵磊")));

    // The acknowledgement stops the escalation.
    app.clock.set(t0() + Duration::minutes(10));
    app.tick().await;
    assert!(app.telegram.take_sent().is_empty());
}

async fn a_press_that_is_no_longer_valid_is_answered_with_why(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    let (_, other_engineer) = self::unit(&app, "山城").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    link(&app, other_engineer, 7771).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;

    app.telegram.press(ENGINEER_CHAT, &page, &format!("m:plan:{id}"));
    app.bot_step().await;
    let (_, text, alert) = app.telegram.take_answers().remove(0);
    assert!(alert && text.contains("须先报告“已接收”"), "{text}");

    app.telegram.press(7771, &page, &format!("m:ack:{id}"));
    app.bot_step().await;
    let answer = app.telegram.take_answers().remove(0).1;
    assert!(answer.contains("不是本单位"), "{answer}");

    app.telegram.press(6000, &page, &format!("m:ack:{id}"));
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.contains("尚未绑定"));

    expect_json(
        app.post(&format!("/api/v1/assignments/{id}/stand-down"), &json!({"reason": "误报"})).await,
        StatusCode::OK,
    )
    .await;
    app.telegram.press(ENGINEER_CHAT, &page, &format!("m:ack:{id}"));
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.contains("已撤销"));
    assert!(app.telegram.take_edits().is_empty(), "a refused press edits nothing");
    let a = app.get_ok(&format!("/api/v1/assignments/{id}")).await;
    assert!(a["milestones"]["acknowledged_at"].is_null());
}

async fn on_site_asks_for_a_location_and_flags_one_far_from_the_site(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;
    for action in ["ack", "plan"] {
        app.telegram.press(ENGINEER_CHAT, &page, &format!("m:{action}:{id}"));
    }
    app.bot_step().await;
    app.telegram.take_answers();
    app.telegram.press(ENGINEER_CHAT, &page, &format!("m:site:{id}"));
    app.bot_step().await;
    let ask = app.telegram.take_sent().remove(0);
    assert!(ask.text.contains("发送您的当前位置"));
    assert_eq!(ask.reply_markup["keyboard"][0][0]["request_location"], true);

    // About 20 km from the site: recorded, and flagged.
    app.telegram.location(ENGINEER_CHAT, 29.70, 106.70);
    app.bot_step().await;
    let reply = app.telegram.take_sent().remove(0);
    assert!(reply.text.contains("报告“到达现场”") && reply.text.contains("⚠️"), "{}", reply.text);
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let on_site = events.as_array().unwrap().iter().find(|e| e["kind"] == "on_site").unwrap().clone();
    assert_eq!(on_site["data"]["far_from_site"], true);
    assert!(on_site["data"]["distance_m"].as_f64().unwrap() > 15_000.0);
}

async fn status_notes_and_language(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;
    app.clock.advance(Duration::minutes(25));
    app.telegram.text(ENGINEER_CHAT, "/status", None);
    app.bot_step().await;
    let status = app.telegram.take_sent().remove(0).text;
    assert_eq!(status, format!("#{id} 某门户网站首页被篡改 · 已派单 · 剩余 1小时35分"));

    app.telegram.text(ENGINEER_CHAT, "已联系客户机房，正在前往", Some(&page));
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.contains(&format!("备注已记录到派单 {id}")));
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let note = events.as_array().unwrap().iter().find(|e| e["kind"] == "note").unwrap().clone();
    assert_eq!(note["note"], "已联系客户机房，正在前往");
    assert_eq!(note["source"], "bot");

    app.telegram.text(ENGINEER_CHAT, "/lang en", None);
    app.telegram.text(ENGINEER_CHAT, "/status", None);
    app.bot_step().await;
    let sent = app.telegram.take_sent();
    assert_eq!(sent[0].text, "Switched to English.");
    assert!(sent[1].text.ends_with("Notified · 1h35m left"), "{}", sent[1].text);
    app.telegram.text(ENGINEER_CHAT, "/help", None);
    app.bot_step().await;
    let help = app.telegram.take_sent().remove(0).text;
    assert!(help.contains("/status"));

    // In a group, a command may name the bot it is for (getMe says ours is
    // onsite_test_bot); one for another bot is not answered as ours.
    app.telegram.text(ENGINEER_CHAT, "/status@onsite_test_bot", None);
    app.telegram.text(ENGINEER_CHAT, "/status@other_bot", None);
    app.bot_step().await;
    let sent = app.telegram.take_sent();
    assert!(sent[0].text.ends_with("Notified · 1h35m left"), "{}", sent[0].text);
    assert_eq!(sent[1].text, help);
}

async fn a_redelivered_update_is_handled_once(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;
    let update = app.telegram.press(ENGINEER_CHAT, &page, &format!("m:ack:{id}"));
    let core = onsite::bot::CoreBot::new(app.state.clone());
    let bot = app.state.telegram.clone().unwrap();
    onsite_telegram::poller::poll_once(&bot, &core, 0).await.unwrap();
    // The same update arrives again (a second delivery of an unconfirmed offset).
    let stored = app.state.store.unhandled_updates(10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].update_id, update);
    onsite_telegram::poller::Inbox::store(&core, &[(update, stored[0].payload.clone())]).await.unwrap();
    onsite::engine::telegram::handle_inbox(&app.state, &bot).await.unwrap();
    assert_eq!(app.telegram.take_answers().len(), 1, "one press, one answer");
    assert_eq!(app.timeline_len(id).await, 2);
}

async fn telegram_rate_limits_and_blocked_chats_are_handled_as_a_channel(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    app.telegram.fail_next(ENGINEER_CHAT, Failure::RetryAfter(5));
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    let tg = pages.as_array().unwrap().iter().find(|p| p["channel"] == "telegram").unwrap().clone();
    assert_eq!(tg["status"], "queued");
    assert_eq!(tg["next_attempt_at"], "2026-11-25T03:00:05+08:00");
    app.clock.set(t0() + Duration::seconds(5));
    app.tick().await;
    assert_eq!(app.telegram.take_sent().len(), 1);

    // The engineer blocks the bot: the channel breaks and the next page falls
    // over to the bureau, since the engineer has no other channel.
    app.telegram.fail_next(ENGINEER_CHAT, Failure::Blocked);
    app.clock.set(t0() + Duration::minutes(10));
    app.tick().await;
    let channels = app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await;
    assert_eq!(channels[0]["status"], "broken");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    assert!(events.as_array().unwrap().iter().any(|e| e["kind"] == "page_failed" && e["data"]["recipient"] == "赵磊"));
}

async fn a_units_duty_group_gets_the_engineers_pages_and_members_act_from_it(app: TestApp) {
    const GROUP: i64 = -100_123;
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let code =
        expect_json(app.post(&format!("/api/v1/units/{unit}/telegram-link"), &json!({})).await, StatusCode::CREATED)
            .await;
    app.telegram.group_text(
        GROUP,
        ENGINEER_CHAT,
        &format!("/start@onsite_test_bot {}", code["code"].as_str().unwrap()),
    );
    app.bot_step().await;
    let reply = app.telegram.take_sent().remove(0);
    assert_eq!(reply.chat_id, GROUP);
    assert!(reply.text.contains("本群为“安盾”的值班群"), "{}", reply.text);

    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let sent = app.telegram.take_sent();
    let in_group = sent.iter().find(|s| s.chat_id == GROUP).expect("the duty group is paged");
    assert!(sent.iter().any(|s| s.chat_id == ENGINEER_CHAT), "the engineer still gets their own page");
    assert_eq!(in_group.reply_markup["inline_keyboard"][0][0]["callback_data"], format!("m:ack:{id}"));

    // A member who is not linked cannot act; the linked engineer can, from the group.
    app.telegram.press(7000, &in_group.message, &format!("m:ack:{id}"));
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.contains("尚未绑定"));
    app.telegram.press(ENGINEER_CHAT, &in_group.message, &format!("m:ack:{id}"));
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.contains("赵磊"));
    let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
    assert!(pages.as_array().unwrap().iter().any(|p| p["recipient"] == "值班群" && p["status"] == "sent"));
    assert!(!app.get_ok(&format!("/api/v1/assignments/{id}")).await["milestones"]["acknowledged_at"].is_null());
}

async fn every_button_records_its_milestone_and_edits_the_page(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;
    for (short, field, label) in [
        ("ack", "acknowledged_at", "已接收"),
        ("plan", "plan_activated_at", "启动应急支撑方案"),
        ("hq", "hq_remote_at", "总部远程支撑"),
    ] {
        app.clock.advance(Duration::minutes(5));
        app.telegram.press(ENGINEER_CHAT, &page, &format!("m:{short}:{id}"));
        app.bot_step().await;
        let answer = app.telegram.take_answers().remove(0).1;
        assert!(answer.contains(&format!("报告“{label}”")), "{answer}");
        let (chat, message_id, text) = app.telegram.take_edits().remove(0);
        assert_eq!((chat, message_id), (ENGINEER_CHAT, page["message_id"].as_i64().unwrap()));
        assert!(text.ends_with(&format!("报告“{label}”")), "{text}");
        assert!(!app.get_ok(&format!("/api/v1/assignments/{id}")).await["milestones"][field].is_null(), "{field}");
    }
}

async fn a_blocked_bot_falls_over_to_the_next_channel(app: TestApp) {
    let hooks = crate::receiver::Receiver::start().await;
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    expect_json(
        app.post(
            &format!("/api/v1/people/{engineer}/channels"),
            &json!({"kind": "webhook", "address": hooks.url("phone")}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = app.issue(&[unit], true).await["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    app.telegram.take_sent();
    hooks.take_names();
    // The acknowledgement reminder goes to Telegram first; the bot is blocked.
    app.telegram.fail_next(ENGINEER_CHAT, Failure::Blocked);
    app.clock.set(t0() + Duration::minutes(10));
    app.tick().await;
    assert_eq!(hooks.take_names(), ["phone"], "fell over to the webhook");
    let events = app.get_ok(&format!("/api/v1/assignments/{id}/timeline")).await;
    let fallback = events.as_array().unwrap().iter().find(|e| e["kind"] == "page_fallback").unwrap().clone();
    assert_eq!(fallback["data"]["channel"], "telegram");
    assert!(fallback["data"]["error"].as_str().unwrap().contains("blocked"));
    let channels = app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await;
    assert_eq!(channels.as_array().unwrap().iter().find(|c| c["kind"] == "telegram").unwrap()["status"], "broken");
}

async fn malformed_or_unexpected_updates_are_answered_or_ignored(app: TestApp) {
    let (unit, engineer) = unit(&app, "安盾").await;
    link(&app, engineer, ENGINEER_CHAT).await;
    let (id, page) = paged(&app, unit, ENGINEER_CHAT).await;
    // Callback data the bot never made.
    app.telegram.press(ENGINEER_CHAT, &page, "m:launch:1");
    app.telegram.press(ENGINEER_CHAT, &page, &"x".repeat(64));
    // A sticker, an edited message, an unknown update kind, a chat member change.
    app.telegram.message_without_text(ENGINEER_CHAT, json!({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 1, "height": 1, "is_animated": false, "is_video": false}}));
    app.telegram.raw(
        "edited_message",
        json!({"message_id": 9, "date": 1, "edit_date": 2, "chat": {"id": ENGINEER_CHAT, "type": "private", "first_name": "e"}, "text": "改过的"}),
    );
    app.telegram.raw("something_new", json!({"x": 1}));
    // A command from a chat nobody linked, and text that is no command.
    app.telegram.text(8888, "/status", None);
    app.telegram.text(8888, "你好", None);
    app.bot_step().await;
    let answers = app.telegram.take_answers();
    assert_eq!(answers.len(), 2, "each foreign press is answered: {answers:?}");
    let sent = app.telegram.take_sent();
    assert!(sent.iter().any(|s| s.chat_id == 8888 && s.text.contains("尚未绑定")), "{sent:?}");
    assert!(sent.iter().any(|s| s.chat_id == 8888 && s.text.contains("/status")), "help for plain text: {sent:?}");
    assert!(app.state.store.unhandled_updates(10).await.unwrap().is_empty(), "every update was handled");
    // Nothing changed, and the bot still works.
    assert_eq!(app.timeline_len(id).await, 1);
    app.telegram.press(ENGINEER_CHAT, &page, &format!("m:ack:{id}"));
    app.bot_step().await;
    assert!(app.telegram.take_answers()[0].1.contains("已接收"));
}

/// Telegram allows one message a second per chat: a second page to the same
/// chat waits for it (Telegram would refuse it), while a page to another
/// chat goes at once instead of queueing behind a timer tick.
async fn pages_are_paced_per_chat_without_holding_up_other_chats() {
    use onsite::notify::Channel;
    let fake = crate::fake_telegram::FakeTelegram::start().await;
    let bot = teloxide::Bot::new(crate::fake_telegram::TOKEN).set_api_url(fake.url.parse().unwrap());
    let limits = std::sync::Arc::new(onsite::limits::Limits::Local(Default::default()));
    let channel = onsite::notify::telegram::Telegram::new(bot, limits);
    let page = |chat: i64| onsite::notify::Delivery {
        address: chat.to_string(),
        idempotency_key: format!("k{chat}"),
        text: "应急响应派单".into(),
        action_url: None,
        body: onsite::domain::page::PageBody::plain(
            "派单".into(),
            "应急响应派单".into(),
            onsite::domain::escalation::PageReason::Dispatch,
        ),
        sent_at: t0(),
    };
    let started = std::time::Instant::now();
    channel.send(&page(1)).await.unwrap();
    channel.send(&page(2)).await.unwrap();
    let two_chats = started.elapsed();
    assert!(two_chats < std::time::Duration::from_millis(200), "two chats took {two_chats:?}");
    channel.send(&page(1)).await.unwrap();
    let same_chat = started.elapsed();
    assert!(
        same_chat >= std::time::Duration::from_millis(900),
        "the second message to one chat came {same_chat:?} after the first"
    );
    assert_eq!(fake.take_sent().iter().map(|s| s.chat_id).collect::<Vec<_>>(), [1, 2, 1]);
}

/// A chat trying link codes is held back after the configured number of
/// attempts, even with a right code; another chat is not.
async fn link_codes_tried_from_one_chat_are_limited() {
    let app =
        TestApp::spawn_with(Backend::Sqlite, |c| c.telegram.link_code_attempts_per_hour = 2).await.expect("sqlite app");
    let (_, engineer) = unit(&app, "安盾").await;
    let code = link_code(&app, engineer).await;
    for guess in ["/start GUESS00001", "/start GUESS00002"] {
        app.telegram.text(ENGINEER_CHAT, guess, None);
        app.bot_step().await;
        assert!(app.telegram.take_sent()[0].text.contains("绑定码无效"));
    }
    app.telegram.text(ENGINEER_CHAT, &format!("/start {code}"), None);
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.contains("过于频繁"));
    assert!(app.get_ok(&format!("/api/v1/people/{engineer}/channels")).await.as_array().unwrap().is_empty());

    app.telegram.text(6662, &format!("/start {code}"), None);
    app.bot_step().await;
    assert!(app.telegram.take_sent()[0].text.starts_with("绑定成功"), "the code still works from another chat");
}

//! Duty rosters: paging at T0 goes to whoever of the branch is on duty (and
//! the liaison), an override puts someone else on duty, and a gap in the
//! roster pages the support lead at once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem, notice_body, t0};
use crate::receiver::Receiver;
use crate::web::Web;

crate::on_both_backends!(
    paging_at_t0_goes_to_whoever_is_on_duty_and_the_liaison,
    an_override_puts_someone_else_on_duty,
    a_roster_gap_pages_the_support_lead_at_once,
    an_engineer_deactivated_while_on_duty_leaves_a_gap_the_support_lead_covers,
    a_bad_roster_is_refused_field_by_field_and_changes_nothing,
    the_bot_tells_an_engineer_their_duty_starts_and_who_hands_over,
    a_rotation_that_starts_later_warns_of_the_gap_and_can_start_now,
    notices_issued_together_each_page_their_own_units_duty,
);

struct Branch {
    id: i64,
    /// Person ids by their receiver name.
    people: Vec<(&'static str, i64)>,
}

impl Branch {
    fn person(&self, name: &str) -> i64 {
        self.people.iter().find(|(n, _)| *n == name).unwrap().1
    }
}

/// A unit with one branch: two engineers, a liaison and a support lead, each
/// paged on their own webhook.
async fn branch(app: &TestApp, hooks: &Receiver) -> (i64, Branch) {
    branch_of(app, hooks, "重庆安盾").await
}

async fn branch_of(app: &TestApp, hooks: &Receiver, unit: &str) -> (i64, Branch) {
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": unit})).await, StatusCode::CREATED).await;
    let unit = unit["id"].as_i64().unwrap();
    let b = expect_json(
        app.post(&format!("/api/v1/units/{unit}/branches"), &json!({"name": "渝中分公司", "address": "民族路188号"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let id = b["id"].as_i64().unwrap();
    let mut people = Vec::new();
    for (name, hook, role) in [
        ("赵磊", "zhao", "engineer"),
        ("钱多", "qian", "engineer"),
        ("王敏", "liaison", "liaison"),
        ("李强", "lead", "support_lead"),
    ] {
        let p = expect_json(
            app.post(&format!("/api/v1/units/{unit}/people"), &json!({"name": name, "role": role, "branch_id": id}))
                .await,
            StatusCode::CREATED,
        )
        .await;
        let pid = p["id"].as_i64().unwrap();
        expect_json(
            app.post(
                &format!("/api/v1/people/{pid}/channels"),
                &json!({"kind": "webhook", "address": hooks.url(hook)}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        people.push((hook, pid));
    }
    (unit, Branch { id, people })
}

async fn set_roster(app: &TestApp, branch: i64, body: Value) -> Value {
    let put = app.client.put(app.url(&format!("/api/v1/branches/{branch}/roster"))).bearer_auth(&app.token).json(&body);
    expect_json(put.send().await.unwrap(), StatusCode::OK).await
}

/// A weekly rotation of one member, from the 23rd.
async fn weekly(app: &TestApp, b: &Branch, member: &str) -> Value {
    let body = json!({"starts_on": "2026-11-23", "handover": "09:00", "shift_days": 7, "members": [b.person(member)]});
    set_roster(app, b.id, body).await
}

/// Issues a notice, delivers its pages; returns who was paged and the dispatch event.
async fn dispatch(app: &TestApp, unit: i64, hooks: &Receiver) -> (Vec<String>, Value) {
    let notice = app.issue(&[unit], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    app.tick().await;
    let mut paged: Vec<String> = hooks.received().into_iter().map(|r| r.name).collect();
    paged.sort();
    let timeline = app.get_ok(&format!("/api/v1/assignments/{a}/timeline")).await;
    (paged, timeline[0].clone())
}

async fn paging_at_t0_goes_to_whoever_is_on_duty_and_the_liaison(app: TestApp) {
    let hooks = Receiver::start().await;
    let (unit, b) = branch(&app, &hooks).await;
    // Daily hand-over at 09:00 Chongqing time from the 23rd: 赵磊, 钱多, 赵磊…
    let roster = set_roster(
        &app,
        b.id,
        json!({"starts_on": "2026-11-23", "handover": "09:00", "shift_days": 1, "members": [b.person("zhao"), b.person("qian")]}),
    )
    .await;
    // 03:00 on the 25th is still the 24th's shift: 钱多, who took over from 赵磊.
    assert_eq!(roster["on_duty"]["name"], "钱多", "{roster}");
    assert_eq!(roster["on_duty"]["from"], "2026-11-24T09:00:00+08:00");
    assert_eq!(roster["on_duty"]["after"], b.person("zhao"));
    assert_eq!(roster["coming"][0]["name"], "赵磊");
    assert_eq!(roster["coming"][0]["from"], "2026-11-25T09:00:00+08:00");

    let (paged, dispatched) = dispatch(&app, unit, &hooks).await;
    assert_eq!(paged, ["liaison", "qian"], "only the engineer on duty, and the liaison");
    assert_eq!(dispatched["data"]["roster_gap"], false);

    // The board says who is on duty at each branch, and until when.
    let (status, board) = Web::sign_in(&app, "duty").await.get("/board").await;
    assert_eq!(status, StatusCode::OK);
    let duty = &board[board.find(r#"id="duty""#).expect("the duty table")..];
    assert!(duty.contains("渝中分公司") && duty.contains("钱多") && duty.contains("2026-11-25 09:00"), "{duty}");
}

async fn an_override_puts_someone_else_on_duty(app: TestApp) {
    let hooks = Receiver::start().await;
    let (unit, b) = branch(&app, &hooks).await;
    weekly(&app, &b, "qian").await;
    let r = app
        .post(
            &format!("/api/v1/branches/{}/roster/overrides", b.id),
            &json!({"person_id": b.person("zhao"), "from": "2026-11-24T18:00:00+08:00", "until": "2026-11-25T08:00:00+08:00", "reason": "调班"}),
        )
        .await;
    let roster = expect_json(r, StatusCode::CREATED).await;
    assert_eq!(
        (roster["on_duty"]["name"].as_str(), roster["on_duty"]["overridden"].as_bool()),
        (Some("赵磊"), Some(true))
    );
    let (paged, _) = dispatch(&app, unit, &hooks).await;
    assert_eq!(paged, ["liaison", "zhao"]);
}

async fn a_roster_gap_pages_the_support_lead_at_once(app: TestApp) {
    let hooks = Receiver::start().await;
    let (unit, b) = branch(&app, &hooks).await;
    // The rotation only starts next month: nobody is on duty tonight.
    let roster = set_roster(
        &app,
        b.id,
        json!({"starts_on": "2026-12-01", "handover": "09:00", "shift_days": 1, "members": [b.person("zhao")]}),
    )
    .await;
    assert!(roster["on_duty"].is_null(), "{roster}");
    let (paged, dispatched) = dispatch(&app, unit, &hooks).await;
    assert_eq!(paged, ["lead", "liaison"], "the support lead at T0, no engineer");
    assert_eq!(dispatched["data"]["roster_gap"], true);
    assert!(dispatched["data"]["paged"].as_array().unwrap().contains(&json!("李强")));
    let (_, board) = Web::sign_in(&app, "duty").await.get("/board").await;
    assert!(board.contains("无人值班"), "the board shows the gap");

    // A swap covers tonight until 06:00; when it ends nobody is on duty, and
    // the support lead is told at once, not when the next notice comes.
    let swap = json!({"person_id": b.person("zhao"), "from": "2026-11-25T03:00:00+08:00", "until": "2026-11-25T06:00:00+08:00", "reason": "临时值守"});
    let r = app.post(&format!("/api/v1/branches/{}/roster/overrides", b.id), &swap).await;
    expect_json(r, StatusCode::CREATED).await;
    app.tick().await;
    hooks.take_names();
    app.clock.set(t0() + chrono::Duration::hours(3) + chrono::Duration::seconds(5));
    app.tick().await;
    // (The notice's own reminders are due by now too; only the gap is asked about.)
    let told: Vec<_> = hooks.received().into_iter().filter(|r| r.body["page"]["reason"] == "duty_gap").collect();
    assert_eq!(told.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["lead"], "only the support lead");
    let text = told[0].body["text"].as_str().unwrap();
    assert!(text.starts_with("【值班空缺】重庆安盾 渝中分公司"), "{text}");
    assert!(text.contains("2026-11-25 06:00 至 2026-12-01 09:00 无人值班（赵磊的值班已结束）"), "{text}");
}

/// The roster still names someone who has left: their pages would reach
/// nobody, so it is a gap and the support lead is paged at once.
async fn an_engineer_deactivated_while_on_duty_leaves_a_gap_the_support_lead_covers(app: TestApp) {
    let hooks = Receiver::start().await;
    let (unit, b) = branch(&app, &hooks).await;
    weekly(&app, &b, "qian").await;
    let off = app.client.put(app.url(&format!("/api/v1/people/{}/active", b.person("qian")))).bearer_auth(&app.token);
    expect_json(off.json(&json!({"active": false})).send().await.unwrap(), StatusCode::OK).await;
    let (paged, dispatched) = dispatch(&app, unit, &hooks).await;
    assert_eq!(paged, ["lead", "liaison"], "the support lead, not the engineer who left");
    assert_eq!(dispatched["data"]["roster_gap"], true);
}

async fn a_bad_roster_is_refused_field_by_field_and_changes_nothing(app: TestApp) {
    let hooks = Receiver::start().await;
    let (_, b) = branch(&app, &hooks).await;
    let other = app.unit_with_people("山城").await;
    let put = |body: Value| {
        app.client.put(app.url(&format!("/api/v1/branches/{}/roster", b.id))).bearer_auth(&app.token).json(&body).send()
    };
    let problem = expect_problem(
        put(json!({"zone": "Mars/Olympus", "starts_on": "2026-11-23", "handover": "25:00", "shift_days": 0, "members": []}))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["zone", "handover", "shift_days"], "{problem}");
    // Someone of another unit cannot be on this branch's roster.
    let problem = expect_problem(
        put(json!({"starts_on": "2026-11-23", "handover": "09:00", "shift_days": 1, "members": [b.person("zhao"), other.people[3]]}))
            .await
            .unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "members[1]");
    expect_problem(app.get(&format!("/api/v1/branches/{}/roster", b.id)).await, StatusCode::NOT_FOUND).await;
}

async fn the_bot_tells_an_engineer_their_duty_starts_and_who_hands_over(app: TestApp) {
    let hooks = Receiver::start().await;
    let (unit, b) = branch(&app, &hooks).await;
    // 孙悦 is reached through the bot only.
    let sun = expect_json(
        app.post(
            &format!("/api/v1/units/{unit}/people"),
            &json!({"name": "孙悦", "role": "engineer", "branch_id": b.id}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let code =
        expect_json(app.post(&format!("/api/v1/people/{sun}/telegram-link"), &json!({})).await, StatusCode::CREATED)
            .await;
    let chat = 7301;
    app.telegram.text(chat, &format!("/start {}", code["code"].as_str().unwrap()), None);
    app.bot_step().await;
    app.telegram.take_sent();
    // Daily at 09:00 from the 24th: 赵磊 on the 24th, 孙悦 from the 25th.
    set_roster(
        &app,
        b.id,
        json!({"starts_on": "2026-11-24", "handover": "09:00", "shift_days": 1, "members": [b.person("zhao"), sun]}),
    )
    .await;
    app.tick().await;
    assert!(app.telegram.take_sent().is_empty(), "nobody came on duty at 03:00");

    app.clock.set(t0() + chrono::Duration::hours(6) + chrono::Duration::seconds(20));
    assert_eq!(app.tick().await.handovers, 1);
    app.tick().await;
    let sent = app.telegram.take_sent();
    assert_eq!(sent.len(), 1, "told once, however many passes: {:?}", sent.iter().map(|s| &s.text).collect::<Vec<_>>());
    let told = &sent[0];
    assert_eq!(told.chat_id, chat);
    assert!(told.text.starts_with("【值班开始】重庆安盾 渝中分公司"), "{}", told.text);
    assert!(told.text.contains("2026-11-25 09:00 至 2026-11-26 09:00"), "{}", told.text);
    assert!(told.text.contains("交班人：赵磊"), "{}", told.text);
    assert!(told.text.contains("Handed over by: 赵磊"), "English second: {}", told.text);
    assert!(told.reply_markup.is_null(), "nothing to acknowledge: {}", told.reply_markup);
    assert!(hooks.received().is_empty(), "赵磊, handing over, is not paged");

    // An engine down past the window does not announce a shift long begun.
    app.clock.set(t0() + chrono::Duration::hours(31));
    assert_eq!(app.tick().await.handovers, 0, "赵磊's shift began at 09:00 on the 26th, an hour ago");
    assert!(hooks.received().is_empty());
}

async fn a_rotation_that_starts_later_warns_of_the_gap_and_can_start_now(app: TestApp) {
    let hooks = Receiver::start().await;
    let (_, b) = branch(&app, &hooks).await;
    // At 03:00, a daily rotation whose first hand-over is at 09:00 today.
    let body = json!({"starts_on": "2026-11-25", "handover": "09:00", "shift_days": 1,
        "members": [b.person("zhao"), b.person("qian")]});
    let roster = set_roster(&app, b.id, body).await;
    assert!(roster["on_duty"].is_null(), "a gap until 09:00: {roster}");
    let web = Web::sign_in(&app, "duty").await;
    let path = format!("/branches/{}/roster", b.id);
    let (_, page) = web.get(&path).await;
    assert!(page.contains(r#"id="gap-warning""#) && page.contains("首班于 2026-11-25 09:00"), "{page}");
    assert!(page.contains("期间的派单只通知支撑负责人"), "{page}");
    // Starting now makes the first hand-over yesterday's, so the first member is on now.
    assert!(page.contains(r#"name="starts_on" value="2026-11-24""#), "{page}");
    let (zhao, qian) = (format!("m{}", b.person("zhao")), format!("m{}", b.person("qian")));
    let form = [
        ("starts_on", "2026-11-24"),
        ("handover", "09:00"),
        ("shift_days", "1"),
        ("zone", "Asia/Shanghai"),
        (zhao.as_str(), "1"),
        (qian.as_str(), "2"),
    ];
    let (status, _, page) = web.post(&path, &form).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(r#"id="gap-warning""#), "{page}");
    let roster = app.get_ok(&format!("/api/v1/branches/{}/roster", b.id)).await;
    assert_eq!(roster["on_duty"]["name"], "赵磊", "{roster}");
}

/// Notices issued together are planned together: each still pages its own
/// unit's duty (the person on duty; the support lead for a gap; every
/// engineer without a roster), and one naming an unknown unit fails alone.
async fn notices_issued_together_each_page_their_own_units_duty(app: TestApp) {
    let hooks = Receiver::start().await;
    let (on_duty, a) = branch_of(&app, &hooks, "重庆甲").await;
    weekly(&app, &a, "qian").await;
    let (gap, b) = branch_of(&app, &hooks, "重庆乙").await;
    let later = json!({"starts_on": "2026-12-01", "handover": "09:00", "shift_days": 1, "members": [b.person("zhao")]});
    set_roster(&app, b.id, later).await;
    let (everyone, c) = branch_of(&app, &hooks, "重庆丙").await;
    let units = [on_duty, gap, everyone, 999_999];
    let expected = [
        vec![a.person("qian"), a.person("liaison")],
        vec![b.person("liaison"), b.person("lead")],
        vec![c.person("zhao"), c.person("qian"), c.person("liaison")],
    ];
    let answers = futures::future::join_all((0..16usize).map(|i| {
        let app = &app;
        async move { (i, app.post("/api/v1/notices", &notice_body(&[units[i % 4]], true)).await) }
    }))
    .await;
    for (i, answer) in answers {
        let Some(expected) = expected.get(i % 4) else {
            let problem = expect_problem(answer, StatusCode::UNPROCESSABLE_ENTITY).await;
            assert_eq!(problem["errors"][0]["code"], "unknown_unit", "notice {i}");
            continue;
        };
        let notice = expect_json(answer, StatusCode::CREATED).await;
        let id = notice["assignments"][0]["id"].as_i64().unwrap();
        let pages = app.get_ok(&format!("/api/v1/assignments/{id}/pages")).await;
        let mut paged: Vec<i64> = pages.as_array().unwrap().iter().filter_map(|p| p["person_id"].as_i64()).collect();
        paged.sort_unstable();
        let mut expected = expected.clone();
        expected.sort_unstable();
        assert_eq!(paged, expected, "notice {i} to unit {}", units[i % 4]);
    }
}

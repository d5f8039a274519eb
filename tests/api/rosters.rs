//! Duty rosters: paging at T0 goes to whoever of the branch is on duty (and
//! the liaison), an override puts someone else on duty, and a gap in the
//! roster pages the support lead at once.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;
use crate::web::Web;

crate::on_both_backends!(
    paging_at_t0_goes_to_whoever_is_on_duty_and_the_liaison,
    an_override_puts_someone_else_on_duty,
    a_roster_gap_pages_the_support_lead_at_once,
    a_bad_roster_is_refused_field_by_field_and_changes_nothing,
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
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": "重庆安盾"})).await, StatusCode::CREATED).await;
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
    set_roster(
        &app,
        b.id,
        json!({"starts_on": "2026-11-23", "handover": "09:00", "shift_days": 7, "members": [b.person("qian")]}),
    )
    .await;
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

//! Work reports (汇报): a unit's month saved and submitted, the month's
//! table flagging the late and the overdue, and the reminder before the due
//! day and the overdue flag after it, sent once, on the injected clock.

use chrono::{DateTime, Utc};
use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::escalation::paged_unit;
use crate::helpers::{TestApp, expect_json, expect_problem};
use crate::receiver::Receiver;
use crate::web::Web;

crate::on_both_backends!(
    a_unit_reports_its_month_and_the_table_flags_the_late_and_the_overdue,
    units_are_reminded_before_the_due_day_and_told_once_overdue,
    a_unit_files_its_report_on_the_web,
);

fn local(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn report(work_done: &str, problems: &str) -> Value {
    json!({"work_done": work_done, "problems": problems, "next_plans": "12月完成元旦重保值守安排"})
}

async fn put_as(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

fn standing(table: &Value, unit: i64) -> &str {
    table["units"].as_array().unwrap().iter().find(|l| l["unit_id"] == unit).unwrap()["standing"].as_str().unwrap()
}

async fn a_unit_reports_its_month_and_the_table_flags_the_late_and_the_overdue(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;
    let (nov_a, nov_b) = (
        format!("/api/v1/units/{}/work-reports/2026-11", a.id),
        format!("/api/v1/units/{}/work-reports/2026-11", b.id),
    );

    // November is under way: a draft may be saved, not submitted; December not even saved.
    let draft = expect_json(put_as(&app, &unit_a, &nov_a, &report("完成3次远程巡检", "")).await, StatusCode::OK).await;
    assert_eq!((draft["status"].as_str(), draft["standing"].as_str()), (Some("draft"), Some("pending")));
    assert_eq!(draft["due_at"], "2026-12-06T00:00:00+08:00");
    let early =
        expect_problem(app.post_as(&unit_a, &format!("{nov_a}/submit"), &json!({})).await, StatusCode::CONFLICT).await;
    assert_eq!(early["code"], "month_not_ended");
    let dec = format!("/api/v1/units/{}/work-reports/2026-12", a.id);
    let future =
        expect_problem(put_as(&app, &unit_a, &dec, &report("x", "y")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(future["errors"][0]["message_zh"], "该月份尚未开始");
    let bad = format!("/api/v1/units/{}/work-reports/2026-1", a.id);
    let bad =
        expect_problem(put_as(&app, &unit_a, &bad, &report("x", "y")).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(bad["errors"][0]["message_zh"], "月份格式应为 YYYY-MM");

    // Scope and roles: another unit's is not found, a manager reads only.
    expect_problem(app.get_as(&unit_b, &nov_a).await, StatusCode::NOT_FOUND).await;
    expect_problem(put_as(&app, &unit_b, &nov_a, &report("x", "y")).await, StatusCode::NOT_FOUND).await;
    expect_problem(put_as(&app, &manager, &nov_a, &report("x", "y")).await, StatusCode::FORBIDDEN).await;
    expect_json(app.get_as(&manager, &nov_a).await, StatusCode::OK).await;

    // December 2: November is owed; submitting needs every part, in both languages.
    app.clock.set(local("2026-12-02T12:00:00+08:00"));
    let table = app.get_ok("/api/v1/work-reports").await;
    assert_eq!(
        (table["month"].as_str(), table["due_at"].as_str()),
        (Some("2026-11"), Some("2026-12-06T00:00:00+08:00"))
    );
    assert_eq!((standing(&table, a.id), standing(&table, b.id)), ("pending", "pending"));
    let incomplete = expect_problem(
        app.post_as(&unit_a, &format!("{nov_a}/submit"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(incomplete["errors"][0]["field"], "problems");
    assert_eq!(incomplete["errors"][0]["message_zh"], "提交前须填写此项");
    assert_eq!(app.get_ok(&nov_a).await["status"], "draft", "refused, still a draft");

    expect_json(put_as(&app, &unit_a, &nov_a, &report("完成3次远程巡检", "无")).await, StatusCode::OK).await;
    let done = expect_json(app.post_as(&unit_a, &format!("{nov_a}/submit"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(
        (done["status"].as_str(), done["standing"].as_str(), done["submitted_by"].as_str()),
        (Some("submitted"), Some("on_time"), Some("andun"))
    );
    assert_eq!(done["submitted_at"], "2026-12-02T12:00:00+08:00");
    let locked = expect_problem(put_as(&app, &unit_a, &nov_a, &report("改", "改")).await, StatusCode::CONFLICT).await;
    assert_eq!(locked["code"], "work_report_submitted");

    // Past the due time: B is overdue until it submits, then late.
    app.clock.set(local("2026-12-06T00:00:00+08:00"));
    let table = app.get_ok("/api/v1/work-reports?month=2026-11").await;
    assert_eq!((standing(&table, a.id), standing(&table, b.id)), ("on_time", "overdue"));
    let own = expect_json(app.get_as(&unit_b, "/api/v1/work-reports").await, StatusCode::OK).await;
    assert_eq!(own["units"].as_array().unwrap().len(), 1, "a unit sees its own line");
    expect_json(put_as(&app, &unit_b, &nov_b, &report("值守", "人员不足")).await, StatusCode::OK).await;
    let late = expect_json(app.post_as(&unit_b, &format!("{nov_b}/submit"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(late["standing"], "late");
    let table = app.get_ok("/api/v1/work-reports?month=2026-11").await;
    assert_eq!(standing(&table, b.id), "late");
}

async fn units_are_reminded_before_the_due_day_and_told_once_overdue(app: TestApp) {
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    let quiet = app.unit_with_people("山城").await;
    let token = app.user_token("shancheng", UserRole::Unit, Some(quiet.id)).await;
    let of_kind = |reason: &str| {
        hooks.received().into_iter().filter(|r| r.body["page"]["reason"] == reason).map(|r| r.name).collect::<Vec<_>>()
    };

    app.clock.set(local("2026-12-02T23:59:00+08:00"));
    assert_eq!(app.tick().await.work_reports, 0, "not yet three days before");
    app.clock.set(local("2026-12-03T00:00:00+08:00"));
    assert_eq!(app.tick().await.work_reports, 2, "both units owe November");
    assert_eq!(of_kind("work_report_due"), ["liaison"], "the liaison is reminded (the other unit has no channel)");
    let text = hooks.received().into_iter().find(|r| r.body["page"]["reason"] == "work_report_due").unwrap();
    let text = text.body["text"].as_str().unwrap().to_owned();
    assert!(
        text.contains("本单位2026年11月工作汇报（工作开展情况、存在问题、下一步计划）须于 2026-12-06 00:00 前报送"),
        "{text}"
    );
    app.clock.set(local("2026-12-04T09:00:00+08:00"));
    assert_eq!(app.tick().await.work_reports, 0, "reminded once");

    // The quiet unit submits in time; the other only saves a draft.
    let path = format!("/api/v1/units/{}/work-reports/2026-11", quiet.id);
    let put = app.client.put(app.url(&path)).bearer_auth(&token).json(&report("巡检", "无")).send().await.unwrap();
    expect_json(put, StatusCode::OK).await;
    expect_json(app.post_as(&token, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    let draft = format!("/api/v1/units/{unit}/work-reports/2026-11");
    let put = app.client.put(app.url(&draft)).bearer_auth(&app.token).json(&report("巡检", "")).send().await.unwrap();
    expect_json(put, StatusCode::OK).await;

    app.clock.set(local("2026-12-06T00:00:00+08:00"));
    assert_eq!(app.tick().await.work_reports, 1, "only the unit that has not submitted");
    let mut told = of_kind("work_report_overdue");
    told.sort();
    assert_eq!(told, ["liaison", "support_lead"]);
    app.clock.set(local("2026-12-20T00:00:00+08:00"));
    assert_eq!(app.tick().await.work_reports, 0, "told once");

    // A unit registered in December owes nothing for November.
    app.unit_with_people("新单位").await;
    assert_eq!(app.tick().await.work_reports, 0);
}

async fn a_unit_files_its_report_on_the_web(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    app.user_token("boss", UserRole::Manager, None).await;
    app.clock.set(local("2026-12-02T12:00:00+08:00"));
    let (unit, manager, bureau) =
        (Web::sign_in(&app, "andun").await, Web::sign_in(&app, "boss").await, Web::sign_in(&app, "duty").await);
    let path = format!("/units/{}/work-reports/2026-11", a.id);

    let (_, page) = unit.get(&path).await;
    assert!(page.contains("id=\"work-report\"") && page.contains("2026-12-06 00:00"), "{page}");
    let (_, page) = manager.get(&path).await;
    assert!(!page.contains("id=\"work-report\""), "a manager reads only");

    let fields = [("work_done", "完成3次远程巡检"), ("problems", ""), ("next_plans", "元旦值守"), ("action", "submit")];
    let (status, _, page) = unit.post(&path, &fields).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("提交前须填写此项") && page.contains("完成3次远程巡检"), "refused, the text kept: {page}");
    let api = app.get_ok(&format!("/api/v1/units/{}/work-reports/2026-11", a.id)).await;
    assert_eq!(api["status"], "draft", "the draft was kept, not submitted");

    let fields =
        [("work_done", "完成3次远程巡检"), ("problems", "无"), ("next_plans", "元旦值守"), ("action", "submit")];
    let (_, _, page) = unit.post(&path, &fields).await;
    assert!(page.contains("按时报送") && page.contains("2026-12-02 12:00 · andun"), "{page}");
    assert!(!page.contains("id=\"work-report\""), "submitted: no form");
    let (_, table) = bureau.get("/work-reports?month=2026-11").await;
    assert!(table.contains("安盾") && table.contains("按时报送"), "{table}");
    let (status, page) = bureau.get("/work-reports?month=2026-13").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("月份格式应为 YYYY-MM"), "{page}");
}

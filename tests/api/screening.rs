//! Protection periods beyond the policy: the pre-event screening checklist
//! and its progress table, the daily duty report, and the SLA report
//! filtered to the notices issued under a period.

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem, t0};
use crate::web::Web;

crate::on_both_backends!(
    units_screen_their_checklist_and_the_bureau_follows_progress,
    a_bad_checklist_or_result_is_refused_and_changes_nothing,
    the_daily_report_and_the_sla_report_cover_the_notices_of_the_period,
    periods_screening_and_rosters_are_kept_on_the_web,
);

/// A period from 20:00 on the 24th to 20:00 on the 26th (T0 is 03:00 on the
/// 25th) with `units` on watch.
async fn period(app: &TestApp, units: &[i64]) -> i64 {
    let body = json!({
        "name": "2026重庆重大活动网络安全保障",
        "starts_at": "2026-11-24T20:00:00+08:00",
        "ends_at": "2026-11-26T20:00:00+08:00",
        "unit_ids": units,
        "policy": {"ack_target": "5m", "escalate_at": "10m", "warn_at": "75m", "deadline": "90m"},
    });
    expect_json(app.post("/api/v1/protection-periods", &body).await, StatusCode::CREATED).await["id"].as_i64().unwrap()
}

fn task(unit: i64, enterprise: &str, kind: &str) -> Value {
    json!({"unit_id": unit, "enterprise": enterprise, "target": "门户网站", "kind": kind})
}

async fn put_as(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn units_screen_their_checklist_and_the_bureau_follows_progress(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let p = period(&app, &[a.id, b.id]).await;
    let tasks = expect_json(
        app.post(
            &format!("/api/v1/protection-periods/{p}/screening-tasks"),
            &json!({"tasks": [
                task(a.id, "重庆某银行", "remote"),
                task(a.id, "重庆某电力公司", "on_site"),
                task(b.id, "重庆某政务云", "remote"),
            ]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let ids: Vec<i64> = tasks.as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(tasks[0]["due_at"], "2026-11-24T20:00:00+08:00", "due when the period starts");

    // Unit A sees and screens its own two; unit B's task is not there for it.
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let own = expect_json(
        app.get_as(&unit_a, &format!("/api/v1/protection-periods/{p}/screening-tasks")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(own.as_array().unwrap().len(), 2);
    let result = |outcome: &str, findings: &str| json!({"outcome": outcome, "findings": findings});
    let done = expect_json(
        put_as(
            &app,
            &unit_a,
            &format!("/api/v1/screening-tasks/{}/result", ids[0]),
            &result("issues", "门户存在SQL注入"),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((done["outcome"].as_str(), done["done_by"].as_str()), (Some("issues"), Some("andun")));
    expect_problem(
        put_as(&app, &unit_a, &format!("/api/v1/screening-tasks/{}/result", ids[2]), &result("clean", "")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;
    expect_problem(
        put_as(&app, &manager, &format!("/api/v1/screening-tasks/{}/result", ids[2]), &result("clean", "")).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    // The progress table, as the bureau sees it (T0 is after the tasks were due).
    let progress = app.get_ok(&format!("/api/v1/protection-periods/{p}/screening-progress")).await;
    let units = progress["units"].as_array().unwrap();
    assert_eq!(units.len(), 2, "{progress}");
    assert_eq!(units[0]["unit_name"], "安盾");
    assert_eq!((units[0]["remote_done"].as_u64(), units[0]["remote_total"].as_u64()), (Some(1), Some(1)));
    assert_eq!((units[0]["on_site_total"].as_u64(), units[0]["percent_done"].as_u64()), (Some(1), Some(50)));
    assert_eq!((units[0]["issues_found"].as_u64(), units[0]["overdue"].as_u64()), (Some(1), Some(1)));
    assert_eq!((units[1]["percent_done"].as_u64(), units[1]["overdue"].as_u64()), (Some(0), Some(1)));
    assert_eq!(
        (progress["total"]["percent_done"].as_u64(), progress["total"]["overdue"].as_u64()),
        (Some(33), Some(2))
    );
    // Unit A's own table has only its row.
    let theirs = expect_json(
        app.get_as(&unit_a, &format!("/api/v1/protection-periods/{p}/screening-progress")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(theirs["units"].as_array().unwrap().len(), 1);

    let audited = app.state.store.audit_entries(100).await.unwrap();
    let recorded = audited.iter().find(|e| e.action == "screening_task.result_recorded").expect("audited");
    assert_eq!(recorded.subject, format!("screening_task:{}", ids[0]));
    assert!(recorded.data.as_deref().unwrap().contains("门户存在SQL注入"));
}

async fn a_bad_checklist_or_result_is_refused_and_changes_nothing(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let p = period(&app, &[a.id]).await;
    let path = format!("/api/v1/protection-periods/{p}/screening-tasks");
    let problem = expect_problem(
        app.post(&path, &json!({"tasks": [task(a.id, "重庆某银行", "remote"), task(b.id, "重庆某医院", "remote"), task(a.id, " ", "remote")]}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "tasks[2].enterprise", "{problem}");
    let problem = expect_problem(
        app.post(&path, &json!({"tasks": [task(a.id, "重庆某银行", "remote"), task(b.id, "重庆某医院", "remote")]}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        (problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()),
        (Some("tasks[1].unit_id"), Some("not_on_watch")),
        "{problem}"
    );
    assert!(app.get_ok(&path).await.as_array().unwrap().is_empty(), "all or nothing");
    expect_problem(
        app.post("/api/v1/protection-periods/999/screening-tasks", &json!({"tasks": [task(a.id, "x", "remote")]}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    expect_problem(
        app.post_as(&unit_a, &path, &json!({"tasks": [task(a.id, "重庆某银行", "remote")]})).await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let id = expect_json(
        app.post(&path, &json!({"tasks": [task(a.id, "重庆某银行", "remote")]})).await,
        StatusCode::CREATED,
    )
    .await[0]["id"]
        .as_i64()
        .unwrap();
    let problem = expect_problem(
        put_as(&app, &unit_a, &format!("/api/v1/screening-tasks/{id}/result"), &json!({"outcome": "issues"})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "findings");
    assert!(app.get_ok(&path).await[0]["outcome"].is_null(), "the refused result is not recorded");
}

async fn the_daily_report_and_the_sla_report_cover_the_notices_of_the_period(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    // A notice before the period, to unit A.
    app.clock.set(t0() - chrono::Duration::hours(8));
    let before = app.issue(&[a.id], true).await;
    app.clock.set(t0());
    let p = period(&app, &[a.id]).await;
    // A roster for unit A's branch: 赵磊 on duty from 09:00 on the 24th.
    let roster = json!({"starts_on": "2026-11-24", "handover": "09:00", "shift_days": 1, "members": [a.people[3]]});
    let put = app.client.put(app.url(&format!("/api/v1/branches/{}/roster", a.branch_id))).bearer_auth(&app.token);
    expect_json(put.json(&roster).send().await.unwrap(), StatusCode::OK).await;
    // At T0, inside the period: unit A under its policy (on site in 30 min:
    // kept), unit B outside it.
    let inside = app.issue(&[a.id, b.id], true).await;
    let kept = inside["assignments"][0]["id"].as_i64().unwrap();
    for (minutes, kind) in [(2, "acknowledged"), (10, "plan_activated"), (25, "hq_remote"), (30, "on_site")] {
        app.clock.set(t0() + chrono::Duration::minutes(minutes));
        let r = app.event(kept, json!({"kind": kind})).await;
        assert!(r.status().is_success(), "{kind}: {}", r.text().await.unwrap());
    }

    let report = app.get_ok(&format!("/api/v1/protection-periods/{p}/daily-report")).await;
    let days: Vec<&str> = report["days"].as_array().unwrap().iter().map(|d| d["date"].as_str().unwrap()).collect();
    assert_eq!(days, ["2026-11-24", "2026-11-25", "2026-11-26"], "{report}");
    assert_eq!(report["days"][0]["figures"]["assignments"], 0);
    assert_eq!(report["days"][1]["figures"]["assignments"], 1, "only unit A's, under the period: {report}");
    assert_eq!(report["days"][1]["figures"]["kept"], 1);
    assert_eq!(report["totals"]["assignments"], 1);
    let on_duty = &report["days"][1]["on_duty"];
    assert_eq!(on_duty[0]["person"], "赵磊", "{on_duty}");
    assert_eq!(
        (on_duty[0]["from"].as_str(), on_duty[0]["until"].as_str()),
        (Some("2026-11-25T00:00:00+08:00"), Some("2026-11-26T00:00:00+08:00"))
    );
    assert_eq!(report["days"][0]["on_duty"][0]["from"], "2026-11-24T20:00:00+08:00", "cut to the period's start");

    // The SLA report filtered by the period counts the same one notice;
    // unfiltered, the month has all three.
    let sla = app.get_ok(&format!("/api/v1/reports/sla?protection_period_id={p}")).await;
    assert_eq!(sla["totals"]["assignments"], 1, "{sla}");
    assert_eq!(sla["period"]["from"], "2026-11-24T20:00:00+08:00", "the period's own window");
    assert_eq!(app.get_ok("/api/v1/reports/sla").await["totals"]["assignments"], 3);
    assert!(before["assignments"][0]["id"].is_i64());
    expect_problem(app.get("/api/v1/reports/sla?protection_period_id=999").await, StatusCode::NOT_FOUND).await;
    expect_problem(app.get("/api/v1/protection-periods/999/daily-report").await, StatusCode::NOT_FOUND).await;
}

async fn periods_screening_and_rosters_are_kept_on_the_web(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let bureau = Web::sign_in(&app, "duty").await;
    // The bureau declares a period on the web; a bad window changes nothing.
    let unit = a.id.to_string();
    let (status, _, body) = bureau
        .post("/periods", &[("name", "重保"), ("starts_at", "2026-11-26T00:00"), ("ends_at", "2026-11-25T00:00")])
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("结束时间应晚于开始时间"), "the form says why");
    let (status, location, body) = bureau
        .post(
            "/periods",
            &[
                ("name", "2026重庆重大活动网络安全保障"),
                ("starts_at", "2026-11-24T20:00"),
                ("ends_at", "2026-11-26T20:00"),
                ("unit_ids", &unit),
                ("warn_at", "75m"),
                ("deadline", "90m"),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let period = app.get_ok("/api/v1/protection-periods").await;
    assert_eq!(period.as_array().unwrap().len(), 1, "{period}");
    assert_eq!(period[0]["starts_at"], "2026-11-24T20:00:00+08:00", "read on Chongqing's clock");
    assert_eq!(location, format!("/periods/{}", period[0]["id"]));

    // A checklist typed one enterprise per line, target after a bar.
    let tasks = format!("{location}/tasks");
    let lines = "重庆某银行 | 网上银行系统\n\n重庆某电力公司\n";
    let (_, _, page) =
        bureau.post(&tasks, &[("unit_id", &unit), ("kind", "remote"), ("enterprises", lines), ("due_at", "")]).await;
    assert!(page.contains("网上银行系统") && page.contains("重庆某电力公司"), "both listed");
    let (_, _, page) = bureau.post(&tasks, &[("unit_id", &unit), ("kind", "remote"), ("enterprises", "  ")]).await;
    assert!(page.contains("请至少填写一家企业"), "an empty checklist is refused with why");
    let listed = app.get_ok(&format!("/api/v1/protection-periods/{}/screening-tasks", period[0]["id"])).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);

    // The unit records a result on the period's page.
    app.user_token("andun", onsite::domain::access::UserRole::Unit, Some(a.id)).await;
    let andun = Web::sign_in(&app, "andun").await;
    let first = listed[0]["id"].as_i64().unwrap();
    let (_, _, page) =
        andun.post(&format!("/screening-tasks/{first}/result"), &[("outcome", "issues"), ("findings", "")]).await;
    assert!(page.contains("请填写发现的问题"), "issues without findings are refused");
    let (_, _, page) =
        andun.post(&format!("/screening-tasks/{first}/result"), &[("outcome", "issues"), ("findings", "弱口令")]).await;
    let progress = &page[page.find(r#"id="screening-progress""#).expect("the progress table")..];
    assert!(progress.contains("1/2") && progress.contains("50%"), "{progress}");
    assert!(page.contains("弱口令"));

    // The unit keeps its branch's roster: turns typed per person.
    let roster = format!("/branches/{}/roster", a.branch_id);
    let (_, page) = andun.get(&roster).await;
    assert!(page.contains(r#"id="no-roster""#));
    let (engineer, liaison) = (format!("m{}", a.people[3]), format!("m{}", a.people[0]));
    let (_, _, page) = andun
        .post(
            &roster,
            &[
                ("starts_on", "2026-11-24"),
                ("handover", "09:00"),
                ("shift_days", "1"),
                ("zone", ""),
                (&engineer, "1"),
                (&liaison, "2"),
            ],
        )
        .await;
    let calendar = &page[page.find(r#"id="calendar""#).expect("the calendar")..];
    // Today (the 25th, 03:00): 赵磊 (turn 1, from the 24th) until 09:00, then 王敏.
    let today = &calendar[..calendar.find("11-26").unwrap()];
    assert!(today.contains("11-25") && today.find("赵磊").unwrap() < today.find("王敏").unwrap(), "{today}");
    assert!(today.contains("00:00–09:00") && today.contains("09:00–24:00"), "{today}");
    let (_, _, page) =
        andun.post(&roster, &[("starts_on", "2026-11-24"), ("handover", "25:00"), ("shift_days", "1")]).await;
    assert!(page.contains("时间格式应为 HH:MM"), "a bad rotation is refused with why");
    let (status, _, _) = andun
        .post(
            &format!("{roster}/overrides"),
            &[("person_id", &a.people[3].to_string()), ("from", "x"), ("until", ""), ("reason", "")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let kept = app.get_ok(&format!("/api/v1/branches/{}/roster", a.branch_id)).await;
    assert_eq!(kept["handover"], "09:00", "the refused forms changed nothing: {kept}");
    assert!(kept["overrides"].as_array().unwrap().is_empty());
}

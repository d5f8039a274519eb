//! One scorecard for every duty: the SLA report's per-unit table (JSON,
//! CSV, XLSX, page) and the unit's scorecard count the special and threat
//! reports filed and accepted, instructions confirmed on time, work reports
//! on time and screening done, in the reader's scope, on the injected clock.

use chrono::{DateTime, Utc};
use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::duties::file_special_report;
use crate::helpers::{TestApp, expect_json};
use crate::threats::file_threat_report;
use crate::web::Web;

crate::on_both_backends!(the_report_and_the_scorecard_count_every_duty);

fn local(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

fn duties_of(report: &Value, unit: i64) -> &Value {
    &report["by_unit"].as_array().unwrap().iter().find(|u| u["unit_id"] == unit).expect("unit row")["duties"]
}

/// The duty figures named, in order.
fn figures(d: &Value, names: &[&str]) -> Vec<i64> {
    names.iter().map(|n| d[*n].as_i64().unwrap_or_else(|| panic!("{n} in {d}"))).collect()
}

async fn ok(r: reqwest::Response) -> Value {
    expect_json(r, StatusCode::OK).await
}

async fn the_report_and_the_scorecard_count_every_duty(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;

    // Special reports: one accepted, one returned for changes, one left a draft.
    let accepted = file_special_report(&app, &unit_a, None).await;
    let returned = file_special_report(&app, &unit_a, None).await;
    file_special_report(&app, &unit_a, None).await;
    for id in [accepted, returned] {
        ok(app.post_as(&unit_a, &format!("/api/v1/special-reports/{id}/submit"), &json!({})).await).await;
    }
    ok(app.post(&format!("/api/v1/special-reports/{accepted}/accept"), &json!({})).await).await;
    ok(app.post(&format!("/api/v1/special-reports/{returned}/return"), &json!({"comment": "请补充影响范围"})).await)
        .await;
    // A threat report with two findings, submitted.
    let (threat, _) = file_threat_report(&app, &unit_a, None).await;
    let second = crate::threats::finding_body("Gafgyt 变种");
    ok(app.post_as(&unit_a, &format!("/api/v1/threat-reports/{threat}/findings"), &second).await).await;
    ok(app.post_as(&unit_a, &format!("/api/v1/threat-reports/{threat}/submit"), &json!({})).await).await;

    // An instruction to both: A confirms in time, B never does.
    let instruction = expect_json(
        app.post("/api/v1/instructions", &crate::instructions::body(&[a.id, b.id])).await,
        StatusCode::CREATED,
    )
    .await;
    let confirm = format!("/api/v1/instructions/{}/confirm", instruction["id"]);
    ok(app.post_as(&unit_a, &confirm, &json!({})).await).await;

    // Screening: A's two tasks, due as the period starts; one done.
    let period = json!({
        "name": "2026重庆重大活动网络安全保障",
        "starts_at": "2026-11-24T20:00:00+08:00",
        "ends_at": "2026-11-26T20:00:00+08:00",
        "unit_ids": [a.id],
        "policy": {"ack_target": "5m", "escalate_at": "10m", "warn_at": "75m", "deadline": "90m"},
    });
    let p = expect_json(app.post("/api/v1/protection-periods", &period).await, StatusCode::CREATED).await["id"].clone();
    let task =
        |enterprise: &str| json!({"unit_id": a.id, "enterprise": enterprise, "target": "门户网站", "kind": "remote"});
    let tasks = expect_json(
        app.post(
            &format!("/api/v1/protection-periods/{p}/screening-tasks"),
            &json!({"tasks": [task("重庆某银行"), task("重庆某电力公司")]}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let result = json!({"outcome": "clean", "findings": ""});
    let done = format!("/api/v1/screening-tasks/{}/result", tasks[0]["id"]);
    ok(app.client.put(app.url(&done)).bearer_auth(&unit_a).json(&result).send().await.unwrap()).await;

    // 7 December: November's work report was due by the 6th; A files late, B not at all.
    app.clock.set(local("2026-12-07T10:00:00+08:00"));
    let november = format!("/api/v1/units/{}/work-reports/2026-11", a.id);
    let report = json!({"work_done": "完成3次远程巡检", "problems": "无", "next_plans": "元旦值守"});
    ok(app.client.put(app.url(&november)).bearer_auth(&unit_a).json(&report).send().await.unwrap()).await;
    ok(app.post_as(&unit_a, &format!("{november}/submit"), &json!({})).await).await;

    let sla = ok(app.get_as(&manager, "/api/v1/reports/sla?period=2026-11").await).await;
    let names = [
        "special_filed",
        "special_accepted",
        "special_returned",
        "threat_filed",
        "threat_findings",
        "instructions",
        "instructions_on_time",
        "instructions_overdue",
        "work_reports_due",
        "work_reports_on_time",
        "work_reports_late",
        "work_reports_overdue",
        "screening_tasks",
        "screening_done",
        "screening_overdue",
    ];
    assert_eq!(figures(duties_of(&sla, a.id), &names), [2, 1, 1, 1, 2, 1, 1, 0, 1, 0, 1, 0, 2, 1, 1]);
    assert_eq!(figures(duties_of(&sla, b.id), &names), [0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 1, 0, 0, 0]);
    let b_row = sla["by_unit"].as_array().unwrap().iter().find(|u| u["unit_id"] == b.id).unwrap();
    assert_eq!((b_row["unit_name"].as_str(), b_row["figures"]["assignments"].as_i64()), (Some("山城"), Some(0)));
    assert_eq!(figures(&sla["duties"], &["instructions", "instructions_overdue", "work_reports_due"]), [2, 1, 2]);
    let october = ok(app.get_as(&manager, "/api/v1/reports/sla?period=2026-10").await).await;
    assert_eq!(october["duties"]["special_filed"], 0, "November's duties are not October's");

    // A unit reads its own row only.
    let own = ok(app.get_as(&unit_a, "/api/v1/reports/sla?period=2026-11").await).await;
    let rows: Vec<i64> = own["by_unit"].as_array().unwrap().iter().map(|u| u["unit_id"].as_i64().unwrap()).collect();
    assert_eq!((rows, own["duties"]["instructions_overdue"].as_i64()), (vec![a.id], Some(0)));

    // The CSV carries the same numbers under its documented headers.
    let csv = app.get_as(&manager, "/api/v1/reports/sla.csv?period=2026-11").await.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(csv.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {header:?}"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let row_of = |name: &str| rows.iter().find(|r| &r[0] == name).unwrap_or_else(|| panic!("{name} row"));
    assert_eq!(&row_of("安盾")[column("专项报告已通过 Special reports accepted")], "1");
    assert_eq!(&row_of("山城")[column("逾期未确认 Unread past deadline")], "1");
    assert_eq!(&row_of("合计 Total")[column("应报工作汇报 Work reports due")], "2");

    // The page and the scorecard show them, the scorecard by month.
    let web = Web::sign_in(&app, "boss").await;
    let (_, page) = web.get("/reports?period=2026-11").await;
    assert!(page.contains("id=\"duties\"") && page.contains("其他职责履行情况"), "{page}");
    assert!(page.contains("<td>山城</td><td>0 / 0</td>"), "B's duties row although it had no assignment: {page}");
    let (status, card) = web.get(&format!("/units/{}/scorecard?year=2026", a.id)).await;
    assert_eq!(status, StatusCode::OK);
    let november_row = card.split("<tr><td>2026-11</td>").nth(2).expect("November in the duties table");
    assert!(november_row.starts_with("<td>2 / 1</td><td>1 / 0</td><td>2</td><td>1 (100.0%)</td>"), "{november_row}");
    let (status, _) = Web::sign_in(&app, "andun").await.get(&format!("/units/{}/scorecard", b.id)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another unit's scorecard");
}

//! SLA reports against a history whose right answers are known by
//! construction, across the end of November in Shanghai (which is still
//! November in UTC for the first eight hours of December 1st).

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::{DateTime, Duration, Utc};
use onsite::domain::access::{Actor, UserRole};
use onsite::domain::report::SlaReport;
use onsite::store::reports::ReportFilter;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem};

crate::on_both_backends!(
    the_report_counts_every_figure_as_constructed_on_the_shanghai_calendar,
    csv_and_xlsx_carry_the_same_numbers_as_the_json,
    a_unit_user_gets_its_own_units_report_only_and_bad_periods_are_refused,
    the_report_page_shows_the_same_figures_with_charts_and_exports,
    settled_assignments_come_from_the_report_cells_and_agree_with_every_row,
    a_formula_typed_as_a_name_or_title_reaches_no_export_as_a_formula,
    a_month_with_open_assignments_rates_only_the_decided_ones,
    the_month_s_report_is_worked_out_once_for_many_readers_and_any_instance_s_change_shows_at_once,
);

fn shanghai(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("{s}+08:00")).unwrap().to_utc()
}

/// Issues a notice to `unit` at `t0` and plays `steps` (minutes after T0, event body).
async fn history(app: &TestApp, unit: i64, t0: DateTime<Utc>, title: &str, steps: &[(i64, Value)]) -> i64 {
    app.clock.set(t0);
    let mut body = crate::helpers::notice_body(&[unit], true);
    body["title"] = title.into();
    let notice = expect_json(app.post("/api/v1/notices", &body).await, StatusCode::CREATED).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    for (minutes, step) in steps {
        app.clock.set(t0 + Duration::minutes(*minutes));
        let path = match step["do"].as_str() {
            Some("extend") => format!("/api/v1/assignments/{a}/extend"),
            Some("stand-down") => format!("/api/v1/assignments/{a}/stand-down"),
            _ => format!("/api/v1/assignments/{a}/events"),
        };
        let r = app.post(&path, step).await;
        assert!(r.status().is_success(), "{title} +{minutes}m {step}: {}", r.text().await.unwrap());
    }
    a
}

fn ev(kind: &str) -> Value {
    json!({"kind": kind})
}

struct Built {
    a: i64,
    kept: i64,
    b: i64,
    late_in_december: i64,
    never_acknowledged: i64,
}

/// The history. Unit A: kept (Nov 30 23:30), late on site by 15 min (Dec 1
/// 00:30 Shanghai = Nov 30 16:30 UTC), extended and on site within the
/// extension (Nov 25). Unit B: never acknowledged (Nov 15), stood down (Nov 20).
async fn build(app: &TestApp) -> Built {
    let a = app.unit_with_people("安盾").await.id;
    let b = app.unit_with_people("山城").await.id;
    let all = |ack: i64, plan: i64, hq: i64, onsite: i64| {
        vec![(ack, ev("acknowledged")), (plan, ev("plan_activated")), (hq, ev("hq_remote")), (onsite, ev("on_site"))]
    };
    let mut kept = all(5, 30, 40, 100);
    kept.push((110, ev("resolved")));
    let kept = history(app, a, shanghai("2026-11-30T23:30:00"), "按时履约", &kept).await;
    // Its closure report, submitted an hour after resolution and accepted.
    app.clock.set(shanghai("2026-12-01T01:20:00") + Duration::minutes(60));
    let report = json!({"event_time": "2026-11-30T23:00:00+08:00", "description": "篡改", "cause": "弱口令", "impact": "首页", "countermeasures": "修改口令"});
    let path = format!("/api/v1/assignments/{kept}/closure-report");
    let r = app.client.put(app.url(&path)).bearer_auth(&app.token).json(&report).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    expect_json(app.post(&format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    expect_json(app.post(&format!("{path}/accept"), &json!({})).await, StatusCode::OK).await;
    let late_in_december = history(app, a, shanghai("2026-12-01T00:30:00"), "到场超时", &all(15, 60, 60, 135)).await;
    let mut extended = all(5, 50, 50, 150);
    extended.insert(3, (60, json!({"do": "extend", "deadline_at": "2026-11-25T13:00:00+08:00", "reason": "交通管制"})));
    history(app, a, shanghai("2026-11-25T10:00:00"), "延长后到场", &extended).await;
    let never_acknowledged = history(app, b, shanghai("2026-11-15T10:00:00"), "无人接收", &[]).await;
    history(app, b, shanghai("2026-11-20T10:00:00"), "已撤销", &[(30, json!({"do": "stand-down", "reason": "误报"}))])
        .await;
    app.clock.set(shanghai("2026-12-02T12:00:00"));
    Built { a, kept, b, late_in_december, never_acknowledged }
}

fn unit_figures(report: &Value, unit: i64) -> &Value {
    &report["by_unit"].as_array().unwrap().iter().find(|u| u["unit_id"] == unit).expect("unit row")["figures"]
}

async fn the_report_counts_every_figure_as_constructed_on_the_shanghai_calendar(app: TestApp) {
    let built = build(&app).await;
    let nov = app.get_ok("/api/v1/reports/sla?period=2026-11").await;
    assert_eq!(nov["period"]["from"], "2026-11-01T00:00:00+08:00");
    assert_eq!(nov["period"]["to"], "2026-12-01T00:00:00+08:00");
    let t = &nov["totals"];
    let counts = |f: &Value, keys: &[&str]| keys.iter().map(|k| f[*k].as_u64().unwrap()).collect::<Vec<_>>();
    let keys = [
        "assignments",
        "stood_down",
        "extended",
        "counted",
        "acknowledged_within_target",
        "plan_activated_within_deadline",
        "on_site_required",
        "on_site_within_deadline",
        "hq_remote_within_deadline",
        "kept",
        "breached",
    ];
    assert_eq!(counts(t, &keys), [4, 1, 1, 3, 2, 2, 3, 1, 2, 1, 1]);
    assert!((t["on_time_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9);
    assert_eq!(t["time_to_acknowledge"], json!({"count": 2, "median_seconds": 300, "p90_seconds": 300}));
    assert_eq!(t["time_to_plan"], json!({"count": 2, "median_seconds": 1800, "p90_seconds": 3000}));
    assert_eq!(t["time_to_on_site"], json!({"count": 2, "median_seconds": 6000, "p90_seconds": 9000}));
    assert_eq!((t["closure_filed"].as_u64(), t["closure_accepted"].as_u64()), (Some(1), Some(1)));
    assert_eq!(t["time_to_closure"], json!({"count": 1, "median_seconds": 3600, "p90_seconds": 3600}));
    assert_eq!(counts(unit_figures(&nov, built.a), &keys), [2, 0, 1, 2, 2, 2, 2, 1, 2, 1, 0]);
    assert_eq!(counts(unit_figures(&nov, built.b), &keys), [2, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1]);
    // The breach list: never acknowledged, late from Nov 15 12:00 to now (Dec 2 12:00).
    let breaches = nov["breaches"].as_array().unwrap();
    assert_eq!(breaches.len(), 1);
    assert_eq!(breaches[0]["assignment_id"], built.never_acknowledged);
    assert_eq!(breaches[0]["lateness_seconds"], 17 * 86_400);
    assert_eq!(breaches[0]["title"], "无人接收");
    assert_eq!(breaches[0]["unit_name"], "山城");

    // December 1st 00:30 in Shanghai belongs to December, though UTC says November.
    let dec = app.get_ok("/api/v1/reports/sla?period=2026-12").await;
    assert_eq!(counts(&dec["totals"], &keys), [1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1]);
    assert_eq!(dec["breaches"][0]["assignment_id"], built.late_in_december);
    assert_eq!(dec["breaches"][0]["lateness_seconds"], 900);
    assert_eq!(dec["breaches"][0]["milestones"], json!(["on_site"]));
    assert_eq!(dec["breaches_total"], 1);
    // A long list is cut to the latest ones; the total still counts them all.
    let cut = app.get_ok("/api/v1/reports/sla?period=2026-11&breaches_limit=0").await;
    assert_eq!((cut["breaches"].as_array().unwrap().len(), cut["breaches_total"].as_u64()), (0, Some(1)));
    assert_eq!(cut["totals"], nov["totals"]);
    // Custom dates are whole Shanghai days, both inclusive.
    let custom = app.get_ok("/api/v1/reports/sla?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(custom["totals"], nov["totals"]);
    let last_day = app.get_ok("/api/v1/reports/sla?from=2026-11-30&to=2026-11-30").await;
    assert_eq!(last_day["totals"]["assignments"], 1, "only the 23:30 notice");
    let q4 = app.get_ok("/api/v1/reports/sla?period=2026-Q4").await;
    assert_eq!(q4["totals"]["assignments"], 5);
    // Filters: one unit, a category nobody had.
    let only_b = app.get_ok(&format!("/api/v1/reports/sla?period=2026-11&unit_id={}", built.b)).await;
    assert_eq!(only_b["totals"]["assignments"], 2);
    let none = app.get_ok("/api/v1/reports/sla?period=2026-11&category=ddos").await;
    assert_eq!(none["totals"]["assignments"], 0);
    assert_eq!(none["totals"]["on_time_rate"], Value::Null);
}

async fn csv_and_xlsx_carry_the_same_numbers_as_the_json(app: TestApp) {
    let built = build(&app).await;
    let json = app.get_ok("/api/v1/reports/sla?period=2026-11").await;
    let r = app.get("/api/v1/reports/sla.csv?period=2026-11").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let bytes = r.bytes().await.unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "UTF-8 with BOM for Excel");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rows.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[0], "支撑单位 Unit");
    let records: Vec<Vec<String>> = rows.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(records.len(), 3, "two units and the total");
    let column = |name: &str| header.iter().position(|h| h.contains(name)).unwrap();
    let (kept, breached, median) = (column("Kept"), column("Breached"), column("On-site median"));
    for (row, figures) in [
        (&records[0], unit_figures(&json, built.a)),
        (&records[1], unit_figures(&json, built.b)),
        (&records[2], &json["totals"]),
    ] {
        assert_eq!(row[kept], figures["kept"].to_string());
        assert_eq!(row[breached], figures["breached"].to_string());
        assert_eq!(
            row[median],
            figures["time_to_on_site"]["median_seconds"].as_i64().map(|v| v.to_string()).unwrap_or_default()
        );
    }
    assert_eq!(records[2][0], "合计 Total");
    let breaches = app.get("/api/v1/reports/sla.csv?period=2026-11&table=breaches").await.text().await.unwrap();
    assert!(
        breaches.contains("无人接收") && breaches.contains("启动应急支撑方案") && breaches.contains("17天"),
        "{breaches}"
    );

    let r = app.get("/api/v1/reports/sla.xlsx?period=2026-11").await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let units = book.worksheet_range("按单位 By unit").unwrap();
    let cell = |row: usize, col: usize| units.get((row, col)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(1, 0), Data::String("安盾".into()));
    assert_eq!(cell(3, 0), Data::String("合计 Total".into()));
    // Column 0 is the unit; figures start at column 1 in FIGURE_COLUMNS order.
    assert_eq!(cell(3, 1), Data::Float(json["totals"]["assignments"].as_f64().unwrap()));
    assert_eq!(cell(3, kept), Data::Float(json["totals"]["kept"].as_f64().unwrap()));
    assert_eq!(cell(2, breached), Data::Float(unit_figures(&json, built.b)["breached"].as_f64().unwrap()));
    let list = book.worksheet_range("超时清单 Breaches").unwrap();
    assert_eq!(list.get((1, 0)), Some(&Data::Float(built.never_acknowledged as f64)));
    assert_eq!(list.get((1, 7)), Some(&Data::Float((17 * 86_400) as f64)));
}

async fn a_unit_user_gets_its_own_units_report_only_and_bad_periods_are_refused(app: TestApp) {
    let built = build(&app).await;
    let token = app.user_token("andun", UserRole::Unit, Some(built.a)).await;
    let mine = expect_json(app.get_as(&token, "/api/v1/reports/sla?period=2026-11").await, StatusCode::OK).await;
    assert_eq!(mine["totals"]["assignments"], 2);
    assert_eq!(mine["by_unit"].as_array().unwrap().len(), 1);
    let path = format!("/api/v1/reports/sla?period=2026-11&unit_id={}", built.b);
    expect_problem(app.get_as(&token, &path).await, StatusCode::NOT_FOUND).await;
    let csv = app.get_as(&token, "/api/v1/reports/sla.csv?period=2026-11").await.text().await.unwrap();
    assert!(!csv.contains("山城"), "no other unit in the export");
    for bad in [
        "period=2026-13",
        "from=2026-11-01",
        "period=2026-11&from=2026-11-01&to=2026-11-02",
        "from=2026-11-30&to=2026-11-01",
        "period=2026-11&category=nope",
    ] {
        let r = app.get(&format!("/api/v1/reports/sla?{bad}")).await;
        assert!(
            matches!(r.status(), StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST),
            "{bad}: {}",
            r.status()
        );
    }
    expect_problem(
        app.get("/api/v1/reports/sla.csv?period=2026-11&table=everything").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

async fn the_report_page_shows_the_same_figures_with_charts_and_exports(app: TestApp) {
    let built = build(&app).await;
    app.user_token("boss", UserRole::Manager, None).await;
    let web = crate::web::Web::sign_in(&app, "boss").await;
    let (status, page) = web.get("/reports?period=2026-11&unit_id=&category=").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("2026-11-01 – 2026-11-30"), "the period in Shanghai days");
    assert!(page.contains(r#"<dd id="total-rate"><strong>33.3%</strong> (履约 1 / 3)"#), "the on-time rate");
    assert!(page.contains(r#"<dd id="total-breached">1</dd>"#));
    assert!(
        page.contains(&format!(r#"href="/assignments/{}">无人接收"#, built.never_acknowledged)),
        "breach list links"
    );
    assert!(page.contains("17天"), "lateness as people read it");
    assert_eq!(page.matches("<svg").count(), 3, "three server-drawn charts");
    assert!(page.contains("1小时40分 / 2小时30分"), "on-site median / p90");
    assert!(page.contains(r#"<dd id="closure-filed">1 / 1</dd>"#), "closure reports filed / accepted");
    assert!(!page.contains("breaches-cut"), "the whole list fits");
    let (_, cut) = web.get("/reports?period=2026-11&breaches_limit=0").await;
    assert!(cut.contains(r#"id="breaches-cut""#) && cut.contains("0 / 1"), "a cut list says so");
    // The page's exports carry the same report through the session.
    let (status, csv) = web.get("/reports/sla.csv?period=2026-11").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with('\u{feff}') && csv.contains("合计 Total"));
    let (status, _) = web.get("/reports/sla.xlsx?period=2026-11").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = web.get("/reports?period=2026-13").await;
    assert_eq!(status, StatusCode::CONFLICT, "a bad period is refused with why");
    let (status, _) = web.get("/reports?category=nope").await;
    assert_eq!(status, StatusCode::CONFLICT);
    // The unit's scorecard for the year: its figures and month by month.
    let (status, card) = web.get(&format!("/units/{}/scorecard?year=2026", built.a)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(card.contains(r#"<dd id="scorecard-rate"><strong>33.3%</strong> (履约 1 / 3)"#), "kept 1 of 3 in 2026");
    assert!(card.contains("<td>2026-11</td><td>2</td><td>2</td><td>1</td><td>50.0%</td><td>0</td>"), "November row");
    assert!(card.contains("<td>2026-12</td><td>1</td><td>1</td><td>0</td><td>0.0%</td><td>1</td>"), "December row");
    assert_eq!(web.get(&format!("/units/{}/scorecard?year=二〇二六", built.a)).await.0, StatusCode::CONFLICT);
    // A unit user's page holds its own unit only.
    app.user_token("andun", UserRole::Unit, Some(built.a)).await;
    let unit_user = crate::web::Web::sign_in(&app, "andun").await;
    let (_, page) = unit_user.get("/reports?period=2026-11").await;
    assert!(page.contains("安盾") && !page.contains("山城"), "no other unit on a unit user's report");
    let (status, _) = unit_user.get(&format!("/reports?period=2026-11&unit_id={}", built.b)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Reads a report twice: through the maintained cells, and every row one by
/// one (the reference), and says they agree figure for figure.
async fn both_readings_agree(app: &TestApp, period: onsite::domain::period::Period, what: &str) -> SlaReport {
    let actor = Actor {
        user_id: 0,
        username: "test".into(),
        role: UserRole::Bureau,
        unit_id: None,
        source: onsite::domain::access::Source::Api,
        address: None,
    };
    let now = onsite::domain::clock::Clock::now(app.clock.as_ref());
    let filter = ReportFilter::new(period);
    let (cells, _) = onsite::reports::build(&app.state, &actor, &filter, now).await.unwrap();
    let reference = ReportFilter { row_by_row: true, ..ReportFilter::new(period) };
    let (rows, _) = onsite::reports::build(&app.state, &actor, &reference, now).await.unwrap();
    assert_eq!(cells.totals, rows.totals, "{what}: totals");
    assert_eq!(cells.by_unit, rows.by_unit, "{what}: per unit");
    assert_eq!(cells.by_branch, rows.by_branch, "{what}: per branch");
    assert_eq!(cells.by_month, rows.by_month, "{what}: per month");
    assert_eq!(cells.on_site_distribution, rows.on_site_distribution, "{what}: distribution");
    assert_eq!(cells.breaches, rows.breaches, "{what}: breach list");
    cells
}

async fn settled_assignments_come_from_the_report_cells_and_agree_with_every_row(app: TestApp) {
    let built = build(&app).await;
    let tz = app.state.tz;
    let nov = onsite::domain::period::named("2026-11", tz).unwrap();
    let periods = [
        ("November", nov),
        ("December", onsite::domain::period::named("2026-12", tz).unwrap()),
        ("Q4", onsite::domain::period::named("2026-Q4", tz).unwrap()),
        ("Nov 10 – Dec 1", onsite::domain::period::custom("2026-11-10", "2026-12-01", tz).unwrap()),
    ];
    // Only the stand-down is settled so far.
    let before = both_readings_agree(&app, nov, "one stood down").await;
    assert_eq!(before.totals.stood_down, 1);
    let cells = |app: &TestApp| {
        let db = app.state.store.db().clone();
        async move {
            let sql = "SELECT COUNT(*) AS n FROM report_cells";
            let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap().unwrap();
            row.try_get::<i64>("", "n").unwrap()
        }
    };
    assert_eq!(cells(&app).await, 1);

    // Close the kept one and the late one (its closure report comes after).
    app.clock.set(shanghai("2026-12-02T12:00:00"));
    for (a, steps) in [(built.late_in_december, vec!["resolved", "closed"]), (built.kept, vec!["closed"])] {
        for kind in steps {
            let r = app.event(a, json!({"kind": kind})).await;
            assert_eq!(r.status(), StatusCode::CREATED, "{kind}: {}", r.text().await.unwrap());
        }
    }
    for (what, p) in periods {
        both_readings_agree(&app, p, what).await;
    }
    assert_eq!(cells(&app).await, 3, "stood down (Nov), kept (Nov), late (Dec)");
    // The streamed breach list merges the settled (from the maintained
    // list) with the open one judged now, latest first.
    let csv = app.get("/api/v1/reports/sla.csv?period=2026-Q4&table=breaches").await.text().await.unwrap();
    let ids: Vec<String> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap().to_owned()).collect();
    assert_eq!(ids, [built.never_acknowledged.to_string(), built.late_in_december.to_string()], "{csv}");
    assert!(csv.starts_with('\u{feff}'));
    let dec = both_readings_agree(&app, periods[1].1, "December closed").await;
    assert_eq!(dec.breaches.len(), 1, "the late one, now from the maintained list");
    assert_eq!(dec.breaches[0].lateness_seconds, 900);
    assert_eq!(dec.totals.closure_filed, 0);

    // A closure report filed after the close moves the settled figures.
    app.clock.set(shanghai("2026-12-02T14:00:00"));
    let report = json!({"event_time": "2026-12-01T00:00:00+08:00", "description": "挂马", "cause": "漏洞", "impact": "访客", "countermeasures": "清除"});
    let path = format!("/api/v1/assignments/{}/closure-report", built.late_in_december);
    let r = app.client.put(app.url(&path)).bearer_auth(&app.token).json(&report).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    expect_json(app.post(&format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    let dec = both_readings_agree(&app, periods[1].1, "December filed").await;
    assert_eq!((dec.totals.closure_filed, dec.totals.closure_accepted), (1, 0));
    expect_json(app.post(&format!("{path}/accept"), &json!({})).await, StatusCode::OK).await;
    let dec = both_readings_agree(&app, periods[1].1, "December accepted").await;
    assert_eq!((dec.totals.closure_filed, dec.totals.closure_accepted), (1, 1));

    // Rebuilt from scratch (as after an upgrade), the cells say the same.
    let settled = app.state.store.rebuild_report_cells().await.unwrap();
    assert_eq!(settled, 3);
    let rebuilt = both_readings_agree(&app, periods[2].1, "rebuilt").await;
    assert_eq!((rebuilt.totals.assignments, rebuilt.totals.closure_accepted), (5, 2));
    assert_eq!(cells(&app).await, 3);
}

/// Excel runs a cell starting with `=`, `+`, `-` or `@`: a unit or notice
/// named like that must come out of every CSV as text (`'` first), and the
/// XLSX must hold it as a string, not a formula.
async fn a_formula_typed_as_a_name_or_title_reaches_no_export_as_a_formula(app: TestApp) {
    let unit = "=HYPERLINK(\"http://evil.example\",\"1\")";
    let title = "@SUM(1+1) 网站被篡改";
    let id = expect_json(app.post("/api/v1/units", &json!({"name": unit})).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    history(&app, id, shanghai("2026-11-10T10:00:00"), title, &[]).await;
    app.clock.set(shanghai("2026-11-20T10:00:00"));

    let text = app.get("/api/v1/reports/sla.csv?period=2026-11").await.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let first: Vec<String> = rows.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(first[0], format!("'{unit}"), "{text}");
    let text = app.get("/api/v1/reports/sla.csv?period=2026-11&table=breaches").await.text().await.unwrap();
    let mut rows = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let breach: Vec<String> = rows.records().next().unwrap().unwrap().iter().map(str::to_owned).collect();
    assert_eq!((breach[2].as_str(), breach[3].as_str()), (format!("'{title}").as_str(), format!("'{unit}").as_str()));
    for line in text.lines().skip(1) {
        for cell in csv::ReaderBuilder::new().has_headers(false).from_reader(line.as_bytes()).records().flatten() {
            assert!(cell.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])), "{line}");
        }
    }

    let r = app.get("/api/v1/reports/sla.xlsx?period=2026-11").await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    for sheet in ["按单位 By unit", "超时清单 Breaches"] {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()), "no formula in {sheet}");
    }
    assert_eq!(book.worksheet_range("按单位 By unit").unwrap().get((1, 0)), Some(&Data::String(unit.into())));
    assert_eq!(book.worksheet_range("超时清单 Breaches").unwrap().get((1, 2)), Some(&Data::String(title.into())));
}

/// A fresh month is not 0 % on time: what still has time left is pending.
async fn a_month_with_open_assignments_rates_only_the_decided_ones(app: TestApp) {
    let unit = app.unit_with_people("安盾").await.id;
    let t0 = shanghai("2026-12-03T09:00:00");
    let on_time = [(5, ev("acknowledged")), (20, ev("plan_activated")), (30, ev("hq_remote")), (60, ev("on_site"))];
    history(&app, unit, t0, "已按时到场", &on_time).await;
    history(&app, unit, t0 + Duration::minutes(30), "刚接收", &[(3, ev("acknowledged"))]).await;
    history(&app, unit, t0 + Duration::minutes(40), "刚派单", &[]).await;
    app.clock.set(t0 + Duration::minutes(90));
    let totals = app.get_ok("/api/v1/reports/sla?period=2026-12").await["totals"].clone();
    assert_eq!(
        (totals["counted"].as_i64(), totals["kept"].as_i64(), totals["pending"].as_i64()),
        (Some(3), Some(1), Some(2))
    );
    assert_eq!(totals["on_time_rate"], 1.0, "the two with time left are not counted as missed: {totals}");
    let page = crate::web::Web::sign_in(&app, "duty").await.get("/reports?period=2026-12").await.1;
    assert!(page.contains("100.0%") && page.contains("进行中未到时限"), "the page shows the pending apart");

    // Three hours in, the second and third have missed their deadline.
    app.clock.set(t0 + Duration::minutes(180));
    let totals = app.get_ok("/api/v1/reports/sla?period=2026-12").await["totals"].clone();
    assert_eq!((totals["pending"].as_i64(), totals["breached"].as_i64()), (Some(0), Some(2)));
    assert!((totals["on_time_rate"].as_f64().unwrap() - 1.0 / 3.0).abs() < 1e-9, "{totals}");
}

async fn the_month_s_report_is_worked_out_once_for_many_readers_and_any_instance_s_change_shows_at_once(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("卫士").await);
    app.issue(&[a.id], true).await;
    let month = "/api/v1/reports/sla?period=2026-11";
    let first = app.get_ok(month).await;
    assert_eq!(first["totals"]["assignments"], 1);
    let made = app.state.reports.made();
    let reads = futures::future::join_all((0..40).map(|_| app.get_ok(month))).await;
    assert!(reads.iter().all(|r| r["totals"] == first["totals"]), "every reader gets the same figures");
    assert_eq!(app.state.reports.made(), made, "forty readers of the month, no new report");

    // Another instance issues a notice; the clock has not moved.
    let peer = app.peer(|_| {}).await;
    expect_json(
        peer.post("/api/v1/notices", &crate::helpers::notice_body(&[a.id, b.id], true)).await,
        StatusCode::CREATED,
    )
    .await;
    let after = app.get_ok(month).await;
    assert_eq!(after["totals"]["assignments"], 3, "the peer's change shows at the next read");

    // Each scope has its own answer.
    let unit_b = app.user_token("weishi", UserRole::Unit, Some(b.id)).await;
    let own = expect_json(app.get_as(&unit_b, month).await, StatusCode::OK).await;
    assert_eq!(own["totals"]["assignments"], 1, "{own}");
    let filtered = app.get_ok(&format!("{month}&unit_id={}", b.id)).await;
    assert_eq!(filtered["totals"]["assignments"], 1);
}

//! Threat reports (威胁信息报告): a unit's batches of findings through
//! review; the month's findings for CAICT as XLSX and CSV read back cell by
//! cell, and as STIX 2.1, checked object by object and validated by the
//! OASIS validator from PyPI (`stix2-validator`); the same indicator from
//! two units flagged.

use std::io::Cursor;
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx};
use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, expect_json, expect_problem};
use crate::web::Web;

crate::on_both_backends!(
    a_unit_files_threat_findings_and_the_bureau_reviews_them,
    bad_findings_are_refused_in_both_languages_and_change_nothing,
    the_months_findings_export_for_caict_with_shared_indicators_flagged,
    threat_reports_are_kept_on_the_web,
);

/// The trials that need the STIX validator (ignored outside CI without it).
pub fn validator_trials() -> Vec<libtest_mimic::Trial> {
    vec![crate::trials::test("threats::the_stix_bundle_validates_against_stix_2_1", stix_needs(), || {
        Box::pin(the_stix_bundle_validates_against_stix_2_1())
    })]
}

/// A botnet finding with a C&C domain, a hash and a five-tuple.
pub fn finding_body(name: &str) -> Value {
    json!({
        "kind": "botnet",
        "name": name,
        "found_at": "2026-11-03T09:00:00+08:00",
        "description": "物联网设备被植入僵尸程序",
        "other_target": "某小区摄像头",
        "five_tuples": [{"src_ip": "10.0.0.5", "src_port": 51234, "dst_ip": "203.0.113.7", "dst_port": 23, "protocol": "tcp"}],
        "propagation_path": "弱口令爆破 Telnet 后下载执行",
        "c2_addresses": ["cnc.example.com"],
        "hashes": ["44d88612fea8a8f36de82e1278abb02f"],
        "disposal_advice": "封堵 C&C 域名，排查弱口令",
    })
}

/// A report with one finding, for `unit_id` when the bureau files it.
pub fn threat_report_body(unit_id: Option<i64>) -> Value {
    json!({"unit_id": unit_id, "title": "2026年11月威胁信息（第一批）", "findings": [finding_body("Mirai 变种")]})
}

/// Files a report with one finding as `token`; its id and the finding's.
pub async fn file_threat_report(app: &TestApp, token: &str, unit_id: Option<i64>) -> (i64, i64) {
    let r = app.post_as(token, "/api/v1/threat-reports", &threat_report_body(unit_id)).await;
    let v = expect_json(r, StatusCode::CREATED).await;
    (v["id"].as_i64().unwrap(), v["findings"][0]["id"].as_i64().unwrap())
}

async fn delete_as(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    app.client.delete(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn a_unit_files_threat_findings_and_the_bureau_reviews_them(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;

    // An empty batch is a draft, not yet something to submit.
    let empty = json!({"title": "11月威胁信息"});
    let draft = expect_json(app.post_as(&unit_a, "/api/v1/threat-reports", &empty).await, StatusCode::CREATED).await;
    assert_eq!((draft["status"].as_str(), draft["unit_id"].as_i64()), (Some("draft"), Some(a.id)));
    let path = format!("/api/v1/threat-reports/{}", draft["id"]);
    let early = expect_problem(
        app.post_as(&unit_a, &format!("{path}/submit"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(early["errors"][0]["message_zh"], "提交前请至少添加一条威胁信息");

    // Findings are added one by one; the addresses shown defanged, hashes typed.
    let added = expect_json(
        app.post_as(&unit_a, &format!("{path}/findings"), &finding_body("Mirai 变种")).await,
        StatusCode::OK,
    )
    .await;
    let f = &added["findings"][0];
    assert_eq!((f["kind"].as_str(), f["unit_name"].as_str()), (Some("botnet"), Some("安盾")));
    assert_eq!(f["c2_addresses"][0]["defanged"], "cnc[.]example[.]com");
    assert_eq!(
        (f["hashes"][0]["algorithm"].as_str(), f["found_at"].as_str()),
        (Some("md5"), Some("2026-11-03T09:00:00+08:00"))
    );
    let second =
        expect_json(app.post_as(&unit_a, &format!("{path}/findings"), &finding_body("Gafgyt")).await, StatusCode::OK)
            .await;
    let second_id = second["findings"][1]["id"].as_i64().unwrap();
    let after =
        expect_json(delete_as(&app, &unit_a, &format!("{path}/findings/{second_id}")).await, StatusCode::OK).await;
    assert_eq!(after["finding_count"], 1);
    expect_problem(delete_as(&app, &unit_a, &format!("{path}/findings/{second_id}")).await, StatusCode::NOT_FOUND)
        .await;

    // Not another unit's to read, add to or file for; not a manager's to change.
    expect_problem(app.get_as(&unit_b, &path).await, StatusCode::NOT_FOUND).await;
    expect_problem(app.post_as(&unit_b, &format!("{path}/findings"), &finding_body("x")).await, StatusCode::NOT_FOUND)
        .await;
    let for_a = threat_report_body(Some(a.id));
    expect_problem(app.post_as(&unit_b, "/api/v1/threat-reports", &for_a).await, StatusCode::NOT_FOUND).await;
    expect_problem(app.post_as(&manager, &format!("{path}/findings"), &finding_body("x")).await, StatusCode::FORBIDDEN)
        .await;
    let unnamed = expect_problem(
        app.post("/api/v1/threat-reports", &threat_report_body(None)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(unnamed["errors"][0]["field"], "unit_id", "the bureau names the unit");

    // Submitted, it is locked; the bureau alone reviews, returning with a reason.
    let submitted =
        expect_json(app.post_as(&unit_a, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(submitted["status"], "submitted");
    let locked = expect_problem(
        app.post_as(&unit_a, &format!("{path}/findings"), &finding_body("x")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(locked["code"], "threat_report_locked");
    expect_problem(app.post_as(&manager, &format!("{path}/accept"), &json!({})).await, StatusCode::FORBIDDEN).await;
    expect_problem(app.post_as(&unit_a, &format!("{path}/accept"), &json!({})).await, StatusCode::FORBIDDEN).await;
    expect_problem(app.post(&format!("{path}/return"), &json!({})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let returned = expect_json(
        app.post(&format!("{path}/return"), &json!({"comment": "请补充样本 SHA-256"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (returned["status"].as_str(), returned["review_comment"].as_str()),
        (Some("returned"), Some("请补充样本 SHA-256"))
    );
    let mut with_sha = finding_body("Mirai 变种 B");
    with_sha["hashes"] = json!(["275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"]);
    expect_json(app.post_as(&unit_a, &format!("{path}/findings"), &with_sha).await, StatusCode::OK).await;
    expect_json(app.post_as(&unit_a, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    let accepted = expect_json(app.post(&format!("{path}/accept"), &json!({})).await, StatusCode::OK).await;
    assert_eq!((accepted["status"].as_str(), accepted["finding_count"].as_i64()), (Some("accepted"), Some(2)));
    let again = expect_problem(app.post(&format!("{path}/accept"), &json!({})).await, StatusCode::CONFLICT).await;
    assert_eq!(again["code"], "threat_report_transition");

    // Its own timeline, each step attributed, and as many audit entries.
    let steps: Vec<(String, String, String)> = accepted["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["step"].as_str().unwrap().into(),
                s["actor"].as_str().unwrap().into(),
                s["comment"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    let expected = [
        ("created", "andun", ""),
        ("finding_added", "andun", "Mirai 变种"),
        ("finding_added", "andun", "Gafgyt"),
        ("finding_removed", "andun", "Gafgyt"),
        ("submitted", "andun", ""),
        ("returned", "duty", "请补充样本 SHA-256"),
        ("finding_added", "andun", "Mirai 变种 B"),
        ("submitted", "andun", ""),
        ("accepted", "duty", ""),
    ];
    assert_eq!(steps, expected.map(|(s, a, c)| (s.to_owned(), a.to_owned(), c.to_owned())));
    let audited = app.state.store.audit_entries(200).await.unwrap();
    let subject = format!("threat_report:{}", draft["id"]);
    assert_eq!(audited.iter().filter(|e| e.subject == subject).count(), expected.len());

    // The lists: unit B sees none of A's; the bureau filters by status.
    let theirs = expect_json(app.get_as(&unit_b, "/api/v1/threat-reports").await, StatusCode::OK).await;
    assert_eq!(theirs, json!([]));
    let accepted_only = app.get_ok("/api/v1/threat-reports?status=accepted").await;
    assert_eq!(accepted_only.as_array().unwrap().len(), 1);
    assert_eq!(accepted_only[0]["finding_count"], 2);
}

async fn bad_findings_are_refused_in_both_languages_and_change_nothing(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let (id, _) = file_threat_report(&app, &app.token, Some(a.id)).await;
    let path = format!("/api/v1/threat-reports/{id}");
    let mut bad = finding_body("");
    bad["c2_addresses"] = json!(["not an address"]);
    bad["hashes"] = json!(["d41d8cd98f00b204e9800998ecf8427", "sha256:44d88612fea8a8f36de82e1278abb02f"]);
    bad["five_tuples"][0]["dst_port"] = json!(70000);
    bad["disposal_advice"] = json!(" ");
    let p = expect_problem(app.post(&format!("{path}/findings"), &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let said: Vec<(String, String)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().into(), e["message_zh"].as_str().unwrap().into()))
        .collect();
    let fields: Vec<&str> = said.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(
        fields,
        ["name", "disposal_advice", "five_tuples[0].dst_port", "c2_addresses[0]", "hashes[0]", "hashes[1]"]
    );
    assert_eq!(said[5].1, "不是有效的 MD5（32 位十六进制）、SHA-1（40 位）或 SHA-256（64 位）哈希");
    assert!(p["errors"][3]["message"].as_str().unwrap().contains("not an IP address, domain name or URL"), "{p}");

    // No indicator at all; an unknown enterprise; a time out of range.
    let mut bare = finding_body("钓鱼网站");
    for list in ["five_tuples", "c2_addresses", "hashes"] {
        bare[list] = json!([]);
    }
    let p = expect_problem(app.post(&format!("{path}/findings"), &bare).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["code"], "no_indicator");
    let mut unknown = finding_body("x");
    unknown["enterprise_id"] = json!(999_999);
    let p =
        expect_problem(app.post(&format!("{path}/findings"), &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["message_zh"].as_str()),
        (Some("enterprise_id"), Some("检测对象 999999 不存在"))
    );
    let mut ancient = finding_body("x");
    ancient["found_at"] = json!("1999-12-31T00:00:00+08:00");
    expect_problem(app.post(&format!("{path}/findings"), &ancient).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    // A batch with one bad finding is refused whole, its place named.
    let mut batch = threat_report_body(Some(a.id));
    batch["findings"] = json!([finding_body("好的"), bad]);
    let p = expect_problem(app.post("/api/v1/threat-reports", &batch).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "findings[1].name");

    let kept = app.get_ok(&path).await;
    assert_eq!(kept["finding_count"], 1, "nothing added");
    assert_eq!(kept["timeline"].as_array().unwrap().len(), 1, "only the creation");
    assert_eq!(app.get_ok("/api/v1/threat-reports").await.as_array().unwrap().len(), 1, "no report filed");
}

/// Files and submits one report of `findings` for `unit` as the bureau.
async fn submitted(app: &TestApp, unit: i64, findings: Value) -> i64 {
    let body = json!({"unit_id": unit, "title": "威胁信息", "findings": findings});
    let id =
        expect_json(app.post("/api/v1/threat-reports", &body).await, StatusCode::CREATED).await["id"].as_i64().unwrap();
    expect_json(app.post(&format!("/api/v1/threat-reports/{id}/submit"), &json!({})).await, StatusCode::OK).await;
    id
}

async fn the_months_findings_export_for_caict_with_shared_indicators_flagged(app: TestApp) {
    let (a, b, c) =
        (app.unit_with_people("安盾").await, app.unit_with_people("山城").await, app.unit_with_people("巴渝").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let report_a = submitted(&app, a.id, json!([finding_body("Mirai 变种")])).await;
    // B reports the same C&C in another spelling, and a finding of October.
    let mut same = finding_body("Mirai");
    same["c2_addresses"] = json!(["CNC[.]Example[.]com"]);
    same["hashes"] = json!([]);
    let mut october = finding_body("旧样本");
    october["found_at"] = json!("2026-10-31T23:59:00+08:00");
    october["hashes"] = json!([]);
    submitted(&app, b.id, json!([same, october])).await;
    // C's draft with it too is not yet reported.
    let draft = json!({"unit_id": c.id, "title": "草稿", "findings": [finding_body("草稿中")]});
    expect_json(app.post("/api/v1/threat-reports", &draft).await, StatusCode::CREATED).await;

    let month = app.get_ok("/api/v1/threat-findings?period=2026-11").await;
    let names: Vec<&str> = month.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Mirai 变种", "Mirai"], "November's reported findings, in the order found");
    assert_eq!(
        month[0]["shared"],
        json!([{"kind": "domain", "value": "cnc.example.com", "defanged": "cnc[.]example[.]com", "unit_names": ["山城"]}])
    );
    assert_eq!(month[1]["shared"][0]["unit_names"], json!(["安盾"]));
    assert_eq!(month[0]["report_status"], "submitted");
    let own = expect_json(app.get_as(&unit_a, "/api/v1/threat-findings?period=2026-11").await, StatusCode::OK).await;
    assert_eq!(own.as_array().unwrap().len(), 1, "a unit exports its own");
    assert_eq!(own[0]["shared"][0]["unit_names"], json!([]), "flagged, not named to another unit");
    let p =
        expect_problem(app.get("/api/v1/threat-findings?period=2026-13").await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "period");

    // The CAICT workbook: the documented columns, then each finding's cells.
    let r = app.get("/api/v1/threat-findings.xlsx?period=2026-11").await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("threat-findings-2026-11.xlsx"));
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("威胁信息 Threat findings").unwrap();
    let rows: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows.len(), 3);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, onsite::reports::threats::CAICT_COLUMNS);
    let first = &rows[1];
    let text = |i: usize| first[i].to_string();
    assert_eq!((&first[0], &first[2]), (&Data::Float(1.0), &Data::Float(report_a as f64)));
    assert_eq!(first[3], Data::Float(month[0]["id"].as_i64().unwrap() as f64));
    assert_eq!((text(1), text(4), text(5)), ("安盾".into(), "僵尸网络".into(), "Mirai 变种".into()));
    assert_eq!((text(6), text(7)), ("2026-11-03 09:00".into(), "某小区摄像头".into()));
    assert_eq!(text(8), "10.0.0.5:51234 -> 203.0.113.7:23 TCP");
    assert_eq!(text(9), "弱口令爆破 Telnet 后下载执行");
    assert_eq!(text(10), "cnc[.]example[.]com");
    assert_eq!(text(11), "MD5:44d88612fea8a8f36de82e1278abb02f");
    assert_eq!((text(12), text(13)), ("封堵 C&C 域名，排查弱口令".into(), "物联网设备被植入僵尸程序".into()));
    assert_eq!((text(14), text(15)), ("cnc[.]example[.]com（山城）".into(), "已提交".into()));

    // The CSV: the same columns and cells, with a BOM for Excel.
    let r = app.get("/api/v1/threat-findings.csv?period=2026-11").await;
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with("\u{feff}".as_bytes()));
    let mut csv = csv::Reader::from_reader(&bytes[3..]);
    assert_eq!(csv.headers().unwrap().iter().collect::<Vec<_>>(), onsite::reports::threats::CAICT_COLUMNS);
    let records: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 2);
    for (i, cell) in records[0].iter().enumerate() {
        assert_eq!(cell, first[i].to_string(), "column {i}");
    }
    assert_eq!(&records[1][1], "山城");

    // STIX: the unit as identity, the malware, its C&C, an indicator per
    // address, hash and five-tuple, joined; the same names on every export.
    let bundle = app.get_ok("/api/v1/threat-findings.stix.json?period=2026-11").await;
    let objects = bundle["objects"].as_array().unwrap();
    let of = |kind: &str| objects.iter().filter(|o| o["type"] == kind).collect::<Vec<_>>();
    let identities: Vec<&str> = of("identity").iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(identities.len(), 2);
    assert!(identities.contains(&"安盾") && identities.contains(&"山城"));
    let malware = of("malware");
    assert_eq!(malware.len(), 2);
    assert_eq!((malware[0]["name"].as_str(), &malware[0]["malware_types"]), (Some("Mirai 变种"), &json!(["bot"])));
    assert_eq!(malware[0]["first_seen"], "2026-11-03T01:00:00.000Z");
    let patterns: Vec<&str> = of("indicator").iter().map(|o| o["pattern"].as_str().unwrap()).collect();
    assert!(patterns.contains(&"[domain-name:value = 'cnc.example.com']"), "{patterns:?}");
    assert!(patterns.contains(&"[file:hashes.MD5 = '44d88612fea8a8f36de82e1278abb02f']"), "{patterns:?}");
    assert!(patterns.iter().any(|p| p.contains("network-traffic:dst_port = 23")), "{patterns:?}");
    let ids: std::collections::HashSet<&str> = objects.iter().map(|o| o["id"].as_str().unwrap()).collect();
    for r in of("relationship") {
        assert!(
            ids.contains(r["source_ref"].as_str().unwrap()) && ids.contains(r["target_ref"].as_str().unwrap()),
            "{r}"
        );
    }
    let c2 = of("infrastructure");
    assert_eq!(c2[0]["infrastructure_types"], json!(["botnet", "command-and-control"]));
    let again = app.get_ok("/api/v1/threat-findings.stix.json?period=2026-11").await;
    assert_eq!(again["objects"], bundle["objects"], "stable identifiers");
    assert_ne!(again["id"], bundle["id"], "each bundle is its own");
}

/// Where the OASIS STIX validator is installed (`.ci/run` puts it there).
fn stix_validator() -> PathBuf {
    if let Ok(p) = std::env::var("ONSITE_STIX_VALIDATOR") {
        return p.into();
    }
    crate::trials::cargo_home().join("onsite-stix-venv/bin/stix2_validator")
}

fn stix_needs() -> crate::trials::Needs {
    if stix_validator().exists() { crate::trials::Needs::Nothing } else { crate::trials::Needs::StixValidator }
}

async fn the_stix_bundle_validates_against_stix_2_1() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("an app");
    let a = app.unit_with_people("安盾").await;
    let mut findings = Vec::new();
    for (kind, name) in [
        ("mobile_malware", "仿冒银行 App"),
        ("botnet", "Mirai"),
        ("trojan", "远控木马"),
        ("worm", "蠕虫"),
        ("phishing", "仿冒网银登录页"),
        ("other", "挖矿程序"),
    ] {
        let mut f = finding_body(name);
        f["kind"] = json!(kind);
        f["c2_addresses"] = json!([
            "http://evil.example.com/gate.php?id=1",
            "198.51.100.9",
            "2001:db8::7",
            "http://evil.example.com/it's"
        ]);
        f["hashes"] = json!([
            "44d88612fea8a8f36de82e1278abb02f",
            "3395856ce81f2b7382dee72602f798b642f14140",
            "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f"
        ]);
        f["five_tuples"] = json!([
            {"src_ip": "10.0.0.5", "src_port": 51234, "dst_ip": "203.0.113.7", "dst_port": 23, "protocol": "tcp"},
            {"src_ip": "2001:db8::1", "dst_ip": "2001:db8::2", "protocol": "icmp"},
            {"src_ip": "10.0.0.6", "dst_ip": "10.0.0.7", "protocol": "other"},
        ]);
        findings.push(f);
    }
    submitted(&app, a.id, json!(findings)).await;
    let bundle = app.get("/api/v1/threat-findings.stix.json?period=2026-11").await;
    assert_eq!(bundle.headers()["content-type"], "application/stix+json;version=2.1");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, bundle.bytes().await.unwrap()).unwrap();
    let out = std::process::Command::new(stix_validator())
        .args(["--version", "2.1", "--strict", "--enforce-refs"])
        .arg(&file)
        .output()
        .expect("the STIX validator runs");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the validator refused the bundle:\n{said}");
    assert!(said.contains("STIX JSON: Valid"), "{said}");
}

async fn threat_reports_are_kept_on_the_web(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let (bureau, unit) = (Web::sign_in(&app, "duty").await, Web::sign_in(&app, "andun").await);

    let bank = expect_json(
        app.post("/api/v1/enterprises", &crate::duties::enterprise_body("重庆某银行")).await,
        StatusCode::CREATED,
    )
    .await;
    let bank_id = bank["id"].to_string();
    let (status, report, _) = unit.post("/threat-reports", &[("title", "11月威胁信息")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // A bad hash is refused in Chinese, and what was typed stays in the form.
    let mut finding = vec![
        ("kind", "phishing"),
        ("name", "仿冒网银登录页"),
        ("found_at", "2026-11-20T10:00"),
        ("c2_addresses", "hxxp://bank-login[.]example[.]com/"),
        ("hashes", "abc"),
        ("five_tuples", "10.0.0.5 51234 203.0.113.7 443 tcp"),
        ("disposal_advice", "通报注册商停止解析"),
        ("enterprise_id", bank_id.as_str()),
    ];
    let (_, _, body) = unit.post(&format!("{report}/findings"), &finding).await;
    assert!(body.contains("不是有效的 MD5"), "{body}");
    assert!(body.contains("仿冒网银登录页") && body.contains(">通报注册商停止解析</textarea>"), "kept: {body}");
    finding.retain(|(k, _)| *k != "hashes");
    let (_, _, body) = unit.post(&format!("{report}/findings"), &finding).await;
    assert!(body.contains(r#"<dd id="finding-count">1</dd>"#), "{body}");
    assert!(body.contains("hxxp://bank-login[.]example[.]com/"), "shown defanged: {body}");
    assert!(body.contains("10.0.0.5:51234 -&#62; 203.0.113.7:443 TCP"), "{body}");
    let (_, _, body) = unit.post(&format!("{report}/submit"), &[]).await;
    assert!(body.contains(r#"<dd id="report-status">已提交</dd>"#), "{body}");
    assert!(!body.contains("id=\"accept-threat-report\"") && !body.contains("id=\"add-finding\""), "{body}");

    let (_, _, body) = bureau.post(&format!("{report}/accept"), &[]).await;
    assert!(body.contains(r#"<dd id="report-status">已通过</dd>"#), "{body}");
    // The month's export from the list page's form, as the bureau and the unit.
    let (_, list) = bureau.get("/threat-reports").await;
    assert!(list.contains(r#"action="/threat-findings.xlsx""#) && list.contains("11月威胁信息"), "{list}");
    let (status, csv) = unit.get("/threat-findings.csv?period=2026-11").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.contains("仿冒网银登录页") && csv.contains("hxxp://bank-login[.]example[.]com/"), "{csv}");
    let (status, stix) = bureau.get("/threat-findings.stix.json?period=2026-11").await;
    assert_eq!(status, StatusCode::OK);
    assert!(stix.contains("\"infrastructure_types\": [\n        \"phishing\""), "{stix}");

    // The enterprise's history lists the finding, on its page and over the API.
    let (_, page) = unit.get(&format!("/enterprises/{bank_id}")).await;
    assert!(page.contains(&format!(r#"href="{report}#finding-"#)) && page.contains("仿冒网银登录页"), "{page}");
    let history = app.get_ok(&format!("/api/v1/enterprises/{bank_id}/history")).await;
    assert_eq!(history["threat_findings"][0]["name"], "仿冒网银登录页");
    assert_eq!(history["threat_findings"][0]["enterprise"]["id"], bank["id"]);
}

//! The units' other duties: the registry of detection objects that notices
//! and screening name, and special reports from draft to a notice, with
//! their DOCX and XLSX read back.

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};

use calamine::{Data, Reader, Xlsx};
use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem, notice_body};
use crate::web::Web;

crate::on_both_backends!(
    the_bureau_keeps_the_registry_and_notices_and_screenings_name_their_target,
    a_bad_enterprise_is_refused_in_both_languages_and_changes_nothing,
    a_unit_files_a_special_report_the_bureau_reviews_it_and_issues_a_notice,
    special_reports_file_as_docx_and_list_as_xlsx,
    the_registry_and_special_reports_are_kept_on_the_web,
);

static NAMES: AtomicUsize = AtomicUsize::new(0);

/// An internet company running an app store and an IDC, named `name`.
pub fn enterprise_body(name: &str) -> Value {
    let n = NAMES.fetch_add(1, Ordering::Relaxed);
    json!({
        "name": format!("{name}-{n}"),
        "credit_code": "91500000MA5U00000X",
        "kind": "internet_company",
        "businesses": ["idc", "app_store"],
        "address": "重庆市两江新区互联网产业园",
        "lat": 29.65,
        "lon": 106.56,
    })
}

/// A special report complete enough to submit, for `unit_id` when the
/// bureau files it.
pub fn special_report_body(unit_id: Option<i64>) -> Value {
    json!({
        "unit_id": unit_id,
        "title": "某开源组件远程代码执行漏洞预警",
        "category": "vulnerability",
        "severity": "II",
        "event_time": "2026-11-24T21:30:00+08:00",
        "description": "境外安全社区公开了该组件的利用代码",
        "cause": "反序列化未校验类型",
        "impact": "省内多家互联网企业使用该组件",
        "countermeasures": "升级至修复版本，临时关闭相关接口",
        "analysis": "利用链依赖 gadget 类，攻击载荷经 HTTP 头注入",
        "other_targets": "部分政务网站",
    })
}

/// Files a complete draft as `token`; its id.
pub async fn file_special_report(app: &TestApp, token: &str, unit_id: Option<i64>) -> i64 {
    let r = app.post_as(token, "/api/v1/special-reports", &special_report_body(unit_id)).await;
    expect_json(r, StatusCode::CREATED).await["id"].as_i64().unwrap()
}

async fn put_as(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn register(app: &TestApp, name: &str) -> Value {
    expect_json(app.post("/api/v1/enterprises", &enterprise_body(name)).await, StatusCode::CREATED).await
}

async fn the_bureau_keeps_the_registry_and_notices_and_screenings_name_their_target(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let cloud = register(&app, "重庆某云计算有限公司").await;
    let id = cloud["id"].as_i64().unwrap();
    assert_eq!(cloud["businesses"], json!(["app_store", "idc"]), "kept once, in order");
    let name = cloud["name"].as_str().unwrap().to_owned();

    // A name is registered once; a unit may not register at all.
    let again = json!({"name": name, "kind": "other"});
    let p = expect_problem(app.post("/api/v1/enterprises", &again).await, StatusCode::CONFLICT).await;
    assert!(p["detail"].as_str().unwrap().contains("already in the registry"), "{p}");
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let other = enterprise_body("某银行");
    expect_problem(app.post_as(&unit_a, "/api/v1/enterprises", &other).await, StatusCode::FORBIDDEN).await;

    // A notice picking it takes the registry's name and kind; a typed name
    // the registry holds is linked too.
    let mut picked = notice_body(&[a.id], true);
    picked["target"] = json!({"enterprise_id": id});
    let n1 = expect_json(app.post("/api/v1/notices", &picked).await, StatusCode::CREATED).await;
    assert_eq!(
        (n1["target"]["name"].as_str(), n1["target"]["kind"].as_str()),
        (Some(&*name), Some("internet_company"))
    );
    assert_eq!(n1["target"]["enterprise_id"].as_i64(), Some(id));
    let mut typed = notice_body(&[b.id], true);
    typed["target"] = json!({"name": name, "kind": "other"});
    let n2 = expect_json(app.post("/api/v1/notices", &typed).await, StatusCode::CREATED).await;
    assert_eq!(
        (n2["target"]["enterprise_id"].as_i64(), n2["target"]["kind"].as_str()),
        (Some(id), Some("internet_company"))
    );
    let unlinked =
        expect_json(app.post("/api/v1/notices", &notice_body(&[a.id], true)).await, StatusCode::CREATED).await;
    assert!(unlinked["target"]["enterprise_id"].is_null());

    // An unknown enterprise is a field error, and no notice is issued.
    let before = app.get_ok("/api/v1/notices").await["total"].as_u64();
    picked["target"] = json!({"enterprise_id": 999_999});
    let p = expect_problem(app.post("/api/v1/notices", &picked).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["message_zh"].as_str()),
        (Some("target.enterprise_id"), Some("检测对象 999999 不存在"))
    );
    assert_eq!(app.get_ok("/api/v1/notices").await["total"].as_u64(), before);

    // A screening task picks it too.
    let period = json!({"name": "重保", "starts_at": "2026-11-24T20:00:00+08:00", "ends_at": "2026-11-26T20:00:00+08:00", "unit_ids": [a.id]});
    let p = expect_json(app.post("/api/v1/protection-periods", &period).await, StatusCode::CREATED).await["id"].clone();
    let tasks = json!({"tasks": [{"unit_id": a.id, "enterprise_id": id, "kind": "on_site"}]});
    let saved = expect_json(
        app.post(&format!("/api/v1/protection-periods/{p}/screening-tasks"), &tasks).await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(saved[0]["enterprise"].as_str(), Some(&*name));

    // Its history: the bureau sees both notices; unit A only its own.
    let history = app.get_ok(&format!("/api/v1/enterprises/{id}/history")).await;
    let ids =
        |h: &Value| h["notices"].as_array().unwrap().iter().map(|n| n["id"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(ids(&history), [n2["id"].as_i64().unwrap(), n1["id"].as_i64().unwrap()], "newest first");
    assert_eq!(history["screenings"].as_array().unwrap().len(), 1);
    let theirs =
        expect_json(app.get_as(&unit_a, &format!("/api/v1/enterprises/{id}/history")).await, StatusCode::OK).await;
    assert_eq!(ids(&theirs), [n1["id"].as_i64().unwrap()]);

    // Corrected by the bureau, audited; the list filters by kind.
    let mut fixed = enterprise_body("重庆某数据中心");
    fixed["kind"] = json!("domain_registry");
    fixed["businesses"] = json!(["domain_resolution"]);
    let updated =
        expect_json(put_as(&app, &app.token, &format!("/api/v1/enterprises/{id}"), &fixed).await, StatusCode::OK).await;
    assert_eq!(updated["kind"], "domain_registry");
    let registries = app.get_ok("/api/v1/enterprises?kind=domain_registry").await;
    assert_eq!(registries.as_array().unwrap().len(), 1);
    let audited = app.state.store.audit_entries(100).await.unwrap();
    assert!(audited.iter().any(|e| e.action == "enterprise.updated" && e.subject == format!("enterprise:{id}")));
}

async fn a_bad_enterprise_is_refused_in_both_languages_and_changes_nothing(app: TestApp) {
    let bad = json!({
        "name": " ",
        "credit_code": "12345",
        "kind": "telecom_operator",
        "businesses": ["app_store"],
        "lat": 95.0,
        "lon": 106.5,
    });
    let p = expect_problem(app.post("/api/v1/enterprises", &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["name", "credit_code", "location.lat", "businesses[0]"], "{p}");
    assert_eq!(p["errors"][3]["message_zh"], "“移动应用分发平台”不属于基础电信企业");
    assert_eq!(p["errors"][3]["message"], "app_store is not a business of a telecom_operator");
    let unknown = json!({"name": "某企业", "kind": "bank"});
    expect_problem(app.post("/api/v1/enterprises", &unknown).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(app.get_ok("/api/v1/enterprises").await, json!([]), "nothing stored");
    expect_problem(app.get_as(&app.token, "/api/v1/enterprises/12345").await, StatusCode::NOT_FOUND).await;
}

async fn a_unit_files_a_special_report_the_bureau_reviews_it_and_issues_a_notice(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let cloud = register(&app, "重庆某云计算有限公司").await;
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;

    // A thin draft is kept, and cannot be submitted yet.
    let thin =
        json!({"title": "漏洞预警", "category": "vulnerability", "severity": "III", "enterprise_ids": [cloud["id"]]});
    let draft = expect_json(app.post_as(&unit_a, "/api/v1/special-reports", &thin).await, StatusCode::CREATED).await;
    let id = draft["id"].as_i64().unwrap();
    let path = format!("/api/v1/special-reports/{id}");
    assert_eq!(
        (draft["status"].as_str(), draft["unit_id"].as_i64()),
        (Some("draft"), Some(a.id)),
        "filed for their own unit"
    );
    assert_eq!(draft["enterprises"][0]["name"], cloud["name"]);
    let p = expect_problem(
        app.post_as(&unit_a, &format!("{path}/submit"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let missing: Vec<&str> = p["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(missing, ["event_time", "description", "cause", "impact", "countermeasures"]);

    // Not another unit's to read or file for; not a manager's to review.
    expect_problem(app.get_as(&unit_b, &path).await, StatusCode::NOT_FOUND).await;
    let for_a = special_report_body(Some(a.id));
    expect_problem(app.post_as(&unit_b, "/api/v1/special-reports", &for_a).await, StatusCode::NOT_FOUND).await;
    expect_problem(
        app.post("/api/v1/special-reports", &special_report_body(None)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let mut full = special_report_body(None);
    full["enterprise_ids"] = json!([cloud["id"]]);
    expect_json(put_as(&app, &unit_a, &path, &full).await, StatusCode::OK).await;
    let submitted =
        expect_json(app.post_as(&unit_a, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(submitted["status"], "submitted");
    let locked = expect_problem(put_as(&app, &unit_a, &path, &full).await, StatusCode::CONFLICT).await;
    assert!(locked["detail"].as_str().unwrap().contains("can no longer be edited"), "{locked}");
    expect_problem(app.post_as(&manager, &format!("{path}/accept"), &json!({})).await, StatusCode::FORBIDDEN).await;
    expect_problem(app.post_as(&unit_a, &format!("{path}/accept"), &json!({})).await, StatusCode::FORBIDDEN).await;

    // A notice only from an accepted report.
    let order = json!({"unit_ids": [a.id, b.id]});
    let early = expect_problem(app.post(&format!("{path}/notice"), &order).await, StatusCode::CONFLICT).await;
    assert_eq!(early["code"], "special_report_not_accepted", "{early}");

    // Returned with a comment, corrected, submitted again, accepted.
    expect_problem(app.post(&format!("{path}/return"), &json!({})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let returned = expect_json(
        app.post(&format!("{path}/return"), &json!({"comment": "请补充受影响企业清单"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        (returned["status"].as_str(), returned["review_comment"].as_str()),
        (Some("returned"), Some("请补充受影响企业清单"))
    );
    full["impact"] = json!("省内 12 家互联网企业使用该组件");
    expect_json(put_as(&app, &unit_a, &path, &full).await, StatusCode::OK).await;
    expect_json(app.post_as(&unit_a, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    let accepted = expect_json(app.post(&format!("{path}/accept"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(accepted["status"], "accepted");

    // One step to a notice, pre-filled and linked both ways.
    let notice = expect_json(app.post(&format!("{path}/notice"), &order).await, StatusCode::CREATED).await;
    assert_eq!(notice["title"], "某开源组件远程代码执行漏洞预警");
    assert_eq!((notice["category"].as_str(), notice["severity"].as_str()), (Some("vulnerability"), Some("II")));
    assert_eq!(notice["target"]["enterprise_id"], cloud["id"]);
    assert_eq!(notice["site"]["address"], "重庆市两江新区互联网产业园", "the enterprise's address");
    let description = notice["description"].as_str().unwrap();
    assert!(
        description.starts_with(&format!("（据专项报告 #{id}）")) && description.contains("省内 12 家"),
        "{description}"
    );
    assert_eq!(notice["assignments"].as_array().unwrap().len(), 2);
    let linked = app.get_ok(&path).await;
    assert_eq!(linked["notice_id"], notice["id"]);
    let twice = expect_problem(app.post(&format!("{path}/notice"), &order).await, StatusCode::CONFLICT).await;
    assert_eq!(twice["code"], "special_report_noticed");

    // Its own timeline, each step timed and attributed; and the audit log.
    let steps: Vec<(String, String)> = linked["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step"].as_str().unwrap().to_owned(), s["actor"].as_str().unwrap().to_owned()))
        .collect();
    let expected = [
        ("created", "andun"),
        ("edited", "andun"),
        ("submitted", "andun"),
        ("returned", "duty"),
        ("edited", "andun"),
        ("submitted", "andun"),
        ("accepted", "duty"),
        ("notice_issued", "duty"),
    ];
    assert_eq!(steps, expected.map(|(s, a)| (s.to_owned(), a.to_owned())));
    let audited = app.state.store.audit_entries(200).await.unwrap();
    let subject = format!("special_report:{id}");
    assert_eq!(audited.iter().filter(|e| e.subject == subject).count(), expected.len());

    // The lists: the bureau filters by status; unit B sees none of A's.
    let submitted_only = app.get_ok("/api/v1/special-reports?status=submitted").await;
    assert_eq!(submitted_only, json!([]));
    let theirs = expect_json(app.get_as(&unit_b, "/api/v1/special-reports").await, StatusCode::OK).await;
    assert_eq!(theirs, json!([]));
    let about = app.get_ok(&format!("/api/v1/enterprises/{}/history", cloud["id"])).await;
    assert_eq!(about["special_reports"][0]["id"].as_i64(), Some(id));
    assert_eq!(about["notices"][0]["id"], notice["id"]);
}

/// Each paragraph's text, in document order (table cells included).
fn paragraphs(bytes: &[u8]) -> Vec<String> {
    fn texts(v: &Value, out: &mut String) {
        match v {
            Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("text") => {
                out.push_str(o["data"]["text"].as_str().unwrap_or_default());
            }
            Value::Object(o) => o.values().for_each(|v| texts(v, out)),
            Value::Array(a) => a.iter().for_each(|v| texts(v, out)),
            _ => {}
        }
    }
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("paragraph") => {
                let mut text = String::new();
                texts(v, &mut text);
                out.push(text);
            }
            Value::Object(o) => o.values().for_each(|v| walk(v, out)),
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let doc: Value = serde_json::from_str(&docx_rs::read_docx(bytes).expect("a readable DOCX").json()).unwrap();
    let mut out = Vec::new();
    walk(&doc["document"], &mut out);
    out
}

async fn special_reports_file_as_docx_and_list_as_xlsx(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    let cloud = register(&app, "重庆某云计算有限公司").await;
    let mut body = special_report_body(Some(a.id));
    body["enterprise_ids"] = json!([cloud["id"]]);
    let id = expect_json(app.post("/api/v1/special-reports", &body).await, StatusCode::CREATED).await["id"]
        .as_i64()
        .unwrap();
    expect_json(app.post(&format!("/api/v1/special-reports/{id}/submit"), &json!({})).await, StatusCode::OK).await;
    let second = file_special_report(&app, &app.token, Some(a.id)).await;

    let r = app.get_as(&app.token, &format!("/api/v1/special-reports/{id}/report.docx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let text = paragraphs(&r.bytes().await.unwrap());
    let after = |label: &str| {
        let i = text.iter().position(|t| t == label).unwrap_or_else(|| panic!("no {label} in {text:?}"));
        text[i + 1].clone()
    };
    assert_eq!(text[0], "网络安全专项报告");
    assert_eq!(text[1], "某开源组件远程代码执行漏洞预警");
    assert_eq!(after("报送单位"), "安盾");
    assert_eq!(after("报告编号"), id.to_string());
    assert_eq!(after("事件类型"), "漏洞");
    assert_eq!(after("事件分级"), "II（重大）");
    assert_eq!(after("事件时间"), "2026-11-24 21:30");
    assert_eq!(after("涉及检测对象"), format!("{}；部分政务网站", cloud["name"].as_str().unwrap()));
    assert_eq!(after("报告状态"), "已提交");
    assert_eq!(after("一、事件基本情况"), "境外安全社区公开了该组件的利用代码");
    assert_eq!(after("二、事件原因"), "反序列化未校验类型");
    assert_eq!(after("三、影响范围"), "省内多家互联网企业使用该组件");
    assert_eq!(after("四、恶意代码、漏洞及工具分析"), "利用链依赖 gadget 类，攻击载荷经 HTTP 头注入");
    assert_eq!(after("五、对策建议"), "升级至修复版本，临时关闭相关接口");
    let log = text.iter().position(|t| t == "六、报送与审核记录").expect("the record");
    assert_eq!(&text[log + 6..log + 8], ["创建草稿", "duty"], "{text:?}");

    let r = app.get_as(&app.token, "/api/v1/special-reports.xlsx").await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes().await.unwrap().to_vec())).unwrap();
    let sheet = book.worksheet_range("专项报告 Special reports").unwrap();
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 3, "the header and two reports");
    assert_eq!(rows[0][0], Data::String("编号 ID".into()));
    assert_eq!(rows[1][0], Data::Float(second as f64), "newest first");
    let first = rows[2];
    assert_eq!(first[0], Data::Float(id as f64));
    assert_eq!(first[1], Data::String("安盾".into()));
    assert_eq!(first[2], Data::String("某开源组件远程代码执行漏洞预警".into()));
    assert_eq!((&first[3], &first[4]), (&Data::String("漏洞".into()), &Data::String("II".into())));
    assert_eq!(first[5], Data::String("2026-11-24 21:30".into()));
    assert_eq!(first[7], Data::String("已提交".into()));
    assert_eq!(first[9], Data::String(rows[2][8].to_string()), "submitted when filed, on the test clock");
    assert_eq!(first[11], Data::Empty, "not turned into a notice");
}

async fn the_registry_and_special_reports_are_kept_on_the_web(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let (bureau, unit) = (Web::sign_in(&app, "duty").await, Web::sign_in(&app, "andun").await);

    // A business that is not the kind's is refused on the page, in Chinese.
    let bad = [("name", "重庆某运营商"), ("kind", "telecom_operator"), ("businesses", "idc")];
    let (status, _, body) = bureau.post("/enterprises", &bad).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("“互联网数据中心”不属于基础电信企业"), "{body}");
    let good = [
        ("name", "重庆某云计算有限公司"),
        ("kind", "internet_company"),
        ("businesses", "idc"),
        ("address", "重庆市两江新区"),
    ];
    let (status, location, _) = bureau.post("/enterprises", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let enterprise = location.trim_start_matches("/enterprises/").to_owned();
    let (status, _, _) = unit.post("/enterprises", &good).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the registry is the bureau's");
    let body = bureau.post("/enterprises", &bad).await.2;
    assert!(body.contains(r#"value="重庆某运营商""#), "the refused form keeps what was typed");

    // The bureau corrects it on its page: a bad latitude changes nothing and keeps the typing.
    let page = format!("/enterprises/{enterprise}");
    let (_, body) = bureau.get(&page).await;
    assert!(body.contains(r#"id="edit-enterprise""#) && body.contains(r#"value="重庆市两江新区""#), "{body}");
    let (_, body) = unit.get(&page).await;
    assert!(!body.contains(r#"id="edit-enterprise""#), "a unit reads the registry only");
    let mut edit = good.to_vec();
    edit[3] = ("address", "重庆市渝北区");
    edit.push(("lat", "北纬29度"));
    let (status, _, body) = bureau.post(&page, &edit).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("请输入数字") && body.contains(r#"value="北纬29度""#), "{body}");
    let stored = app.get_ok(&format!("/api/v1/enterprises/{enterprise}")).await;
    assert_eq!(stored["address"], "重庆市两江新区", "nothing changed");
    edit.pop();
    let (_, _, body) = bureau.post(&page, &edit).await;
    assert!(body.contains("已记录") && body.contains(r#"<dd>重庆市渝北区</dd>"#), "{body}");
    assert_eq!(app.get_ok(&format!("/api/v1/enterprises/{enterprise}")).await["address"], "重庆市渝北区");
    let (status, _, _) = unit.post(&page, &edit).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The notice form offers the registry's names.
    let (_, form) = bureau.get("/notices/new").await;
    assert!(form.contains(r#"<option value="重庆某云计算有限公司">互联网企业</option>"#), "{form}");

    // The unit writes a draft naming it; submitting too early says what is missing.
    let mut fields = vec![
        ("title", "某开源组件漏洞预警"),
        ("category", "vulnerability"),
        ("severity", "II"),
        ("enterprise_ids", enterprise.as_str()),
    ];
    let (status, location, _) = unit.post("/special-reports", &fields).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let report = location.clone();
    let (_, _, body) = unit.post(&format!("{report}/submit"), &[]).await;
    assert!(body.contains("提交前须填写"), "{body}");
    fields.extend([
        ("event_time", "2026-11-24T21:30"),
        ("description", "境外公开了利用代码"),
        ("cause", "反序列化"),
        ("impact", "省内多家企业"),
        ("countermeasures", "升级"),
    ]);
    let (status, _, _) = unit.post(&report, &fields).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, body) = unit.post(&format!("{report}/submit"), &[]).await;
    assert!(body.contains(r#"<dd id="report-status">已提交</dd>"#), "{body}");
    assert!(!body.contains("id=\"accept-special-report\""), "a unit does not review");

    // The bureau accepts it and turns it into a notice, linked both ways.
    let (_, _, body) = bureau.post(&format!("{report}/accept"), &[]).await;
    assert!(body.contains("id=\"special-report-notice\""), "{body}");
    assert!(body.contains(&format!(r#"href="{report}/report.docx""#)), "the Word download: {body}");
    let (status, kind, docx) = unit.download(&format!("{report}/report.docx")).await;
    assert_eq!((status, kind.as_str()), (StatusCode::OK, onsite::web::DOCX));
    let text = paragraphs(&docx);
    assert_eq!((text[0].as_str(), text[1].as_str()), ("网络安全专项报告", "某开源组件漏洞预警"));
    let (status, _, xlsx) = unit.download("/special-reports.xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).unwrap();
    let rows = book.worksheet_range("专项报告 Special reports").unwrap();
    assert_eq!(rows.get((1, 7)), Some(&Data::String("已通过".into())), "the unit's accepted report, listed");
    let unit_id = a.id.to_string();
    let (status, notice, _) = bureau.post(&format!("{report}/notice"), &[("unit_ids", unit_id.as_str())]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = bureau.get(&notice).await;
    assert!(page.contains(&format!(r#"href="{report}""#)), "{page}");
    assert!(page.contains(&format!(r#"href="/enterprises/{enterprise}""#)), "{page}");
    let (_, page) = unit.get(&format!("/enterprises/{enterprise}")).await;
    assert!(page.contains(&format!(r#"href="{notice}""#)) && page.contains("某开源组件漏洞预警"), "{page}");
}

//! The closure report (处置报告) round-tripped through its workflow, its
//! indicators validated, and its DOCX opened with a DOCX reader.

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem, t0};

crate::on_both_backends!(
    a_closure_report_goes_draft_submitted_returned_accepted_and_files_as_docx,
    the_unit_files_its_closure_report_from_the_web_form,
);

pub fn full_report() -> Value {
    json!({
        "event_time": "2026-11-25T02:40:00+08:00",
        "description": "某政务门户首页被植入博彩链接",
        "cause": "内容管理系统存在文件上传漏洞",
        "impact": "首页约 2 小时对外展示非法内容",
        "countermeasures": "修补漏洞，恢复页面，加强监测",
        "analysis": "攻击者上传 WebShell（冰蝎）后篡改首页",
        "five_tuples": [{"src_ip": "203.0.113.7", "src_port": 51234, "dst_ip": "198.51.100.10", "dst_port": 443, "protocol": "tcp"}],
        "propagation_path": "外网 → CMS 上传接口 → Web 服务器",
        "c2_addresses": ["http://evil.example.com/gate.php", "203.0.113.7", "c2.example.net"],
        "disposal_recommendations": "封禁上述地址，排查同类系统",
    })
}

async fn a_closure_report_goes_draft_submitted_returned_accepted_and_files_as_docx(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let other = app.unit_with_people("山城").await;
    let notice = app.issue(&[unit.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    for (minutes, kind) in
        [(5, "acknowledged"), (40, "plan_activated"), (50, "hq_remote"), (100, "on_site"), (150, "resolved")]
    {
        app.clock.set(t0() + chrono::Duration::minutes(minutes));
        expect_json(app.event(a, json!({"kind": kind})).await, StatusCode::CREATED).await;
    }
    let engineer = app.user_token("andun", UserRole::Unit, Some(unit.id)).await;
    let stranger = app.user_token("shancheng", UserRole::Unit, Some(other.id)).await;
    let path = format!("/api/v1/assignments/{a}/closure-report");
    let put = |token: String, body: Value| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move { client.put(url).bearer_auth(token).json(&body).send().await.unwrap() }
    };

    // Bad indicators are refused with the field of each, and nothing is saved.
    let mut bad = full_report();
    bad["five_tuples"][0]["src_ip"] = "203.0.113.999".into();
    bad["five_tuples"][0]["dst_port"] = 70000.into();
    bad["c2_addresses"] = json!(["not a domain", "http://ok.example.com/"]);
    let problem = expect_problem(put(engineer.clone(), bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["five_tuples[0].src_ip", "five_tuples[0].dst_port", "c2_addresses[0]"], "{problem}");
    expect_problem(app.get_as(&engineer, &path).await, StatusCode::NOT_FOUND).await;

    // A draft may be incomplete; submission names what is missing.
    let draft = expect_json(put(engineer.clone(), json!({"description": "首页被篡改"})).await, StatusCode::OK).await;
    assert_eq!(draft["status"], "draft");
    let problem = expect_problem(
        app.post_as(&engineer, &format!("{path}/submit"), &json!({})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(problem.to_string().contains("cause") && problem.to_string().contains("event_time"), "{problem}");
    let saved = expect_json(put(engineer.clone(), full_report()).await, StatusCode::OK).await;
    assert_eq!(saved["c2_addresses"][0]["defanged"], "hxxp://evil[.]example[.]com/gate.php");
    assert_eq!(saved["c2_addresses"][1]["defanged"], "203[.]0[.]113[.]7");
    assert_eq!(saved["response"]["kept"], true, "plan 40 min, HQ 50, on site 100: within two hours");
    assert_eq!(saved["response"]["on_site_at"], "2026-11-25T04:40:00+08:00");
    // Another unit's user cannot see or write it.
    expect_problem(app.get_as(&stranger, &path).await, StatusCode::NOT_FOUND).await;
    expect_problem(put(stranger.clone(), full_report()).await, StatusCode::NOT_FOUND).await;

    let submitted =
        expect_json(app.post_as(&engineer, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    assert_eq!(submitted["status"], "submitted");
    expect_problem(put(engineer.clone(), full_report()).await, StatusCode::CONFLICT).await;
    expect_problem(app.post_as(&engineer, &format!("{path}/accept"), &json!({})).await, StatusCode::FORBIDDEN).await;
    expect_problem(app.post(&format!("{path}/return"), &json!({})).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let returned =
        expect_json(app.post(&format!("{path}/return"), &json!({"comment": "请补充样本哈希"})).await, StatusCode::OK)
            .await;
    assert_eq!(
        (returned["status"].as_str(), returned["review_comment"].as_str()),
        (Some("returned"), Some("请补充样本哈希"))
    );
    let mut amended = full_report();
    amended["analysis"] =
        "WebShell 样本 SHA-256：9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into();
    expect_json(put(engineer.clone(), amended).await, StatusCode::OK).await;
    expect_json(app.post_as(&engineer, &format!("{path}/submit"), &json!({})).await, StatusCode::OK).await;
    let r = app.client.post(app.url(&format!("{path}/accept"))).bearer_auth(&app.token).send().await.unwrap();
    let accepted = expect_json(r, StatusCode::OK).await;
    assert_eq!(accepted["status"], "accepted");
    expect_problem(app.post(&format!("{path}/return"), &json!({"comment": "x"})).await, StatusCode::CONFLICT).await;
    let kinds: Vec<String> = app
        .get_ok(&format!("/api/v1/assignments/{a}/timeline"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| k.starts_with("closure_")).collect::<Vec<_>>(),
        ["closure_submitted", "closure_returned", "closure_submitted", "closure_accepted"]
    );

    // The DOCX, opened with a DOCX reader.
    let r = app.get_as(&engineer, &format!("{path}.docx")).await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let doc = docx_rs::read_docx(&bytes).expect("a readable DOCX").json();
    for expected in [
        "网络安全事件处置报告",
        "安盾",
        "内容管理系统存在文件上传漏洞",
        "hxxp://evil[.]example[.]com/gate.php",
        "c2[.]example[.]net",
        "203.0.113.7",
        "51234",
        "2026-11-25 04:40",
        "已履约",
        "宋体",
        "黑体",
    ] {
        assert!(doc.contains(expected), "DOCX lacks {expected}");
    }
    assert!(!doc.contains("http://evil.example.com"), "no live C&C link in the document");
}

async fn the_unit_files_its_closure_report_from_the_web_form(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let notice = app.issue(&[unit.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    app.user_token("andun", UserRole::Unit, Some(unit.id)).await;
    let web = crate::web::Web::sign_in(&app, "andun").await;
    let path = format!("/assignments/{a}/closure-report");
    let (status, page) = web.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("暂无处置报告") && page.contains(r#"id="closure-form""#));

    let mut fields = vec![
        ("event_time", "2026-11-25T02:40"),
        ("description", "首页被植入博彩链接"),
        ("cause", "上传漏洞"),
        ("impact", "首页对外展示约2小时"),
        ("countermeasures", "修补并加强监测"),
        ("five_tuples", "203.0.113.7 51234 198.51.100.10 443 tcp\n10.0.0.300 1 10.0.0.1 80 tcp"),
        ("c2_addresses", "hxxp://evil[.]example[.]com/gate.php"),
    ];
    let (status, _, page) = web.post(&path, &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains(r#"data-error-for="five_tuples">第 2 行：不是有效的 IPv4 或 IPv6 地址"#),
        "the bad line named"
    );
    assert!(page.contains("10.0.0.300 1 10.0.0.1 80 tcp"), "what was typed is kept");
    expect_problem(app.get(&format!("/api/v1{path}")).await, StatusCode::NOT_FOUND).await;

    fields[5] = ("five_tuples", "203.0.113.7 51234 198.51.100.10 443 tcp");
    let (status, location, _) = web.post(&path, &fields).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("{path}?done=1").as_str()));
    let (_, page) = web.get(&path).await;
    assert!(page.contains("hxxp://evil[.]example[.]com/gate.php"), "shown defanged");
    assert!(page.contains("2026-11-25 02:40"), "event time in Shanghai");
    let (status, _, _) = web.post(&format!("{path}/submit"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&path).await;
    assert!(
        page.contains(r#"<dd id="closure-status">已提交"#) && !page.contains(r#"id="closure-form""#),
        "locked once submitted"
    );
    let (status, _, _) = web.post(&format!("{path}/accept"), &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the unit cannot accept its own report");

    let bureau = crate::web::Web::sign_in(&app, "duty").await;
    let (_, _, page) = bureau.post(&format!("{path}/return"), &[("comment", "")]).await;
    assert!(page.contains("请填写退回原因"), "a return needs a reason");
    let (status, _, _) = bureau.post(&format!("{path}/return"), &[("comment", "请补充样本哈希")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = web.get(&path).await;
    assert!(
        page.contains("已退回") && page.contains("请补充样本哈希") && page.contains(r#"id="closure-form""#),
        "editable again"
    );
    let (status, bytes) = web.get(&format!("{path}.docx")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!bytes.is_empty());
}

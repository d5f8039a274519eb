//! The unit's profile as the application form has it (statutory facts, the
//! four contacts, each branch's office, staff and signed commitment) and its
//! credentials with the days they lapse.

use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{TestApp, expect_json, expect_problem};
use crate::web::Web;

crate::on_both_backends!(
    a_unit_keeps_its_application_form_profile,
    bad_profiles_are_refused_in_both_languages_and_change_nothing,
    credentials_warn_before_they_lapse,
    the_profile_is_kept_on_the_web,
    the_unit_is_told_once_a_credential_lapses_soon_and_once_it_has_lapsed,
);

/// A whole profile naming branch `branch_id` with its commitment signed.
pub fn profile_body(branch_id: i64) -> Value {
    let contact = |role: &str, name: &str, mobile: &str| json!({"role": role, "name": name, "position": "安全服务部", "mobile": mobile, "office_phone": "023-67860000", "email": "contact@example.com"});
    json!({
        "registered_capital": "5000万元人民币",
        "legal_representative": "张伟",
        "founded_on": "2010-06-18",
        "business_term": "长期",
        "business_scope": "网络安全服务；信息系统集成",
        "registration_authority": "重庆市市场监督管理局",
        "contacts": [
            contact("selection_contact", "周洁", "13800000005"),
            contact("emergency_lead", "陈静", "13800000003"),
            contact("support_lead", "李强", "13800000002"),
            contact("support_contact", "王敏", "13800000001"),
        ],
        "branches": [{
            "branch_id": branch_id,
            "floor_area": "约300平米，租用",
            "staff_count": 25,
            "security_lead": "李强",
            "security_lead_mobile": "13800000002",
            "commitment_signed_on": "2026-03-01",
            "commitment_signatory": "李强",
        }],
    })
}

/// A staff certificate lapsing at the end of next year.
pub fn credential_body() -> Value {
    json!({"kind": "staff_certificate", "name": "CISP", "holder": "赵磊", "number": "CNITSEC2026001", "issuer": "中国信息安全测评中心", "valid_until": "2027-12-31"})
}

async fn put_as(app: &TestApp, token: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client.put(app.url(path)).bearer_auth(token).json(body).send().await.unwrap()
}

async fn a_unit_keeps_its_application_form_profile(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let manager = app.user_token("boss", UserRole::Manager, None).await;
    let path = format!("/api/v1/units/{}/profile", a.id);

    // Empty until written: everything the form asks for is a gap.
    let empty = app.get_ok(&path).await;
    let commitment = format!("commitment:{}", a.branch_id);
    assert_eq!(
        empty["gaps"],
        json!([
            "contact:emergency_lead",
            "contact:support_lead",
            "contact:support_contact",
            "contact:selection_contact",
            "legal_representative",
            commitment
        ])
    );

    let saved = expect_json(put_as(&app, &unit_a, &path, &profile_body(a.branch_id)).await, StatusCode::OK).await;
    assert_eq!(saved["gaps"], json!([]));
    assert_eq!(
        (saved["legal_representative"].as_str(), saved["founded_on"].as_str()),
        (Some("张伟"), Some("2010-06-18"))
    );
    let roles: Vec<&str> = saved["contacts"].as_array().unwrap().iter().map(|c| c["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["emergency_lead", "support_lead", "support_contact", "selection_contact"], "the form's order");
    assert_eq!(saved["contacts"][3]["name"], "周洁");
    assert_eq!(saved["contacts"][0]["office_phone"], "02367860000");
    let branch = &saved["branches"][0];
    assert_eq!((branch["branch_name"].as_str(), branch["staff_count"].as_i64()), (Some("渝中分公司"), Some(25)));
    assert_eq!(branch["commitment"], json!({"signed_on": "2026-03-01", "signatory": "李强"}));
    assert_eq!(app.get_ok(&path).await, saved, "read back as written");

    // Another unit neither reads nor writes it; a manager reads, not writes.
    expect_problem(app.get_as(&unit_b, &path).await, StatusCode::NOT_FOUND).await;
    expect_problem(put_as(&app, &unit_b, &path, &profile_body(a.branch_id)).await, StatusCode::NOT_FOUND).await;
    expect_problem(put_as(&app, &manager, &path, &profile_body(a.branch_id)).await, StatusCode::FORBIDDEN).await;
    expect_json(app.get_as(&manager, &path).await, StatusCode::OK).await;

    // Written again by the bureau without the commitment: the gap returns.
    let mut unsigned = profile_body(a.branch_id);
    unsigned["branches"][0]["commitment_signed_on"] = Value::Null;
    unsigned["branches"][0]["commitment_signatory"] = json!("");
    let again = expect_json(put_as(&app, &app.token, &path, &unsigned).await, StatusCode::OK).await;
    assert_eq!(again["gaps"], json!([commitment]));
    let audited = app.state.store.audit_entries(100).await.unwrap();
    let subject = format!("unit:{}", a.id);
    assert_eq!(audited.iter().filter(|e| e.action == "unit_profile.updated" && e.subject == subject).count(), 2);
}

async fn bad_profiles_are_refused_in_both_languages_and_change_nothing(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let path = format!("/api/v1/units/{}/profile", a.id);
    let before = expect_json(put_as(&app, &app.token, &path, &profile_body(a.branch_id)).await, StatusCode::OK).await;

    let mut bad = profile_body(a.branch_id);
    bad["contacts"][1]["mobile"] = json!("不是电话");
    bad["contacts"][2]["role"] = json!("selection_contact");
    bad["contacts"][3]["email"] = json!("wangmin@localhost");
    bad["branches"][0]["commitment_signatory"] = json!("");
    let p = expect_problem(put_as(&app, &app.token, &path, &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let said: Vec<(&str, &str)> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["message_zh"].as_str().unwrap()))
        .collect();
    assert_eq!(
        said,
        [
            ("contacts[1].mobile", "不是有效的电话号码"),
            ("contacts[2].role", "每类联系人只填一位"),
            ("contacts[3].email", "不是有效的电子邮箱"),
            ("branches[0].commitment_signatory", "请填写承诺书签字负责人"),
        ]
    );
    assert_eq!(p["errors"][0]["message"], "not a phone number");

    // Another unit's branch is not this unit's to sign for.
    let p = expect_problem(
        put_as(&app, &app.token, &path, &profile_body(b.branch_id)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(
        (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()),
        (Some("branches[0].branch_id"), Some("unknown_branch"))
    );
    let mut typo = profile_body(a.branch_id);
    typo["founded_on"] = json!("2010-13-01");
    expect_problem(put_as(&app, &app.token, &path, &typo).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(app.get_ok(&path).await, before, "nothing changed");
}

async fn credentials_warn_before_they_lapse(app: TestApp) {
    let (a, b) = (app.unit_with_people("安盾").await, app.unit_with_people("山城").await);
    let unit_a = app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    let unit_b = app.user_token("shancheng", UserRole::Unit, Some(b.id)).await;
    let path = format!("/api/v1/units/{}/credentials", a.id);
    // The test clock stands at 2026-11-25 in Shanghai.
    let add = |name: &str, kind: &str, valid_until: Value| {
        let body = json!({"kind": kind, "name": name, "holder": "赵磊", "valid_until": valid_until});
        let (app, unit_a, path) = (&app, unit_a.clone(), path.clone());
        async move { expect_json(app.post_as(&unit_a, &path, &body).await, StatusCode::CREATED).await }
    };
    let soon = add("CISP", "staff_certificate", json!("2026-12-25")).await;
    assert_eq!(soon["expiry"], json!({"state": "expiring", "days": 30}));
    let lapsed = add("CISSP", "staff_certificate", json!("2026-11-20")).await;
    assert_eq!(lapsed["expiry"], json!({"state": "expired", "days": 5}));
    let later = add("信息安全服务资质（应急处理类）", "qualification", json!("2028-11-24")).await;
    assert_eq!(later["expiry"]["state"], "valid");
    let lasting = add("ISO 27001", "qualification", Value::Null).await;
    assert_eq!(lasting["expiry"], json!({"state": "lasting"}));

    let all = app.get_ok(&path).await;
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CISSP", "CISP", "信息安全服务资质（应急处理类）", "ISO 27001"], "soonest first, lasting last");
    let due = app.get_ok("/api/v1/credentials/expiring").await;
    let due: Vec<(&str, &str)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["unit_name"].as_str().unwrap()))
        .collect();
    assert_eq!(due, [("CISSP", "安盾"), ("CISP", "安盾")]);
    let theirs =
        expect_json(app.get_as(&unit_b, "/api/v1/credentials/expiring?within_days=3650").await, StatusCode::OK).await;
    assert_eq!(theirs, json!([]), "another unit's are not listed");
    expect_problem(app.get_as(&unit_b, &path).await, StatusCode::NOT_FOUND).await;
    let p =
        expect_problem(app.get("/api/v1/credentials/expiring?within_days=-1").await, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
    assert_eq!(p["errors"][0]["message_zh"], "within_days 应在 0 到 3650 之间");

    // A staff certificate names its holder; nothing is stored without one.
    let nameless = json!({"kind": "staff_certificate", "name": "CISP"});
    let p = expect_problem(app.post_as(&unit_a, &path, &nameless).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["message_zh"], "请填写持证人员");
    assert_eq!(app.get_ok(&path).await.as_array().unwrap().len(), 4);

    // Removed by the unit, audited; not twice.
    let one = format!("{path}/{}", lapsed["id"]);
    let gone = app.client.delete(app.url(&one)).bearer_auth(&unit_a).send().await.unwrap();
    assert_eq!(gone.status(), StatusCode::NO_CONTENT);
    let again = app.client.delete(app.url(&one)).bearer_auth(&unit_a).send().await.unwrap();
    expect_problem(again, StatusCode::NOT_FOUND).await;
    let audited = app.state.store.audit_entries(100).await.unwrap();
    assert!(
        audited.iter().any(|e| e.action == "credential.removed" && e.subject == format!("credential:{}", lapsed["id"]))
    );
}

fn borrowed(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn the_profile_is_kept_on_the_web(app: TestApp) {
    let a = app.unit_with_people("安盾").await;
    app.user_token("andun", UserRole::Unit, Some(a.id)).await;
    app.user_token("boss", UserRole::Manager, None).await;
    let (unit, manager) = (Web::sign_in(&app, "andun").await, Web::sign_in(&app, "boss").await);
    let path = format!("/units/{}/profile", a.id);
    let (status, body) = unit.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("联系人：遴选工作联系人") && body.contains("渝中分公司：未签署应急响应承诺书"), "{body}");

    let b = |f: &str| format!("b{}_{f}", a.branch_id);
    let mut form: Vec<(String, String)> = [
        ("legal_representative", "张伟"),
        ("founded_on", "2010-06-18"),
        ("emergency_lead_name", "陈静"),
        ("emergency_lead_mobile", "13800000003"),
        ("support_lead_name", "李强"),
        ("support_lead_mobile", "13800000002"),
        ("support_contact_name", "王敏"),
        ("support_contact_mobile", "13800000001"),
        ("selection_contact_name", "周洁"),
        ("selection_contact_mobile", "电话待定"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    form.extend([
        (b("staff_count"), "25".into()),
        (b("signed_on"), "2026-03-01".into()),
        (b("signatory"), "李强".into()),
    ]);
    let (_, _, body) = unit.post(&path, &borrowed(&form)).await;
    assert!(body.contains("不是有效的电话号码") && body.contains(r#"value="电话待定""#), "refused, kept: {body}");
    form[9].1 = "13800000005".into();
    let (_, _, body) = unit.post(&path, &borrowed(&form)).await;
    assert!(body.contains("档案已齐全"), "{body}");
    assert!(body.contains(r#"value="2026-03-01""#), "{body}");

    let credential =
        [("kind", "staff_certificate"), ("name", "CISP"), ("holder", "赵磊"), ("valid_until", "2026-12-25")];
    let (_, _, body) = unit.post(&format!("/units/{}/credentials", a.id), &credential).await;
    assert!(
        body.contains(r#"<tr class="flag"><td>人员资质证书</td><td>CISP</td>"#) && body.contains("即将到期（30 天）"),
        "{body}"
    );

    let (_, body) = manager.get(&path).await;
    assert!(body.contains("<fieldset disabled>") && !body.contains(r#"id="add-credential""#), "managers read: {body}");
}

async fn the_unit_is_told_once_a_credential_lapses_soon_and_once_it_has_lapsed(app: TestApp) {
    let hooks = crate::receiver::Receiver::start().await;
    let unit = crate::escalation::paged_unit(&app, &hooks).await;
    let path = format!("/api/v1/units/{unit}/credentials");
    let lapsing = json!({"kind": "staff_certificate", "name": "CISP", "holder": "赵磊", "valid_until": "2026-12-25"});
    let lasting = json!({"kind": "qualification", "name": "ISO 27001", "valid_until": "2028-06-30"});
    for body in [&lapsing, &lasting] {
        expect_json(app.post(&path, body).await, StatusCode::CREATED).await;
    }
    let of =
        |reason: &str| hooks.received().into_iter().filter(|r| r.body["page"]["reason"] == reason).collect::<Vec<_>>();

    // 2026-11-25 in Chongqing: thirty days left, inside the sixty-day warning.
    assert_eq!(app.tick().await.credentials, 1, "the lapsing one only");
    let warned = of("credential_expiring");
    assert_eq!(warned.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["liaison"]);
    let text = warned[0].body["text"].as_str().unwrap();
    assert!(text.contains("本单位人员资质证书“CISP”（持证人：赵磊）将于 2026-12-25 到期（剩余 30 天）"), "{text}");
    assert_eq!(app.tick().await.credentials, 0, "told once");

    // The day after its last day: lapsed, told once more.
    let day_after = chrono::DateTime::parse_from_rfc3339("2026-12-26T00:00:00+08:00").unwrap().to_utc();
    app.clock.set(day_after);
    assert_eq!(app.tick().await.credentials, 1);
    let lapsed = of("credential_expired");
    assert!(lapsed[0].body["text"].as_str().unwrap().contains("已于 2026-12-25 到期"), "{}", lapsed[0].body["text"]);
    assert_eq!(app.tick().await.credentials, 0);
}

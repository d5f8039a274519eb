//! The audit log: every state change and administrative action lands in the
//! hash chain with who, what and from where, and the chain verifies; an
//! entry edited in SQL is named.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{TestApp, expect_json};

crate::on_both_backends!(
    actions_are_audited_with_who_and_where_and_the_chain_verifies,
    sign_ins_link_codes_and_closure_edits_are_audited,
);

async fn actions_are_audited_with_who_and_where_and_the_chain_verifies(app: TestApp) {
    let unit = app.unit_with_people("审计单位").await;
    let notice = app.issue(&[unit.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    expect_json(app.event(a, json!({"kind": "acknowledged"})).await, StatusCode::CREATED).await;

    // Written unsealed with each change; the engine chains them.
    let sealed = app.state.store.seal_audit().await.unwrap();
    let entries = app.state.store.audit_entries(100).await.unwrap();
    assert_eq!(sealed, entries.len() as u64);
    assert_eq!(app.state.store.seal_audit().await.unwrap(), 0, "nothing left to seal");
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    for wanted in [
        "user.created",
        "token.created",
        "unit.created",
        "branch.created",
        "person.created",
        "assignment.dispatched",
        "assignment.acknowledged",
    ] {
        assert!(actions.contains(&wanted), "{wanted} missing from {actions:?}");
    }
    let ack = entries.iter().find(|e| e.action == "assignment.acknowledged").unwrap();
    assert_eq!(ack.subject, format!("assignment:{a}"));
    assert_eq!((ack.source.as_str(), ack.address.as_deref()), ("api", Some("127.0.0.1")), "who and from where");
    assert!(ack.user_id.is_some());
    let count = entries.len() as u64;
    assert_eq!(app.state.store.verify_audit().await.unwrap(), Ok(count));

    // Someone with database access rewrites who acknowledged: named.
    let db = app.state.store.db();
    db.execute_unprepared(&format!("UPDATE audit_log SET actor = 'mallory' WHERE id = {}", ack.id)).await.unwrap();
    let tampered = app.state.store.verify_audit().await.unwrap().unwrap_err();
    assert_eq!(tampered, onsite::domain::audit::Tamper::Edited { id: ack.id, seq: ack.seq.unwrap() });
    assert!(tampered.to_string().contains("was edited"));
}

async fn sign_ins_link_codes_and_closure_edits_are_audited(app: TestApp) {
    let unit = app.unit_with_people("审计单位").await;
    let client = crate::web::browser();
    let attempt = |username: &'static str, password: &'static str| {
        let (client, app) = (client.clone(), &app);
        async move { crate::web::post_login(&client, app, &[("username", username), ("password", password)]).await }
    };
    assert_eq!(attempt("duty", "not the password").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("nobody", "guess").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(attempt("duty", "a long test password").await.status(), StatusCode::SEE_OTHER);

    let code = expect_json(
        app.post(&format!("/api/v1/people/{}/telegram-link", unit.people[3]), &json!({})).await,
        StatusCode::CREATED,
    )
    .await;
    let code = code["code"].as_str().unwrap().to_owned();
    app.telegram.text(7001, &format!("/start {code}"), None);
    app.bot_step().await;

    let notice = app.issue(&[unit.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    let report = app.url(&format!("/api/v1/assignments/{a}/closure-report"));
    for text in ["首页被篡改", "首页被篡改，已恢复"] {
        let put = app.client.put(&report).bearer_auth(&app.token).json(&json!({"description": text}));
        expect_json(put.send().await.unwrap(), StatusCode::OK).await;
    }

    app.state.store.seal_audit().await.unwrap();
    let entries = app.state.store.audit_entries(200).await.unwrap();
    let find = |action: &str, subject: &str| {
        entries
            .iter()
            .find(|e| e.action == action && e.subject == subject)
            .unwrap_or_else(|| panic!("no {action} on {subject}"))
            .clone()
    };
    let duty = app.state.store.user_by_name("duty").await.unwrap().unwrap().id;
    let wrong = find("user.sign_in_refused", &format!("user:{duty}"));
    assert_eq!((wrong.source.as_str(), wrong.address.as_deref()), ("web", Some("127.0.0.1")));
    assert!(wrong.data.as_deref().unwrap().contains("bad_password"));
    let unknown = find("user.sign_in_refused", "user:?");
    assert_eq!(unknown.actor, "nobody", "the name that was tried");
    let signed_in = find("user.signed_in", &format!("user:{duty}"));
    assert_eq!(signed_in.user_id, Some(duty));
    for e in &entries {
        let row = format!("{e:?}");
        assert!(!row.contains("a long test password") && !row.contains("not the password") && !row.contains(&code));
    }
    let person = format!("person:{}", unit.people[3]);
    assert_eq!(find("telegram.link_code_issued", &person).actor, "duty");
    let linked = find("telegram.linked", &person);
    assert_eq!((linked.source.as_str(), linked.actor.as_str()), ("bot", "telegram:7001"));
    let subject = format!("assignment:{a}");
    find("closure_report.created", &subject);
    find("closure_report.edited", &subject);
    assert_eq!(app.state.store.verify_audit().await.unwrap(), Ok(entries.len() as u64));
}

//! The audit log: every state change and administrative action lands in the
//! hash chain with who, what and from where, and the chain verifies; an
//! entry edited in SQL is named.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::helpers::{TestApp, expect_json};

crate::on_both_backends!(actions_are_audited_with_who_and_where_and_the_chain_verifies);

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

//! The audit log: every state change and administrative action lands in the
//! hash chain with who, what and from where, and the chain verifies; an
//! entry edited in SQL is named.

use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use onsite::domain::audit::{Checkpoint, Content, GENESIS, Tamper, digest};
use onsite::domain::record::AuditEntry;

use crate::helpers::{ClockExt, TestApp, expect_json};

crate::on_both_backends!(
    actions_are_audited_with_who_and_where_and_the_chain_verifies,
    sign_ins_link_codes_and_closure_edits_are_audited,
    a_chain_rewritten_and_rehashed_without_the_key_is_reported,
    a_row_inserted_around_onsite_is_never_sealed_and_is_reported,
    swapped_row_ids_and_a_rewritten_head_are_reported,
    signed_checkpoints_prove_a_chain_rewritten_from_the_start,
);

/// Some audited activity, sealed; the sealed rows in order.
async fn sealed_chain(app: &TestApp) -> Vec<AuditEntry> {
    let unit = app.unit_with_people("审计单位").await;
    app.issue(&[unit.id], true).await;
    app.state.store.seal_audit().await.unwrap();
    let mut rows = app.state.store.audit_entries(1_000).await.unwrap();
    rows.sort_by_key(|e| e.seq);
    assert!(rows.len() >= 8 && rows.iter().all(|e| e.seq.is_some()), "{}", rows.len());
    rows
}

fn content(e: &AuditEntry) -> Content<'_> {
    e.content(e.seq.unwrap())
}

/// What someone who can write the database but has not the key can do:
/// rewrite rows from `from_seq` on with their own values and re-hash the
/// chain after them the way it could be hashed without a key, head included.
async fn rehash(app: &TestApp, rows: &mut [AuditEntry], from: usize, strip_macs: bool) {
    let db = app.state.store.db();
    let mut prev = if from == 0 { GENESIS.to_owned() } else { rows[from - 1].hash.clone().unwrap() };
    for e in &mut rows[from..] {
        let hash = digest(&content(e), &prev);
        let sql = format!(
            "UPDATE audit_log SET actor = '{}', prev_hash = '{prev}', hash = '{hash}'{} WHERE id = {}",
            e.actor,
            if strip_macs { ", entry_mac = NULL" } else { "" },
            e.id
        );
        db.execute_unprepared(&sql).await.unwrap();
        prev = hash;
    }
    let last = rows.last().unwrap().seq.unwrap();
    let head = if strip_macs { ", mac = NULL, keyed_from = 0" } else { "" };
    db.execute_unprepared(&format!("UPDATE audit_head SET seq = {last}, hash = '{prev}'{head}")).await.unwrap();
}

async fn a_chain_rewritten_and_rehashed_without_the_key_is_reported(app: TestApp) {
    let mut rows = sealed_chain(&app).await;
    assert_eq!(app.state.store.verify_audit(&[]).await.unwrap(), Ok(rows.len() as u64));
    rows[3].actor = "mallory".into();
    let rewritten = (rows[3].id, rows[3].seq.unwrap());
    rehash(&app, &mut rows, 3, false).await;
    let found = app.state.store.verify_audit(&[]).await.unwrap();
    assert_eq!(found, Err(Tamper::HeadForged), "the head's MAC cannot be recomputed");
    // Even with the old head left in place, the rewritten row is named.
    let db = app.state.store.db();
    let (seq, hash) = (rows.last().unwrap().seq.unwrap(), rows.last().unwrap().hash.clone().unwrap());
    db.execute_unprepared(&format!("UPDATE audit_head SET seq = {seq}, hash = '{hash}'")).await.unwrap();
    let found = app.state.store.verify_audit(&[]).await.unwrap();
    assert_eq!(found, Err(Tamper::Edited { id: rewritten.0, seq: rewritten.1 }));
    assert!(found.unwrap_err().to_string().contains("was edited"));
}

async fn a_row_inserted_around_onsite_is_never_sealed_and_is_reported(app: TestApp) {
    let rows = sealed_chain(&app).await;
    let db = app.state.store.db();
    db.execute_unprepared(&format!(
        "INSERT INTO audit_log (at, source, actor, user_id, person_id, address, action, subject, data) \
         SELECT at, source, 'mallory', user_id, person_id, address, 'user.created', subject, data FROM audit_log WHERE id = {}",
        rows[0].id
    ))
    .await
    .unwrap();
    assert_eq!(app.state.store.seal_audit().await.unwrap(), 0, "refused, not sealed");
    let after = app.state.store.audit_entries(1).await.unwrap();
    assert_eq!((after[0].actor.as_str(), after[0].seq), ("mallory", None));
    let found = app.state.store.verify_audit(&[]).await.unwrap();
    assert_eq!(found, Err(Tamper::Inserted { id: after[0].id }));
    assert!(found.unwrap_err().to_string().contains("not written by onsite"));
    // What onsite writes afterwards is still sealed.
    app.unit_with_people("另一单位").await;
    assert!(app.state.store.seal_audit().await.unwrap() > 0);
}

async fn swapped_row_ids_and_a_rewritten_head_are_reported(app: TestApp) {
    let rows = sealed_chain(&app).await;
    let (a, b) = (rows[2].id, rows[3].id);
    let db = app.state.store.db();
    for sql in [
        format!("UPDATE audit_log SET id = -1 WHERE id = {a}"),
        format!("UPDATE audit_log SET id = {a} WHERE id = {b}"),
        format!("UPDATE audit_log SET id = {b} WHERE id = -1"),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    let found = app.state.store.verify_audit(&[]).await.unwrap().unwrap_err();
    assert_eq!(found, Tamper::Edited { id: b, seq: rows[2].seq.unwrap() }, "the row now numbered {b} is named");
    for sql in [
        format!("UPDATE audit_log SET id = -1 WHERE id = {a}"),
        format!("UPDATE audit_log SET id = {a} WHERE id = {b}"),
        format!("UPDATE audit_log SET id = {b} WHERE id = -1"),
    ] {
        db.execute_unprepared(&sql).await.unwrap();
    }
    assert!(app.state.store.verify_audit(&[]).await.unwrap().is_ok(), "swapped back, intact again");

    // The last row deleted and the head moved back to the one before it.
    let (last, before) = (&rows[rows.len() - 1], &rows[rows.len() - 2]);
    db.execute_unprepared(&format!("DELETE FROM audit_log WHERE id = {}", last.id)).await.unwrap();
    let head =
        format!("UPDATE audit_head SET seq = {}, hash = '{}'", before.seq.unwrap(), before.hash.clone().unwrap());
    db.execute_unprepared(&head).await.unwrap();
    assert_eq!(app.state.store.verify_audit(&[]).await.unwrap(), Err(Tamper::HeadForged));
}

/// The one rewrite the database alone cannot show: every MAC removed and
/// the whole chain re-hashed as if it had never been keyed. A checkpoint
/// the operator kept elsewhere proves it.
async fn signed_checkpoints_prove_a_chain_rewritten_from_the_start(app: TestApp) {
    let mut rows = sealed_chain(&app).await;
    let checkpoint = app.state.store.audit_checkpoint(app.clock.now_utc()).await.unwrap();
    assert_eq!(checkpoint.seq, rows.last().unwrap().seq.unwrap());
    assert_eq!(app.state.store.verify_audit(std::slice::from_ref(&checkpoint)).await.unwrap(), Ok(rows.len() as u64));
    let forged = Checkpoint { seq: checkpoint.seq - 1, ..checkpoint.clone() };
    assert_eq!(app.state.store.verify_audit(&[forged]).await.unwrap(), Err(Tamper::CheckpointForged { line: 1 }));

    rows[1].actor = "mallory".into();
    rehash(&app, &mut rows, 0, true).await;
    assert!(app.state.store.verify_audit(&[]).await.unwrap().is_ok(), "alone, the database cannot tell");
    let found = app.state.store.verify_audit(&[checkpoint]).await.unwrap();
    assert_eq!(found, Err(Tamper::CheckpointMismatch { line: 1, seq: rows.last().unwrap().seq.unwrap() }));
}

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
    assert_eq!(app.state.store.verify_audit(&[]).await.unwrap(), Ok(count));

    // Someone with database access rewrites who acknowledged: named.
    let db = app.state.store.db();
    db.execute_unprepared(&format!("UPDATE audit_log SET actor = 'mallory' WHERE id = {}", ack.id)).await.unwrap();
    let tampered = app.state.store.verify_audit(&[]).await.unwrap().unwrap_err();
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
    assert_eq!(app.state.store.verify_audit(&[]).await.unwrap(), Ok(entries.len() as u64));
}

//! A protection period and its screening: declared and drawn up by the
//! bureau, screened and recorded by the unit.

use onsite::domain::access::Need;
use onsite::domain::protection::ProtectionPeriodInput;
use onsite::domain::screening::{ResultDraft, ScreeningOutcome, ScreeningResultInput, ScreeningTasksInput};

use crate::world::{World, denied, not_found, refused};

fn period(w: &World) -> ProtectionPeriodInput {
    serde_json::from_value(serde_json::json!({
        "name": "进博会重保",
        "starts_at": "2026-11-25T00:00:00+08:00",
        "ends_at": "2026-11-30T00:00:00+08:00",
        "unit_ids": [w.unit, w.other_unit],
        "policy": { "ack_target": "5m" },
    }))
    .unwrap()
}

fn tasks(unit_id: i64) -> ScreeningTasksInput {
    serde_json::from_value(serde_json::json!({
        "tasks": [{ "unit_id": unit_id, "enterprise": "某银行", "target": "网银系统", "kind": "remote" }],
    }))
    .unwrap()
}

fn result(outcome: ScreeningOutcome, findings: &str) -> ResultDraft {
    ResultDraft::parse(&ScreeningResultInput { outcome, findings: findings.into() }).unwrap()
}

#[tokio::test]
async fn the_bureau_declares_a_period_and_its_checklist_and_the_unit_records_what_it_found() {
    let w = World::new().await;
    let p = w.core.create_protection_period(&w.bureau, &period(&w)).await.unwrap();
    assert_eq!(p.policy.ack_target.as_deref(), Some("5m"));
    let added = w.core.add_screening_tasks(&w.bureau, p.id, &tasks(w.unit)).await.unwrap();
    let found = w.core.record_screening_result(&w.unit_user, added[0].id, result(ScreeningOutcome::Issues, "弱口令"));
    assert_eq!(found.await.unwrap().outcome, Some(onsite::domain::screening::ScreeningOutcome::Issues));
}

#[tokio::test]
async fn only_the_bureau_declares_and_draws_up_and_no_manager_records() {
    let w = World::new().await;
    for caller in [&w.unit_user, &w.manager, &w.engineer] {
        denied(w.core.create_protection_period(caller, &period(&w)).await, Need::Direct);
    }
    let p = w.core.create_protection_period(&w.bureau, &period(&w)).await.unwrap();
    denied(w.core.add_screening_tasks(&w.unit_user, p.id, &tasks(w.unit)).await, Need::Direct);
    let added = w.core.add_screening_tasks(&w.bureau, p.id, &tasks(w.unit)).await.unwrap();
    let clean = || result(ScreeningOutcome::Clean, "");
    denied(w.core.record_screening_result(&w.manager, added[0].id, clean()).await, Need::Report);
    not_found(w.core.record_screening_result(&w.stranger, added[0].id, clean()).await);
}

#[tokio::test]
async fn a_checklist_for_a_period_that_does_not_exist_or_for_nobody_is_refused() {
    let w = World::new().await;
    not_found(w.core.add_screening_tasks(&w.bureau, 9_999, &tasks(w.unit)).await);
    let p = w.core.create_protection_period(&w.bureau, &period(&w)).await.unwrap();
    let empty = ScreeningTasksInput { tasks: vec![] };
    refused(w.core.add_screening_tasks(&w.bureau, p.id, &empty).await, "required");
}

//! The closure report: written and submitted by the unit, reviewed by the
//! bureau.

use onsite::domain::access::Need;
use onsite::domain::closure::{ClosureDraft, ClosureInput};
use onsite::domain::review::{ReviewAction, ReviewStatus};

use crate::world::{World, denied, not_found, refused};

fn complete() -> ClosureDraft {
    let input: ClosureInput = serde_json::from_value(serde_json::json!({
        "event_time": "2026-11-25T02:40:00+08:00",
        "description": "首页被植入赌博链接",
        "cause": "CMS 弱口令",
        "impact": "首页不可信 40 分钟",
        "countermeasures": "恢复页面，修改口令，封禁来源地址",
    }))
    .unwrap();
    ClosureDraft::parse(&input).unwrap()
}

#[tokio::test]
async fn the_unit_writes_and_submits_the_bureau_returns_and_then_accepts() {
    let w = World::new().await;
    let id = w.assignment().await;
    let saved = w.core.save_closure_report(&w.unit_user, id, complete()).await.unwrap();
    assert_eq!(saved.status, ReviewStatus::Draft);
    w.core.closure_step(&w.unit_user, id, ReviewAction::Submit, None).await.unwrap();
    refused(w.core.closure_step(&w.bureau, id, ReviewAction::Return, None).await, "required");
    let returned = w.core.closure_step(&w.bureau, id, ReviewAction::Return, Some("补充影响范围")).await.unwrap();
    assert_eq!(returned.status, ReviewStatus::Returned);
    w.core.save_closure_report(&w.unit_user, id, complete()).await.unwrap();
    w.core.closure_step(&w.unit_user, id, ReviewAction::Submit, None).await.unwrap();
    let accepted = w.core.closure_step(&w.bureau, id, ReviewAction::Accept, None).await.unwrap();
    assert_eq!(accepted.status, ReviewStatus::Accepted);
}

#[tokio::test]
async fn the_unit_does_not_review_its_own_report_and_a_manager_writes_none() {
    let w = World::new().await;
    let id = w.assignment().await;
    denied(w.core.save_closure_report(&w.manager, id, complete()).await, Need::Report);
    w.core.save_closure_report(&w.unit_user, id, complete()).await.unwrap();
    w.core.closure_step(&w.unit_user, id, ReviewAction::Submit, None).await.unwrap();
    denied(w.core.closure_step(&w.unit_user, id, ReviewAction::Accept, None).await, Need::Direct);
    denied(w.core.closure_step(&w.manager, id, ReviewAction::Accept, None).await, Need::Direct);
}

#[tokio::test]
async fn another_unit_cannot_see_let_alone_write_the_report() {
    let w = World::new().await;
    let id = w.assignment().await;
    not_found(w.core.save_closure_report(&w.stranger, id, complete()).await);
    w.core.save_closure_report(&w.unit_user, id, complete()).await.unwrap();
    not_found(w.core.closure_step(&w.stranger, id, ReviewAction::Submit, None).await);
}

#[tokio::test]
async fn a_submitted_report_is_locked_until_returned() {
    let w = World::new().await;
    let id = w.assignment().await;
    w.core.save_closure_report(&w.unit_user, id, complete()).await.unwrap();
    w.core.closure_step(&w.unit_user, id, ReviewAction::Submit, None).await.unwrap();
    refused(w.core.save_closure_report(&w.unit_user, id, complete()).await, "closure_locked");
    refused(w.core.closure_step(&w.unit_user, id, ReviewAction::Submit, None).await, "closure_transition");
}

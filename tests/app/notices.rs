//! Issuing a notice.

use onsite::domain::access::{Need, Scope};
use onsite::domain::clock::Clock;
use onsite::store::StoreError;

use crate::world::{World, denied, notice, refused};

#[tokio::test]
async fn the_bureau_issues_one_assignment_per_unit_each_with_its_clock() {
    let w = World::new().await;
    let record = w.core.issue_notice(&w.bureau, notice(vec![w.unit, w.other_unit])).await.unwrap().record;
    assert_eq!(record.assignments.len(), 2);
    for a in &record.assignments {
        assert_eq!(a.state.notified_at, w.clock.now());
        assert_eq!(a.state.deadline_at, w.clock.now() + chrono::Duration::hours(2));
        assert!(!w.store.timers(a.id).await.unwrap().is_empty(), "its clock has timers");
    }
}

#[tokio::test]
async fn nobody_but_the_bureau_issues_and_nothing_is_written_when_refused() {
    let w = World::new().await;
    for caller in [&w.manager, &w.unit_user, &w.engineer] {
        denied(w.core.issue_notice(caller, notice(vec![w.unit])).await, Need::Direct);
    }
    let filter = onsite::store::notices::NoticeFilter { limit: 10, ..Default::default() };
    assert_eq!(w.store.notices(Scope::All, &filter).await.unwrap().1, 0);
}

#[tokio::test]
async fn a_notice_to_a_unit_that_does_not_exist_is_refused_whole() {
    let w = World::new().await;
    refused(w.core.issue_notice(&w.bureau, notice(vec![w.unit, 9_999])).await, "unknown_unit");
    let filter = onsite::store::notices::NoticeFilter { limit: 10, ..Default::default() };
    assert_eq!(w.store.notices(Scope::All, &filter).await.unwrap().1, 0);
}

#[tokio::test]
async fn a_stored_code_this_version_does_not_know_is_an_error_never_a_default() {
    let w = World::new().await;
    let record = w.core.issue_notice(&w.bureau, notice(vec![w.unit])).await.unwrap().record;
    let id = record.notice.id;
    let edit = format!("UPDATE notices SET category = 'meteor' WHERE id = {id}");
    sea_orm::ConnectionTrait::execute_unprepared(w.store.db(), &edit).await.unwrap();
    let read = w.store.notice(Scope::All, id).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
}

#[tokio::test]
async fn a_stored_document_that_does_not_parse_is_an_error_never_a_default() {
    let w = World::new().await;
    let record = w.core.issue_notice(&w.bureau, notice(vec![w.unit])).await.unwrap().record;
    let id = record.assignments[0].id;
    let edit = format!("UPDATE assignments SET policy = '{{\"deadline_secs\": \"soon\"}}' WHERE id = {id}");
    sea_orm::ConnectionTrait::execute_unprepared(w.store.db(), &edit).await.unwrap();
    let read = w.store.assignment(Scope::All, id).await;
    assert!(matches!(read, Err(StoreError::Corrupt(_))), "{read:?}");
}

#[tokio::test]
async fn a_timeline_event_whose_facts_do_not_parse_is_an_error_never_dropped() {
    let w = World::new().await;
    let record = w.core.issue_notice(&w.bureau, notice(vec![w.unit])).await.unwrap().record;
    let id = record.assignments[0].id;
    assert_eq!(w.store.timeline(Scope::All, id).await.unwrap().len(), 1, "the dispatch");
    let edit = format!("UPDATE timeline_events SET data = '{{\"unit_id\": 1}}' WHERE assignment_id = {id}");
    sea_orm::ConnectionTrait::execute_unprepared(w.store.db(), &edit).await.unwrap();
    let timeline = w.store.timeline(Scope::All, id).await;
    assert!(matches!(timeline, Err(StoreError::Corrupt(_))), "{timeline:?}");
}

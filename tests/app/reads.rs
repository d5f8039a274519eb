//! Reads take the caller's scope from the application layer: whichever door
//! asks, a unit's user or engineer finds only their own unit's records, and
//! the bureau finds every unit's.

use onsite::app::AppError;
use onsite::domain::access::Need;
use onsite::store::StoreResult;
use onsite::store::notices::NoticeFilter;

use crate::world::{World, denied, not_found, notice};

fn hidden<T: std::fmt::Debug>(result: StoreResult<T>) {
    not_found(result.map_err(AppError::from));
}

#[tokio::test]
async fn a_unit_reads_its_own_assignment_and_not_another_units() {
    let w = World::new().await;
    let record = w.core.issue_notice(&w.bureau, notice(vec![w.unit, w.other_unit])).await.unwrap().record;
    let (mine, theirs) = (record.assignments[0].id, record.assignments[1].id);
    for caller in [&w.unit_user, &w.engineer] {
        let reads = w.core.reads(caller);
        assert_eq!(reads.assignment(mine).await.unwrap().unit_id, w.unit);
        assert_eq!(reads.timeline(mine).await.unwrap().len(), 1, "the dispatch");
        hidden(reads.assignment(theirs).await);
        hidden(reads.timeline(theirs).await);
        hidden(reads.pages(theirs).await);
        // The notice shows the caller's own assignment only.
        let n = reads.notice(record.notice.id).await.unwrap();
        assert_eq!(n.assignments.iter().map(|a| a.id).collect::<Vec<_>>(), vec![mine]);
    }
    let (listed, total) =
        w.core.reads(&w.stranger).notices(&NoticeFilter { limit: 50, ..NoticeFilter::default() }).await.unwrap();
    assert_eq!((listed.len(), total), (1, 1));
    assert_eq!(listed[0].assignments[0].id, theirs);
    let bureau = w.core.reads(&w.bureau);
    assert_eq!(bureau.notice(record.notice.id).await.unwrap().assignments.len(), 2);
}

#[tokio::test]
async fn another_units_branches_people_and_open_work_are_not_found() {
    let w = World::new().await;
    w.assignment().await;
    let unit = w.core.reads(&w.bureau).unit(w.unit).await.unwrap();
    let reads = w.core.reads(&w.stranger);
    hidden(reads.branches(&unit).await);
    hidden(reads.people(&unit).await);
    hidden(reads.open_assignments(w.unit).await);
    assert!(reads.branch(w.branch).await.unwrap().is_none(), "a branch id names nothing outside the scope");
    assert_eq!(reads.units().await.unwrap().iter().map(|u| u.id).collect::<Vec<_>>(), vec![w.other_unit]);
    let own = w.core.reads(&w.unit_user);
    assert_eq!(own.open_assignments(w.unit).await.unwrap().len(), 1);
    let person = own.people(&unit).await.unwrap().remove(0);
    assert_eq!(own.channels(&person).await.unwrap().len(), 0);
    hidden(reads.channels(&person).await);
}

#[tokio::test]
async fn only_an_administrator_lists_users_and_only_the_bureau_gets_the_notice_form() {
    let w = World::new().await;
    for caller in [&w.bureau, &w.manager, &w.unit_user, &w.engineer] {
        denied(w.core.users(caller).await, Need::Admin);
    }
    assert!(w.core.may(&w.bureau, Need::Direct).is_ok());
    for caller in [&w.manager, &w.unit_user, &w.engineer] {
        denied(w.core.may(caller, Need::Direct), Need::Direct);
    }
}

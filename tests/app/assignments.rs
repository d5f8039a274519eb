//! Reporting on an assignment and the bureau's actions on its clock, as
//! every door asks for them.

use chrono::Duration;
use onsite::domain::access::Need;
use onsite::domain::assignment::{Milestone, Status};
use onsite::domain::change::{Change, Reassignment};
use onsite::domain::clock::Clock;
use onsite::domain::geo::Coordinates;

use crate::world::{World, denied, not_found, refused};

#[tokio::test]
async fn an_engineer_acknowledges_from_a_chat_and_the_timeline_names_them() {
    let w = World::new().await;
    let id = w.assignment().await;
    w.clock.advance(Duration::minutes(4));
    let r = w.core.change_assignment(&w.engineer, id, Change::milestone(Milestone::Acknowledged)).await.unwrap();
    assert_eq!(r.assignment.state.status, Status::Acknowledged);
    assert_eq!(r.assignment.state.milestones.acknowledged_at, Some(w.clock.now()));
    assert_eq!((r.event.kind.code(), r.event.actor.as_str(), r.event.source.code()), ("acknowledged", "王工", "bot"));
}

#[tokio::test]
async fn a_report_on_site_carries_its_distance_from_the_site() {
    let w = World::new().await;
    let id = w.assignment().await;
    for m in [Milestone::Acknowledged, Milestone::PlanActivated] {
        w.core.change_assignment(&w.engineer, id, Change::milestone(m)).await.unwrap();
    }
    // About 1.1 km north of the notice's site (29.6, 106.5).
    let here = Coordinates { lat: 29.61, lon: 106.5 };
    let on_site = Change::Milestone {
        milestone: Milestone::OnSite,
        at: None,
        note: None,
        location: Some(here),
        flag_beyond_m: Some(500.0),
    };
    let r = w.core.change_assignment(&w.engineer, id, on_site).await.unwrap();
    let d = r.distance_m.expect("a distance");
    assert!((1_000.0..1_200.0).contains(&d), "{d}");
}

#[tokio::test]
async fn a_manager_reads_but_is_refused_every_report_before_the_assignment_is_looked_up() {
    let w = World::new().await;
    let id = w.assignment().await;
    denied(w.core.change_assignment(&w.manager, id, Change::milestone(Milestone::Acknowledged)).await, Need::Report);
    denied(w.core.change_assignment(&w.manager, id, Change::note("看一下").unwrap()).await, Need::Report);
    // Refused the same for an assignment that does not exist: the role decides first.
    denied(w.core.change_assignment(&w.manager, 9_999, Change::note("看一下").unwrap()).await, Need::Report);
    let a = w.store.assignment(onsite::domain::access::Scope::All, id).await.unwrap();
    assert_eq!(a.state.status, Status::Notified);
}

#[tokio::test]
async fn another_units_assignment_does_not_exist_for_its_user_nor_for_its_engineers() {
    let w = World::new().await;
    let theirs = w.core.issue_notice(&w.bureau, crate::world::notice(vec![w.other_unit])).await.unwrap().record;
    let id = theirs.assignments[0].id;
    not_found(w.core.change_assignment(&w.unit_user, id, Change::milestone(Milestone::Acknowledged)).await);
    not_found(w.core.change_assignment(&w.engineer, id, Change::note("不是我们的").unwrap()).await);
    w.core.change_assignment(&w.stranger, id, Change::milestone(Milestone::Acknowledged)).await.unwrap();
}

#[tokio::test]
async fn only_the_bureau_closes_extends_and_stands_down() {
    let w = World::new().await;
    let id = w.assignment().await;
    let later = w.clock.now() + Duration::hours(3);
    for caller in [&w.unit_user, &w.engineer, &w.manager] {
        denied(w.core.change_assignment(caller, id, Change::milestone(Milestone::Closed)).await, Need::Direct);
        let extend = Change::Extend { deadline_at: later, reason: "交通管制".into() };
        denied(w.core.change_assignment(caller, id, extend).await, Need::Direct);
        let stand_down = Change::StandDown { reason: "误报".into() };
        denied(w.core.change_assignment(caller, id, stand_down).await, Need::Direct);
        denied(w.core.reassign(caller, id, to(w.other_unit, "改派")).await, Need::Direct);
    }
    let extend = Change::Extend { deadline_at: later, reason: "交通管制".into() };
    let r = w.core.change_assignment(&w.bureau, id, extend).await.unwrap();
    assert_eq!(r.assignment.state.deadline_at, later);
}

#[tokio::test]
async fn the_state_machine_has_the_last_word_for_every_caller() {
    let w = World::new().await;
    let id = w.assignment().await;
    refused(w.core.change_assignment(&w.engineer, id, Change::milestone(Milestone::OnSite)).await, "out_of_order");
    w.core.change_assignment(&w.engineer, id, Change::milestone(Milestone::Acknowledged)).await.unwrap();
    refused(
        w.core.change_assignment(&w.unit_user, id, Change::milestone(Milestone::Acknowledged)).await,
        "already_reached",
    );
    w.core.change_assignment(&w.bureau, id, Change::StandDown { reason: "误报".into() }).await.unwrap();
    refused(w.core.change_assignment(&w.engineer, id, Change::milestone(Milestone::PlanActivated)).await, "stood_down");
}

#[tokio::test]
async fn a_reassignment_stands_the_old_one_down_and_starts_a_fresh_clock_at_the_other_unit() {
    let w = World::new().await;
    let id = w.assignment().await;
    w.clock.advance(Duration::minutes(30));
    let new = w.core.reassign(&w.bureau, id, to(w.other_unit, "该单位人员不足")).await.unwrap();
    assert_eq!((new.unit_id, new.state.notified_at), (w.other_unit, w.clock.now()));
    let old = w.store.assignment(onsite::domain::access::Scope::All, id).await.unwrap();
    assert_eq!(old.state.status, Status::StoodDown);
    refused(w.core.reassign(&w.bureau, new.id, to(w.other_unit, "再改")).await, "same_unit");
}

fn to(unit_id: i64, reason: &str) -> Reassignment {
    Reassignment::parse(unit_id, reason).unwrap()
}

#[tokio::test]
async fn asking_before_a_stand_down_or_a_reassignment_decides_as_doing_it_would_and_writes_nothing() {
    let w = World::new().await;
    let id = w.assignment().await;
    let events = w.store.timeline(onsite::domain::access::Scope::All, id).await.unwrap().len();
    for caller in [&w.manager, &w.unit_user, &w.engineer] {
        denied(w.core.check_stand_down(caller, id, "误报").await, Need::Direct);
    }
    refused(w.core.check_stand_down(&w.bureau, id, "  ").await, "required");
    not_found(w.core.check_stand_down(&w.bureau, 9_999, "误报").await);
    let to = Reassignment::parse(w.other_unit, "就近处置").unwrap();
    let (a, unit) = w.core.check_reassign(&w.bureau, id, &to).await.unwrap();
    assert_eq!((a.id, unit.id), (id, w.other_unit));
    not_found(w.core.check_reassign(&w.bureau, id, &Reassignment::parse(9_999, "就近处置").unwrap()).await);
    assert_eq!(w.core.check_stand_down(&w.bureau, id, "误报").await.unwrap().state.status, Status::Notified);
    assert_eq!(
        w.store.timeline(onsite::domain::access::Scope::All, id).await.unwrap().len(),
        events,
        "nothing written"
    );
    // Once stood down, the question itself is refused by the state machine.
    w.core.change_assignment(&w.bureau, id, Change::StandDown { reason: "误报".into() }).await.unwrap();
    refused(w.core.check_stand_down(&w.bureau, id, "再次撤销").await, "stood_down");
    refused(w.core.check_reassign(&w.bureau, id, &to).await.map(|_| ()), "stood_down");
}

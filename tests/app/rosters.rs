//! A branch's duty roster: the unit keeps its own, the bureau any, a
//! manager none.

use chrono::Duration;
use onsite::domain::access::Need;
use onsite::domain::clock::Clock;
use onsite::domain::roster::{Rotation, RotationInput};
use onsite::store::rosters::OverrideDraft;

use crate::world::{World, denied, not_found};

async fn rotation(w: &World, branch: i64) -> Rotation {
    let unit = if branch == w.branch { w.unit } else { w.other_unit };
    let members = w.store.people(unit).await.unwrap().iter().map(|p| p.id).collect();
    let input =
        RotationInput { zone: None, starts_on: "2026-11-20".into(), handover: "09:00".into(), shift_days: 7, members };
    Rotation::parse(&input, chrono_tz::Asia::Shanghai).unwrap()
}

#[tokio::test]
async fn the_unit_sets_its_rotation_and_puts_a_stand_in_on_duty() {
    let w = World::new().await;
    let stored = w.core.set_roster(&w.unit_user, w.branch, rotation(&w, w.branch).await).await.unwrap();
    let engineer = stored.roster.rotation.members[0];
    assert_eq!(stored.roster.on_duty(w.clock.now()).map(|s| s.person_id), Some(engineer));
    let now = w.clock.now();
    let leave =
        OverrideDraft { person_id: engineer, from: now, until: now + Duration::days(1), reason: "调休".into() };
    let stored = w.core.add_roster_override(&w.bureau, w.branch, leave).await.unwrap();
    assert_eq!(stored.overrides.len(), 1);
}

#[tokio::test]
async fn a_manager_reads_rosters_and_another_unit_never_sees_this_one() {
    let w = World::new().await;
    denied(w.core.set_roster(&w.manager, w.branch, rotation(&w, w.branch).await).await, Need::Report);
    not_found(w.core.set_roster(&w.stranger, w.branch, rotation(&w, w.branch).await).await);
    assert!(w.store.roster(onsite::domain::access::Scope::All, w.branch, w.clock.now()).await.unwrap().is_none());
    w.core.set_roster(&w.stranger, w.other_branch, rotation(&w, w.other_branch).await).await.unwrap();
}

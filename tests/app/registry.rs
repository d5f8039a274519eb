//! The registry: units, branches, people, channels, policy, contacts and
//! link codes are the bureau's to keep.

use onsite::domain::access::{Need, Scope};
use onsite::domain::people::{BureauRole, ChannelDraft, ChannelKind, ContactDraft, Role};
use onsite::domain::policy::PolicyOverride;
use onsite::domain::unit::{BranchDraft, PersonDraft, UnitDraft};
use onsite::store::telegram::LinkTarget;

use crate::world::{World, denied, not_found, refused};

fn person() -> PersonDraft {
    PersonDraft::parse("李工", Some("13800000001"), Role::Engineer, None).unwrap()
}

fn sms() -> ChannelDraft {
    ChannelDraft::parse(ChannelKind::Sms, "+8613800000001").unwrap()
}

#[tokio::test]
async fn the_bureau_registers_a_unit_its_branch_person_and_channel() {
    let w = World::new().await;
    let unit = w.core.create_unit(&w.bureau, UnitDraft::parse("绿盟科技", None, None).unwrap()).await.unwrap();
    let branch = BranchDraft::parse("重庆办事处", None, "重庆市江北区", None, None).unwrap();
    w.core.create_branch(&w.bureau, unit.id, branch).await.unwrap();
    let p = w.core.create_person(&w.bureau, unit.id, person()).await.unwrap();
    let c = w.core.create_channel(&w.bureau, p.id, sms()).await.unwrap();
    assert_eq!(w.store.channels(p.id).await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), vec![c.id]);
    let replaced = ChannelDraft::parse(ChannelKind::Sms, "+8613800000002").unwrap();
    w.core.replace_channel(&w.bureau, c.id, replaced).await.unwrap();
    w.core.remove_channel(&w.bureau, c.id).await.unwrap();
    assert!(w.store.channels(p.id).await.unwrap().is_empty(), "a removed channel is paged no more");
    let off = w.core.set_person_active(&w.bureau, p.id, false).await.unwrap();
    assert!(!off.active);
}

#[tokio::test]
async fn units_managers_and_engineers_keep_no_registry() {
    let w = World::new().await;
    let engineer = w.store.people(w.unit).await.unwrap()[0].id;
    for caller in [&w.unit_user, &w.manager, &w.engineer] {
        denied(w.core.create_unit(caller, UnitDraft::parse("冒名单位", None, None).unwrap()).await, Need::Registry);
        denied(w.core.create_person(caller, w.unit, person()).await, Need::Registry);
        denied(w.core.create_channel(caller, engineer, sms()).await, Need::Registry);
        denied(w.core.set_person_active(caller, engineer, false).await, Need::Registry);
        denied(w.core.link_code(caller, LinkTarget::Person(engineer)).await, Need::Registry);
        denied(w.core.set_unit_policy(caller, w.unit, &PolicyOverride::default()).await, Need::Direct);
    }
    assert!(w.store.people(w.unit).await.unwrap().iter().all(|p| p.active));
    assert_eq!(w.store.units(Scope::All).await.unwrap().len(), 2);
}

#[tokio::test]
async fn what_does_not_exist_is_not_found_and_a_bad_policy_is_refused() {
    let w = World::new().await;
    not_found(w.core.create_person(&w.bureau, 9_999, person()).await);
    not_found(w.core.remove_channel(&w.bureau, 9_999).await);
    not_found(w.core.link_code(&w.bureau, LinkTarget::Unit(9_999)).await);
    let before_its_warning: PolicyOverride = serde_json::from_value(serde_json::json!({ "deadline": "10m" })).unwrap();
    refused(w.core.set_unit_policy(&w.bureau, w.unit, &before_its_warning).await, "out_of_order");
}

#[tokio::test]
async fn a_link_code_expires_after_the_configured_time() {
    let w = World::new().await;
    let (code, expires) = w.core.link_code(&w.bureau, LinkTarget::Unit(w.unit)).await.unwrap();
    assert!(!code.is_empty());
    assert_eq!(expires - onsite::domain::clock::Clock::now(w.clock.as_ref()), chrono::Duration::hours(24));
}

#[tokio::test]
async fn bureau_contacts_are_the_bureaus_alone() {
    let w = World::new().await;
    let draft = ContactDraft::parse("值班长", BureauRole::DutyOfficer, ChannelKind::Sms, "+8613900000000").unwrap();
    w.core.create_bureau_contact(&w.bureau, draft.clone()).await.unwrap();
    denied(w.core.create_bureau_contact(&w.unit_user, draft).await, Need::Registry);
    assert_eq!(w.core.bureau_contacts(&w.manager).await.unwrap().len(), 1, "a province-wide manager reads them");
    denied(w.core.bureau_contacts(&w.unit_user).await, Need::Bureau);
    denied(w.core.bureau_contacts(&w.engineer).await, Need::Bureau);
}

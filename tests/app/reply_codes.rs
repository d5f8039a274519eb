//! The numbers SMS reply codes carry: one per phone and assignment, the
//! lowest free one first, kept while reminders go out, given up by the
//! oldest only when all 99 are taken, and expiring a day after the last
//! SMS that carried them.

use chrono::Duration;
use onsite::domain::access::{By, Caller, Scope};
use onsite::domain::people::{ChannelDraft, ChannelKind};
use onsite::store::reply_codes::ReplyTarget;

use crate::world::{World, notice};

#[tokio::test]
async fn numbers_are_per_phone_and_assignment_and_the_oldest_gives_way() {
    let w = World::new().await;
    let Caller::Person(engineer) = &w.engineer else { unreachable!() };
    let draft = ChannelDraft::parse(ChannelKind::Sms, "+8613800138000").unwrap();
    let by = By::operator("test");
    let phone = w.store.create_channel(&by, Scope::All, engineer.person_id, draft, w.clock_now()).await.unwrap().id;
    let mut assignments = Vec::new();
    for _ in 0..100 {
        let record = w.core.issue_notice(&w.bureau, notice(vec![w.unit])).await.unwrap().record;
        assignments.push(record.assignments[0].id);
    }
    let t = w.clock_now();
    let number = |i: usize, minutes: i64| w.store.reply_number(phone, assignments[i], t + Duration::minutes(minutes));
    assert_eq!(number(0, 0).await.unwrap(), 1);
    assert_eq!(number(1, 1).await.unwrap(), 2);
    assert_eq!(number(0, 2).await.unwrap(), 1, "a reminder keeps its number");
    for i in 2..99 {
        assert_eq!(number(i, 3).await.unwrap(), i32::try_from(i).unwrap() + 1);
    }
    // All 99 in use: the 100th takes the number used longest ago (2).
    assert_eq!(number(99, 4).await.unwrap(), 2);
    let target = |n, minutes| w.store.reply_target(phone, n, t + Duration::minutes(minutes));
    assert_eq!(target(2, 5).await.unwrap(), ReplyTarget::Assignment(assignments[99]));
    assert_eq!(target(1, 5).await.unwrap(), ReplyTarget::Assignment(assignments[0]));
    assert_eq!(target(1, 2 + 24 * 60 + 1).await.unwrap(), ReplyTarget::Expired);
    // A day on, 1 is free again and goes to the next page that needs one.
    let later = w.store.reply_number(phone, assignments[1], t + Duration::hours(25)).await.unwrap();
    assert_eq!(later, 1);
    assert_eq!(target(1, 25 * 60).await.unwrap(), ReplyTarget::Assignment(assignments[1]));
}

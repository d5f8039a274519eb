//! Several instances of one deployment: the pages a dead instance was
//! sending are taken back at once (not after their lease), a live one's are
//! left to it, and Telegram's limits hold for all instances together.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use onsite::store::Store;
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use crate::escalation::paged_unit;
use crate::helpers::{Backend, ClockExt, TestApp, expect_json};
use crate::receiver::Receiver;

crate::tests! {
    backends: [
        a_dead_instance_s_pages_are_taken_back_at_once_and_a_live_one_s_are_left_to_it,
        a_limit_counted_in_the_database_holds_for_every_instance_and_idle_keys_are_forgotten,
    ],
    postgres: [
        two_instances_keep_telegram_s_limits_together,
    ],
}

/// Another instance's store on the same database.
async fn other_instance(app: &TestApp) -> Store {
    let wording = std::sync::Arc::new(onsite::notify::message::Wording { tz: chrono_tz::Asia::Shanghai });
    Store::connect(&app.state.config.database, wording).await.expect("a second store")
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.state.store.db();
    let q = Statement::from_string(db.get_database_backend(), format!("SELECT COUNT(*) AS n FROM {sql}"));
    db.query_one_raw(q).await.unwrap().unwrap().try_get::<i64>("", "n").unwrap()
}

async fn a_dead_instance_s_pages_are_taken_back_at_once_and_a_live_one_s_are_left_to_it(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else { return };
    let hooks = Receiver::start().await;
    let unit = paged_unit(&app, &hooks).await;
    app.issue(&[unit], true).await;
    app.issue(&[unit], true).await;

    // Another instance claims every page for a minute, then stops.
    let other = other_instance(&app).await;
    let alive = other.take_liveness().await.unwrap();
    let lease = chrono::Duration::seconds(60);
    let claimed = other.claim_pages(app.clock.now_utc(), lease, 64).await.unwrap();
    assert!(claimed.len() >= 4, "two notices page at least two people each: {}", claimed.len());
    if backend == Backend::Postgres {
        app.tick().await;
        assert!(hooks.received().is_empty(), "a live instance's pages are left to it");
        assert_eq!(count(&app, "pages WHERE status = 'sending'").await, claimed.len() as i64);
    }
    // Its liveness session ends as a killed process's would.
    drop(alive);
    drop(other);

    // The clock stands still: the lease has 60 s to run, and is not waited for.
    let started = Instant::now();
    while hooks.received().len() < claimed.len() {
        assert!(started.elapsed() < Duration::from_secs(5), "the dead instance's pages were not taken back");
        app.tick().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut per_page: HashMap<String, usize> = HashMap::new();
    for r in hooks.received() {
        *per_page.entry(r.idempotency_key).or_default() += 1;
    }
    assert_eq!(per_page.len(), claimed.len());
    assert!(per_page.values().all(|n| *n == 1), "each page sent once: {per_page:?}");
    assert_eq!(count(&app, "pages WHERE status <> 'sent'").await, 0);
}

/// A unit whose one engineer is paged on Telegram chat `chat`.
async fn telegram_unit(app: &TestApp, name: &str, chat: i64) -> i64 {
    let unit = expect_json(app.post("/api/v1/units", &json!({"name": name})).await, StatusCode::CREATED).await;
    let id = unit["id"].as_i64().unwrap();
    let person = expect_json(
        app.post(&format!("/api/v1/units/{id}/people"), &json!({"name": "赵磊", "role": "engineer"})).await,
        StatusCode::CREATED,
    )
    .await;
    let channel = json!({"kind": "telegram", "address": chat.to_string()});
    expect_json(app.post(&format!("/api/v1/people/{}/channels", person["id"]), &channel).await, StatusCode::CREATED)
        .await;
    id
}

async fn two_instances_keep_telegram_s_limits_together() {
    let Some(a) = TestApp::spawn(Backend::Postgres).await else { return };
    let b = a.peer(|_| {}).await;
    a.telegram.enforce_limits();
    const SHARED_CHAT: i64 = 7001;
    let shared = telegram_unit(&a, "共用群", SHARED_CHAT).await;
    let mut many = Vec::new();
    for i in 0..40 {
        many.push(telegram_unit(&a, &format!("支撑单位{i}"), 10_000 + i).await);
    }
    // Claimed in this order: each instance gets two pages to the shared
    // chat and twenty to chats of their own.
    for units in [vec![shared], vec![shared], many, vec![shared], vec![shared]] {
        a.issue(&units, true).await;
    }
    let (now, lease) = (a.clock.now_utc(), chrono::Duration::seconds(60));
    let first = a.state.store.claim_pages(now, lease, 22).await.unwrap();
    let second = b.state.store.claim_pages(now, lease, 22).await.unwrap();
    assert_eq!((first.len(), second.len()), (22, 22));
    let (sent_a, sent_b) = tokio::join!(
        onsite::engine::outbox::send_claimed(&a.state, &first),
        onsite::engine::outbox::send_claimed(&b.state, &second),
    );
    sent_a.unwrap();
    sent_b.unwrap();
    // What had to wait longer was handed back; both instances send it.
    for _ in 0..20 {
        if count(&a, "pages WHERE status <> 'sent'").await == 0 {
            break;
        }
        a.clock.advance(chrono::Duration::seconds(1));
        tokio::join!(a.tick(), b.tick());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(count(&a, "pages WHERE status <> 'sent'").await, 0, "every page went out");
    assert_eq!(a.telegram.over_limit(), 0, "Telegram never had to refuse a message");

    let sent = a.telegram.take_sent();
    assert_eq!(sent.len(), 44, "each page once");
    let to_shared: Vec<Instant> = sent.iter().filter(|s| s.chat_id == SHARED_CHAT).map(|s| s.at).collect();
    assert_eq!(to_shared.len(), 4);
    for pair in to_shared.windows(2) {
        let gap = pair[1].duration_since(pair[0]);
        assert!(gap >= Duration::from_millis(900), "two messages to one chat {gap:?} apart");
    }
    let mut times: Vec<Instant> = sent.iter().map(|s| s.at).collect();
    times.sort();
    for (i, t) in times.iter().enumerate() {
        let within = times[i..].iter().take_while(|u| u.duration_since(*t) < Duration::from_millis(900)).count();
        assert!(within <= 30, "{within} messages within a second");
    }
}

async fn a_limit_counted_in_the_database_holds_for_every_instance_and_idle_keys_are_forgotten(backend: Backend) {
    use onsite::domain::rate::Limit;
    let Some(app) = TestApp::spawn(backend).await else { return };
    let other = other_instance(&app).await;
    let now = app.clock.now_utc();
    let sign_in = |key: &str| vec![(key.to_owned(), Limit::per_minute(2))];
    for store in [&app.state.store, &other] {
        assert_eq!(store.take_uses(&sign_in("sign-in:192.0.2.1"), now).await.unwrap(), Ok(()));
    }
    let refused = other.take_uses(&sign_in("sign-in:192.0.2.1"), now).await.unwrap();
    assert_eq!(refused, Err(now + chrono::Duration::minutes(1)), "the third in the minute, whichever instance");
    assert_eq!(other.take_uses(&sign_in("sign-in:192.0.2.2"), now).await.unwrap(), Ok(()), "another address");
    // Several limits on one use: refused by one, none of them is used.
    let both = vec![("a".to_owned(), Limit::per_second(5)), ("sign-in:192.0.2.1".to_owned(), Limit::per_minute(2))];
    assert!(app.state.store.take_uses(&both, now).await.unwrap().is_err());
    let a_alone = vec![("a".to_owned(), Limit::per_second(1))];
    assert_eq!(app.state.store.take_uses(&a_alone, now).await.unwrap(), Ok(()), "the refused use took nothing");

    assert_eq!(app.state.store.forget_idle_limits(now + chrono::Duration::hours(23)).await.unwrap(), 0);
    assert_eq!(app.state.store.forget_idle_limits(now + chrono::Duration::hours(25)).await.unwrap(), 3);
    assert_eq!(other.take_uses(&sign_in("sign-in:192.0.2.1"), now).await.unwrap(), Ok(()), "forgotten, allowed");
}

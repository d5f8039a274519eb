//! The engine in the real `onsite` process, in real time with the policy
//! compressed to seconds through `ONSITE_POLICY__*`: first-page latency,
//! timer accuracy, surviving SIGKILL (timers, pages, and evidence files in
//! the middle of their uploads), and two instances on one PostgreSQL.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/process.rs"]
mod process;
#[path = "support/receiver.rs"]
mod receiver;
#[path = "support/trials.rs"]
mod trials;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use onsite::config::DatabaseConfig;
use onsite::store::Store;
use process::{Api, Server, bureau_token, onsite, sqlite_url};
use receiver::Receiver;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

/// These tests measure real time: they run one at a time so that the
/// 1,000-assignment run does not starve the latency measurement.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The policy compressed to seconds, as an operator would set it.
fn compressed(mut cmd: std::process::Command, offsets: [&str; 5]) -> std::process::Command {
    let keys = ["ACK_TARGET", "ESCALATE_AT", "REMIND_AT", "WARN_AT", "DEADLINE"];
    for (key, value) in keys.iter().zip(offsets) {
        cmd.env(format!("ONSITE_POLICY__{key}"), value);
    }
    cmd.env("ONSITE_POLICY__AT_RISK", "1s")
        .env("ONSITE_OUTBOX__LEASE", "2s")
        .env("ONSITE_OUTBOX__BACKOFF_BASE", "200ms");
    cmd.arg("serve");
    cmd
}

impl Api {
    /// `count` units, each with an engineer and a liaison paged at the receiver.
    async fn units(&self, hooks: &Receiver, count: usize) -> Vec<i64> {
        let mut ids = Vec::new();
        for i in 0..count {
            let unit = self.post("/api/v1/units", json!({"name": format!("支撑单位{i}")})).await;
            let id = unit["id"].as_i64().unwrap();
            for role in ["engineer", "liaison"] {
                let p = self
                    .post(&format!("/api/v1/units/{id}/people"), json!({"name": format!("{role}{i}"), "role": role}))
                    .await;
                let address = hooks.url(&format!("{role}-{i}"));
                self.post(
                    &format!("/api/v1/people/{}/channels", p["id"]),
                    json!({"kind": "webhook", "address": address}),
                )
                .await;
            }
            ids.push(id);
        }
        ids
    }
}

async fn store(url: &str) -> Store {
    let defaults = onsite::config::Config::default().database;
    let wording = std::sync::Arc::new(onsite::notify::message::Wording { tz: chrono_tz::Asia::Shanghai });
    Store::connect(
        &DatabaseConfig { url: url.into(), max_connections: 2, connect_timeout: Duration::from_secs(5), ..defaults },
        wording,
    )
    .await
    .unwrap()
}

/// Polls `check` until it holds or `within` passes.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One text column of every row `sql` returns, read straight from the
/// database as an operator would after a crash.
async fn column(store: &Store, sql: &str) -> Vec<String> {
    let db = store.db();
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<String>(0).unwrap()).collect()
}

async fn count(store: &Store, sql: &str) -> usize {
    column(store, &format!("SELECT CAST(COUNT(*) AS TEXT) FROM {sql}")).await[0].parse().unwrap()
}

async fn all_done(store: &Store) -> bool {
    count(store, "timers WHERE status = 'pending'").await == 0
        && count(store, "pages WHERE status IN ('queued', 'sending')").await == 0
}

/// How many times the receiver got each idempotency key.
fn deliveries(hooks: &Receiver) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for r in hooks.received() {
        *counts.entry(r.idempotency_key).or_insert(0) += 1;
    }
    counts
}

async fn first_page_within_50ms_and_timers_within_a_second_of_due() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let token = bureau_token(dir.path(), &url);
    let server = Server::start(compressed(onsite(dir.path(), &url), ["1s", "2s", "3s", "4s", "5s"]));
    let hooks = Receiver::start().await;
    let api = Api { client: reqwest::Client::new(), base: server.base.clone(), token };
    let units = api.units(&hooks, 1).await;

    let issued = Instant::now();
    let notice = api.issue(&units).await;
    eventually(Duration::from_secs(2), "the first page", || async { !hooks.received().is_empty() }).await;
    let first = hooks.received()[0].at.duration_since(issued);
    println!("notice → first page received: {first:?}");
    assert!(first < Duration::from_millis(50), "first page took {first:?}");

    let store = store(&url).await;
    let id = notice["assignments"][0]["id"].as_i64().unwrap();
    eventually(Duration::from_secs(10), "every timer fired", || async { all_done(&store).await }).await;
    let timers = store.timers(id).await.unwrap();
    assert_eq!(timers.len(), 5);
    for t in &timers {
        assert_eq!(t.status, onsite::domain::escalation::TimerStatus::Fired, "{t:?}");
        let late = t.late_ms.unwrap();
        assert!(late < 1_000, "{} fired {late} ms late", t.kind);
    }

    let metrics = api.client.get(format!("{}/metrics", server.base)).send().await.unwrap().text().await.unwrap();
    for expected in [
        "onsite_timers_pending 0",
        "onsite_breaches_total 1",
        "onsite_timer_lateness_seconds_count 5",
        r#"onsite_pages_total{channel="webhook",outcome="sent"}"#,
        r#"onsite_timers_fired_total{kind="breach",status="fired"} 1"#,
    ] {
        assert!(metrics.contains(expected), "/metrics lacks `{expected}`:\n{metrics}");
    }
    assert!(server.stop().success());
}

async fn sigkill_with_timers_due_and_pages_in_flight_loses_nothing() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let token = bureau_token(dir.path(), &url);
    let policy = ["1s", "2s", "3s", "4s", "5s"];
    let server = Server::start(compressed(onsite(dir.path(), &url), policy));
    let hooks = Receiver::start().await;
    let api = Api { client: reqwest::Client::new(), base: server.base.clone(), token: token.clone() };
    let units = api.units(&hooks, 10).await;
    // Slow enough that a batch of sends is still in flight at the kill.
    hooks.slow_down(Duration::from_millis(1_500));
    for _ in 0..3 {
        api.issue(&units).await;
    }
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    server.kill9();
    hooks.slow_down(Duration::ZERO);
    let store = store(&url).await;
    let in_flight = count(&store, "pages WHERE status = 'sending'").await;
    let waiting = count(&store, "timers WHERE status = 'pending'").await;
    println!("killed with {in_flight} pages in flight and {waiting} timers pending");
    assert!(in_flight > 0, "the kill must catch pages mid-send");
    assert!(waiting > 0, "the kill must leave timers to fire");

    // The pages left "sending" by the dead process wait out their 2 s lease.
    let restarted = Server::start(compressed(onsite(dir.path(), &url), policy));
    eventually(Duration::from_secs(30), "every timer fired and every page sent", || async { all_done(&store).await })
        .await;

    assert_eq!(count(&store, "timers").await, 30 * 5);
    assert_eq!(count(&store, "timers WHERE status = 'fired'").await, 30 * 5, "every timer fired");
    let timer_events = column(
        &store,
        &format!(
            "SELECT CAST(assignment_id AS TEXT) || ':' || kind FROM timeline_events WHERE kind IN ({TIMER_KINDS})"
        ),
    )
    .await;
    let mut per_timer: HashMap<&str, usize> = HashMap::new();
    for e in &timer_events {
        *per_timer.entry(e.as_str()).or_default() += 1;
    }
    assert_eq!(per_timer.len(), 150);
    assert!(per_timer.values().all(|n| *n == 1), "each timer fired exactly once");

    assert_eq!(count(&store, "pages WHERE status <> 'sent'").await, 0, "every page was delivered");
    let keys = column(&store, "SELECT idempotency_key FROM pages").await;
    let repeats = repeats(&keys, &deliveries(&hooks));
    println!("{} pages, {repeats} repeated after the kill", keys.len());
    assert!(repeats <= 16, "only pages in flight at the kill may repeat: {repeats}");
    assert!(restarted.stop().success());
}

async fn two_instances_on_postgres_fire_each_timer_once_and_survive_losing_one() {
    let _serial = SERIAL.lock().await;
    let Some(db) = postgres::PgDatabase::create().await else { return };
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    let token = bureau_token(dir.path(), &url);
    // Only the acknowledgement reminder falls due during the test.
    let policy = ["8s", "1h", "2h", "3h", "4h"];
    let a = Server::start(compressed(onsite(dir.path(), &url), policy));
    let b = Server::start(compressed(onsite(dir.path(), &url), policy));
    let hooks = Receiver::start().await;
    let api = Api { client: reqwest::Client::new(), base: a.base.clone(), token };
    let units = api.units(&hooks, 50).await;
    let store = store(&url).await;

    let started = Instant::now();
    for _ in 0..20 {
        api.issue(&units).await;
    }
    // Normal operation: the 2,000 dispatch pages each go out exactly once
    // (the reminders may start meanwhile on a loaded machine; they are apart).
    let dispatch_pages =
        || deliveries(&hooks).into_iter().filter(|(k, _)| k.contains(":dispatch:")).collect::<HashMap<_, _>>();
    eventually(Duration::from_secs(60), "the dispatch pages", || async { dispatch_pages().len() >= 2_000 }).await;
    let got = dispatch_pages();
    assert_eq!(got.len(), 2_000);
    assert!(got.values().all(|n| *n == 1), "each dispatch page sent once");
    println!("issued 1,000 assignments and delivered 2,000 pages in {:?}", started.elapsed());

    // The 1,000 reminders fall due together; one instance dies mid-run.
    let before = hooks.received().len();
    eventually(Duration::from_secs(60), "reminders going out", || async { hooks.received().len() > before + 100 })
        .await;
    a.kill9();
    eventually(Duration::from_secs(60), "every reminder fired and sent", || async {
        count(&store, "timers WHERE kind = 'ack_reminder' AND status = 'pending'").await == 0
            && count(&store, "pages WHERE status <> 'sent'").await == 0
    })
    .await;
    assert_eq!(count(&store, "timers WHERE kind = 'ack_reminder'").await, 1_000);
    assert_eq!(count(&store, "timers WHERE kind = 'ack_reminder' AND status = 'fired'").await, 1_000);
    let instances = column(&store, "SELECT DISTINCT fired_by FROM timers WHERE fired_by IS NOT NULL").await;
    println!("reminders fired by {} instances", instances.len());
    assert_eq!(
        count(&store, "timeline_events WHERE kind = 'ack_reminder'").await,
        1_000,
        "each timer fired exactly once"
    );

    let keys = column(&store, "SELECT idempotency_key FROM pages").await;
    assert_eq!(keys.len(), 4_000);
    let repeats = repeats(&keys, &deliveries(&hooks));
    assert!(repeats <= 16, "only pages in flight at the kill may repeat: {repeats}");
    assert!(b.stop().success());
}

/// Two instances on PostgreSQL with the lease at its default (60 s), one
/// killed with -9 in the middle of a burst: its claimed pages are taken
/// back by the survivor as soon as its liveness lock is gone, so the last
/// page arrives within seconds of the kill, every page at least once.
async fn a_killed_instance_s_pages_go_out_within_five_seconds_of_the_kill() {
    let _serial = SERIAL.lock().await;
    let Some(db) = postgres::PgDatabase::create().await else { return };
    let url = db.url();
    let dir = tempfile::tempdir().unwrap();
    let token = bureau_token(dir.path(), &url);
    let serve = || {
        let mut cmd = onsite(dir.path(), &url);
        cmd.arg("serve");
        cmd
    };
    let a = Server::start(serve());
    let b = Server::start(serve());
    let hooks = Receiver::start().await;
    let api = Api { client: reqwest::Client::new(), base: a.base.clone(), token };
    let units = api.units(&hooks, 50).await;
    let store = store(&url).await;
    // Each send takes a while, so that the kill finds a batch in flight.
    hooks.slow_down(Duration::from_millis(100));
    for _ in 0..10 {
        api.issue(&units).await;
    }
    eventually(Duration::from_secs(60), "the burst under way", || async { hooks.received().len() >= 300 }).await;
    let killed_at = Instant::now();
    a.kill9();
    let in_flight = count(&store, "pages WHERE status = 'sending'").await;
    eventually(Duration::from_secs(60), "every page sent", || async {
        count(&store, "pages WHERE status <> 'sent'").await == 0
    })
    .await;
    let last = hooks.received().iter().map(|r| r.at).max().unwrap();
    let after_kill = last.saturating_duration_since(killed_at);
    let keys = column(&store, "SELECT idempotency_key FROM pages").await;
    assert_eq!(keys.len(), 1_000);
    let repeats = repeats(&keys, &deliveries(&hooks));
    println!(
        "killed with {in_flight} pages being sent; the last page arrived {after_kill:?} after; {repeats} repeated"
    );
    assert!(after_kill <= Duration::from_secs(5), "the last page arrived {after_kill:?} after the kill");
    assert!(repeats <= 64, "only a batch in flight at the kill may repeat: {repeats}");
    assert!(b.stop().success());
}

/// The timers' kinds as the timeline records them.
const TIMER_KINDS: &str = "'ack_reminder', 'ack_escalation', 'reminder', 'warning', 'breach'";

/// How many deliveries beyond the first the pages got; each page arrived
/// once or, if it was in flight at a kill, twice.
/// Every object file in the local evidence store, by name (its SHA-256).
fn stored_objects(root: &std::path::Path) -> std::collections::BTreeSet<String> {
    fn walk(p: &std::path::Path, out: &mut std::collections::BTreeSet<String>) {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                walk(&e.path(), out);
            } else {
                out.insert(e.file_name().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(root, &mut out);
    out
}

/// A PDF of `size` bytes, different for each `n`.
fn pdf(n: usize, size: usize) -> Vec<u8> {
    let mut body = format!("%PDF-1.4\n% upload {n}\n").into_bytes();
    body.resize(size, b'a' + (n % 26) as u8);
    body.extend_from_slice(b"\n%%EOF\n");
    body
}

async fn sigkill_in_the_middle_of_uploads_leaves_no_row_without_its_object_nor_an_object_without_its_row() {
    let _serial = SERIAL.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path());
    let token = bureau_token(dir.path(), &url);
    let serve = || {
        let mut cmd = onsite(dir.path(), &url);
        cmd.env("ONSITE_EVIDENCE__SWEEP_AFTER", "1s").arg("serve");
        cmd
    };
    let server = Server::start(serve());
    let hooks = Receiver::start().await;
    let api = Api { client: reqwest::Client::new(), base: server.base.clone(), token: token.clone() };
    let units = api.units(&hooks, 1).await;
    let notice = api.issue(&units).await["id"].as_i64().unwrap();
    let files = format!("{}/api/v1/notices/{notice}/attachments", server.base);
    let upload = |n: usize, size: usize| {
        let (client, files, token) = (api.client.clone(), files.clone(), token.clone());
        async move {
            let part = reqwest::multipart::Part::bytes(pdf(n, size)).file_name(format!("通报{n}.pdf"));
            let form = reqwest::multipart::Form::new().part("file", part);
            let r = client.post(&files).bearer_auth(&token).multipart(form).send().await;
            r.is_ok_and(|r| r.status() == reqwest::StatusCode::CREATED)
        }
    };
    // Two kept before, then eight large ones, cut off by the kill.
    assert!(upload(0, 1024).await && upload(1, 1024).await);
    let racing: Vec<_> = (2..10).map(|n| tokio::spawn(upload(n, 8 * 1024 * 1024))).collect();
    // Killed as soon as a third object is written: the others are mid-way,
    // some in transfer, some perhaps between their object and their row.
    let root = dir.path().join("data/evidence");
    let started = Instant::now();
    while stored_objects(&root).len() < 3 && started.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill9();
    let mut kept = 0;
    for r in racing {
        kept += usize::from(r.await.unwrap());
    }
    println!("{kept} of 8 uploads finished before the kill");
    assert!(kept < 8, "the kill must catch uploads mid-way");

    // At the kill, every row's object is there already (objects are written before their row commits).
    let store = store(&url).await;
    let named: std::collections::BTreeSet<String> =
        column(&store, "SELECT sha256 FROM attachments").await.into_iter().collect();
    let on_disk = stored_objects(&root);
    println!("at the kill: {} rows, {} objects: {on_disk:?}", named.len(), on_disk.len());
    assert!(named.is_subset(&on_disk), "a row without its object: {named:?} {on_disk:?}");

    // Restarted, the sweep (objects older than 1 s) leaves exactly the objects the rows name.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let restarted = Server::start(serve());
    eventually(Duration::from_secs(20), "the store holds exactly the rows' objects", || async {
        let named: std::collections::BTreeSet<String> =
            column(&store, "SELECT sha256 FROM attachments").await.into_iter().collect();
        named == stored_objects(&root)
    })
    .await;
    let rows = count(&store, "attachments").await;
    assert!(rows >= 2, "what was kept before the kill is kept: {rows}");
    // Every row's file downloads whole.
    let ids = column(&store, "SELECT CAST(id AS TEXT) FROM attachments").await;
    for id in ids {
        let url = format!("{}/api/v1/attachments/{id}", restarted.base);
        let r = api.client.get(url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        assert!(r.bytes().await.unwrap().ends_with(b"%%EOF\n"));
    }
    assert!(restarted.stop().success());
}

fn repeats(keys: &[String], got: &HashMap<String, usize>) -> usize {
    let mut repeats = 0;
    for key in keys {
        let n = got.get(key).copied().unwrap_or(0);
        assert!((1..=2).contains(&n), "page {key} delivered {n} times");
        repeats += n - 1;
    }
    repeats
}

fn main() {
    trials::main(vec![
        trial!(first_page_within_50ms_and_timers_within_a_second_of_due),
        trial!(sigkill_with_timers_due_and_pages_in_flight_loses_nothing),
        trial!(sigkill_in_the_middle_of_uploads_leaves_no_row_without_its_object_nor_an_object_without_its_row),
        trial!(two_instances_on_postgres_fire_each_timer_once_and_survive_losing_one, Postgres),
        trial!(a_killed_instance_s_pages_go_out_within_five_seconds_of_the_kill, Postgres),
    ]);
}

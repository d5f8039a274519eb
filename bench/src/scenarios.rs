//! The measurements, each on its own fresh database and server so that one
//! does not inherit the other's rows.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::boards;
use super::database::{Backend, Fresh};
use super::evidence::{self, Kept};
use super::history;
use super::load::{self, Auth};
use super::paging::{self, Engineers};
use super::receiver::{self, Receiver};
use super::results::{Table, Target, ms};
use super::s3;
use super::server::{Launch, Server};
use super::{Options, Scenario, percentile};
use onsite::config::DatabaseConfig;
use onsite::domain::period;
use onsite::domain::policy::SlaPolicy;
use onsite::store::Store;

pub async fn all(backend: Backend, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let wanted = |s: Scenario| options.only.is_empty() || options.only.contains(&s);
    if wanted(Scenario::Paging) {
        paging(backend, options, table).await?;
    }
    if wanted(Scenario::Load) {
        under_load(backend, options, table).await?;
    }
    if wanted(Scenario::Timers) {
        timers(backend, options, table).await?;
    }
    if wanted(Scenario::Report) {
        report(backend, options, table).await?;
    }
    if wanted(Scenario::Evidence) {
        evidence(backend, options, table).await?;
    }
    if wanted(Scenario::Failover) && backend == Backend::Postgres {
        failover(options, table).await?;
    }
    if options.only.contains(&Scenario::Burst) {
        let p = Prepared::new(backend, options, "burst").await?;
        let server = Arc::new(p.start().await?);
        burst(backend, &server, &p.fake, options, &AtomicU64::new(1), table).await?;
        drop(server);
        p.db.remove().await?;
    }
    Ok(())
}

/// Evidence files up and down, on the local store, then on S3 when the
/// S3 server is built (a row says so when it is not).
async fn evidence(backend: Backend, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let s3_server = s3::binary().exists().then(s3::S3Server::start);
    let mut stores = vec![Kept::Local(dir.path())];
    stores.extend(s3_server.as_ref().map(Kept::S3));
    for kept in &stores {
        let mut p = Prepared::new(backend, options, "evidence").await?;
        p.launch.env.extend(kept.env());
        let server = p.start().await?;
        let unit = server.post("/api/v1/units", &serde_json::json!({"name": "证据单位"})).await?;
        let unit = unit["id"].as_i64().unwrap_or_default();
        let notice = paging::notice_to(&server, &[unit], &AtomicU64::new(1)).await?;
        let notice = notice["id"].as_i64().unwrap_or_default();
        evidence::throughput(&server, notice, options.sizes.evidence_files, kept, backend, table).await?;
    }
    if s3_server.is_none() {
        let missing = format!("not measured: no s3s-fs at {}", s3::binary().display());
        table.add(backend, "evidence: 10 MB upload and download, S3 (s3s-fs)", missing, Target::none());
    }
    Ok(())
}

/// Two instances on one PostgreSQL database, the notices issued through
/// one, and the other killed with -9 once half the pages are in: how long
/// after the kill the last page arrives, and whether every page did. (One
/// instance serves SQLite: there is nothing to fail over to.)
async fn failover(options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let (backend, sizes) = (Backend::Postgres, &options.sizes);
    let p = Prepared::new(backend, options, "failover").await?;
    let doomed = p.start().await?;
    let survivor = Arc::new(p.start().await?);
    let units = paging::units(&survivor, &p.fake, 8, Engineers::ON_WEBHOOK).await?;
    let tags = 1..1 + sizes.failover_notices;
    let issuing = tokio::spawn(paging::issue(survivor.clone(), units, tags.clone(), sizes.burst_clients));
    let half = paging::received(&p.fake, &tags).expected / 2;
    p.fake.wait_until(Duration::from_secs(120), |f| paging::received(f, &tags).received >= half).await;
    let killed = Instant::now();
    drop(doomed);
    issuing.await??;
    let pages = paging::arrived(&p.fake, tags, Duration::from_secs(120)).await;
    let after = pages.last.map_or(Duration::ZERO, |l| l.saturating_duration_since(killed));
    let n = sizes.failover_notices;
    table.add(
        backend,
        format!("failover: last page after one of two instances was killed -9 ({n} notices, killed at half)"),
        ms(after),
        Target::at_most(after.as_secs_f64(), 5.0, "≤ 5 s"),
    );
    table.add(
        backend,
        "failover: pages delivered (repeats: in flight at the kill)",
        format!("{}/{}, {} repeated", pages.received, pages.expected, pages.repeated),
        Target::exactly(pages.received == pages.expected, "all"),
    );
    drop(survivor);
    p.db.remove().await
}

/// A fresh database, migrated, with the benchmark's user.
struct Prepared {
    db: Fresh,
    launch: Launch,
    token: String,
    fake: Receiver,
}

impl Prepared {
    async fn new(backend: Backend, options: &Options, name: &str) -> anyhow::Result<Self> {
        let fake = Receiver::start().await?;
        let db = Fresh::create(backend, &options.postgres, name).await?;
        let launch = Launch { database_url: db.url.clone(), telegram_url: fake.url.clone(), env: fake.app_env() };
        let token = {
            let launch = launch.clone();
            tokio::task::spawn_blocking(move || launch.prepare()).await??
        };
        Ok(Self { db, launch, token, fake })
    }

    /// The store, for writing history before the server starts.
    async fn store(&self) -> anyhow::Result<Store> {
        let config = DatabaseConfig {
            url: self.db.url.clone(),
            max_connections: 4,
            connect_timeout: Duration::from_secs(10),
            ..onsite::config::Config::default().database
        };
        let wording = std::sync::Arc::new(onsite::notify::message::Wording { tz: chrono_tz::Asia::Shanghai });
        Ok(Store::connect(&config, wording).await?)
    }

    async fn start(&self) -> anyhow::Result<Server> {
        Ok(self.launch.start().await?.with_token(self.token.clone()))
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / f64::from(1u32 << 20))
}

/// Notice → first page one at a time, then a burst from many clients.
async fn paging(backend: Backend, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let sizes = &options.sizes;
    let p = Prepared::new(backend, options, "paging").await?;
    let server = Arc::new(p.start().await?);
    table.add(backend, "cold start to ready (empty database)", ms(server.ready_after), Target::none());
    // Enough units that no chat gets more than Telegram allows (1/s, 20/min).
    let tags = AtomicU64::new(1);
    let limit = if backend == Backend::Sqlite { 20.0 } else { 40.0 };
    let channels = [
        ("Telegram", receiver::TELEGRAM, 100),
        ("WeCom app", receiver::WECOM_APP, 20),
        ("Feishu app", receiver::FEISHU_APP, 20),
        ("DingTalk app", receiver::DINGTALK_APP, 20),
        ("SMS", receiver::SMS, 20),
        ("voice", receiver::VOICE, 20),
    ];
    for (name, channel, units) in channels {
        let units = paging::units(&server, &p.fake, units, Engineers(channel)).await?;
        // Warm up connections, caches and the app's token before anything is timed.
        paging::first_page_latency(&server, &p.fake, (&units, channel), 10, &tags).await?;
        let mut lat =
            paging::first_page_latency(&server, &p.fake, (&units, channel), sizes.latency_notices, &tags).await?;
        lat.sort_unstable();
        let n = sizes.latency_notices;
        let p50 = percentile(&lat, 0.5).unwrap_or_default();
        let p99 = percentile(&lat, 0.99).unwrap_or_default();
        let max = lat.last().copied().unwrap_or_default();
        let pace = paging::LATENCY_PACE.as_millis();
        table.add(
            backend,
            format!("notice → first {name} page, p50 ({n} notices, one per {pace} ms)"),
            ms(p50),
            Target::none(),
        );
        table.add(
            backend,
            format!("notice → first {name} page, p99"),
            ms(p99),
            Target::at_most(p99.as_secs_f64() * 1e3, limit, format!("≤ {limit} ms")),
        );
        table.add(backend, format!("notice → first {name} page, max"), ms(max), Target::none());
    }

    burst(backend, &server, &p.fake, options, &tags, table).await?;
    table.add(backend, "peak RSS after paging", mib(server.usage()?.peak_rss_bytes), Target::none());
    drop(server);
    p.db.remove().await
}

/// A burst from many clients to units paged on webhooks: intake, delivery,
/// and that every page arrived once.
async fn burst(
    backend: Backend,
    server: &Arc<Server>,
    fake: &Receiver,
    options: &Options,
    tags: &AtomicU64,
    table: &mut Table,
) -> anyhow::Result<()> {
    let sizes = &options.sizes;
    let on_webhooks = paging::units(server, fake, 8, Engineers::ON_WEBHOOK).await?;
    let b = paging::burst(server, fake, &on_webhooks, sizes.burst_notices, sizes.burst_clients, tags).await?;
    let accepted = b.notices as f64 / b.accepted_in.as_secs_f64();
    let delivered = b.notices as f64 / b.delivered_in.as_secs_f64();
    table.add(
        backend,
        format!("burst: notices accepted ({} notices, {} clients, webhooks)", b.notices, sizes.burst_clients),
        format!("{accepted:.0}/s"),
        Target::at_least(accepted, 1000.0, "≥ 1000/s"),
    );
    table.add(
        backend,
        "burst: notices with every page delivered",
        format!("{delivered:.0}/s"),
        Target::at_least(delivered, 1000.0, "≥ 1000/s"),
    );
    let pages = &b.pages;
    let each_once = pages.received == pages.expected && pages.repeated == 0;
    let repeated = if pages.repeated > 0 { format!(", {} repeated", pages.repeated) } else { String::new() };
    table.add(
        backend,
        "burst: pages delivered, each exactly once",
        format!("{}/{}{repeated}", pages.received, pages.expected),
        Target::exactly(each_once, "all, no duplicate"),
    );
    Ok(())
}

/// The board and the month's report under many concurrent clients.
async fn under_load(backend: Backend, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let sizes = &options.sizes;
    let mut p = Prepared::new(backend, options, "load").await?;
    // A thousand open boards come from one address.
    let connections = (sizes.board_viewers + sizes.load_clients + 64).to_string();
    for key in ["ONSITE_HTTP__MAX_CONNECTIONS", "ONSITE_HTTP__MAX_CONNECTIONS_PER_ADDRESS"] {
        p.launch.env.push((key.to_owned(), connections.clone()));
    }
    let now = Utc::now();
    let month = now.with_timezone(&chrono_tz::Asia::Shanghai).format("%Y-%m").to_string();
    let month_period = period::named(&month, chrono_tz::Asia::Shanghai).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let unit_ids = {
        let store = p.store().await?;
        let units = history::units(&store, 10, &p.fake.url, now).await?;
        history::closed_year(&store, &units, sizes.load_history, month_period.from, now, 7).await?;
        store.rebuild_report_cells().await?;
        units.ids
    };
    let server = p.start().await?;
    let tags = AtomicU64::new(1_000_000);
    for chunk in 0..sizes.load_open.div_ceil(4) {
        let ids: Vec<i64> = unit_ids.iter().copied().cycle().skip(chunk).take(4).collect();
        paging::notice_to(&server, &ids, &tags).await?;
    }
    let cookie = load::sign_in(&server).await?;
    let clients = sizes.load_clients;
    for (label, path, auth) in [
        (format!("live board /board ({} open)", sizes.load_open), "/board".to_owned(), Auth::Cookie(cookie)),
        (
            format!("SLA report, this month ({} assignments)", sizes.load_history),
            format!("/api/v1/reports/sla?period={month}"),
            Auth::Bearer(server.token.clone()),
        ),
    ] {
        let l = load::run(&server.base, &path, auth, clients, sizes.load_duration).await?;
        let p99 = percentile(&l.latencies, 0.99).unwrap_or_default();
        table.add(backend, format!("{label}: p99 at {clients} clients"), ms(p99), Target::none());
        table.add(
            backend,
            format!("{label}: throughput, errors"),
            format!("{:.0}/s, {} errors", l.per_second(), l.errors),
            Target::exactly(l.errors == 0, "no error"),
        );
    }
    let (boards, rate) = (sizes.board_viewers, sizes.board_changes_per_second);
    let cookie = load::sign_in(&server).await?;
    let f = boards::fanout(&server, &cookie, &unit_ids, (boards, rate, sizes.board_duration), &tags).await?;
    let p99 = percentile(&f.latencies, 0.99).unwrap_or_default();
    table.add(
        backend,
        format!("live boards: commit → every open board updated, p99 ({boards} boards, {rate} changes/s)"),
        ms(p99),
        Target::at_most(p99.as_secs_f64() * 1e3, 500.0, "≤ 500 ms"),
    );
    table.add(
        backend,
        "live boards: updates never shown",
        format!("{} of {}", f.missed, f.boards * f.changes),
        Target::exactly(f.missed == 0, "0"),
    );
    drop(server);
    p.db.remove().await
}

/// 100,000 pending timers: idle CPU while none is due, then lateness as
/// the first of them fall due, and peak memory.
async fn timers(backend: Backend, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let sizes = &options.sizes;
    let p = Prepared::new(backend, options, "timers").await?;
    let store = p.store().await?;
    let now = Utc::now();
    let units = history::units(&store, 10, &p.fake.url, now).await?;
    let settle = Duration::from_secs(2);
    // Time to start the server and settle, the idle window, and a margin.
    let lead = settle + sizes.idle_window * 2 + Duration::from_secs(5);
    let first_due = now + chrono::Duration::from_std(lead)?;
    let spread = chrono::Duration::from_std(sizes.timer_spread)?;
    let written = history::open_with_timers(
        &store,
        &units,
        sizes.timer_assignments,
        &SlaPolicy::default(),
        first_due,
        spread,
        11,
    )
    .await?;
    let server = p.start().await?;
    let pending = store.pending_timer_count().await?;
    tokio::time::sleep(settle).await;
    let window_end = first_due - chrono::Duration::seconds(1);
    let window = (window_end - Utc::now()).to_std().unwrap_or_default().min(sizes.idle_window);
    let before = server.usage()?;
    let t = Instant::now();
    tokio::time::sleep(window).await;
    let idle = server.usage()?.cpu.saturating_sub(before.cpu).as_secs_f64() / t.elapsed().as_secs_f64() * 100.0;
    table.add(
        backend,
        format!("idle CPU, {pending} timers pending (over {} s)", window.as_secs()),
        format!("{idle:.2}% of a core"),
        Target::at_most(idle, 1.0, "< 1%"),
    );
    let observe_end = first_due + chrono::Duration::from_std(sizes.timer_observe)?;
    let wait = (observe_end - Utc::now()).to_std().unwrap_or_default() + Duration::from_secs(2);
    tokio::time::sleep(wait).await;
    let (mut late, unfired) = store.timer_lateness(first_due, observe_end).await?;
    late.sort_unstable();
    let due = late.len();
    let at = |q| Duration::from_millis(u64::try_from(percentile(&late, q).unwrap_or_default()).unwrap_or(0));
    table.add(
        backend,
        format!("timer lateness p50 ({due} fell due in {} s, {written} written)", sizes.timer_observe.as_secs()),
        ms(at(0.5)),
        Target::none(),
    );
    let p99 = at(0.99);
    table.add(backend, "timer lateness p99", ms(p99), Target::at_most(p99.as_secs_f64(), 1.0, "≤ 1 s"));
    table.add(backend, "timer lateness max", ms(at(1.0)), Target::none());
    table.add(
        backend,
        "timers due in the window left unfired",
        unfired.to_string(),
        Target::exactly(unfired == 0, "0"),
    );
    let peak = server.usage()?.peak_rss_bytes;
    table.add(
        backend,
        "peak RSS with the timers",
        mib(peak),
        Target::at_most(peak as f64, 200.0 * f64::from(1u32 << 20), "≤ 200 MB"),
    );
    drop(server);
    drop(store);
    p.db.remove().await
}

/// A year of history: the report over all of it, one unit's, and the CSV.
async fn report(backend: Backend, options: &Options, table: &mut Table) -> anyhow::Result<()> {
    let sizes = &options.sizes;
    let p = Prepared::new(backend, options, "report").await?;
    let year = period::named("2025", chrono_tz::Asia::Shanghai).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let unit = {
        let store = p.store().await?;
        let units = history::units(&store, 30, &p.fake.url, year.from).await?;
        let t = Instant::now();
        let writers = if backend == Backend::Postgres { 3 } else { 1 };
        let n = history::closed_year_by(&store, &units, sizes.report_assignments, (year.from, year.to), 2025, writers)
            .await?;
        let secs = t.elapsed().as_secs_f64();
        table.add(
            backend,
            format!("history written: {n} assignments over 2025"),
            format!("{secs:.0} s ({:.0} rows/s)", n as f64 / secs),
            Target::none(),
        );
        // Written around the store: its report cells are built once, as the
        // first start after an upgrade would.
        let t = Instant::now();
        let settled = store.rebuild_report_cells().await?;
        table.add(
            backend,
            format!("report cells rebuilt from {settled} settled assignments"),
            format!("{:.1} s", t.elapsed().as_secs_f64()),
            Target::none(),
        );
        units.ids[0]
    };
    let server = p.start().await?;
    table.add(backend, "cold start to ready (with that history)", ms(server.ready_after), Target::none());
    let n = sizes.report_assignments;
    let timed = |path: String| {
        let server = &server;
        async move {
            let t = Instant::now();
            let (status, len) = server.get(&path).await?;
            anyhow::ensure!(status.is_success(), "GET {path}: {status}");
            anyhow::Ok((t.elapsed(), len))
        }
    };
    let (first, _) = timed("/api/v1/reports/sla?period=2025".into()).await?;
    let mut warm = Vec::new();
    // Three more when they are quick; one when each takes seconds.
    let again = if first < Duration::from_secs(2) { 3 } else { 1 };
    for _ in 0..again {
        warm.push(timed("/api/v1/reports/sla?period=2025".into()).await?.0);
    }
    warm.sort_unstable();
    let worst = warm.last().copied().unwrap_or_default();
    table.add(backend, format!("SLA report over {n} assignments (year), first request"), ms(first), Target::none());
    table.add(
        backend,
        format!("SLA report over the year, slowest of the next {again}"),
        ms(worst),
        Target::at_most(worst.as_secs_f64(), 1.0, "≤ 1 s"),
    );
    let (one, _) = timed(format!("/api/v1/reports/sla?period=2025&unit_id={unit}")).await?;
    table.add(backend, "SLA report, one unit's year", ms(one), Target::none());
    let t = Instant::now();
    let csv = server.text("/api/v1/reports/sla.csv?period=2025&table=breaches").await?;
    let took = t.elapsed().as_secs_f64();
    let rows = csv.lines().count().saturating_sub(1);
    table.add(
        backend,
        format!("CSV breach list ({rows} rows, {:.1} MiB)", csv.len() as f64 / f64::from(1u32 << 20)),
        format!("{:.0} rows/s", rows as f64 / took),
        Target::none(),
    );
    table.add(backend, "peak RSS after the year's report", mib(server.usage()?.peak_rss_bytes), Target::none());
    drop(server);
    p.db.remove().await
}

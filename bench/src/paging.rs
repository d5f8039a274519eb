//! Paging through the real server: notice → first page at the fake
//! Telegram, one notice at a time (latency), and a burst from many clients
//! at once to webhook receivers (throughput, with every page counted).
//!
//! The service throttles Telegram to Telegram's own limits (30 messages/s
//! overall, 1/s and 20/min per chat), so the latency run paces its notices
//! and rotates over enough units to stay inside them: otherwise it would
//! measure the throttle. The burst pages webhooks, which have no such limit.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use super::receiver::{self, Receiver, tag};
use super::server::Server;

/// People paged at T0 per assignment: the engineer and the liaison.
pub const PAGES_PER_ASSIGNMENT: usize = 2;

/// How the engineers of new units are reached (liaisons are on webhooks):
/// the channel kind of their first channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Engineers(pub &'static str);

impl Engineers {
    pub const ON_TELEGRAM: Self = Self(receiver::TELEGRAM);
    pub const ON_WEBHOOK: Self = Self(receiver::WEBHOOK);

    /// The engineer's channel: a distinct chat, userid, open_id or phone.
    fn channel(self, hooks: &Receiver, name: &str, k: u64) -> Value {
        let address = match self.0 {
            receiver::TELEGRAM => (10_000 + k).to_string(),
            receiver::WECOM_APP | receiver::DINGTALK_APP => format!("bench{k}"),
            receiver::FEISHU_APP => format!("ou_bench{k}"),
            receiver::SMS => format!("+86139{k:08}"),
            receiver::VOICE => format!("+86138{k:08}"),
            _ => hooks.hook(name),
        };
        json!({ "kind": self.0, "address": address })
    }
}

/// `count` units, each with an engineer and a liaison.
pub async fn units(server: &Server, hooks: &Receiver, count: usize, engineers: Engineers) -> anyhow::Result<Vec<i64>> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let mut ids = Vec::with_capacity(count);
    for i in 0..count {
        let unit = server.post("/api/v1/units", &json!({ "name": format!("基准支撑单位{i}") })).await?;
        let id = unit["id"].as_i64().context("unit id")?;
        for (n, role) in ["engineer", "liaison"].iter().enumerate() {
            let person = server
                .post(&format!("/api/v1/units/{id}/people"), &json!({ "name": format!("{role}{i}"), "role": role }))
                .await?;
            let k = NEXT.fetch_add(1, Ordering::Relaxed);
            let name = format!("{role}-{k}");
            let channel = if n == 0 {
                engineers.channel(hooks, &name, k)
            } else {
                Engineers::ON_WEBHOOK.channel(hooks, &name, k)
            };
            server.post(&format!("/api/v1/people/{}/channels", person["id"]), &channel).await?;
        }
        ids.push(id);
    }
    Ok(ids)
}

fn notice(n: u64, unit_ids: &[i64]) -> Value {
    json!({
        "title": format!("{} 网站被篡改", tag(n)), "category": "web_defacement", "severity": "II",
        "target": { "name": "某互联网企业", "kind": "internet_company" },
        "site": { "address": "重庆市渝北区" }, "description": "首页被篡改（基准测试）",
        "requires_onsite": true, "unit_ids": unit_ids,
    })
}

/// Issues one notice to `unit_ids`.
pub async fn notice_to(server: &Server, unit_ids: &[i64], tags: &AtomicU64) -> anyhow::Result<Value> {
    server.post("/api/v1/notices", &notice(tags.fetch_add(1, Ordering::Relaxed), unit_ids)).await
}

/// A notice every this long in the latency run: 25 Telegram messages a
/// second, under the overall limit of 30.
pub const LATENCY_PACE: Duration = Duration::from_millis(40);

/// Issues `count` notices one after another, rotating over `units`, and
/// returns each one's time from sending the request to its first page on
/// `channel` arriving.
pub async fn first_page_latency(
    server: &Server,
    fake: &Receiver,
    (units, channel): (&[i64], &'static str),
    count: u64,
    tags: &AtomicU64,
) -> anyhow::Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(usize::try_from(count)?);
    let mut next = Instant::now();
    for _ in 0..count {
        tokio::time::sleep_until(next.into()).await;
        next += LATENCY_PACE;
        let n = tags.fetch_add(1, Ordering::Relaxed);
        // Rotate by tag, not by call, so a warm-up does not leave its chats
        // inside Telegram's one-a-second limit for the timed run.
        let unit = units[usize::try_from(n)? % units.len()];
        let sent = Instant::now();
        server.post("/api/v1/notices", &notice(n, &[unit])).await?;
        if !fake.wait_until(Duration::from_secs(10), |f| f.first(channel, n).is_some()).await {
            bail!("notice {n}: no {channel} page within 10 s");
        }
        let first = fake.first(channel, n).context("first page")?;
        latencies.push(first.saturating_duration_since(sent));
    }
    Ok(latencies)
}

/// What a burst did.
#[derive(Debug, Clone)]
pub struct Burst {
    pub notices: u64,
    /// From the first request to the last 201.
    pub accepted_in: Duration,
    /// From the first request to the last page arriving.
    pub delivered_in: Duration,
    pub pages: Pages,
}

/// The pages of a run of notices at the receiver.
#[derive(Debug, Clone)]
pub struct Pages {
    pub expected: usize,
    /// Distinct pages received (at most `PAGES_PER_ASSIGNMENT` per notice).
    pub received: usize,
    /// Copies beyond the first.
    pub repeated: usize,
    /// When the last one arrived.
    pub last: Option<Instant>,
}

/// `clients` clients issue `count` notices as fast as the server takes them;
/// then every page must arrive exactly once.
pub async fn burst(
    server: &Arc<Server>,
    fake: &Receiver,
    unit_ids: &[i64],
    count: u64,
    clients: u64,
    tags: &AtomicU64,
) -> anyhow::Result<Burst> {
    let first_tag = tags.fetch_add(count, Ordering::Relaxed);
    let started = Instant::now();
    issue(server.clone(), unit_ids.to_vec(), first_tag..first_tag + count, clients).await?;
    let accepted_in = started.elapsed();
    let pages = arrived(fake, first_tag..first_tag + count, Duration::from_secs(300)).await;
    let delivered_in = pages.last.map_or(Duration::ZERO, |l| l.saturating_duration_since(started));
    Ok(Burst { notices: count, accepted_in, delivered_in, pages })
}

/// `clients` clients issue the notices tagged `tags` as fast as the server
/// takes them, rotating over `unit_ids`.
pub async fn issue(
    server: Arc<Server>,
    unit_ids: Vec<i64>,
    tags: std::ops::Range<u64>,
    clients: u64,
) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(tags.start));
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (server, next, units, end) = (server.clone(), next.clone(), unit_ids.clone(), tags.end);
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= end {
                        return anyhow::Ok(());
                    }
                    let unit = units[usize::try_from(n)? % units.len()];
                    server.post("/api/v1/notices", &notice(n, &[unit])).await?;
                }
            })
        })
        .collect();
    for w in workers {
        w.await??;
    }
    Ok(())
}

/// The pages of the notices tagged `tags` received so far.
pub fn received(fake: &Receiver, tags: &std::ops::Range<u64>) -> Pages {
    let (copies, last) = fake.copies();
    let mut pages = Pages {
        expected: usize::try_from(tags.end - tags.start).unwrap_or(usize::MAX) * PAGES_PER_ASSIGNMENT,
        received: 0,
        repeated: 0,
        last,
    };
    for (_, n) in copies.iter().filter(|(t, _)| tags.contains(t)) {
        pages.received += n.min(&PAGES_PER_ASSIGNMENT);
        pages.repeated += n.saturating_sub(PAGES_PER_ASSIGNMENT);
    }
    pages
}

/// Waits up to `within` for every page of the notices tagged `tags`.
pub async fn arrived(fake: &Receiver, tags: std::ops::Range<u64>, within: Duration) -> Pages {
    let expected = received(fake, &tags).expected;
    fake.wait_until(within, |f| received(f, &tags).received >= expected).await;
    received(fake, &tags)
}

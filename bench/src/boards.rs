//! Many live boards open at once while notices keep arriving: each board is
//! a `/board/events` stream signed in as the bureau, and each change is a
//! notice whose title carries its tag. Measured: from the notice's 201 (its
//! transaction committed) to each open board receiving an update that shows
//! it.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{COOKIE, HeaderMap, HeaderValue};

use super::paging;
use super::server::Server;

/// What the boards saw.
#[derive(Debug, Clone)]
pub struct Fanout {
    pub boards: usize,
    pub changes: usize,
    /// Commit to board, one per board and change, sorted.
    pub latencies: Vec<Duration>,
    /// (board, change) pairs never shown.
    pub missed: usize,
}

type Seen = Arc<Mutex<HashMap<u64, Vec<Instant>>>>;

/// Every tag `[Bn]` in an update.
fn tags(text: &str) -> impl Iterator<Item = u64> + '_ {
    text.split("[B").skip(1).filter_map(|rest| rest.split(']').next()?.parse().ok())
}

/// One open board: records when each tag first appeared on it.
async fn watch(client: reqwest::Client, url: String, seen: Seen, opened: Arc<AtomicU64>) -> anyhow::Result<()> {
    let mut stream = client.get(url).send().await?.error_for_status()?;
    opened.fetch_add(1, Ordering::Relaxed);
    let (mut pending, mut shown) = (String::new(), HashSet::new());
    while let Some(chunk) = stream.chunk().await? {
        pending.push_str(&String::from_utf8_lossy(&chunk));
        // Whole events only: a tag may be cut between two chunks.
        let Some(end) = pending.rfind("\n\n") else { continue };
        let at = Instant::now();
        let new: Vec<u64> = tags(&pending[..end]).filter(|t| shown.insert(*t)).collect();
        pending.drain(..end + 2);
        if !new.is_empty() {
            let mut seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            for t in new {
                seen.entry(t).or_default().push(at);
            }
        }
    }
    Ok(())
}

/// Opens `boards` live boards with `cookie`, then issues `per_second`
/// notices a second to `units` for `duration`.
pub async fn fanout(
    server: &Server,
    cookie: &str,
    units: &[i64],
    (boards, per_second, duration): (usize, u32, Duration),
    tags_from: &AtomicU64,
) -> anyhow::Result<Fanout> {
    let mut headers = HeaderMap::new();
    headers.insert(COOKIE, HeaderValue::from_str(cookie)?);
    let client = reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(boards).build()?;
    let seen: Seen = Arc::default();
    let opened = Arc::new(AtomicU64::new(0));
    let url = format!("{}/board/events", server.base);
    let watchers: Vec<_> =
        (0..boards).map(|_| tokio::spawn(watch(client.clone(), url.clone(), seen.clone(), opened.clone()))).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    while opened.load(Ordering::Relaxed) < boards as u64 {
        anyhow::ensure!(Instant::now() < deadline, "only {} of {boards} boards opened", opened.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Let every board receive its first update before the changes start.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pace = Duration::from_secs(1) / per_second.max(1);
    let count = (duration.as_secs_f64() * f64::from(per_second)) as usize;
    let mut committed = HashMap::new();
    let mut next = Instant::now();
    for i in 0..count {
        tokio::time::sleep_until(next.into()).await;
        next += pace;
        let tag = tags_from.load(Ordering::Relaxed);
        paging::notice_to(server, &[units[i % units.len()]], tags_from).await?;
        committed.insert(tag, Instant::now());
    }
    tokio::time::sleep(Duration::from_secs(5)).await;
    for w in &watchers {
        w.abort();
    }
    let seen = seen.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut latencies = Vec::with_capacity(boards * count);
    let mut missed = 0;
    for (tag, at) in &committed {
        let shown = seen.get(tag).map_or(&[][..], Vec::as_slice);
        missed += boards.saturating_sub(shown.len());
        latencies.extend(shown.iter().map(|s| s.saturating_duration_since(*at)));
    }
    latencies.sort_unstable();
    Ok(Fanout { boards, changes: count, latencies, missed })
}

//! `onsite-bench`: the benchmark the repository ships. It starts the real
//! server (the `onsite` executable, `serve`) on a fresh database per measurement,
//! with a fake Telegram Bot API on loopback, and measures what docs/DOMAIN.md
//! promises: notice → first page, burst intake with every page delivered,
//! timer lateness with 100,000 pending, idle CPU and peak memory, the board
//! and the SLA report under 200 clients, a thousand open live boards, a
//! killed instance's pages, the report over a million
//! assignments and the CSV export, and cold start. `--write BENCHMARKS.md`
//! replaces the file's generated section with the table.

pub mod boards;
pub mod database;
pub mod evidence;
pub mod history;
pub mod load;
pub mod paging;
pub mod receiver;
pub mod results;
pub mod scenarios;
pub mod server;

/// The real S3-compatible server the tests start (`s3s-fs`).
#[path = "../../tests/support/s3.rs"]
pub mod s3;

/// What `s3` asks of the tests' trials: where `.ci/run` builds it.
mod trials {
    pub use crate::server::cargo_home;
}

use std::path::PathBuf;
use std::time::Duration;

pub use database::Backend;
pub use results::{Row, Table};

/// What to measure, how big.
#[derive(Debug, Clone)]
pub struct Options {
    pub backends: Vec<Backend>,
    /// A PostgreSQL server URL without a database.
    pub postgres: String,
    pub sizes: Sizes,
    /// Only these measurements (all when empty).
    pub only: Vec<Scenario>,
    /// Where to write the table (BENCHMARKS.md), if anywhere.
    pub write: Option<PathBuf>,
    /// The command line, recorded with the figures.
    pub command: String,
}

/// One measurement, on its own fresh database and server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// Notice → first page, and the burst.
    Paging,
    /// The board and the month's report under many clients.
    Load,
    /// 100,000 pending timers: idle CPU, lateness, memory.
    Timers,
    /// The year's report over a million assignments, and the CSV.
    Report,
    /// A 10 MB evidence file up and down, on the local store and on S3.
    Evidence,
    /// Two instances on PostgreSQL, one killed with -9 in the middle of a burst.
    Failover,
    /// The burst alone, on a server of its own (`paging` runs it too, after
    /// its first-page series): only when named, for working on the burst.
    Burst,
}

/// The sizes of every measurement: `full` is what BENCHMARKS.md records,
/// `quick` checks the harness end to end in seconds.
#[derive(Debug, Clone)]
pub struct Sizes {
    pub latency_notices: u64,
    pub burst_notices: u64,
    pub burst_clients: u64,
    pub failover_notices: u64,
    pub timer_assignments: usize,
    pub timer_spread: Duration,
    pub timer_observe: Duration,
    pub idle_window: Duration,
    pub load_clients: usize,
    pub load_duration: Duration,
    pub load_open: usize,
    pub load_history: usize,
    pub board_viewers: usize,
    pub board_changes_per_second: u32,
    pub board_duration: Duration,
    pub report_assignments: usize,
    pub evidence_files: usize,
}

impl Sizes {
    pub fn full() -> Self {
        Self {
            latency_notices: 1_000,
            burst_notices: 5_000,
            burst_clients: 32,
            failover_notices: 1_000,
            timer_assignments: 20_000,
            timer_spread: Duration::from_secs(120),
            timer_observe: Duration::from_secs(60),
            idle_window: Duration::from_secs(20),
            load_clients: 200,
            load_duration: Duration::from_secs(10),
            load_open: 200,
            load_history: 10_000,
            board_viewers: 1_000,
            board_changes_per_second: 10,
            board_duration: Duration::from_secs(5),
            report_assignments: 1_000_000,
            evidence_files: 10,
        }
    }

    pub fn quick() -> Self {
        Self {
            latency_notices: 30,
            burst_notices: 100,
            burst_clients: 8,
            failover_notices: 100,
            timer_assignments: 400,
            // About 50 falling due a second: the suite runs this unoptimised
            // on two cores, and twice that sat at the edge of what such a
            // build fires in time.
            timer_spread: Duration::from_secs(8),
            timer_observe: Duration::from_secs(3),
            idle_window: Duration::from_secs(2),
            load_clients: 10,
            load_duration: Duration::from_secs(1),
            load_open: 8,
            load_history: 200,
            board_viewers: 20,
            board_changes_per_second: 10,
            board_duration: Duration::from_secs(1),
            report_assignments: 2_000,
            evidence_files: 2,
        }
    }
}

/// Runs every measurement on every backend and returns the table; writes
/// it when asked.
pub async fn run(options: &Options) -> anyhow::Result<Table> {
    let mut table = Table::new(options.command.clone());
    for backend in &options.backends {
        scenarios::all(*backend, options, &mut table).await?;
    }
    if let Some(path) = &options.write {
        results::write(path, &table)?;
    }
    Ok(table)
}

/// The value at rank ⌈p·n⌉ of a sorted list (nearest rank).
pub fn percentile<T: Copy>(sorted: &[T], p: f64) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let v: Vec<u32> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), Some(50));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&v, 1.0), Some(100));
        assert_eq!(percentile(&[7], 0.99), Some(7));
        assert_eq!(percentile::<u32>(&[], 0.5), None);
    }
}

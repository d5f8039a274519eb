//! The benchmark's table: printed as it fills, and written into
//! BENCHMARKS.md between two markers with the command, the commit, the date
//! and the machine, leaving the hand-written analysis around it alone.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::Context;

use super::Backend;

pub const START: &str = "<!-- bench:start (written by `onsite-bench --write`) -->";
pub const END: &str = "<!-- bench:end -->";

/// One figure.
#[derive(Debug, Clone)]
pub struct Row {
    pub backend: Backend,
    pub measure: String,
    pub value: String,
    pub target: String,
    /// Whether the target is met; `None` when there is no target.
    pub met: Option<bool>,
    /// A correctness check (nothing lost), not a speed.
    pub check: bool,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub command: String,
    pub rows: Vec<Row>,
}

impl Table {
    pub fn new(command: String) -> Self {
        Self { command, rows: Vec::new() }
    }

    /// Adds a figure and prints it at once (a long run shows progress).
    pub fn add(&mut self, backend: Backend, measure: impl Into<String>, value: impl Into<String>, target: Target) {
        let row = Row {
            backend,
            measure: measure.into(),
            value: value.into(),
            target: target.text,
            met: target.met,
            check: target.check,
        };
        println!("{:<10} {:<58} {:>22}  {}", row.backend.to_string(), row.measure, row.value, verdict(&row));
        self.rows.push(row);
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "| database | measure | value | target | |");
        let _ = writeln!(s, "| --- | --- | ---: | --- | --- |");
        for r in &self.rows {
            let _ = writeln!(s, "| {} | {} | {} | {} | {} |", r.backend, r.measure, r.value, r.target, verdict(r));
        }
        s
    }

    /// Speed targets missed.
    pub fn missed(&self) -> usize {
        self.rows.iter().filter(|r| !r.check && r.met == Some(false)).count()
    }

    /// Correctness checks failed: the run's figures cannot be trusted.
    pub fn failed_checks(&self) -> Vec<&Row> {
        self.rows.iter().filter(|r| r.check && r.met == Some(false)).collect()
    }
}

fn verdict(r: &Row) -> &'static str {
    match r.met {
        Some(true) => "met",
        Some(false) if r.check => "FAILED",
        Some(false) => "missed",
        None => "",
    }
}

/// A target and whether a figure meets it.
pub struct Target {
    text: String,
    met: Option<bool>,
    check: bool,
}

impl Target {
    pub fn none() -> Self {
        Self { text: "—".into(), met: None, check: false }
    }

    /// At most `limit`.
    pub fn at_most(value: f64, limit: f64, text: impl Into<String>) -> Self {
        Self { text: text.into(), met: Some(value <= limit), check: false }
    }

    /// At least `limit`.
    pub fn at_least(value: f64, limit: f64, text: impl Into<String>) -> Self {
        Self { text: text.into(), met: Some(value >= limit), check: false }
    }

    /// Must be exactly as expected (a correctness check, not a speed).
    pub fn exactly(ok: bool, text: impl Into<String>) -> Self {
        Self { text: text.into(), met: Some(ok), check: true }
    }
}

pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 { format!("{ms:.2} ms") } else { format!("{ms:.0} ms") }
}

/// The machine, as BENCHMARKS.md records it.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let memory = procfs::Current::current()
        .map(|m: procfs::Meminfo| format!("{:.1} GiB", m.mem_total as f64 / (1u64 << 30) as f64))
        .unwrap_or_else(|_| "unknown memory".into());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(str::trim)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cores} cores ({cpu}), {memory}, {} {}", std::env::consts::OS, std::env::consts::ARCH)
}

fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(super::server::repository())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map_or_else(|| "unknown".into(), |o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

/// Replaces the generated section of `path` (or appends one).
pub fn write(path: &Path, table: &Table) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    let mut section = String::new();
    let _ = writeln!(section, "{START}");
    let _ = writeln!(section);
    let _ = writeln!(section, "- command: `{}`", table.command);
    let _ = writeln!(section, "- commit: `{}`", commit());
    let _ = writeln!(section, "- date: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"));
    let _ = writeln!(section, "- machine: {}", machine());
    let _ = writeln!(section);
    section.push_str(&table.markdown());
    let _ = writeln!(section);
    section.push_str(END);
    let text = match (existing.find(START), existing.find(END)) {
        (Some(a), Some(b)) if a < b => format!("{}{section}{}", &existing[..a], &existing[b + END.len()..]),
        _ => format!("{existing}\n{section}\n"),
    };
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

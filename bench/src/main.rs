//! `onsite-bench`: measures the `onsite` server built beside it and prints
//! (or writes into BENCHMARKS.md) the table.

use clap::Parser;
use onsite_bench::{Backend, Options, Scenario, Sizes};

#[derive(Parser)]
#[command(
    name = "onsite-bench",
    version,
    about = "Measure onsite: real servers on fresh databases, a fake Telegram on loopback"
)]
struct Cli {
    /// Databases to measure on, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "sqlite,postgres")]
    backends: Vec<Backend>,
    /// A PostgreSQL server (no database: one is created per measurement).
    #[arg(long, env = "ONSITE_BENCH_POSTGRES", default_value = "postgres://postgres@127.0.0.1:5432")]
    postgres: String,
    /// Small sizes: checks the harness end to end in about a minute.
    #[arg(long)]
    quick: bool,
    /// Write the table into this file (BENCHMARKS.md) between its markers.
    #[arg(long)]
    write: Option<std::path::PathBuf>,
    /// Only these measurements, comma-separated (all by default).
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Scenario>,
    /// Assignments in the year's history of the report measurement.
    #[arg(long)]
    report_assignments: Option<usize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut sizes = if cli.quick { Sizes::quick() } else { Sizes::full() };
    sizes.report_assignments = cli.report_assignments.unwrap_or(sizes.report_assignments);
    let command =
        std::iter::once("onsite-bench".to_owned()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" ");
    let options =
        Options { backends: cli.backends, postgres: cli.postgres, sizes, only: cli.only, write: cli.write, command };
    let table = onsite_bench::run(&options).await?;
    println!("\n{}", table.markdown());
    let failed = table.failed_checks();
    anyhow::ensure!(failed.is_empty(), "check(s) failed: {:?}", failed.iter().map(|r| &r.measure).collect::<Vec<_>>());
    if table.missed() > 0 {
        println!("{} figure(s) missed their target", table.missed());
    }
    Ok(())
}

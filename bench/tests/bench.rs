//! The benchmark the repository ships, run end to end at its quick sizes:
//! it must keep working (real servers, fake Telegram, every page delivered
//! exactly once, no due timer left unfired) and write its table into
//! BENCHMARKS.md between the markers without touching the prose around it.

#[path = "../../tests/support/postgres.rs"]
mod postgres;

use std::process::Command;

#[tokio::test]
async fn the_benchmark_runs_end_to_end_and_records_its_table() {
    let with_postgres = postgres::PgDatabase::create().await.is_some();
    let backends = if with_postgres { "sqlite,postgres" } else { "sqlite" };
    let server = std::env::var("ONSITE_TEST_POSTGRES_URL")
        .ok()
        .and_then(|u| u.rsplit_once('/').map(|(base, _)| base.to_owned()))
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".into());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("BENCHMARKS.md");
    let prose = "# Benchmarks\n\nAnalysis written by hand stays.\n\n";
    std::fs::write(
        &file,
        format!(
            "{prose}{}\nstale table\n{}\n\nAfter the table.\n",
            onsite_bench::results::START,
            onsite_bench::results::END
        ),
    )
    .unwrap();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(env!("CARGO_BIN_EXE_onsite-bench"))
            .args(["--quick", "--backends", backends, "--postgres", &server, "--write"])
            .arg(&file)
            .env("ONSITE_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/../config"))
            .output()
            .map(|o| (o, std::fs::read_to_string(&file)))
    })
    .await
    .unwrap()
    .expect("run onsite bench");
    let (out, written) = out;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "bench failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let written = written.unwrap();
    assert!(written.starts_with(prose) && written.ends_with("\n\nAfter the table.\n"), "prose lost:\n{written}");
    assert!(!written.contains("stale table"), "{written}");
    assert!(written.contains("- machine: ") && written.contains("- commit: `"), "{written}");
    assert!(!written.contains("FAILED"), "a check failed:\n{written}");
    let databases: &[&str] = if with_postgres { &["SQLite", "PostgreSQL"] } else { &["SQLite"] };
    for db in databases {
        for measure in [
            "cold start to ready",
            "notice → first Telegram page, p99",
            "notice → first WeCom app page, p99",
            "notice → first Feishu app page, p99",
            "notice → first DingTalk app page, p99",
            "notice → first SMS page, p99",
            "notice → first voice page, p99",
            "burst: pages delivered, each exactly once | 200/200",
            "timer lateness p99",
            "timers due in the window left unfired | 0 |",
            "idle CPU",
            "live board /board",
            "live boards: updates never shown | 0 of",
            "SLA report over 2000 assignments",
            "CSV breach list",
            "evidence: 10 MB upload, local store",
            "evidence: 10 MB download, local store",
        ] {
            assert!(written.contains(&format!("| {db} | {measure}")), "no `{measure}` row for {db}:\n{written}");
        }
        // On S3 where the tests' S3 server is built (CI builds it), else said so.
        let s3 =
            if onsite_bench::s3::binary().exists() { "evidence: 10 MB upload, S3" } else { "not measured: no s3s-fs" };
        assert!(written.contains(s3), "no S3 evidence row for {db}:\n{written}");
    }
    if with_postgres {
        let failover = "| PostgreSQL | failover: pages delivered (repeats: in flight at the kill) | 200/200,";
        assert!(written.contains(failover), "no failover row:\n{written}");
    }
}

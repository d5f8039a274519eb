//! The real `onsite` process the benchmark measures: started from this very
//! executable with `ONSITE_ENV=bench`, pointed at the fake Telegram, read
//! from `/proc` for CPU time and peak memory, and driven over HTTP.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::Value;

use super::receiver;

/// The password of the benchmark's bureau user (its server is on loopback
/// only and its database is thrown away).
pub const PASSWORD: &str = "bench-password-1";

/// How to start a server: the database and extra configuration.
#[derive(Debug, Clone)]
pub struct Launch {
    pub database_url: String,
    pub telegram_url: String,
    pub env: Vec<(String, String)>,
}

impl Launch {
    fn command(&self, args: &[&str]) -> anyhow::Result<Command> {
        let mut cmd = Command::new(server_executable()?);
        cmd.args(args)
            .env("ONSITE_ENV", "bench")
            .env("ONSITE_DATABASE__URL", &self.database_url)
            .env("ONSITE_TELEGRAM__TOKEN", receiver::TOKEN)
            .env("ONSITE_TELEGRAM__API_URL", &self.telegram_url)
            // The benchmark's own settings: the server would refuse them as
            // unknown configuration keys.
            .env_remove("ONSITE_BENCH_SERVER")
            .env_remove("ONSITE_BENCH_POSTGRES");
        if std::env::var_os("ONSITE_CONFIG_DIR").is_none() {
            cmd.env("ONSITE_CONFIG_DIR", config_dir());
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        Ok(cmd)
    }

    /// Migrates, creates the bureau user `bench` and returns a token for it.
    pub fn prepare(&self) -> anyhow::Result<String> {
        self.run(&["migrate"], None)?;
        self.run(
            &["admin", "create-user", "--username", "bench", "--role", "bureau", "--password-stdin"],
            Some(PASSWORD),
        )?;
        Ok(self.run(&["admin", "create-token", "--username", "bench"], None)?.trim().to_owned())
    }

    fn run(&self, args: &[&str], stdin: Option<&str>) -> anyhow::Result<String> {
        let mut child =
            self.command(args)?.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
        if let Some(input) = stdin {
            child.stdin.take().context("stdin")?.write_all(input.as_bytes())?;
        }
        drop(child.stdin.take());
        let out = child.wait_with_output()?;
        if !out.status.success() {
            bail!("onsite {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// Starts `onsite serve` and waits until `/readyz` answers; the time that
    /// took is the cold start.
    pub async fn start(&self) -> anyhow::Result<Server> {
        let started = Instant::now();
        let mut child = self.command(&["serve"])?.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn()?;
        let stdout = child.stdout.take().context("stdout")?;
        let base = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stdout).lines();
            let found = lines.by_ref().map_while(Result::ok).find_map(|line| {
                line.split("listening on ").nth(1).map(|rest| rest.trim().trim_end_matches('/').to_owned())
            });
            // Keep draining so the server never blocks on a full pipe.
            std::thread::spawn(move || lines.for_each(drop));
            found
        })
        .await?;
        let mut server = Server {
            child,
            base: String::new(),
            client: reqwest::Client::new(),
            token: String::new(),
            ready_after: Duration::ZERO,
        };
        server.base = base.context("onsite exited before listening")?;
        loop {
            if server.client.get(format!("{}/readyz", server.base)).send().await.is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("onsite was not ready within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        server.ready_after = started.elapsed();
        Ok(server)
    }
}

/// The repository's `config/` (the benchmark runs from the checkout).
fn config_dir() -> PathBuf {
    repository().join("config")
}

/// The checkout the benchmark belongs to (its configuration, its commit).
/// Where `.ci/run` keeps what it builds once per machine (the S3 server).
pub fn cargo_home() -> PathBuf {
    std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"))
}

pub fn repository() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// The server measured: `ONSITE_BENCH_SERVER`, or the `onsite` built beside
/// this executable (`cargo build --release --workspace` builds both).
fn server_executable() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("ONSITE_BENCH_SERVER") {
        return Ok(PathBuf::from(path));
    }
    let me = std::env::current_exe().context("cannot find this executable")?;
    let server = me.with_file_name(format!("onsite{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        server.is_file(),
        "no server at {}: build it first (cargo build --release --workspace) or set ONSITE_BENCH_SERVER",
        server.display()
    );
    Ok(server)
}

/// A running server, killed when dropped (its database is thrown away).
pub struct Server {
    child: Child,
    pub base: String,
    pub client: reqwest::Client,
    pub token: String,
    pub ready_after: Duration,
}

/// CPU time and peak memory of the server process.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub cpu: Duration,
    pub peak_rss_bytes: u64,
}

impl Server {
    pub fn with_token(mut self, token: String) -> Self {
        self.token = token;
        self
    }

    pub fn usage(&self) -> anyhow::Result<Usage> {
        let p = procfs::process::Process::new(i32::try_from(self.child.id())?)?;
        let stat = p.stat()?;
        let ticks = procfs::ticks_per_second();
        let cpu = Duration::from_secs_f64((stat.utime + stat.stime) as f64 / ticks as f64);
        let peak = p.status()?.vmhwm.unwrap_or(0) * 1024;
        Ok(Usage { cpu, peak_rss_bytes: peak })
    }

    /// POSTs JSON with the bearer token; the answer's body, or an error with it.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let r = self.client.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(body).send().await?;
        let status = r.status();
        let text = r.text().await?;
        if !status.is_success() {
            bail!("POST {path}: {status} {text}");
        }
        Ok(serde_json::from_str(&text)?)
    }

    /// GETs with the bearer token; the status and the body's length.
    pub async fn get(&self, path: &str) -> anyhow::Result<(reqwest::StatusCode, usize)> {
        let r = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await?;
        let status = r.status();
        Ok((status, r.bytes().await?.len()))
    }

    /// GETs with the bearer token; the body as text.
    pub async fn text(&self, path: &str) -> anyhow::Result<String> {
        let r = self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await?;
        Ok(r.error_for_status()?.text().await?)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

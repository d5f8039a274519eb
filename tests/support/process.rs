#![allow(dead_code)] // each test binary uses part of it
//! Running the real `onsite` binary: fresh config environment, the address it
//! prints, SIGTERM and SIGKILL.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

/// `onsite` with a clean environment: the repo's config in test mode and
/// `database_url` as its database.
pub fn onsite(dir: &Path, database_url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_onsite"));
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ONSITE_CONFIG_DIR", concat!(env!("CARGO_MANIFEST_DIR"), "/config"))
        .env("ONSITE_ENV", "test")
        .env("ONSITE_DATABASE__URL", database_url);
    cmd
}

/// A SQLite database URL in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}", dir.join("onsite.db").display())
}

/// Migrates, creates the bureau user `duty` and returns a token for it.
pub fn bureau_token(dir: &Path, url: &str) -> String {
    let run = |args: &[&str]| {
        let out = onsite(dir, url).args(args).output().expect("run onsite");
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    run(&["migrate"]);
    run(&["admin", "create-user", "--username", "duty", "--role", "bureau"]);
    run(&["admin", "create-token", "--username", "duty"]).trim().to_owned()
}

/// A running server and the lines it printed before listening.
pub struct Server {
    pub child: Child,
    pub base: String,
    pub lines: Vec<String>,
}

impl Server {
    /// Starts `cmd` (which should `serve`) and waits for its address.
    pub fn start(mut cmd: Command) -> Self {
        let mut child = cmd.stdout(Stdio::piped()).spawn().expect("spawn onsite");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = Vec::new();
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("line");
            if let Some(rest) = line.split("listening on ").nth(1) {
                let base = rest.trim().trim_end_matches('/').to_owned();
                lines.push(line);
                return Self { child, base, lines };
            }
            lines.push(line);
        }
        let _ = child.wait();
        panic!("onsite exited before listening: {lines:?}");
    }

    fn signal(&self, signal: Signal) {
        kill(Pid::from_raw(i32::try_from(self.child.id()).expect("pid")), signal).expect("signal");
    }

    /// SIGTERM, then wait for a clean exit.
    pub fn stop(mut self) -> std::process::ExitStatus {
        self.signal(Signal::SIGTERM);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(Instant::now() < deadline, "onsite did not stop within 15 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL: no chance to clean up.
    pub fn kill9(mut self) {
        self.signal(Signal::SIGKILL);
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The API of a running server, as its bureau user.
pub struct Api {
    pub client: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    /// POSTs `body` as JSON; the answer, which must be a success.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let r =
            self.client.post(format!("{}{path}", self.base)).bearer_auth(&self.token).json(&body).send().await.unwrap();
        let status = r.status();
        let text = r.text().await.unwrap();
        assert!(status.is_success(), "{path}: {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Issues a notice (a DNS hijacking, on-site required) to `unit_ids`.
    pub async fn issue(&self, unit_ids: &[i64]) -> serde_json::Value {
        self.post(
            "/api/v1/notices",
            serde_json::json!({
                "title": "DNS 劫持", "category": "hijacking", "severity": "II",
                "target": {"name": "某域名服务机构", "kind": "domain_registry"},
                "site": {"address": "重庆市两江新区"}, "description": "解析被篡改",
                "requires_onsite": true, "unit_ids": unit_ids,
            }),
        )
        .await
    }
}

#![allow(dead_code)] // each test binary uses part of it
//! A real S3-compatible server on loopback for the evidence tests: `s3s-fs`
//! (SigV4 checked, objects as files under a temporary directory), which
//! `.ci/run` builds once per machine under the cargo home.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ACCESS_KEY: &str = "AKONSITETEST";
pub const SECRET_KEY: &str = "SKONSITETESTSECRETKEY0123456789";
pub const BUCKET: &str = "onsite-evidence";

/// Where the binary is: `ONSITE_S3S_FS`, or where `.ci/run` installs it.
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("ONSITE_S3S_FS") {
        return p.into();
    }
    crate::trials::cargo_home().join("onsite-s3s/bin/s3s-fs")
}

/// A running server with one empty bucket; stopped when dropped.
pub struct S3Server {
    pub endpoint: String,
    /// The bucket's directory: the objects as files.
    pub bucket_dir: PathBuf,
    child: Child,
    _root: tempfile::TempDir,
}

impl S3Server {
    pub fn start() -> Self {
        let root = tempfile::tempdir().unwrap();
        let bucket_dir = root.path().join(BUCKET);
        std::fs::create_dir(&bucket_dir).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(binary())
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(root.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("s3s-fs at {}: {e}", binary().display()));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "s3s-fs did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Self { endpoint: format!("http://127.0.0.1:{port}"), bucket_dir, child, _root: root }
    }

    /// The objects in the bucket, by walking its directory.
    pub fn objects(&self) -> usize {
        fn walk(p: &std::path::Path) -> usize {
            std::fs::read_dir(p)
                .map_or(0, |d| d.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
        }
        walk(&self.bucket_dir)
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

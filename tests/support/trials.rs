#![allow(dead_code)] // each test binary uses part of it
//! The test binaries' own harness (libtest-mimic) instead of libtest's:
//! every test is a trial on its own multi-threaded runtime, and a test whose
//! PostgreSQL server or browser is missing is reported as *ignored*, not as
//! passed. Under `CI=true` nothing is ignored: a missing part fails the test.

use std::future::Future;
use std::pin::Pin;

use libtest_mimic::{Arguments, Trial};

/// A test's body, boxed so that every test function fits one signature.
pub type Body = Pin<Box<dyn Future<Output = ()>>>;

/// What a test needs besides the binary itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    Nothing,
    Postgres,
    Browser,
    /// The OASIS STIX validator (`stix2-validator` from PyPI), which
    /// `.ci/run` installs; the test says where it looks.
    StixValidator,
    /// An S3-compatible server (`s3s-fs`, which `.ci/run` installs).
    S3,
}

impl Needs {
    pub fn missing(self) -> bool {
        match self {
            Needs::Nothing => false,
            Needs::Postgres => !crate::postgres::reachable(),
            Needs::Browser => !under_ci() && !chromedriver_installed(),
            Needs::StixValidator | Needs::S3 => !under_ci(),
        }
    }
}

/// Where `.ci/run` keeps what it builds once per machine (the STIX
/// validator, the S3 server): the cargo home.
pub fn cargo_home() -> std::path::PathBuf {
    std::env::var("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(".cargo"))
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Where Debian installs chromedriver.
pub const CHROMEDRIVER: [&str; 2] = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

fn chromedriver_installed() -> bool {
    CHROMEDRIVER.iter().any(|p| std::path::Path::new(p).exists())
}

/// Runs a test body on a fresh two-thread runtime; a panic fails the trial.
pub fn block_on(body: Body) {
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a test runtime");
    runtime.block_on(body);
}

/// An async test.
pub fn test(name: impl Into<String>, needs: Needs, body: fn() -> Body) -> Trial {
    Trial::test(name, move || {
        block_on(body());
        Ok(())
    })
    .with_ignored_flag(needs.missing())
}

/// A test without a runtime.
pub fn plain(name: impl Into<String>, body: fn()) -> Trial {
    Trial::test(name, move || {
        body();
        Ok(())
    })
}

/// Runs the binary's trials as libtest would, then exits with its status.
pub fn main(trials: Vec<Trial>) {
    libtest_mimic::run(&Arguments::from_args(), trials).exit();
}

/// An async test's trial, named as the function is.
#[macro_export]
macro_rules! trial {
    ($name:ident) => {
        $crate::trials::test(stringify!($name), $crate::trials::Needs::Nothing, || Box::pin($name()))
    };
    ($name:ident, $needs:ident) => {
        $crate::trials::test(stringify!($name), $crate::trials::Needs::$needs, || Box::pin($name()))
    };
}

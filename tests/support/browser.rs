#![allow(dead_code)] // each test binary uses part of it
//! Headless Chromium through chromedriver, one fresh profile per browser.
//! Every browser records its console; `assert_no_console_errors` fails a
//! test on any JavaScript error or CSP violation.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// A chromedriver on a free loopback port, stopped on drop.
pub struct Driver {
    child: Child,
    pub url: String,
}

impl Driver {
    /// Starts chromedriver; `None` outside CI when it is not installed.
    pub fn start() -> Option<Self> {
        let binary = crate::trials::CHROMEDRIVER.into_iter().find(|p| std::path::Path::new(p).exists());
        let Some(binary) = binary else {
            assert!(std::env::var("CI").is_err(), "CI=true but chromedriver is not installed");
            eprintln!("chromedriver not installed: browser test skipped");
            return None;
        };
        let port = TcpListener::bind("127.0.0.1:0").expect("free port").local_addr().expect("addr").port();
        let child = Command::new(binary)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let url = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(Self { child, url })
    }

    /// A new headless desktop browser with its own empty profile.
    pub async fn browser(&self, profile: &std::path::Path) -> Client {
        self.browser_sized(profile, (1366, 900)).await
    }

    /// A new headless browser of the given window size (a phone: 390×844).
    pub async fn browser_sized(&self, profile: &std::path::Path, (width, height): (u32, u32)) -> Client {
        let mut caps = Capabilities::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": "/usr/bin/chromium",
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                    "--lang=zh-CN", format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ],
            }),
        );
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        ClientBuilder::new(HttpConnector::new()).capabilities(caps).connect(&self.url).await.expect("browser session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// chromedriver's (non-W3C) browser log: console messages since last asked.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"type":"browser"}"#.into()))
    }
}

/// Console messages of level SEVERE (JS errors, CSP violations, failed
/// loads) since the log was last read.
pub async fn console_errors(c: &Client) -> Vec<Value> {
    let log = c.issue_cmd(BrowserLog).await.expect("browser log");
    log.as_array().map(|a| a.iter().filter(|e| e["level"] == "SEVERE").cloned().collect()).unwrap_or_default()
}

/// Fails on any console error since the log was last read.
pub async fn assert_no_console_errors(c: &Client, when: &str) {
    let severe = console_errors(c).await;
    assert!(severe.is_empty(), "console errors {when}: {severe:#?}");
}

/// Waits up to `limit` for `check` to hold, polling every 50 ms.
pub async fn eventually<F, Fut>(limit: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The text of the first element matching `css`, or "" when none.
pub async fn text_of(c: &Client, css: &str) -> String {
    match c.find(Locator::Css(css)).await {
        Ok(e) => e.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Saves a PNG screenshot of the top of the page under target/screenshots/.
pub async fn screenshot(c: &Client, name: &str) {
    c.execute("window.scrollTo(0, 0); return true;", vec![]).await.expect("scroll to top");
    save(c, name).await;
}

/// Saves a PNG screenshot with the element `css` scrolled into view.
pub async fn screenshot_at(c: &Client, css: &str, name: &str) {
    c.execute("document.querySelector(arguments[0]).scrollIntoView(); return true;", vec![css.into()])
        .await
        .expect("scroll to element");
    save(c, name).await;
}

async fn save(c: &Client, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

//! An in-process load generator: `clients` connections each requesting one
//! path in a loop for a fixed time, every answer timed. It shares the two
//! cores with the server, so the figures are a lower bound of what the
//! server alone would do.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderMap, HeaderValue};

use super::server::{PASSWORD, Server};

/// How a request authenticates.
#[derive(Clone)]
pub enum Auth {
    Bearer(String),
    Cookie(String),
}

/// The `name=value` of the cookie a response sets, if it sets it.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(name))
        .map(|v| v.split(';').next().unwrap_or_default().to_owned())
}

/// Signs in the benchmark user through the login form, as a browser does
/// (the form's token and its cookie first); the session cookie.
pub async fn sign_in(server: &Server) -> anyhow::Result<String> {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let form = client.get(format!("{}/login", server.base)).send().await?;
    let form_cookie = set_cookie(&form, "onsite_login=").context("the sign-in form set no cookie")?;
    let html = form.text().await?;
    let token = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .context("the sign-in form has no token")?
        .to_owned();
    let r = client
        .post(format!("{}/login", server.base))
        .header(reqwest::header::COOKIE, form_cookie)
        .form(&[("csrf", token.as_str()), ("username", "bench"), ("password", PASSWORD), ("next", "/board")])
        .send()
        .await?;
    set_cookie(&r, onsite::web::cookie::COOKIE)
        .with_context(|| format!("sign-in answered {} without a session cookie", r.status()))
}

/// What one load run measured.
#[derive(Debug, Clone)]
pub struct Load {
    pub requests: usize,
    pub errors: usize,
    pub elapsed: Duration,
    /// Sorted latencies of the successful requests.
    pub latencies: Vec<Duration>,
}

impl Load {
    pub fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(f64::EPSILON)
    }
}

/// `clients` clients GET `path` back to back for `duration`.
pub async fn run(base: &str, path: &str, auth: Auth, clients: usize, duration: Duration) -> anyhow::Result<Load> {
    let mut headers = HeaderMap::new();
    match &auth {
        Auth::Bearer(t) => headers.insert(AUTHORIZATION, HeaderValue::from_str(&format!("Bearer {t}"))?),
        Auth::Cookie(c) => headers.insert(COOKIE, HeaderValue::from_str(c)?),
    };
    let client = reqwest::Client::builder().default_headers(headers).pool_max_idle_per_host(clients).build()?;
    let url = Arc::new(format!("{base}{path}"));
    let started = Instant::now();
    let end = started + duration;
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url) = (client.clone(), url.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut errors = 0usize;
                while Instant::now() < end {
                    let t = Instant::now();
                    match client.get(url.as_str()).send().await {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(_) => latencies.push(t.elapsed()),
                            Err(_) => errors += 1,
                        },
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut load = Load { requests: 0, errors: 0, elapsed: Duration::ZERO, latencies: Vec::new() };
    for w in workers {
        let (latencies, errors) = w.await?;
        load.requests += latencies.len() + errors;
        load.errors += errors;
        load.latencies.extend(latencies);
    }
    load.elapsed = started.elapsed();
    load.latencies.sort_unstable();
    if load.latencies.is_empty() {
        bail!("GET {path}: no request succeeded ({} errors)", load.errors);
    }
    Ok(load)
}

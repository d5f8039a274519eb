//! Evidence files' throughput: a 10 MB file uploaded and downloaded over the
//! API one at a time, kept on the local store and on a real S3-compatible
//! server (`s3s-fs`, the tests' own, built once per machine by `.ci/run`).

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::database::Backend;
use super::results::{Table, Target};
use super::s3;
use super::server::Server;

/// The size of each file: 10 MB.
pub const FILE_BYTES: usize = 10_000_000;

/// A PDF of `FILE_BYTES`, different for each `n` (none is kept twice).
fn pdf(n: usize) -> Vec<u8> {
    let mut body = format!("%PDF-1.4\n% evidence {n}\n").into_bytes();
    body.resize(FILE_BYTES - 7, b'0' + (n % 10) as u8);
    body.extend_from_slice(b"\n%%EOF\n");
    body
}

/// Where the server keeps files: the local directory, or the S3 server.
pub enum Kept<'a> {
    Local(&'a std::path::Path),
    S3(&'a s3::S3Server),
}

impl Kept<'_> {
    pub fn label(&self) -> &'static str {
        match self {
            Kept::Local(_) => "local store",
            Kept::S3(_) => "S3 (s3s-fs)",
        }
    }

    /// The server's configuration for this store.
    pub fn env(&self) -> Vec<(String, String)> {
        let pairs: Vec<(&str, String)> = match self {
            Kept::Local(dir) => vec![("PATH", dir.display().to_string())],
            Kept::S3(server) => vec![
                ("STORE", "s3".into()),
                ("S3_ENDPOINT", server.endpoint.clone()),
                ("S3_BUCKET", s3::BUCKET.into()),
                ("S3_ACCESS_KEY", s3::ACCESS_KEY.into()),
                ("S3_SECRET_KEY", s3::SECRET_KEY.into()),
                ("S3_ALLOW_HTTP", "true".into()),
            ],
        };
        pairs.into_iter().map(|(k, v)| (format!("ONSITE_EVIDENCE__{k}"), v)).collect()
    }
}

/// Uploads `files` files to a notice of `unit`, then downloads each, and
/// records both as megabytes a second.
pub async fn throughput(
    server: &Server,
    notice: i64,
    files: usize,
    kept: &Kept<'_>,
    backend: Backend,
    table: &mut Table,
) -> anyhow::Result<()> {
    let path = format!("{}/api/v1/notices/{notice}/attachments", server.base);
    let (mut up, mut down, mut ids) = (Duration::ZERO, Duration::ZERO, Vec::new());
    for n in 0..files {
        let part = reqwest::multipart::Part::bytes(pdf(n)).file_name(format!("evidence-{n}.pdf"));
        let started = Instant::now();
        let r = server
            .client
            .post(&path)
            .bearer_auth(&server.token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await?;
        if r.status() != reqwest::StatusCode::CREATED {
            bail!("upload {n}: {} {}", r.status(), r.text().await?);
        }
        let kept: serde_json::Value = r.json().await?;
        up += started.elapsed();
        ids.push(kept["id"].as_i64().context("an attachment id")?);
    }
    for id in ids {
        let started = Instant::now();
        let (status, len) = server.get(&format!("/api/v1/attachments/{id}")).await?;
        down += started.elapsed();
        if !status.is_success() || len != FILE_BYTES {
            bail!("download {id}: {status}, {len} bytes");
        }
    }
    let rate = |d: Duration| format!("{:.0} MB/s", (files * FILE_BYTES) as f64 / 1e6 / d.as_secs_f64());
    let store = kept.label();
    table.add(
        backend,
        format!("evidence: 10 MB upload, {store} ({files} files, one at a time)"),
        rate(up),
        Target::none(),
    );
    table.add(backend, format!("evidence: 10 MB download, {store}"), rate(down), Target::none());
    Ok(())
}

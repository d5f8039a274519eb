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

/// The size of the capture the server's memory is watched over: 150 MB,
/// under the default limit of 200 MiB.
pub const CAPTURE_BYTES: usize = 150_000_000;

/// A packet capture of `CAPTURE_BYTES`: its global header, then filler.
fn capture() -> Vec<u8> {
    let mut bytes = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    bytes.resize(CAPTURE_BYTES, 0x5a);
    bytes
}

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

/// Posts `bytes` as a file named `name` to `path`; the kept file's id.
async fn upload(server: &Server, path: &str, name: String, bytes: Vec<u8>) -> anyhow::Result<i64> {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.clone());
    let r = server
        .client
        .post(path)
        .bearer_auth(&server.token)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await?;
    if r.status() != reqwest::StatusCode::CREATED {
        bail!("upload {name}: {} {}", r.status(), r.text().await?);
    }
    let kept: serde_json::Value = r.json().await?;
    kept["id"].as_i64().context("an attachment id")
}

/// Downloads file `id`, which must be `len` bytes long.
async fn download(server: &Server, id: i64, len: usize) -> anyhow::Result<()> {
    let (status, got) = server.get(&format!("/api/v1/attachments/{id}")).await?;
    if !status.is_success() || got != len {
        bail!("download {id}: {status}, {got} bytes");
    }
    Ok(())
}

/// Uploads `files` files to a notice of `unit`, then downloads each, and
/// records both as megabytes a second; then a 150 MB capture up and down,
/// and how much the server's peak memory grew over all of it.
pub async fn throughput(
    server: &Server,
    notice: i64,
    files: usize,
    kept: &Kept<'_>,
    backend: Backend,
    table: &mut Table,
) -> anyhow::Result<()> {
    let path = format!("{}/api/v1/notices/{notice}/attachments", server.base);
    let before = server.usage()?.peak_rss_bytes;
    let (mut up, mut down, mut ids) = (Duration::ZERO, Duration::ZERO, Vec::new());
    for n in 0..files {
        let bytes = pdf(n);
        let started = Instant::now();
        ids.push(upload(server, &path, format!("evidence-{n}.pdf"), bytes).await?);
        up += started.elapsed();
    }
    for id in ids {
        let started = Instant::now();
        download(server, id, FILE_BYTES).await?;
        down += started.elapsed();
    }
    let id = upload(server, &path, "capture.pcap".into(), capture()).await?;
    download(server, id, CAPTURE_BYTES).await?;
    let growth = server.usage()?.peak_rss_bytes.saturating_sub(before);
    let rate = |d: Duration| format!("{:.0} MB/s", (files * FILE_BYTES) as f64 / 1e6 / d.as_secs_f64());
    let store = kept.label();
    table.add(
        backend,
        format!("evidence: 10 MB upload, {store} ({files} files, one at a time)"),
        rate(up),
        Target::none(),
    );
    table.add(backend, format!("evidence: 10 MB download, {store}"), rate(down), Target::none());
    table.add(
        backend,
        format!("evidence: server's peak RSS growth over these and a 150 MB capture, {store}"),
        format!("{:.0} MiB", growth as f64 / f64::from(1u32 << 20)),
        Target::none(),
    );
    Ok(())
}

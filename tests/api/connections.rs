//! What the listener does to clients that hold connections without using
//! them, and who may read `/metrics`. Independent of the database.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::helpers::{Backend, TestApp};

crate::tests! {
    once: [
        slow_clients_are_cut_off_while_a_normal_request_answers_fast,
        metrics_ask_for_their_token_when_one_is_set,
        an_upload_may_take_longer_than_a_request_but_not_forever,
    ],
}

/// A client on another loopback address that starts a request and never
/// finishes its headers.
async fn slow_client(server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.2:0".parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: onsite\r\nX-Slow: ").await.unwrap();
    stream
}

/// Whether the server has closed the connection (read ends or fails) within `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 256];
    matches!(tokio::time::timeout(wait, stream.read(&mut buf)).await, Ok(Ok(0) | Err(_)))
}

async fn slow_clients_are_cut_off_while_a_normal_request_answers_fast() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.http.header_read_timeout = Duration::from_secs(2);
        c.http.max_connections_per_address = 20;
    })
    .await
    else {
        return;
    };
    let server: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let mut slow = Vec::new();
    for _ in 0..30 {
        slow.push(slow_client(server).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut refused = 0;
    for stream in &mut slow {
        if closed_within(stream, Duration::from_millis(10)).await {
            refused += 1;
        }
    }
    assert_eq!(refused, 10, "beyond 20 from one address, connections are closed at once");

    let started = Instant::now();
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "another client is served at once: {:?}",
        started.elapsed()
    );

    for stream in &mut slow {
        assert!(
            closed_within(stream, Duration::from_secs(4)).await,
            "a client slower than the header timeout is cut off"
        );
    }
    let mut again = slow_client(server).await;
    assert!(!closed_within(&mut again, Duration::from_millis(200)).await, "the address may connect again");
}

async fn metrics_ask_for_their_token_when_one_is_set() {
    let token = "metrics-0123456789abcdefghijklmnopqrstuv";
    let Some(app) =
        TestApp::spawn_with(Backend::Sqlite, |c| c.http.metrics_token = Some(SecretString::from(token))).await
    else {
        return;
    };
    let scrape = |bearer: Option<&str>| {
        let mut r = app.client.get(app.url("/metrics"));
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        r.send()
    };
    let anonymous = scrape(None).await.unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert!(!anonymous.text().await.unwrap().contains("onsite_"), "nothing of the metrics leaks");
    assert_eq!(scrape(Some("metrics-wrong")).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(scrape(Some(&app.token)).await.unwrap().status(), StatusCode::UNAUTHORIZED, "an API token is not it");
    let allowed = scrape(Some(token)).await.unwrap();
    assert_eq!(allowed.status(), StatusCode::OK);
    assert!(allowed.text().await.unwrap().contains("onsite_timers_pending"));
}

/// Sends `body` to `path` in two halves `pause` apart (a slow link), and
/// returns the answer's status line.
async fn trickled(app: &TestApp, path: &str, content_type: &str, body: &[u8], pause: Duration) -> String {
    let server: SocketAddr = app.base.trim_start_matches("http://").parse().unwrap();
    let mut stream = TcpStream::connect(server).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: onsite\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        app.token,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (first, rest) = body.split_at(body.len() / 2);
    stream.write_all(first).await.unwrap();
    tokio::time::sleep(pause).await;
    let _ = stream.write_all(rest).await;
    let mut answer = vec![0u8; 64];
    let n = stream.read(&mut answer).await.unwrap_or(0);
    String::from_utf8_lossy(&answer[..n]).lines().next().unwrap_or_default().to_owned()
}

async fn an_upload_may_take_longer_than_a_request_but_not_forever() {
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.http.request_timeout = Duration::from_secs(1);
        c.evidence.upload_timeout = Duration::from_secs(3);
    })
    .await
    else {
        return;
    };
    let unit = app.unit_with_people("安盾").await;
    let notice = app.issue(&[unit.id], true).await["id"].clone();
    let files = format!("/api/v1/notices/{notice}/attachments");
    let mut form = b"--X\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.pdf\"\r\n\r\n".to_vec();
    form.extend_from_slice(crate::attachments::PDF);
    form.extend_from_slice(b"\r\n--X--\r\n");
    let multipart = "multipart/form-data; boundary=X";

    // Two seconds on the way: too slow for a request, in time for an upload.
    let note = serde_json::to_vec(&serde_json::json!({"kind": "note", "note": "慢"})).unwrap();
    let assignment = app.get_ok(&format!("/api/v1/notices/{notice}")).await["assignments"][0]["id"].clone();
    let events = format!("/api/v1/assignments/{assignment}/events");
    let slow_note = trickled(&app, &events, "application/json", &note, Duration::from_secs(2)).await;
    assert!(slow_note.contains(" 503"), "a slow request is cut off at request_timeout: {slow_note}");
    let slow_file = trickled(&app, &files, multipart, &form, Duration::from_secs(2)).await;
    assert!(slow_file.contains(" 201"), "a slow upload is kept: {slow_file}");
    // Slower than the upload's own deadline: cut off, nothing kept.
    let too_slow = trickled(&app, &files, multipart, &form, Duration::from_secs(4)).await;
    assert!(too_slow.contains(" 503"), "{too_slow}");
    assert_eq!(app.get_ok(&files).await.as_array().unwrap().len(), 1);
}

//! The dead man's switch: the heartbeat goes out while every engine loop
//! turns, is withheld while one is stalled (here the outbox, held by a
//! provider that does not answer, while the clock runs on), and `/readyz`
//! names the stalled loop; both recover with it.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use secrecy::SecretString;

use crate::escalation::paged_unit;
use crate::helpers::{Backend, TestApp};
use crate::receiver::Receiver;

crate::tests! {
    backends: [the_heartbeat_goes_out_while_healthy_and_stops_while_a_loop_is_stalled],
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn readiness(app: &TestApp) -> (StatusCode, String) {
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn the_heartbeat_goes_out_while_healthy_and_stops_while_a_loop_is_stalled(backend: Backend) {
    let monitor = Receiver::start().await;
    let hooks = Receiver::start().await;
    let beat_url = monitor.url("beat");
    let Some(app) = TestApp::spawn_with(backend, move |c| {
        c.engine.poll_interval = Duration::from_millis(50);
        c.engine.stall_after = Duration::from_secs(120);
        c.heartbeat.url = Some(SecretString::from(beat_url));
        c.heartbeat.every = Duration::from_secs(60);
    })
    .await
    else {
        return;
    };
    let unit = paged_unit(&app, &hooks).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let engine = app.engine.clone().spawn(stopped);
    let beats = || monitor.received().iter().filter(|r| r.name == "beat").count();

    // Healthy: one at start, then one a minute of the clock.
    eventually("the first heartbeat", async || beats() == 1).await;
    app.clock.advance(chrono::Duration::minutes(1));
    eventually("the second heartbeat", async || beats() == 2).await;
    assert_eq!(readiness(&app).await, (StatusCode::OK, "ready".to_owned()));

    // A provider that does not answer holds the outbox mid-pass while three minutes pass.
    hooks.slow_down(Duration::from_secs(4));
    app.issue(&[unit], true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.clock.advance(chrono::Duration::minutes(3));
    eventually("/readyz names the outbox", async || {
        let (status, body) = readiness(&app).await;
        status == StatusCode::SERVICE_UNAVAILABLE && body.contains("engine loop stalled: outbox")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(beats(), 2, "withheld while the outbox is stalled");

    // The provider answers: the outbox turns again, and so does the heartbeat.
    eventually("ready again", async || readiness(&app).await.0 == StatusCode::OK).await;
    app.clock.advance(chrono::Duration::minutes(1));
    eventually("the heartbeat resumes", async || beats() == 3).await;
    stop.send(true).unwrap();
    engine.await.unwrap();
}

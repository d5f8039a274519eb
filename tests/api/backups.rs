//! Backups the service takes by itself (`[backup] every`, SQLite): none at
//! start, one each period of the clock, the oldest beyond `keep` deleted.
//! (`tests/backups.rs` runs `onsite backup` and `onsite restore` themselves.)

use std::path::Path;
use std::time::Duration;

use onsite::domain::clock::Clock;

use crate::helpers::{Backend, TestApp};

pub fn trials() -> Vec<libtest_mimic::Trial> {
    vec![crate::trials::test(
        "backups::scheduled_backups_are_taken_each_period_and_the_oldest_deleted",
        crate::trials::Needs::Nothing,
        || Box::pin(scheduled_backups_are_taken_each_period_and_the_oldest_deleted()),
    )]
}

/// Everything in `dir`, sorted: the backups, and a backup's staging
/// directory (`.onsite-backup-…`) while one is being written.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// The backups written in `dir`, oldest first.
fn backups(dir: &Path) -> Vec<String> {
    entries(dir).into_iter().filter(|n| n.starts_with("onsite-") && n.ends_with(".tar")).collect()
}

async fn scheduled_backups_are_taken_each_period_and_the_oldest_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().to_owned();
    let app = TestApp::spawn_with(Backend::Sqlite, move |c| {
        c.backup.dir = into;
        c.backup.every = Some(Duration::from_secs(3600));
        c.backup.keep = 2;
        c.engine.poll_interval = Duration::from_millis(50);
    })
    .await
    .expect("an app");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let engine = app.engine.clone().spawn(stopped);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(backups(dir.path()), Vec::<String>::new(), "none at start: a restart loop must not fill the disk");

    let mut taken = Vec::new();
    for expected in [1, 2, 2] {
        app.clock.advance(chrono::Duration::hours(1));
        taken.push(onsite::backup::file_name(app.clock.now()));
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while backups(dir.path()).last() != taken.last() {
            assert!(
                std::time::Instant::now() < deadline,
                "no backup for {:?}: {:?}",
                taken.last(),
                backups(dir.path())
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(backups(dir.path()).len(), expected);
    }
    assert_eq!(backups(dir.path()), taken[1..].to_vec(), "the newest two kept");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while entries(dir.path()) != backups(dir.path()) {
        assert!(std::time::Instant::now() < deadline, "a staging directory left: {:?}", entries(dir.path()));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.send(true).unwrap();
    engine.await.unwrap();
}

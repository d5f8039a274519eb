//! Backups and restores through the real `onsite` binary, as an operator
//! runs them: `onsite backup` while notices are issued and milestones
//! recorded, `onsite restore` into a fresh directory, the service started on
//! it; a restore refused where data already is. PostgreSQL's own procedure
//! (`deploy/pg-backup.sh`, `deploy/pg-restore.sh`) against the real server.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/process.rs"]
mod process;
#[path = "support/trials.rs"]
mod trials;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use onsite::config::DatabaseConfig;
use onsite::store::Store;
use process::{Api, Server, bureau_token, onsite, sqlite_url};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

impl Api {
    async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await.unwrap()
    }

    async fn unit(&self, name: &str) -> i64 {
        let unit = self.post("/api/v1/units", json!({"name": name})).await;
        let id = unit["id"].as_i64().unwrap();
        self.post(&format!("/api/v1/units/{id}/people"), json!({"name": format!("{name}工程师"), "role": "engineer"}))
            .await;
        id
    }

    /// A notice to `units`, its first assignment acknowledged and its plan
    /// activated; the notice's id.
    async fn notice_with_milestones(&self, units: &[i64]) -> i64 {
        let notice = self.issue(units).await;
        let assignment = notice["assignments"][0]["id"].as_i64().unwrap();
        for kind in ["acknowledged", "plan_activated"] {
            self.post(&format!("/api/v1/assignments/{assignment}/events"), json!({"kind": kind})).await;
        }
        notice["id"].as_i64().unwrap()
    }
}

async fn store(url: &str) -> Store {
    let defaults = onsite::config::Config::default().database;
    let wording = Arc::new(onsite::notify::message::Wording { tz: chrono_tz::Asia::Shanghai });
    let config =
        DatabaseConfig { url: url.into(), max_connections: 2, connect_timeout: Duration::from_secs(5), ..defaults };
    Store::connect(&config, wording).await.unwrap()
}

/// The numbers one query returns, one per row.
async fn numbers(store: &Store, sql: &str) -> Vec<i64> {
    let db = store.db();
    let rows = db.query_all_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    rows.iter().map(|r| r.try_get_by_index::<i64>(0).unwrap()).collect()
}

/// Runs `onsite` in `dir` on `url` with `args`; its status, stdout and stderr.
fn run(dir: &Path, url: &str, args: &[&str]) -> (bool, String, String) {
    let out = onsite(dir, url).args(args).output().expect("run onsite");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (out.status.success(), text(out.stdout), text(out.stderr))
}

/// Every notice has all its assignments, each with its events: the copy is
/// one moment of the database, never half a transaction.
async fn whole(store: &Store, units: usize) {
    let assignments =
        numbers(store, "SELECT COUNT(a.id) FROM notices n LEFT JOIN assignments a ON a.notice_id = n.id GROUP BY n.id")
            .await;
    assert!(assignments.iter().all(|n| *n as usize == units), "a notice without all its assignments: {assignments:?}");
    let bare = numbers(
        store,
        "SELECT COUNT(*) FROM assignments a WHERE NOT EXISTS (SELECT 1 FROM timeline_events e WHERE e.assignment_id = a.id)",
    )
    .await;
    assert_eq!(bare, vec![0], "an assignment without its timeline");
}

async fn a_backup_taken_under_load_restores_every_committed_row_and_the_service_starts_on_it() {
    let live = tempfile::tempdir().unwrap();
    let url = sqlite_url(live.path());
    let token = bureau_token(live.path(), &url);
    let server = Server::start({
        let mut cmd = onsite(live.path(), &url);
        cmd.arg("serve");
        cmd
    });
    let api = Arc::new(Api { client: reqwest::Client::new(), base: server.base.clone(), token: token.clone() });
    let units = vec![api.unit("安盾").await, api.unit("山城").await];
    let first = api.notice_with_milestones(&units).await;
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("通报.pdf".to_owned()));
    let r = api
        .client
        .post(format!("{}/api/v1/notices/{first}/attachments", api.base))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    let attachment = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

    // Notices issued and milestones recorded all through the backup.
    let committed = Arc::new(Mutex::new(vec![first]));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = {
        let (api, units, committed, stop) = (api.clone(), units.clone(), committed.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let id = api.notice_with_milestones(&units).await;
                committed.lock().unwrap().push(id);
            }
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before: Vec<i64> = committed.lock().unwrap().clone();
    let backups = live.path().join("backups");
    let backups_arg = backups.display().to_string();
    let (dir, live_url) = (live.path().to_owned(), url.clone());
    let (ok, out, err) =
        tokio::task::spawn_blocking(move || run(&dir, &live_url, &["backup", "--to", &backups_arg])).await.unwrap();
    assert!(ok, "backup failed: {out} {err}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    load.await.unwrap();
    let all = committed.lock().unwrap().clone();
    assert!(all.len() > before.len(), "notices went on being issued during the backup");
    assert!(out.contains("audit chain 审计链") && out.contains("evidence 附件: 1 objects"), "{out}");
    let file = std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().path()).collect::<Vec<_>>();
    assert_eq!(file.len(), 1, "one file, nothing staged left: {file:?}");
    let file = file[0].display().to_string();
    assert!(file.ends_with(".tar") && out.contains(&file), "{out}");
    assert!(server.stop().success());

    // Restored into a fresh directory: every notice committed before the backup began, each whole.
    let fresh = tempfile::tempdir().unwrap();
    let fresh_url = sqlite_url(fresh.path());
    let (ok, out, err) = run(fresh.path(), &fresh_url, &["restore", &file]);
    assert!(ok, "restore failed: {out} {err}");
    let restored = store(&fresh_url).await;
    let notices: BTreeSet<i64> = numbers(&restored, "SELECT id FROM notices").await.into_iter().collect();
    assert!(before.iter().all(|id| notices.contains(id)), "a notice committed before the backup is missing");
    assert!(notices.iter().all(|id| all.contains(id)), "only committed notices");
    whole(&restored, units.len()).await;
    let (ok, out, _) = run(fresh.path(), &fresh_url, &["admin", "verify-audit"]);
    assert!(ok && out.contains("audit log intact"), "{out}");

    // The service starts on it, the same token works and the 通报 downloads whole.
    let server = Server::start({
        let mut cmd = onsite(fresh.path(), &fresh_url);
        cmd.arg("serve");
        cmd
    });
    let api = Api { client: reqwest::Client::new(), base: server.base.clone(), token };
    assert_eq!(api.get(&format!("/api/v1/notices/{first}")).await.status(), reqwest::StatusCode::OK);
    let copy = api.get(&format!("/api/v1/attachments/{attachment}")).await.bytes().await.unwrap();
    assert_eq!(copy.as_ref(), PDF);

    // A directory in use is refused, in both languages, and left as it was.
    let (ok, _, err) = run(fresh.path(), &fresh_url, &["restore", &file]);
    assert!(!ok && err.contains("restore only into an empty data directory") && err.contains("拒绝覆盖"), "{err}");
    assert_eq!(api.get(&format!("/api/v1/notices/{first}")).await.status(), reqwest::StatusCode::OK);
    assert!(server.stop().success());

    // Another data directory whose audit key differs is refused too.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("audit.key"), "a-different-key-of-enough-length-0123456789abcdef").unwrap();
    let (ok, _, err) = run(other.path(), &sqlite_url(other.path()), &["restore", &file]);
    assert!(!ok && err.contains("another audit key"), "{err}");
    assert!(!other.path().join("onsite.db").exists());
}

async fn a_tampered_or_foreign_file_is_never_restored() {
    let live = tempfile::tempdir().unwrap();
    let url = sqlite_url(live.path());
    bureau_token(live.path(), &url);
    let (ok, out, err) = run(live.path(), &url, &["backup", "--to", "backups"]);
    assert!(ok, "{out} {err}");
    let file = std::fs::read_dir(live.path().join("backups")).unwrap().next().unwrap().unwrap().path();

    // An archive with a name outside the layout (a path escaping the directory).
    let evil = live.path().join("evil.tar");
    let mut tar = tar::Builder::new(std::fs::File::create(&evil).unwrap());
    let mut header = tar::Header::new_gnu();
    header.set_size(3);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    // Written raw: the tar crate itself refuses to write such a name.
    let name = b"evidence/../../escaped";
    header.as_old_mut().name[..name.len()].copy_from_slice(name);
    header.set_cksum();
    tar.append(&header, &b"boo"[..]).unwrap();
    tar.into_inner().unwrap();
    let fresh = tempfile::tempdir().unwrap();
    let (ok, _, err) = run(fresh.path(), &sqlite_url(fresh.path()), &["restore", &evil.display().to_string()]);
    assert!(!ok && err.contains("not an onsite backup"), "{err}");
    assert_eq!(std::fs::read_dir(fresh.path()).unwrap().count(), 0, "nothing written");

    // The backup's audit log edited: the chain no longer verifies, nothing is restored.
    let unpacked = live.path().join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    tar::Archive::new(std::fs::File::open(&file).unwrap()).unpack(&unpacked).unwrap();
    let db = unpacked.join("onsite.db");
    let edited = store(&format!("sqlite://{}", db.display())).await;
    edited.db().execute_unprepared("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").await.unwrap();
    edited.close().await.unwrap();
    let repacked = live.path().join("onsite-edited.tar");
    let mut tar = tar::Builder::new(std::fs::File::create(&repacked).unwrap());
    for name in ["manifest.json", "onsite.db", "audit.key"] {
        tar.append_path_with_name(unpacked.join(name), name).unwrap();
    }
    tar.into_inner().unwrap();
    let (ok, _, err) = run(fresh.path(), &sqlite_url(fresh.path()), &["restore", &repacked.display().to_string()]);
    assert!(!ok && err.contains("审计链校验失败"), "{err}");
    assert!(!fresh.path().join("onsite.db").exists(), "nothing restored");
}

/// Runs one of the deployment's scripts; its status, stdout and stderr.
fn script(name: &str, args: &[&str]) -> (bool, String, String) {
    let path = format!("{}/deploy/{name}", env!("CARGO_MANIFEST_DIR"));
    let out = std::process::Command::new("bash").arg(path).args(args).output().expect("run the script");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (out.status.success(), text(out.stdout), text(out.stderr))
}

async fn postgres_is_backed_up_and_restored_with_its_own_tools() {
    let (Some(live), Some(empty)) = (postgres::PgDatabase::create().await, postgres::PgDatabase::create().await) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let token = bureau_token(dir.path(), &live.url());
    let server = Server::start({
        let mut cmd = onsite(dir.path(), &live.url());
        cmd.arg("serve");
        cmd
    });
    let api = Api { client: reqwest::Client::new(), base: server.base.clone(), token };
    let units = vec![api.unit("安盾").await, api.unit("山城").await];
    for _ in 0..3 {
        api.notice_with_milestones(&units).await;
    }
    let (ok, _, err) = run(dir.path(), &live.url(), &["backup", "--to", "backups"]);
    assert!(!ok && err.contains("pg-backup.sh"), "onsite points to the database's own tools: {err}");

    let backups = dir.path().join("backups").display().to_string();
    let (ok, out, err) = script("pg-backup.sh", &[&live.url(), &backups]);
    assert!(ok, "{out} {err}");
    let file = out.trim().to_owned();
    assert!(file.ends_with(".dump") && Path::new(&file).is_file(), "{out}");
    assert!(server.stop().success());

    let (ok, out, err) = script("pg-restore.sh", &[&file, &empty.url()]);
    assert!(ok, "{out} {err}");
    let (ok, out, err) = run(dir.path(), &empty.url(), &["admin", "verify-audit"]);
    assert!(ok && out.contains("audit log intact"), "{out} {err}");
    let notices = |url: String| async move { numbers(&store(&url).await, "SELECT id FROM notices ORDER BY id").await };
    let restored = notices(empty.url()).await;
    assert_eq!(restored.len(), 3);
    assert_eq!(restored, notices(live.url()).await);
    whole(&store(&empty.url()).await, units.len()).await;

    let (ok, _, err) = script("pg-restore.sh", &[&file, &empty.url()]);
    assert!(!ok && err.contains("restore only into an empty database") && err.contains("拒绝"), "{err}");
    assert_eq!(notices(empty.url()).await, restored, "left as it was");
}

fn main() {
    trials::main(vec![
        trial!(a_backup_taken_under_load_restores_every_committed_row_and_the_service_starts_on_it),
        trial!(a_tampered_or_foreign_file_is_never_restored),
        trial!(postgres_is_backed_up_and_restored_with_its_own_tools, Postgres),
    ]);
}

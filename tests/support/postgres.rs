#![allow(dead_code)] // each test binary uses part of it
//! A throwaway PostgreSQL database per test, created on the local server and
//! dropped afterwards. Outside CI an unreachable server skips the test; under
//! `CI=true` it fails it.

use sea_orm::{ConnectionTrait, Database};

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Whether the PostgreSQL tests run here: always under `CI=true` (where an
/// unreachable server fails them), otherwise when the server's port answers;
/// a harness reports them as ignored when not.
pub fn reachable() -> bool {
    static REACHABLE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *REACHABLE.get_or_init(|| {
        use std::net::{TcpStream, ToSocketAddrs};
        if under_ci() {
            return true;
        }
        // postgres://user@host:port/database: the part between `@` and `/`.
        let url = postgres_admin_url();
        let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
        let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
        let server = rest.split('/').next().unwrap_or_default();
        let server = if server.contains(':') { server.to_owned() } else { format!("{server}:5432") };
        let addr = server.to_socket_addrs().ok().and_then(|mut a| a.next());
        addr.is_some_and(|a| TcpStream::connect_timeout(&a, std::time::Duration::from_secs(1)).is_ok())
    })
}

fn postgres_admin_url() -> String {
    std::env::var("ONSITE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A throwaway PostgreSQL database, dropped when the test ends.
pub struct PgDatabase {
    admin_url: String,
    name: String,
}

impl PgDatabase {
    pub async fn create() -> Option<Self> {
        let admin_url = postgres_admin_url();
        let admin = match Database::connect(&admin_url).await {
            Ok(db) => db,
            Err(e) => {
                if under_ci() {
                    panic!("PostgreSQL tests are mandatory under CI=true, but {admin_url} is unreachable: {e}");
                }
                eprintln!("skipping PostgreSQL test: {admin_url} unreachable ({e}); set CI=true to make this fatal");
                return None;
            }
        };
        let name = format!("onsite_test_{}", uuid_like());
        admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
        Some(Self { admin_url, name })
    }

    pub fn url(&self) -> String {
        let base = self.admin_url.rsplit_once('/').map_or(self.admin_url.as_str(), |(b, _)| b);
        format!("{base}/{}", self.name)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop from a separate thread: Drop cannot await inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            rt.block_on(async {
                if let Ok(db) = Database::connect(&url).await {
                    let _ = db.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                }
            });
        })
        .join();
    }
}

fn uuid_like() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

//! A fresh, throw-away database for each measurement: a SQLite file in a
//! temporary directory, or a new PostgreSQL database dropped afterwards.

use std::fmt;

use anyhow::Context;
use sea_orm::{ConnectionTrait, Database};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

impl std::str::FromStr for Backend {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" | "postgresql" => Ok(Backend::Postgres),
            other => Err(format!("unknown backend `{other}`: use sqlite or postgres")),
        }
    }
}

pub struct Fresh {
    pub url: String,
    /// The SQLite file's directory, removed on drop.
    _dir: Option<tempfile::TempDir>,
    /// The server URL and database name to drop (PostgreSQL).
    drop: Option<(String, String)>,
}

impl Fresh {
    /// `postgres` is a server URL without a database (`postgres://user@host:port`).
    pub async fn create(backend: Backend, postgres: &str, name: &str) -> anyhow::Result<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir()?;
                let url = format!("sqlite://{}", dir.path().join("onsite.db").display());
                Ok(Self { url, _dir: Some(dir), drop: None })
            }
            Backend::Postgres => {
                let server = postgres.trim_end_matches('/').to_owned();
                let db = format!("onsite_bench_{}_{name}", std::process::id());
                let admin = Database::connect(quiet(format!("{server}/postgres")))
                    .await
                    .with_context(|| format!("cannot reach PostgreSQL at {server}"))?;
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {db}")).await?;
                admin.execute_unprepared(&format!("CREATE DATABASE {db}")).await?;
                Ok(Self { url: format!("{server}/{db}"), _dir: None, drop: Some((server, db)) })
            }
        }
    }

    /// Drops the PostgreSQL database (the SQLite directory goes on drop).
    pub async fn remove(self) -> anyhow::Result<()> {
        if let Some((server, db)) = &self.drop {
            let admin = Database::connect(quiet(format!("{server}/postgres"))).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).await?;
        }
        Ok(())
    }
}

/// The maintenance connection, without logging every statement.
fn quiet(url: String) -> sea_orm::ConnectOptions {
    let mut opts = sea_orm::ConnectOptions::new(url);
    opts.sqlx_logging(false);
    opts
}

//! onsite: emergency-response dispatch and SLA tracker.
//!
//! `App::build` is the one way to start the service; `main` and the tests
//! both go through it.

pub mod config;
pub mod demo;
pub mod domain;
pub mod store;
pub mod telemetry;
pub mod web;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use chrono_tz::Tz;
use tokio::net::TcpListener;

use crate::config::{Config, ConfigError};
use crate::domain::clock::Clock;
use crate::domain::policy::SlaPolicy;
use crate::store::{Store, StoreError};

/// What every request handler, worker and test shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// The zone times are shown in (Asia/Shanghai by default).
    pub tz: Tz,
    /// The policy new assignments are dispatched with.
    pub policy: Arc<SlaPolicy>,
}

impl AppState {
    pub fn new(config: Config, store: Store, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let tz = config.timezone()?;
        let policy = Arc::new(config.sla_policy());
        Ok(Self { store, clock, config: Arc::new(config), tz, policy })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
}

/// A built, bound, migrated service that is not yet serving.
pub struct App {
    listener: TcpListener,
    state: AppState,
}

impl App {
    /// Connects to the database, migrates it and binds the HTTP listener.
    pub async fn build(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        config.validate()?;
        let store = Store::connect(&config.database).await?;
        store.migrate().await?;
        let addr = config.http_addr()?;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartupError::Bind { addr, source })?;
        let state = AppState::new(config, store, clock)?;
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> SocketAddr {
        // A bound listener always has an address; fall back to the config's.
        self.listener
            .local_addr()
            .unwrap_or_else(|_| self.state.config.http_addr().unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0))))
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let router = web::router(self.state.clone());
        axum::serve(self.listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }
}

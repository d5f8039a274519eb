//! Starting the real app for a test: its own database (a fresh SQLite file or
//! a fresh PostgreSQL database), port 0, a manual clock, and a bureau token.

use onsite::domain::access::By;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use onsite::config::Config;
use onsite::domain::access::UserRole;
use onsite::domain::clock::ManualClock;
use onsite::store::users::NewUser;
use onsite::{App, AppState};
use reqwest::{Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// 2026-11-24 19:00 UTC = 2026-11-25 03:00 in Chongqing: the 3 a.m. page.
pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").unwrap().to_utc()
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<ManualClock>,
    pub state: AppState,
    pub engine: onsite::engine::Engine,
    /// The fake Bot API the app's bot talks to.
    pub telegram: crate::fake_telegram::FakeTelegram,
    /// A bureau user's token.
    pub token: String,
    /// The SQLite database and the local evidence store.
    _dir: tempfile::TempDir,
    pg: Option<crate::postgres::PgDatabase>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl TestApp {
    /// Starts the app on `backend`; `None` when PostgreSQL is unavailable
    /// outside CI (under `CI=true` that is a failure instead).
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts the app with a configuration adjusted by `configure`. The
    /// background engine is off unless `configure` turns it on: tests drive
    /// it with `tick()` against the manual clock.
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> Option<Self> {
        let telegram = crate::fake_telegram::FakeTelegram::start().await;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = base_config(&telegram, &dir);
        configure(&mut config);
        let mut pg = None;
        match backend {
            Backend::Sqlite => {
                config.database.url = format!("sqlite://{}", dir.path().join("onsite.db").display());
            }
            Backend::Postgres => {
                let db = crate::postgres::PgDatabase::create().await?;
                config.database.url = db.url();
                config.database.max_connections = 5;
                pg = Some(db);
            }
        }
        let clock = Arc::new(ManualClock::new(t0() - Duration::hours(1)));
        let mut test = Self::serve(config, clock, telegram, dir, pg).await;
        test.token = test.user_token("duty", UserRole::Bureau, None).await;
        test.clock.set(t0());
        Some(test)
    }

    /// A second instance of the same deployment: the same database, Telegram
    /// and clock, its own process state (engine, limits, liveness), and the
    /// same bureau token.
    pub async fn peer(&self, configure: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = base_config(&self.telegram, &dir);
        config.database = self.state.config.database.clone();
        configure(&mut config);
        let mut peer = Self::serve(config, self.clock.clone(), self.telegram.clone(), dir, None).await;
        peer.token = self.token.clone();
        peer
    }

    async fn serve(
        config: Config,
        clock: Arc<ManualClock>,
        telegram: crate::fake_telegram::FakeTelegram,
        dir: tempfile::TempDir,
        pg: Option<crate::postgres::PgDatabase>,
    ) -> Self {
        let app = App::build(config, clock.clone()).await.expect("app builds");
        let base = format!("http://{}", app.local_addr());
        let state = app.state().clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(app.run_until_stopped(async move {
            let _ = rx.await;
        }));
        Self {
            base,
            client: reqwest::Client::new(),
            clock,
            engine: onsite::engine::Engine::new(state.clone()),
            telegram,
            state,
            token: String::new(),
            _dir: dir,
            pg,
            shutdown: Some(tx),
        }
    }

    /// Creates a user and returns a fresh API token for it.
    pub async fn user_token(&self, username: &str, role: UserRole, unit_id: Option<i64>) -> String {
        let now = self.clock.now_utc();
        self.state
            .store
            .create_user(
                &By::operator("test"),
                NewUser {
                    username: username.into(),
                    password: Some(SecretString::from("a long test password")),
                    role,
                    unit_id,
                },
                now,
            )
            .await
            .expect("create user");
        let (_, token) = self
            .state
            .store
            .create_token(&By::operator("test"), username, "test", None, now)
            .await
            .expect("create token");
        token.expose_secret().to_owned()
    }

    /// One pass of the engine: fire due timers, send due pages.
    pub async fn tick(&self) -> onsite::engine::Tick {
        self.engine.tick().await.expect("engine tick")
    }

    /// One pass of the bot: poll the fake Telegram into the inbox, handle it.
    pub async fn bot_step(&self) {
        let bot = self.state.telegram.clone().expect("telegram configured");
        let core = onsite::bot::CoreBot::new(self.state.clone());
        onsite_telegram::poller::poll_once(&bot, &core, 0).await.expect("poll");
        onsite::engine::telegram::handle_inbox(&self.state, &bot).await.expect("handle");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request")
    }

    pub async fn post_as(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_as(&self.token, path).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.post_as(&self.token, path, body).await
    }

    /// GET that must answer 200; returns the JSON body.
    pub async fn get_ok(&self, path: &str) -> Value {
        expect_json(self.get(path).await, StatusCode::OK).await
    }

    /// Creates a unit with one branch and one person of each role.
    pub async fn unit_with_people(&self, name: &str) -> Unit {
        let unit = expect_json(self.post("/api/v1/units", &json!({"name": name})).await, StatusCode::CREATED).await;
        let id = unit["id"].as_i64().unwrap();
        let branch = expect_json(
            self.post(
                &format!("/api/v1/units/{id}/branches"),
                &json!({"name": "渝中分公司", "district": "渝中区", "address": "重庆市渝中区民族路188号", "lat": 29.561, "lon": 106.579}),
            )
            .await,
            StatusCode::CREATED,
        )
        .await;
        let branch_id = branch["id"].as_i64().unwrap();
        let mut people = Vec::new();
        for (pname, role) in
            [("王敏", "liaison"), ("李强", "support_lead"), ("陈静", "emergency_lead"), ("赵磊", "engineer")]
        {
            let p = expect_json(
                self.post(
                    &format!("/api/v1/units/{id}/people"),
                    &json!({"name": pname, "phone": "13800000000", "role": role, "branch_id": branch_id}),
                )
                .await,
                StatusCode::CREATED,
            )
            .await;
            people.push(p["id"].as_i64().unwrap());
        }
        Unit { id, branch_id, people }
    }

    /// Issues a notice to the given units; returns the notice JSON.
    pub async fn issue(&self, unit_ids: &[i64], requires_onsite: bool) -> Value {
        expect_json(self.post("/api/v1/notices", &notice_body(unit_ids, requires_onsite)).await, StatusCode::CREATED)
            .await
    }

    pub async fn event(&self, assignment: i64, body: Value) -> Response {
        self.post(&format!("/api/v1/assignments/{assignment}/events"), &body).await
    }

    pub async fn timeline_len(&self, assignment: i64) -> usize {
        self.get_ok(&format!("/api/v1/assignments/{assignment}/timeline")).await.as_array().unwrap().len()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        // The PostgreSQL database is dropped after the server is told to stop.
        let _ = self.pg.take();
    }
}

/// The tests' configuration: loopback, the engine off (tests drive it with
/// `tick()` against the manual clock), the fake Telegram, evidence under `dir`.
fn base_config(telegram: &crate::fake_telegram::FakeTelegram, dir: &tempfile::TempDir) -> Config {
    let mut config = Config::default();
    config.http.addr = "127.0.0.1:0".into();
    config.engine.enabled = false;
    config.telegram.token = Some(SecretString::from(crate::fake_telegram::TOKEN));
    config.telegram.api_url = telegram.url.clone();
    // Plain http on loopback, as in development.
    config.web.secure_cookie = false;
    config.evidence.path = dir.path().join("evidence");
    // Small enough that the size refusals are tested with small files.
    (config.evidence.max_image_mib, config.evidence.max_document_mib, config.evidence.max_bulk_mib) = (2, 2, 4);
    config
}

pub struct Unit {
    pub id: i64,
    pub branch_id: i64,
    pub people: Vec<i64>,
}

pub fn notice_body(unit_ids: &[i64], requires_onsite: bool) -> Value {
    json!({
        "title": "某门户网站首页被篡改",
        "category": "web_defacement",
        "severity": "III",
        "target": {"name": "某互联网企业", "kind": "internet_company"},
        "site": {"address": "重庆市渝中区解放碑", "lat": 29.5577, "lon": 106.5772},
        "description": "首页出现非法内容，需现场取证处置",
        "requires_onsite": requires_onsite,
        "unit_ids": unit_ids,
    })
}

/// Asserts the status and returns the JSON body (with the body in the message on failure).
pub async fn expect_json(response: Response, status: StatusCode) -> Value {
    let got = response.status();
    let text = response.text().await.expect("body");
    assert_eq!(got, status, "unexpected status; body: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Asserts a problem+json answer with this status; returns the problem.
pub async fn expect_problem(response: Response, status: StatusCode) -> Value {
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap_or("").to_owned());
    let problem = expect_json(response, status).await;
    assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{problem}");
    assert_eq!(problem["status"].as_u64(), Some(u64::from(status.as_u16())), "{problem}");
    assert!(!problem["detail"].as_str().unwrap_or("").is_empty(), "a problem must say what is wrong: {problem}");
    problem
}

/// Extension so tests read the manual clock without importing the trait.
pub trait ClockExt {
    fn now_utc(&self) -> DateTime<Utc>;
}

impl ClockExt for ManualClock {
    fn now_utc(&self) -> DateTime<Utc> {
        onsite::domain::clock::Clock::now(self)
    }
}

//! onsite: emergency-response dispatch and SLA tracker.
//!
//! `App::build` is the one way to start the service; `main` and the tests
//! both go through it.

pub mod app;
pub mod backup;
pub mod bot;
pub mod config;
pub mod demo;
pub mod engine;
pub mod evidence;
pub mod latest;
pub mod limits;
pub mod notify;
pub mod reports;
pub mod telemetry;
pub mod throttle;
pub mod web;

pub use onsite_domain as domain;
pub use onsite_domain::{crypto, labelled_enum};
pub use onsite_store as store;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use chrono_tz::Tz;
use tokio::net::TcpListener;

use crate::config::{Config, ConfigError};
use crate::domain::clock::Clock;
use crate::domain::people::ChannelKind;
use crate::domain::policy::SlaPolicy;
use crate::engine::Engine;
use crate::notify::Channels;
use crate::notify::webhook::Webhook;
use crate::store::{Store, StoreError};

/// What every request handler, worker and test shares.
#[derive(Clone)]
pub struct AppState {
    /// The use cases every door calls.
    pub app: app::Core,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// The zone times are shown in (Asia/Shanghai by default).
    pub tz: Tz,
    /// The policy new assignments are dispatched with.
    pub policy: Arc<SlaPolicy>,
    /// The page senders, by channel kind.
    pub channels: Channels,
    /// The Telegram bot, when a token is configured.
    pub telegram: Option<teloxide::Bot>,
    /// The key signing action links.
    pub link_key: Arc<Vec<u8>>,
    /// Wakes the Telegram update handler (webhook mode).
    pub telegram_wake: Arc<tokio::sync::Notify>,
    /// The bot's own account (`getMe`), asked once when the first update
    /// is handled: commands may name the bot.
    pub telegram_me: Arc<tokio::sync::OnceCell<teloxide::types::Me>>,
    /// Limits per client on sign-in, action links and link codes.
    pub throttles: Arc<throttle::Throttles>,
    /// The live board's rows, rendered once per scope and change.
    pub board: Arc<web::pages::board_snapshots::BoardSnapshots>,
    /// The SLA report's JSON, worked out once per scope, filter and data version.
    pub reports: Arc<latest::Latest<String, (i64, u64, i64), axum::body::Bytes>>,
    /// When each engine loop last finished a pass (`/readyz`, the heartbeat).
    pub health: Arc<engine::health::Health>,
    /// The WeCom app, when configured: a channel, and the voice of its
    /// callback door.
    pub wecom: Option<Arc<notify::wecom_app::WecomApp>>,
    /// The Feishu app, when configured: a channel, and the voice of its
    /// callback door.
    pub feishu: Option<Arc<notify::feishu_app::FeishuApp>>,
    /// The DingTalk app, when configured: a channel, and the voice of its
    /// callback door.
    pub dingtalk: Option<Arc<notify::dingtalk_app::DingtalkApp>>,
    /// The SMS gateway, when configured: a channel, and how the SMS reply
    /// door answers.
    pub sms: Option<Arc<notify::sms::Sms>>,
}

impl AppState {
    pub fn new(config: Config, store: Store, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let tz = config.timezone()?;
        let policy = Arc::new(config.sla_policy());
        let telegram = telegram_bot(&config)?;
        let mut channels = channels(&config)?;
        let limits = Arc::new(limits::Limits::for_store(&store));
        if let Some(bot) = &telegram {
            let sender = notify::telegram::Telegram::new(bot.clone(), limits.clone());
            channels = channels.with(ChannelKind::Telegram, Arc::new(sender));
        }
        let wecom = wecom_app(&config, clock.clone())?.map(Arc::new);
        let feishu = feishu_app(&config, clock.clone())?.map(Arc::new);
        let dingtalk = dingtalk_app(&config, clock.clone())?.map(Arc::new);
        let sms = sms_gateway(&config)?.map(Arc::new);
        let voice = voice_gateway(&config, tz)?.map(Arc::new);
        if !config.notify.demo_inbox {
            channels = serving(channels, ChannelKind::WecomApp, &wecom);
            channels = serving(channels, ChannelKind::FeishuApp, &feishu);
            channels = serving(channels, ChannelKind::DingtalkApp, &dingtalk);
            channels = serving(channels, ChannelKind::Sms, &sms);
            channels = serving(channels, ChannelKind::Voice, &voice);
        }
        let link_key = Arc::new(link_key(&config));
        let throttles = Arc::new(throttle::Throttles::new(&config, limits));
        let store = store.with_zone(tz);
        Ok(Self {
            app: app::Core::new(store.clone(), clock.clone(), policy.clone())
                .with_link_code_ttl(config.telegram.link_code_ttl)
                .with_follow_up(config.instructions.follow_up())
                .with_schedule(config.work_reports.schedule())
                .with_evidence(evidence::Evidence {
                    objects: evidence::Objects::open(&config.evidence)?,
                    limits: config.evidence.limits(),
                    radius_m: config.telegram.onsite_radius_m,
                    sweep_after: chrono::Duration::from_std(config.evidence.sweep_after)
                        .unwrap_or(chrono::Duration::days(1)),
                }),
            store,
            clock,
            config: Arc::new(config),
            tz,
            policy,
            channels,
            telegram,
            link_key,
            telegram_wake: Arc::new(tokio::sync::Notify::new()),
            telegram_me: Arc::new(tokio::sync::OnceCell::new()),
            throttles,
            board: Arc::default(),
            reports: Arc::default(),
            health: Arc::default(),
            wecom,
            feishu,
            dingtalk,
            sms,
        })
    }
}

impl AppState {
    /// A signed action-link token for this person to act on this assignment,
    /// naming the channel it goes out on, valid for the configured time.
    pub fn action_token(&self, assignment_id: i64, person_id: i64, channel_id: i64) -> String {
        let ttl = i64::try_from(self.config.notify.link_ttl.as_secs()).unwrap_or(86_400);
        let expires_at = self.clock.now().timestamp() + ttl;
        notify::action_link::sign(
            &self.link_key,
            notify::action_link::ActionGrant { assignment_id, person_id, channel_id, expires_at },
        )
    }

    /// The action page's address for that token.
    pub fn action_url(&self, assignment_id: i64, person_id: i64, channel_id: i64) -> String {
        let token = self.action_token(assignment_id, person_id, channel_id);
        format!("{}/a/{token}", self.config.http.public_url.trim_end_matches('/'))
    }

    /// The address of the page where this person confirms reading the
    /// instruction of `receipt_id`, signed like an action link.
    pub fn read_url(&self, receipt_id: i64, person_id: i64, channel_id: i64) -> String {
        let ttl = i64::try_from(self.config.notify.link_ttl.as_secs()).unwrap_or(86_400);
        let expires_at = self.clock.now().timestamp() + ttl;
        let grant = notify::action_link::ReadGrant { receipt_id, person_id, channel_id, expires_at };
        let token = notify::action_link::sign_read(&self.link_key, grant);
        format!("{}/r/{token}", self.config.http.public_url.trim_end_matches('/'))
    }
}

/// The action-link key: the configured secret, or a per-process random one.
fn link_key(config: &Config) -> Vec<u8> {
    use secrecy::ExposeSecret;
    match &config.notify.link_secret {
        Some(secret) => secret.expose_secret().as_bytes().to_vec(),
        None => {
            tracing::warn!("ONSITE_NOTIFY__LINK_SECRET is not set: action links are valid in this process only");
            crate::crypto::random_secret("", 32).into_bytes()
        }
    }
}

/// The bot, pointed at the configured Bot API (a local fake in tests).
fn telegram_bot(config: &Config) -> Result<Option<teloxide::Bot>, StartupError> {
    use secrecy::ExposeSecret;
    let Some(token) = &config.telegram.token else { return Ok(None) };
    let client = reqwest::Client::builder()
        .connect_timeout(config.outbox.send_timeout)
        .timeout(config.telegram.poll_timeout + config.outbox.send_timeout)
        .build()
        .map_err(|e| StartupError::Channel(e.to_string()))?;
    let url = url::Url::parse(&config.telegram.api_url)
        .map_err(|e| StartupError::Channel(format!("telegram.api_url: {e}")))?;
    Ok(Some(teloxide::Bot::with_client(token.expose_secret(), client).set_api_url(url)))
}

/// The WeCom app, when `[wecom]` names one (validation has made sure the
/// section is whole).
fn wecom_app(config: &Config, clock: Arc<dyn Clock>) -> Result<Option<notify::wecom_app::WecomApp>, StartupError> {
    let w = &config.wecom;
    let (Some(corp_id), Some(agent_id), Some(secret)) = (&w.corp_id, w.agent_id, &w.secret) else { return Ok(None) };
    let callback = callback_crypt((&w.token, &w.encoding_aes_key), corp_id, "wecom.encoding_aes_key")?;
    let keys = notify::wecom_app::WecomKeys {
        api_url: w.api_url.clone(),
        corp_id: corp_id.clone(),
        agent_id,
        secret: secret.clone(),
        callback,
    };
    notify::wecom_app::WecomApp::new(keys, config.outbox.send_timeout, clock)
        .map(Some)
        .map_err(|e| StartupError::Channel(e.to_string()))
}

/// The Feishu app, when `[feishu]` names one.
fn feishu_app(config: &Config, clock: Arc<dyn Clock>) -> Result<Option<notify::feishu_app::FeishuApp>, StartupError> {
    use secrecy::ExposeSecret;
    let f = &config.feishu;
    let (Some(app_id), Some(app_secret)) = (&f.app_id, &f.app_secret) else { return Ok(None) };
    let keys = notify::feishu_app::FeishuKeys {
        api_url: f.api_url.clone(),
        app_id: app_id.clone(),
        app_secret: app_secret.clone(),
        verification_token: f.verification_token.clone(),
        crypt: f.encrypt_key.as_ref().map(|k| notify::feishu_crypt::FeishuCrypt::new(k.expose_secret())),
    };
    notify::feishu_app::FeishuApp::new(keys, config.outbox.send_timeout, clock)
        .map(Some)
        .map_err(|e| StartupError::Channel(e.to_string()))
}

/// The DingTalk app, when `[dingtalk]` names one.
fn dingtalk_app(
    config: &Config,
    clock: Arc<dyn Clock>,
) -> Result<Option<notify::dingtalk_app::DingtalkApp>, StartupError> {
    let d = &config.dingtalk;
    let (Some(app_key), Some(app_secret)) = (&d.app_key, &d.app_secret) else { return Ok(None) };
    let callback = callback_crypt((&d.callback_token, &d.callback_aes_key), app_key, "dingtalk.callback_aes_key")?;
    let keys = notify::dingtalk_app::DingtalkKeys {
        api_url: d.api_url.clone(),
        app_key: app_key.clone(),
        app_secret: app_secret.clone(),
        robot_code: d.robot_code.clone().unwrap_or_else(|| app_key.clone()),
        callback,
    };
    notify::dingtalk_app::DingtalkApp::new(keys, config.outbox.send_timeout, clock)
        .map(Some)
        .map_err(|e| StartupError::Channel(e.to_string()))
}

/// A callback's keys (token, AES key) for `receiver`, when both are set.
fn callback_crypt(
    (token, key): (&Option<secrecy::SecretString>, &Option<secrecy::SecretString>),
    receiver: &str,
    key_name: &str,
) -> Result<Option<notify::msg_crypt::MsgCrypt>, StartupError> {
    use secrecy::ExposeSecret;
    let (Some(token), Some(key)) = (token, key) else { return Ok(None) };
    notify::msg_crypt::MsgCrypt::new(token.expose_secret(), key.expose_secret(), receiver)
        .map(Some)
        .map_err(|e| StartupError::Channel(format!("{key_name}: {e}")))
}

/// `channels` with `sender` paging `kind`, when it is configured.
fn serving<T: notify::Channel + 'static>(channels: Channels, kind: ChannelKind, sender: &Option<Arc<T>>) -> Channels {
    match sender {
        Some(sender) => channels.with(kind, sender.clone()),
        None => channels,
    }
}

/// The voice gateway, when `[voice]` names one.
fn voice_gateway(config: &Config, tz: chrono_tz::Tz) -> Result<Option<notify::voice::Voice>, StartupError> {
    let v = &config.voice;
    let (Some(url), Some(tts_code)) = (&v.url, &v.tts_code) else { return Ok(None) };
    notify::voice::Voice::new(
        url.clone(),
        tts_code.clone(),
        v.key.clone(),
        v.play_times,
        tz,
        config.outbox.send_timeout,
    )
    .map(Some)
    .map_err(|e| StartupError::Channel(e.to_string()))
}

/// The SMS gateway, when `[notify] sms_url` names one.
fn sms_gateway(config: &Config) -> Result<Option<notify::sms::Sms>, StartupError> {
    let n = &config.notify;
    let Some(url) = &n.sms_url else { return Ok(None) };
    notify::sms::Sms::new(url.clone(), n.sms_template.clone(), n.sms_key.clone(), config.outbox.send_timeout)
        .map(Some)
        .map_err(|e| StartupError::Channel(e.to_string()))
}

/// The senders this configuration can drive.
fn channels(config: &Config) -> Result<Channels, StartupError> {
    let webhook = Webhook::new(config.outbox.send_timeout, config.notify.webhook_secret.clone())
        .map_err(|e| StartupError::Channel(e.to_string()))?;
    let robot = |kind| {
        notify::robots::Robot::new(kind, config.outbox.send_timeout).map_err(|e| StartupError::Channel(e.to_string()))
    };
    let mut channels = Channels::default()
        .with(ChannelKind::Webhook, Arc::new(webhook))
        .with(ChannelKind::Wecom, Arc::new(robot(ChannelKind::Wecom)?))
        .with(ChannelKind::Dingtalk, Arc::new(robot(ChannelKind::Dingtalk)?))
        .with(ChannelKind::Feishu, Arc::new(robot(ChannelKind::Feishu)?));
    if config.notify.demo_inbox {
        let inbox: Arc<dyn notify::Channel> = Arc::new(notify::demo::DemoInbox);
        for kind in ChannelKind::ALL.iter().filter(|k| **k != ChannelKind::Telegram) {
            channels = channels.with(*kind, inbox.clone());
        }
    }
    Ok(channels)
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot set up a channel: {0}")]
    Channel(String),
    #[error(transparent)]
    Evidence(#[from] evidence::ObjectsError),
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
        telemetry::metrics_handle();
        let tz = config.timezone()?;
        let wording = Arc::new(notify::message::Wording { tz });
        let store = Store::connect(&config.database, wording).await?.with_zone(tz);
        store.migrate().await?;
        store.ensure_report_cells().await?;
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

    /// Serves (and, when enabled, runs the engine) until `shutdown`
    /// completes, then lets in-flight requests and sends finish.
    pub async fn run_until_stopped(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let bot = match (&self.state.telegram, self.state.config.engine.enabled) {
            (Some(bot), true) => Some(engine::telegram::spawn(self.state.clone(), bot.clone(), stop_rx.clone())),
            _ => None,
        };
        // Held before anything is claimed: a peer takes back the claims of
        // an instance without it.
        let liveness = self.state.store.take_liveness().await.map_err(std::io::Error::other)?;
        let alive = tokio::spawn(liveness.keep(self.state.config.engine.failover_check, stop_rx.clone()));
        let engine = self.state.config.engine.enabled.then(|| Engine::new(self.state.clone()).spawn(stop_rx));
        let router = web::router(self.state.clone());
        let served = web::listener::serve(self.listener, router, &self.state.config.http, async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        })
        .await;
        for task in [engine, bot, Some(alive)].into_iter().flatten() {
            let _ = task.await;
        }
        served
    }
}

//! The `onsite` command: parses the CLI and calls into the library.

use onsite::domain::access::By;
use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use onsite::config::Config;
use onsite::crypto::random_secret;
use onsite::domain::access::UserRole;
use onsite::domain::clock::{Clock, SystemClock};
use onsite::store::Store;
use onsite::store::users::NewUser;
use onsite::{App, demo, telemetry};
use secrecy::{ExposeSecret, SecretString};

#[derive(Parser)]
#[command(name = "onsite", version, about = "Emergency-response dispatch and SLA tracker (应急响应派单与时限跟踪)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web app, the API and the workers.
    Serve {
        /// Seed demo units, people and a bureau user into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// Administrative tasks.
    #[command(subcommand)]
    Admin(Admin),
    /// Write a backup while the service runs (SQLite): the database copied
    /// and checked, its audit key, the local evidence files; one file,
    /// onsite-<UTC time>.tar. 备份
    Backup {
        /// The directory to write it to; `[backup] dir` when omitted.
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
    /// Restore a backup into an empty data directory (the configured
    /// database and evidence store); refuses one in use. 恢复
    Restore {
        /// The backup file (onsite-….tar).
        file: std::path::PathBuf,
    },
    /// The registry in and out of a spreadsheet (XLSX or CSV). 名录导入导出
    #[command(subcommand)]
    Registry(Registry),
}

#[derive(Subcommand)]
enum Registry {
    /// Check a registry file and list every bad cell; with --commit, write
    /// it (all or nothing). Importing the same file again changes nothing.
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        commit: bool,
    },
    /// Write the registry in the layout the import reads.
    Export {
        /// xlsx or csv; told by --to's extension when omitted.
        #[arg(long)]
        format: Option<String>,
        /// The file to write; onsite-registry.<format> when omitted.
        #[arg(long)]
        to: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum Admin {
    /// Create a user; prints a generated password unless --password-stdin.
    CreateUser {
        #[arg(long)]
        username: String,
        /// admin, bureau, manager or unit.
        #[arg(long)]
        role: String,
        /// The unit of a `unit` user (or of a unit-scoped manager).
        #[arg(long)]
        unit: Option<i64>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Create an API token for a user and print it once.
    CreateToken {
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Lifetime such as `90d` or `12h`; no expiry if omitted.
        #[arg(long)]
        expires_in: Option<humantime::Duration>,
    },
    /// Set a user's password (prompted twice, or one line on standard input);
    /// unlocks the account and ends its web sessions.
    SetPassword {
        #[arg(long)]
        username: String,
    },
    /// Revoke a user's API tokens: those with --name, or all of them.
    RevokeToken {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: Option<String>,
    },
    /// Check the audit log's keyed chain; names the first edited, deleted,
    /// reordered or inserted row (or the check that failed) and exits
    /// non-zero if there is one.
    VerifyAudit {
        /// Signed checkpoints (JSON lines from `audit-checkpoint`) the log
        /// must still contain: proves truncation and rewriting.
        #[arg(long)]
        checkpoints: Option<std::path::PathBuf>,
    },
    /// Print a signed checkpoint of the audit chain (one JSON line), to be
    /// appended to a file the database cannot reach.
    AuditCheckpoint,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let config = Config::load()?;
    telemetry::init(&config.log);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    match cli.command {
        Command::Serve { demo } => serve(config, clock, demo).await,
        Command::Migrate => {
            let store = store_of(&config).await?;
            store.migrate().await?;
            store.ensure_report_cells().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin(admin) => run_admin(config, clock, admin).await,
        Command::Backup { to } => {
            let store = store_of(&config).await?;
            let dir = to.unwrap_or_else(|| config.backup.dir.clone());
            let taken = onsite::backup::take(&store, &config, &dir, clock.now(), None).await?;
            println!("backup written 备份已写入: {} ({} bytes 字节)", taken.file.display(), taken.bytes);
            println!("{}", taken.manifest);
            Ok(())
        }
        Command::Registry(registry) => run_registry(config, clock, registry).await,
        Command::Restore { file } => {
            let manifest = onsite::backup::restore(&config, &file).await?;
            println!("restored 已恢复: {}", file.display());
            println!("{manifest}");
            Ok(())
        }
    }
}

async fn serve(mut config: Config, clock: Arc<dyn Clock>, demo: bool) -> anyhow::Result<()> {
    config.notify.demo_inbox |= demo;
    let app = App::build(config, clock.clone()).await?;
    if demo {
        match demo::seed(app.state(), clock.now()).await? {
            Some(creds) => {
                println!("演示数据已创建 Demo data created. Shown once / 仅显示一次:");
                println!("  user 用户名: {}", creds.username);
                println!("  password 密码: {}", creds.password.expose_secret());
                println!("  API token 令牌: {}", creds.token.expose_secret());
                println!("  admin 管理员: {} / {}", creds.admin_username, creds.admin_password.expose_secret());
            }
            None => println!(
                "演示数据已存在 Demo data already present; a lost password: onsite admin set-password --username {}; a new token: onsite admin create-token --username {}",
                demo::DEMO_USERNAME,
                demo::DEMO_USERNAME
            ),
        }
    }
    let addr = app.local_addr();
    // Written, not println!: a closed stdout (a supervisor that stopped
    // reading) must not take the service down. Tests read up to the
    // "listening on" line, so it comes last.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "  值守看板 Live board: http://{addr}/board (登录 sign in: http://{addr}/login)");
    if app.state().config.notify.demo_inbox {
        let _ = writeln!(out, "  演示收件箱 Demo inbox (every page lands here): http://{addr}/demo/inbox");
    }
    let _ = writeln!(out, "onsite 已启动 listening on http://{addr}/");
    let _ = out.flush();
    tracing::info!(%addr, "serving");
    app.run_until_stopped(shutdown_signal()).await.context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

async fn run_admin(config: Config, clock: Arc<dyn Clock>, admin: Admin) -> anyhow::Result<()> {
    let store = store_of(&config).await?;
    store.migrate().await?;
    match admin {
        Admin::CreateUser { username, role, unit, password_stdin } => {
            let role = UserRole::from_code(&role)
                .with_context(|| format!("unknown role `{role}`: use admin, bureau, manager or unit"))?;
            let (password, generated) = if password_stdin {
                (password_from_stdin()?, false)
            } else {
                (SecretString::from(random_secret("", 9)), true)
            };
            let shown = password.expose_secret().to_owned();
            let user = store
                .create_user(
                    &By::operator("cli"),
                    NewUser { username, password: Some(password), role, unit_id: unit },
                    clock.now(),
                )
                .await?;
            println!("created user {} (id {}, role {})", user.username, user.id, user.role);
            if generated {
                println!("password (shown once): {shown}");
            }
        }
        Admin::CreateToken { username, name, expires_in } => {
            let now = clock.now();
            let expires_at = expires_in
                .map(|d| chrono::Duration::from_std(*d).map(|d| now + d))
                .transpose()
                .context("expiry too far in the future")?;
            let (_, token) = store.create_token(&By::operator("cli"), &username, &name, expires_at, now).await?;
            println!("{}", token.expose_secret());
        }
        Admin::SetPassword { username } => {
            let password = password_from_stdin()?;
            store.set_password(&By::operator("cli"), &username, &password, clock.now()).await?;
            println!("password set for {username} / 已为 {username} 设置新密码");
        }
        Admin::RevokeToken { username, name } => {
            let revoked = store.revoke_tokens(&By::operator("cli"), &username, name.as_deref(), clock.now()).await?;
            println!("revoked {revoked} token(s) of {username}");
        }
        Admin::VerifyAudit { checkpoints } => {
            let checkpoints = match checkpoints {
                Some(path) => read_checkpoints(&path)?,
                None => Vec::new(),
            };
            // What is committed but not yet chained is chained first.
            if let Err(e) = store.seal_audit().await {
                tracing::warn!(error = %e, "could not seal before verifying");
            }
            match store.verify_audit(&checkpoints).await? {
                Ok(rows) => println!("audit log intact: {rows} entries chained / 审计日志完整：{rows} 条"),
                Err(tamper) => anyhow::bail!("audit log tampered with / 审计日志被篡改: {tamper}"),
            }
        }
        Admin::AuditCheckpoint => {
            let checkpoint = store.audit_checkpoint(clock.now()).await?;
            println!("{}", serde_json::to_string(&checkpoint)?);
        }
    }
    Ok(())
}

async fn run_registry(config: Config, clock: Arc<dyn Clock>, registry: Registry) -> anyhow::Result<()> {
    use onsite::reports::registry_sheet::{SheetFormat, file_of, table_of};
    let store = store_of(&config).await?;
    store.migrate().await?;
    let by = By::operator("cli");
    match registry {
        Registry::Import { file, commit } => {
            let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let sheet = table_of(&bytes).and_then(|t| onsite::domain::registry_sheet::read(&t));
            let done = match sheet {
                Ok(sheet) => store.import_registry(&by, &sheet, commit, clock.now()).await.map(|i| (i, sheet)),
                Err(e) => Err(e.into()),
            };
            let (imported, sheet) = match done {
                Ok(done) => done,
                Err(onsite::store::StoreError::Domain(onsite::domain::DomainError::Invalid(errors))) => {
                    for e in &errors {
                        eprintln!("{}\n  {}", e.message_zh, e.message);
                    }
                    anyhow::bail!("{} problem(s), nothing imported / 共 {} 处问题，未导入", errors.len(), errors.len());
                }
                Err(e) => return Err(e.into()),
            };
            let c = imported.counts;
            for (zh, en, n) in
                [("单位", "units", c.units), ("机构", "branches", c.branches), ("人员", "people", c.people)]
            {
                println!(
                    "{zh} {en}: 新增 created {}, 更新 updated {}, 未变 unchanged {}",
                    n.created, n.updated, n.unchanged
                );
            }
            println!("渠道 channels: 新增 added {}", c.channels_added);
            if !sheet.ignored_columns.is_empty() {
                println!("未读取的列 columns not read: {}", sheet.ignored_columns.join(", "));
            }
            println!(
                "{}",
                match (commit, imported.committed) {
                    (false, _) => "仅检查，未写入 dry run: nothing written (--commit to import)",
                    (true, true) => "已导入 imported",
                    (true, false) => "无需改动 nothing to change",
                }
            );
        }
        Registry::Export { format, to } => {
            let format = match format.as_deref().or_else(|| to.as_ref()?.extension()?.to_str()) {
                None | Some("xlsx") => SheetFormat::Xlsx,
                Some("csv") => SheetFormat::Csv,
                Some(other) => anyhow::bail!("unknown format `{other}`: use xlsx or csv / 格式应为 xlsx 或 csv"),
            };
            let to = to.unwrap_or_else(|| format!("onsite-registry.{}", format.extension()).into());
            let units = store.registry_exported(&by, clock.now()).await?;
            let table = onsite::domain::registry_sheet::write(&units);
            std::fs::write(&to, file_of(&table, format)?).with_context(|| format!("cannot write {}", to.display()))?;
            println!("已导出 exported {} rows 行: {}", table.len() - 1, to.display());
        }
    }
    Ok(())
}

/// The checkpoints in a file of JSON lines, blank lines skipped.
fn read_checkpoints(path: &std::path::Path) -> anyhow::Result<Vec<onsite::domain::audit::Checkpoint>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).with_context(|| format!("{} line {}: not a checkpoint", path.display(), i + 1))
        })
        .collect()
}

/// The password of `--password-stdin`: typed twice at a prompt that does
/// not echo when standard input is a terminal, else its first line (a
/// password piped in twice, as for a prompt, is not taken as `pw\npw`).
fn password_from_stdin() -> anyhow::Result<SecretString> {
    use std::io::{BufRead, IsTerminal};
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("密码 Password: ")?;
        let again = rpassword::prompt_password("再次输入 Again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ / 两次输入的密码不一致");
        anyhow::ensure!(!first.is_empty(), "no password typed / 未输入密码");
        return Ok(SecretString::from(first));
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(!password.is_empty(), "no password on standard input / 标准输入中没有密码");
    Ok(SecretString::from(password.to_owned()))
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}

/// The store as the service opens it (pages written in the display zone).
async fn store_of(config: &Config) -> anyhow::Result<Store> {
    let tz = config.timezone()?;
    let wording = Arc::new(onsite::notify::message::Wording { tz });
    Ok(Store::connect(&config.database, wording).await?.with_zone(tz))
}

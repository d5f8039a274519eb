//! The real `onsite` binary: `serve --demo` prints working credentials and its
//! address, stops cleanly on SIGTERM; `admin` creates users and tokens that
//! the API accepts; a bad configuration value stops start-up with its key.

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/process.rs"]
mod process;
#[path = "support/trials.rs"]
mod trials;

use process::Server;

fn onsite(dir: &std::path::Path) -> std::process::Command {
    process::onsite(dir, &format!("sqlite://{}", dir.join("data/onsite.db").display()))
}

async fn serve_demo_prints_credentials_that_work_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = onsite(dir.path());
    cmd.args(["serve", "--demo"]);
    let server = Server::start(cmd);
    let (base, lines) = (server.base.clone(), server.lines.clone());
    let token = lines
        .iter()
        .find_map(|l| l.split_whitespace().find(|w| w.starts_with("onsite_")))
        .expect("a token is printed")
        .to_owned();
    assert!(lines.iter().any(|l| l.contains("duty")), "{lines:?}");

    let client = reqwest::Client::new();
    let units: serde_json::Value =
        client.get(format!("{base}/api/v1/units")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    assert!(units.as_array().unwrap().len() >= 3, "demo units: {units}");
    let landing = client.get(format!("{base}/")).send().await.unwrap().text().await.unwrap();
    assert!(landing.contains("onsite"));

    assert!(server.stop().success(), "graceful shutdown exits 0");
    assert!(dir.path().join("data/onsite.db").exists(), "the SQLite file is under ./data");

    // A second start with --demo keeps the data and prints no new secrets.
    let mut cmd = onsite(dir.path());
    cmd.args(["serve", "--demo"]);
    let again = Server::start(cmd);
    let (base, lines) = (again.base.clone(), again.lines.clone());
    assert!(!lines.iter().any(|l| l.contains("onsite_")), "{lines:?}");
    let still = client.get(format!("{base}/api/v1/units")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(still.status(), 200, "the first token still works");
    assert!(again.stop().success());
}

/// What a newcomer sees first: three months of history with every kind of
/// outcome, the other duties, two notices still running, and no page that
/// failed.
async fn the_demo_has_lived_three_months(dir: &std::path::Path, url: &str) {
    let mut cmd = process::onsite(dir, url);
    cmd.args(["serve", "--demo"]);
    let server = Server::start(cmd);
    let token =
        server.lines.iter().find_map(|l| l.split("API token 令牌: ").nth(1)).expect("a token").trim().to_owned();
    assert!(server.lines.iter().any(|l| l.contains("admin 管理员: admin / ")), "{:?}", server.lines);
    let client = reqwest::Client::new();
    let get = |path: String| {
        let (client, token, base) = (client.clone(), token.clone(), server.base.clone());
        async move {
            let r = client.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.json::<serde_json::Value>().await.unwrap()
        }
    };
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let from = today - chrono::Duration::days(92);
    let report = get(format!("/api/v1/reports/sla?from={from}&to={today}")).await;
    let t = &report["totals"];
    assert!(t["assignments"].as_i64().unwrap() >= 40, "{t}");
    for outcome in ["kept", "breached", "stood_down", "extended", "closure_filed", "closure_accepted"] {
        assert!(t[outcome].as_i64().unwrap() > 0, "some {outcome}: {t}");
    }
    // The units' other duties, lived too: reports filed and reviewed,
    // instructions confirmed on time, late and not yet, work reports.
    let d = &report["duties"];
    let figures = |names: &[&str]| names.iter().map(|n| d[*n].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(figures(&["special_filed", "special_accepted", "threat_filed", "threat_accepted"]), [2, 1, 2, 1], "{d}");
    assert_eq!(
        figures(&["threat_findings", "instructions", "instructions_on_time", "instructions_late"]),
        [4, 6, 3, 1]
    );
    for owed in ["work_reports_on_time", "work_reports_late", "work_reports_overdue"] {
        assert!(d[owed].as_i64().unwrap() > 0, "some {owed}: {d}");
    }
    assert_eq!(get("/api/v1/enterprises".into()).await.as_array().unwrap().len(), 5, "the registry");
    let open = get("/api/v1/notices?open=true".into()).await;
    assert_eq!(open["items"].as_array().unwrap().len(), 2, "two notices still running");
    let periods = get("/api/v1/protection-periods".into()).await;
    assert!(periods.to_string().contains("元旦"), "a protection period from tomorrow: {periods}");
    assert!(server.stop().success());
}

async fn serve_demo_lives_three_months_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    the_demo_has_lived_three_months(dir.path(), &process::sqlite_url(dir.path())).await;
}

async fn serve_demo_lives_three_months_on_postgres() {
    let Some(db) = postgres::PgDatabase::create().await else { return };
    let dir = tempfile::tempdir().unwrap();
    the_demo_has_lived_three_months(dir.path(), &db.url()).await;
}

async fn admin_commands_create_a_user_and_a_token_the_api_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let migrate = onsite(dir.path()).arg("migrate").output().unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));

    let created = onsite(dir.path())
        .args(["admin", "create-user", "--username", "zhang.san", "--role", "bureau"])
        .output()
        .unwrap();
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(String::from_utf8_lossy(&created.stdout).contains("password (shown once)"));

    let bad_role =
        onsite(dir.path()).args(["admin", "create-user", "--username", "li.si", "--role", "king"]).output().unwrap();
    assert!(!bad_role.status.success());
    assert!(String::from_utf8_lossy(&bad_role.stderr).contains("unknown role"));

    let token = onsite(dir.path()).args(["admin", "create-token", "--username", "zhang.san"]).output().unwrap();
    assert!(token.status.success(), "{}", String::from_utf8_lossy(&token.stderr));
    let token = String::from_utf8(token.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("onsite_"));

    let mut cmd = onsite(dir.path());
    cmd.arg("serve");
    let server = Server::start(cmd);
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let ok = client
        .post(format!("{base}/api/v1/units"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "新单位"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 201);
    let nope = client.get(format!("{base}/api/v1/units")).bearer_auth("onsite_bogus").send().await.unwrap();
    assert_eq!(nope.status(), 401);

    // A revoked token stops working at once.
    let revoked = onsite(dir.path()).args(["admin", "revoke-token", "--username", "zhang.san"]).output().unwrap();
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("revoked 1 token(s)"), "{revoked:?}");
    let after = client.get(format!("{base}/api/v1/units")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(after.status(), 401);
    assert!(server.stop().success());
}

fn a_bad_configuration_value_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = onsite(dir.path()).env("ONSITE_POLICY__DEADLINE", "soon").arg("serve").output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(err.contains("policy.deadline"), "{err}");
}

/// A secret that is set but weak or empty stops start-up, named, before
/// anything listens.
fn a_weak_or_empty_secret_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for (key, value) in [
        ("ONSITE_NOTIFY__LINK_SECRET", "hunter2"),
        ("ONSITE_TELEGRAM__WEBHOOK_SECRET", ""),
        ("ONSITE_DATABASE__AUDIT_KEY", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    ] {
        let out = onsite(dir.path()).env(key, value).arg("serve").output().unwrap();
        assert!(!out.status.success(), "{key}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(key), "{key}: {err}");
        assert!(!String::from_utf8_lossy(&out.stdout).contains("listening"), "{key}");
    }
}

/// A database with five audit entries written by the admin commands.
fn audited(dir: &std::path::Path) {
    let run = |args: &[&str]| {
        let out = onsite(dir).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    run(&["migrate"]);
    run(&["admin", "create-user", "--username", "wang.wu", "--role", "admin"]);
    for name in ["a", "b", "c"] {
        run(&["admin", "create-token", "--username", "wang.wu", "--name", name]);
    }
    run(&["admin", "revoke-token", "--username", "wang.wu", "--name", "b"]);
    // Chains the five entries (the server's engine would, within seconds).
    run(&["admin", "verify-audit"]);
}

async fn tamper(dir: &std::path::Path, sql: &str) {
    use sea_orm::ConnectionTrait;
    let url = format!("sqlite://{}", dir.join("data/onsite.db").display());
    let db = sea_orm::Database::connect(url).await.unwrap();
    for statement in sql.split(';').filter(|s| !s.trim().is_empty()) {
        db.execute_unprepared(statement).await.unwrap();
    }
    db.close().await.unwrap();
}

fn verify(dir: &std::path::Path) -> (bool, String) {
    verify_with(dir, &[])
}

fn verify_with(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let out = onsite(dir).args(["admin", "verify-audit"]).args(args).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

async fn verify_audit_passes_untouched_and_names_the_first_edited_deleted_or_swapped_row() {
    let cases = [
        ("", true, "5 entries"),
        ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", false, "row id 3 (seq 3) was edited"),
        ("DELETE FROM audit_log WHERE seq = 2", false, "row id 3 has seq 3 where 2 was due"),
        (
            "UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; \
             UPDATE audit_log SET seq = 3 WHERE seq = 100",
            false,
            "row id 3 (seq 2) does not chain to the row before it",
        ),
        ("DELETE FROM audit_log WHERE seq = 5", false, "rows at the end were deleted"),
        (
            "INSERT INTO audit_log (at, source, actor, action, subject) SELECT at, source, 'mallory', action, subject \
             FROM audit_log WHERE seq = 1",
            false,
            "row id 6 was not written by onsite",
        ),
        (
            "DELETE FROM audit_log WHERE seq = 5; UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_log WHERE seq = 4)",
            false,
            "head does not carry this key's MAC",
        ),
    ];
    for (sql, intact, says) in cases {
        let dir = tempfile::tempdir().unwrap();
        audited(dir.path());
        tamper(dir.path(), sql).await;
        let (ok, text) = verify(dir.path());
        assert_eq!(ok, intact, "{sql}: {text}");
        assert!(text.contains(says), "{sql}: {text}");
    }
}

/// `--password-stdin` takes the first line: a password piped twice (as a
/// prompt would want it) is the password, not both lines joined.
async fn create_user_reads_one_line_of_standard_input_as_the_password() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    assert!(onsite(dir.path()).arg("migrate").output().unwrap().status.success());
    let admin = |args: &[&str], input: &'static str| {
        let mut child = onsite(dir.path())
            .arg("admin")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let create = |username: &str, input: &'static str| {
        admin(&["create-user", "--username", username, "--role", "bureau", "--password-stdin"], input)
    };
    let created = create("zhao.liu", "Long test password 1\nLong test password 1\n");
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    assert!(!String::from_utf8_lossy(&created.stdout).contains("shown once"), "nothing generated");
    let empty = create("qian.qi", "");
    assert!(!empty.status.success());
    assert!(String::from_utf8_lossy(&empty.stderr).contains("no password on standard input"));

    let mut cmd = onsite(dir.path());
    cmd.arg("serve");
    let server = Server::start(cmd);
    let sign_in = |password: &'static str| {
        let base = server.base.clone();
        async move {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let form = client.get(format!("{base}/login")).send().await.unwrap().text().await.unwrap();
            let token = form.split(r#"name="csrf" value=""#).nth(1).unwrap().split('"').next().unwrap().to_owned();
            let fields = [("csrf", token.as_str()), ("username", "zhao.liu"), ("password", password)];
            client.post(format!("{base}/login")).form(&fields).send().await.unwrap().status()
        }
    };
    assert_eq!(sign_in("Long test password 1\nLong test password 1").await, 401);
    assert_eq!(sign_in("Long test password 1").await, 303);

    // A lost password is not a dead end: set-password replaces it.
    let set = admin(&["set-password", "--username", "zhao.liu"], "Another password 2\n");
    assert!(set.status.success(), "{}", String::from_utf8_lossy(&set.stderr));
    assert!(String::from_utf8_lossy(&set.stdout).contains("password set for zhao.liu"));
    assert_eq!(sign_in("Long test password 1").await, 401, "the old password no longer works");
    assert_eq!(sign_in("Another password 2").await, 303);
    let nobody = admin(&["set-password", "--username", "nobody"], "Another password 2\n");
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no user nobody"), "{nobody:?}");
    let short = admin(&["set-password", "--username", "zhao.liu"], "short\n");
    assert!(!short.status.success(), "a weak password is refused");
    assert!(server.stop().success());
}

/// A checkpoint exported now verifies with the log; one altered in the file
/// is refused as not signed with the key, and the chain's key lives in a
/// file beside the database, readable by its owner only.
fn signed_checkpoints_are_exported_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    audited(dir.path());
    let out = onsite(dir.path()).args(["admin", "audit-checkpoint"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let line = String::from_utf8(out.stdout).unwrap();
    let checkpoint: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(checkpoint["seq"], 5);
    let file = dir.path().join("checkpoints.jsonl");
    std::fs::write(&file, &line).unwrap();
    let (ok, text) = verify_with(dir.path(), &["--checkpoints", file.to_str().unwrap()]);
    assert!(ok, "{text}");
    std::fs::write(&file, line.replace(r#""seq":5"#, r#""seq":4"#)).unwrap();
    let (ok, text) = verify_with(dir.path(), &["--checkpoints", file.to_str().unwrap()]);
    assert!(!ok && text.contains("checkpoint 1 is not signed with this key"), "{text}");

    let key = dir.path().join("data/audit.key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let out = onsite(dir.path())
        .env("ONSITE_DATABASE__AUDIT_KEY", "9f3c1a7e5b2d4c6e8a0b1c3d5e7f9a2b-other")
        .args(["admin", "verify-audit"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "another key does not verify this log");
}

/// `onsite registry import` checks a CSV as Chinese Excel saves it
/// (GB18030), lists a bad cell in both languages and exits non-zero,
/// imports with --commit, and `export` writes what the import reads back.
fn the_registry_goes_in_from_a_csv_and_out_to_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = onsite(dir.path()).arg("registry").args(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let csv = |text: &str| {
        let file = dir.path().join("名录.csv");
        std::fs::write(&file, encoding_rs::GB18030.encode(text).0).unwrap();
        file.to_str().unwrap().to_owned()
    };
    let bad = csv("单位名称,统一社会信用代码,分类,姓名,手机\n某安全公司,123,技术人员,张三,13800138000\n");
    let (ok, _, err) = run(&["import", &bad, "--commit"]);
    assert!(!ok, "a bad file fails the command");
    assert!(err.contains("第 2 行「统一社会信用代码」（B2）") && err.contains("row 2, Credit code (B2)"), "{err}");

    let good =
        csv("单位名称,统一社会信用代码,分类,姓名,手机\n某安全公司,91500000MA5U0000XA,技术人员,张三,13800138000\n");
    let (ok, out, err) = run(&["import", &good]);
    assert!(ok && out.contains("仅检查") && out.contains("新增 created 1"), "{out}{err}");
    let exported = dir.path().join("out.xlsx");
    let (ok, out, _) = run(&["export", "--to", exported.to_str().unwrap()]);
    assert!(ok && out.contains("已导出 exported 0 rows"), "the dry run wrote nothing: {out}");

    let (ok, out, err) = run(&["import", &good, "--commit"]);
    assert!(ok && out.contains("已导入 imported"), "{out}{err}");
    let (ok, out, _) = run(&["export", "--to", exported.to_str().unwrap()]);
    assert!(ok && out.contains("已导出 exported 1 rows"), "{out}");
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(&exported).unwrap();
    let rows: Vec<Vec<String>> = book
        .worksheet_range_at(0)
        .unwrap()
        .unwrap()
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!((rows[1][0].as_str(), rows[1][9].as_str(), rows[1][11].as_str()), ("某安全公司", "张三", "13800138000"));
    let (ok, out, _) = run(&["import", exported.to_str().unwrap(), "--commit"]);
    assert!(ok && out.contains("无需改动 nothing to change"), "{out}");
}

fn main() {
    trials::main(vec![
        trial!(serve_demo_prints_credentials_that_work_and_stops_on_sigterm),
        trial!(serve_demo_lives_three_months_on_sqlite),
        trial!(serve_demo_lives_three_months_on_postgres, Postgres),
        trial!(admin_commands_create_a_user_and_a_token_the_api_accepts),
        trials::plain(
            "a_bad_configuration_value_stops_start_up_naming_the_key",
            a_bad_configuration_value_stops_start_up_naming_the_key,
        ),
        trials::plain(
            "a_weak_or_empty_secret_stops_start_up_naming_it",
            a_weak_or_empty_secret_stops_start_up_naming_it,
        ),
        trial!(verify_audit_passes_untouched_and_names_the_first_edited_deleted_or_swapped_row),
        trial!(create_user_reads_one_line_of_standard_input_as_the_password),
        trials::plain("signed_checkpoints_are_exported_and_checked", signed_checkpoints_are_exported_and_checked),
        trials::plain(
            "the_registry_goes_in_from_a_csv_and_out_to_a_workbook",
            the_registry_goes_in_from_a_csv_and_out_to_a_workbook,
        ),
    ]);
}

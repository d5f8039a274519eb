//! The web app over plain HTTP (the browser test drives the same pages in
//! Chromium): sign-in and lockout, CSRF, scoping, form validation, actions.

use chrono::Duration;
use onsite::domain::access::UserRole;
use reqwest::StatusCode;
use reqwest::redirect::Policy;

use crate::helpers::{ClockExt, TestApp};

crate::tests! {
    both: [
        a_post_without_the_forms_csrf_token_is_refused_and_changes_nothing,
        a_unit_user_never_sees_another_units_assignment,
        five_wrong_passwords_lock_the_account_for_fifteen_minutes,
        an_invalid_notice_form_shows_errors_beside_fields_and_keeps_what_was_typed,
        the_bureau_reassigns_and_a_manager_may_not,
        signing_out_ends_the_session,
        the_bureau_keeps_the_registry_on_the_web_and_a_unit_user_only_reads_its_own,
        an_admin_issues_a_token_shown_once_and_revokes_it,
    ],
    once: [
        sign_in_attempts_from_one_address_are_limited,
    ],
}

pub const PASSWORD: &str = "a long test password";

/// A browser-like client: its own cookies, redirects not followed.
pub struct Web {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

impl Web {
    pub async fn sign_in(app: &TestApp, username: &str) -> Self {
        let client = browser();
        let r = post_login(&client, app, &[("username", username), ("password", PASSWORD), ("next", "/board")]).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{username} signs in");
        assert_eq!(r.headers()["location"], "/board");
        let cookie = r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned());
        let cookie = cookie.into_iter().find(|c| c.starts_with("onsite_session=")).expect("a session cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        let mut web = Self { client, base: app.base.clone(), csrf: String::new() };
        let board = web.get("/board").await;
        assert_eq!(board.0, StatusCode::OK);
        web.csrf = csrf_of(&board.1);
        web
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        (r.status(), r.text().await.unwrap())
    }

    /// A download: status, content type and the bytes.
    pub async fn download(&self, path: &str) -> (StatusCode, String, Vec<u8>) {
        let r = self.client.get(format!("{}{path}", self.base)).send().await.unwrap();
        let kind = r.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        (r.status(), kind, r.bytes().await.unwrap().to_vec())
    }

    /// Posts a form with the session's CSRF token; returns status, location, body.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let mut all = vec![("csrf", self.csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// A client with no session, as a visitor who never signed in.
    pub fn anonymous(app: &TestApp) -> Self {
        let client = reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap();
        Self { client, base: app.base.clone(), csrf: String::new() }
    }

    /// Sends a GET (no fields) or a form POST with the session's CSRF token,
    /// and returns the status and location without reading the body (an
    /// event stream's body never ends).
    pub async fn status_of(&self, method: &str, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String) {
        let url = format!("{}{path}", self.base);
        let r = if method == "GET" {
            self.client.get(url).send().await.unwrap()
        } else {
            // The sign-in form carries its own token, not the session's.
            let token = if path == "/login" {
                csrf_of(&self.client.get(&url).send().await.unwrap().text().await.unwrap())
            } else {
                self.csrf.clone()
            };
            let mut all = vec![("csrf", token.as_str())];
            all.extend_from_slice(fields);
            if path.ends_with("/files") || path.ends_with("/photo") || path == "/units/import" {
                // An upload form: its fields, then a file.
                let form =
                    all.iter().fold(reqwest::multipart::Form::new(), |f, (k, v)| f.text(k.to_string(), v.to_string()));
                let file = reqwest::multipart::Part::bytes(crate::attachments::PDF).file_name("通报.pdf");
                self.client.post(url).multipart(form.part("file", file)).send().await.unwrap()
            } else {
                self.client.post(url).form(&all).send().await.unwrap()
            }
        };
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        (r.status(), location)
    }

    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> (StatusCode, String, String) {
        let r = self.client.post(format!("{}{path}", self.base)).form(fields).send().await.unwrap();
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        (r.status(), location, r.text().await.unwrap())
    }
}

/// A client that keeps cookies and does not follow redirects, as a browser
/// tab seen from the server.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// Signs in as the form does: fetch it (its token and cookie), then post it.
pub async fn post_login(client: &reqwest::Client, app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    let form = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&form);
    let mut all = vec![("csrf", token.as_str())];
    all.extend_from_slice(fields);
    client.post(app.url("/login")).form(&all).send().await.unwrap()
}

pub fn csrf_of(html: &str) -> String {
    let at = html.find(r#"name="csrf" value=""#).expect("a form with a CSRF token") + r#"name="csrf" value=""#.len();
    html[at..].split('"').next().unwrap().to_owned()
}

async fn a_post_without_the_forms_csrf_token_is_refused_and_changes_nothing(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let notice = app.issue(&[unit.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    let web = Web::sign_in(&app, "duty").await;
    let before = app.timeline_len(a).await;
    let path = format!("/assignments/{a}/stand-down");
    for fields in [vec![("reason", "伪造")], vec![("csrf", "0123456789abcdef"), ("reason", "伪造")]] {
        let (status, _, body) = web.post_raw(&path, &fields).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        assert!(body.contains("表单已过期或来源不明"), "{body}");
    }
    assert_eq!(app.timeline_len(a).await, before, "nothing recorded");
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{a}")).await["status"], "notified");
    // With the token the same post asks for confirmation first, and changes nothing yet.
    let (status, _, page) = web.post(&path, &[("reason", "企业已自行恢复")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("确认撤销派单") && page.contains("企业已自行恢复") && page.contains("安盾"), "{page}");
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{a}")).await["status"], "notified");
    let (status, location, _) = web.post(&path, &[("reason", "企业已自行恢复"), ("step", "confirm")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location.starts_with(&format!("/notices/{}", notice["id"])), "{location}");
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{a}")).await["status"], "stood_down");
}

async fn a_unit_user_never_sees_another_units_assignment(app: TestApp) {
    let mine = app.unit_with_people("安盾").await;
    let theirs = app.unit_with_people("山城").await;
    let both = app.issue(&[mine.id, theirs.id], true).await;
    let theirs_only = app.issue(&[theirs.id], true).await;
    let my_assignment = both["assignments"][0]["id"].as_i64().unwrap();
    let their_assignment = both["assignments"][1]["id"].as_i64().unwrap();
    app.user_token("andun", UserRole::Unit, Some(mine.id)).await;
    let web = Web::sign_in(&app, "andun").await;

    let (status, _) = web.get(&format!("/assignments/{their_assignment}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = web.get(&format!("/notices/{}", theirs_only["id"])).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = web.get(&format!("/assignments/{my_assignment}")).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The shared notice shows only this unit's assignment.
    let (status, page) = web.get(&format!("/notices/{}", both["id"])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!(r#"id="a{my_assignment}""#)));
    assert!(!page.contains(&format!(r#"id="a{their_assignment}""#)) && !page.contains("山城"), "other unit leaked");
    let (_, board) = web.get("/board").await;
    assert_eq!(board.matches("data-assignment=").count(), 1, "the board shows only this unit's assignment");
    // Acting on the other unit's assignment is refused as not found, and changes nothing.
    let (status, _, _) =
        web.post(&format!("/assignments/{their_assignment}/milestone"), &[("milestone", "acknowledged")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{their_assignment}")).await["status"], "notified");
    // Its own: a unit user reports a milestone, but may not issue notices.
    let (status, _, _) =
        web.post(&format!("/assignments/{my_assignment}/milestone"), &[("milestone", "acknowledged")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{my_assignment}")).await["status"], "acknowledged");
    assert_eq!(web.get("/notices/new").await.0, StatusCode::FORBIDDEN);
}

async fn five_wrong_passwords_lock_the_account_for_fifteen_minutes(app: TestApp) {
    let client = browser();
    let attempt = |password: &'static str| {
        let (client, app) = (client.clone(), &app);
        async move {
            let r = post_login(&client, app, &[("username", "duty"), ("password", password)]).await;
            (r.status(), r.text().await.unwrap())
        }
    };
    for _ in 0..4 {
        let (status, body) = attempt("wrong password!").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.contains("用户名或密码不正确"), "{body}");
        assert!(body.contains(r#"value="duty""#), "the username is kept");
    }
    let (status, body) = attempt("wrong password!").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("账户已锁定至 2026-11-25 03:15"), "{body}");
    // Locked: even the right password is refused, and says until when.
    let (status, body) = attempt(PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("已锁定"), "{body}");
    // An unknown user reads exactly like a wrong password.
    let r = post_login(&client, &app, &[("username", "nobody"), ("password", "x")]).await;
    assert!(r.text().await.unwrap().contains("用户名或密码不正确"));

    app.clock.set(app.clock.now_utc() + Duration::minutes(15));
    let (status, _) = attempt(PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "unlocked after fifteen minutes");
}

async fn an_invalid_notice_form_shows_errors_beside_fields_and_keeps_what_was_typed(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let web = Web::sign_in(&app, "duty").await;
    let uid = unit.id.to_string();
    let fields = [
        ("step", "review"),
        ("title", "   "),
        ("category", "web_defacement"),
        ("severity", "II"),
        ("target_name", "某市政务网站<script>"),
        ("target_kind", "other"),
        ("site_address", "重庆市渝中区"),
        ("site_lat", "北纬29度"),
        ("site_lon", "106.5"),
        ("description", "首页被篡改"),
        ("unit_ids", uid.as_str()),
    ];
    let (status, _, page) = web.post("/notices/new", &fields).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(r#"data-error-for="title">此项必填"#), "title error beside the field");
    assert!(page.contains(r#"data-error-for="site_lat">请输入数字"#), "latitude error beside the field");
    assert!(page.contains(r#"value="北纬29度""#), "what was typed is kept");
    assert!(
        page.contains("某市政务网站&#60;script&#62;") || page.contains("某市政务网站&lt;script&gt;"),
        "kept, escaped"
    );
    assert!(page.contains(&format!(r#"name="unit_ids" value="{uid}" checked"#)), "the chosen unit stays ticked");
    assert_eq!(app.get_ok("/api/v1/notices").await["total"], 0, "nothing issued");

    // Corrected: a confirmation step first, and only the confirmation issues.
    let mut good = fields.to_vec();
    good[1] = ("title", "渝中区某门户网站被篡改");
    good[7] = ("site_lat", "29.55");
    let (status, _, confirm) = web.post("/notices/new", &good).await;
    assert_eq!(status, StatusCode::OK);
    assert!(confirm.contains("请确认通知内容"));
    assert_eq!(app.get_ok("/api/v1/notices").await["total"], 0, "not yet issued");
    good[0] = ("step", "issue");
    let (status, location, _) = web.post("/notices/new", &good).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let list = app.get_ok("/api/v1/notices").await;
    assert_eq!(list["total"], 1);
    assert_eq!(location, format!("/notices/{}", list["items"][0]["id"]));
    assert_eq!(list["items"][0]["site"]["lat"], 29.55);
}

async fn the_bureau_reassigns_and_a_manager_may_not(app: TestApp) {
    let first = app.unit_with_people("安盾").await;
    let second = app.unit_with_people("山城").await;
    let notice = app.issue(&[first.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    app.user_token("boss", UserRole::Manager, None).await;
    let manager = Web::sign_in(&app, "boss").await;
    let (status, _, _) = manager
        .post(&format!("/assignments/{a}/reassign"), &[("unit_id", &second.id.to_string()), ("reason", "x")])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{a}")).await["status"], "notified");

    app.clock.set(app.clock.now_utc() + Duration::minutes(30));
    let web = Web::sign_in(&app, "duty").await;
    let path = format!("/assignments/{a}/reassign");
    let to = second.id.to_string();
    // First the question, naming both units; nothing moves yet.
    let (status, _, page) = web.post(&path, &[("unit_id", &to), ("reason", "原单位无人响应")]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("确认改派") && page.contains("安盾") && page.contains("山城"), "{page}");
    assert_eq!(app.get_ok(&format!("/api/v1/assignments/{a}")).await["status"], "notified");
    // A reassignment to a unit that does not exist is refused at the question.
    let (status, _, _) = web.post(&path, &[("unit_id", "99999"), ("reason", "原单位无人响应")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, location, _) =
        web.post(&path, &[("unit_id", &to), ("reason", "原单位无人响应"), ("step", "confirm")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let old = app.get_ok(&format!("/api/v1/assignments/{a}")).await;
    assert_eq!(old["status"], "stood_down");
    assert!(old["stand_down_reason"].as_str().unwrap().contains("改派至山城"), "{old}");
    let seen = app.get_ok(&format!("/api/v1/notices/{}", notice["id"])).await;
    let new = &seen["assignments"][1];
    assert_eq!(new["unit_id"], second.id);
    assert!(location.ends_with(&format!("#a{}", new["id"])), "{location}");
    // The new unit's clock starts at the reassignment: two hours from now.
    assert_eq!(new["notified_at"], "2026-11-25T03:30:00+08:00");
    assert_eq!(new["deadline_at"], "2026-11-25T05:30:00+08:00");
    let kinds: Vec<String> = app
        .get_ok(&format!("/api/v1/assignments/{a}/timeline"))
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(kinds, ["dispatched", "stood_down", "reassigned"]);
}

async fn signing_out_ends_the_session(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let web = Web::sign_in(&app, "duty").await;
    // The live board's stream: a first update at once, another on a change.
    let mut events = web.client.get(format!("{}/board/events", web.base)).send().await.unwrap();
    assert_eq!(events.status(), StatusCode::OK);
    let first =
        tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("event: board"));
    app.issue(&[unit.id], true).await;
    let update =
        tokio::time::timeout(std::time::Duration::from_secs(5), events.chunk()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&update).contains("某门户网站首页被篡改"), "a change is pushed");
    let (status, location, _) = web.post("/logout", &[]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/login"));
    let (status, _) = web.get("/board").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "back to sign-in");
    // The open stream ends at the next change instead of leaking the board.
    app.issue(&[unit.id], true).await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match events.chunk().await {
                Ok(Some(chunk)) if String::from_utf8_lossy(&chunk).contains("event: board") => return false,
                Ok(Some(_)) => continue,
                _ => return true,
            }
        }
    })
    .await
    .unwrap();
    assert!(ended, "the stream ended after sign-out");
}

/// The first `<span class="secret" id="...">` text on a page.
fn secret_of(page: &str, id: &str) -> String {
    let marker = format!(r#"id="{id}">"#);
    let at = page.find(&marker).unwrap_or_else(|| panic!("no {id} on the page")) + marker.len();
    page[at..].split('<').next().unwrap().to_owned()
}

async fn the_bureau_keeps_the_registry_on_the_web_and_a_unit_user_only_reads_its_own(app: TestApp) {
    let web = Web::sign_in(&app, "duty").await;
    let (status, location, _) = web
        .post("/units", &[("name", "重庆卫士网络安全有限公司"), ("credit_code", ""), ("hq_address", "北京市海淀区")])
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let unit_path = location.clone();
    let unit_id: i64 = location.trim_start_matches("/units/").parse().unwrap();
    let (_, _, page) = web
        .post(
            &format!("{unit_path}/branches"),
            &[
                ("name", "渝北分公司"),
                ("district", "渝北区"),
                ("address", "重庆市渝北区金开大道"),
                ("lat", "abc"),
                ("lon", ""),
            ],
        )
        .await;
    assert!(page.contains("请输入数字"), "a bad latitude is refused with why");
    assert!(!page.contains("渝北分公司</td>"), "and no branch is created");
    let (_, _, page) = web
        .post(
            &format!("{unit_path}/branches"),
            &[
                ("name", "渝北分公司"),
                ("district", "渝北区"),
                ("address", "重庆市渝北区金开大道"),
                ("lat", "29.61"),
                ("lon", "106.63"),
            ],
        )
        .await;
    assert!(page.contains("渝北分公司</td>"), "branch listed");
    let branches = page.split("<table id=\"branches\">").nth(1).and_then(|t| t.split("</thead>").next()).unwrap();
    assert!(branches.contains("名称") && !branches.contains("姓名"), "a branch has a 名称, not a 姓名: {branches}");
    let branch = app.get_ok(&format!("/api/v1/units/{unit_id}/branches")).await[0]["id"].as_i64().unwrap();
    let (_, _, page) = web
        .post(
            &format!("{unit_path}/people"),
            &[("name", "周工"), ("phone", "13900000000"), ("role", "engineer"), ("branch_id", &branch.to_string())],
        )
        .await;
    assert!(page.contains("周工") && page.contains("技术人员"), "person listed with a Chinese role");
    let kinds = page.split("<select name=\"kind\">").nth(1).and_then(|t| t.split("</select>").next()).unwrap();
    assert!(
        kinds.contains("sms") && !kinds.contains("telegram"),
        "a Telegram chat is linked with a code, not typed: {kinds}"
    );
    let person = app.get_ok(&format!("/api/v1/units/{unit_id}/people")).await[0]["id"].as_i64().unwrap();
    let robot = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robotkey42#secret=topsecret";
    let (_, _, page) = web.post(&format!("/people/{person}/channels"), &[("kind", "wecom"), ("address", robot)]).await;
    assert!(page.contains("send?key=***#***"), "{page}");
    assert!(!page.contains("topsecret") && !page.contains("robotkey42"), "a robot's key and secret are never shown");
    let (_, _, page) =
        web.post(&format!("/people/{person}/channels"), &[("kind", "sms"), ("address", "not a phone")]).await;
    assert!(page.contains("短信 渠道需要填写手机号码"), "a bad address is refused in Chinese");
    assert_eq!(app.get_ok(&format!("/api/v1/people/{person}/channels")).await.as_array().unwrap().len(), 1);

    // A link code is shown once, and the bot accepts it.
    let (status, _, page) = web.post(&format!("/people/{person}/telegram-link"), &[]).await;
    assert_eq!(status, StatusCode::OK);
    let code = secret_of(&page, "link-code");
    assert!(code.starts_with("/start "), "{code}");
    let (_, again) = web.get(&unit_path).await;
    assert!(!again.contains(&code), "shown once");
    app.telegram.text(4242, &code, None);
    app.bot_step().await;
    let channels = app.get_ok(&format!("/api/v1/people/{person}/channels")).await;
    assert!(channels.to_string().contains("telegram"), "linked through the code: {channels}");

    // A unit user reads its own unit, not another, and may not change it.
    app.user_token("weishi", UserRole::Unit, Some(unit_id)).await;
    let other = app.unit_with_people("山城").await;
    let unit_user = Web::sign_in(&app, "weishi").await;
    assert_eq!(unit_user.get(&unit_path).await.0, StatusCode::OK);
    assert_eq!(unit_user.get(&format!("/units/{}", other.id)).await.0, StatusCode::NOT_FOUND);
    let (_, list) = unit_user.get("/units").await;
    assert!(!list.contains("山城"), "other units are not listed");
    let (status, _, _) =
        unit_user.post(&format!("{unit_path}/people"), &[("name", "冒名"), ("role", "engineer")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.get_ok(&format!("/api/v1/units/{unit_id}/people")).await.as_array().unwrap().len(), 1);
}

async fn an_admin_issues_a_token_shown_once_and_revokes_it(app: TestApp) {
    app.user_token("root", UserRole::Admin, None).await;
    let bureau = Web::sign_in(&app, "duty").await;
    assert_eq!(bureau.get("/admin/users").await.0, StatusCode::FORBIDDEN, "bureau staff are not admins");
    let admin = Web::sign_in(&app, "root").await;
    let (_, _, page) = admin
        .post("/admin/users", &[("username", "ops.li"), ("password", "short"), ("role", "manager"), ("unit_id", "")])
        .await;
    assert!(page.contains("密码至少需要 10 个字符"), "refused with why");
    let (_, _, page) = admin
        .post(
            "/admin/users",
            &[("username", "ops.li"), ("password", "a fine long password"), ("role", "manager"), ("unit_id", "")],
        )
        .await;
    assert!(page.contains(r#"id="user-ops.li""#), "user listed");
    let id = app.state.store.user_by_name("ops.li").await.unwrap().unwrap().id;
    let (_, _, page) = admin.post(&format!("/admin/users/{id}/tokens"), &[("name", "报表脚本")]).await;
    let token = secret_of(&page, "new-token");
    assert!(token.starts_with("onsite_"));
    assert_eq!(app.get_as(&token, "/api/v1/notices").await.status(), StatusCode::OK, "the token works");
    let (_, again) = admin.get("/admin/users").await;
    assert!(!again.contains(&token), "shown once");
    admin.post(&format!("/admin/users/{id}/revoke"), &[]).await;
    assert_eq!(app.get_as(&token, "/api/v1/notices").await.status(), StatusCode::UNAUTHORIZED, "revoked");
}

/// The limit is per client address and independent of the database.
async fn sign_in_attempts_from_one_address_are_limited() {
    let app = TestApp::spawn_with(crate::helpers::Backend::Sqlite, |c| c.web.sign_in_attempts_per_minute = 3)
        .await
        .expect("sqlite app");
    let client = browser();
    let attempt = |username: &'static str, password: &'static str| {
        let (client, app) = (client.clone(), &app);
        async move { post_login(&client, app, &[("username", username), ("password", password)]).await }
    };
    // Three guesses at three different accounts: none reaches its own lockout.
    for user in ["alice", "bob", "carol"] {
        assert_eq!(attempt(user, "guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let r = attempt("duty", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert_eq!(r.headers()["retry-after"], "60");
    assert!(r.text().await.unwrap().contains("登录尝试过于频繁"));
    let user = app.state.store.user_by_name("duty").await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 0, "a refused attempt is not checked against the account");
}

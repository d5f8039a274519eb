//! Every API route and every page, for every role and scope, answers as the
//! written matrix `docs/access-matrix.csv` says: allowed, refused (403: the
//! role may never do this), hidden (404: the subject belongs to another
//! unit, and its existence is not confirmed), or "sign in first". A route
//! missing from the matrix fails the test, so no route ships without a
//! decision about who may use it. A vendor's callback (`callback` rows) is
//! "signed": no role's credentials let a request in without the vendor's
//! signature.

use std::collections::BTreeSet;

use onsite::domain::access::UserRole;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::closure::full_report;
use crate::helpers::{Backend, TestApp, Unit, expect_json, expect_problem, notice_body};
use crate::web::Web;

crate::tests! {
    once: [
        the_matrix_names_every_api_route_and_every_page,
        every_api_route_answers_each_role_and_scope_as_the_matrix_says,
        every_page_answers_each_role_and_scope_as_the_matrix_says,
    ],
}

const MATRIX: &str = include_str!("../../docs/access-matrix.csv");

/// The matrix's columns after surface, method and path.
const ACTORS: [&str; 8] =
    ["anonymous", "admin", "bureau", "manager", "manager@own", "manager@other", "unit@own", "unit@other"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Allow,
    Deny,
    Hidden,
    Login,
    Public,
    Signed,
}

struct Rule {
    surface: String,
    method: String,
    path: String,
    expect: Vec<Expect>,
}

fn matrix() -> Vec<Rule> {
    let mut lines = MATRIX.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(header[..3], ["surface", "method", "path"]);
    assert_eq!(header[3..], ACTORS);
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            assert_eq!(cells.len(), 3 + ACTORS.len(), "{l}");
            let expect = cells[3..]
                .iter()
                .map(|c| match *c {
                    "allow" => Expect::Allow,
                    "deny" => Expect::Deny,
                    "hidden" => Expect::Hidden,
                    "login" => Expect::Login,
                    "public" => Expect::Public,
                    "signed" => Expect::Signed,
                    other => panic!("unknown cell {other:?} in {l}"),
                })
                .collect();
            Rule { surface: cells[0].into(), method: cells[1].into(), path: cells[2].into(), expect }
        })
        .collect()
}

/// A path with every `{…}` written `{}`: the matrix names what a parameter
/// is (`{unit}`), the router and the OpenAPI document say `{id}`.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

fn declared(surface: &str) -> BTreeSet<(String, String)> {
    matrix().into_iter().filter(|r| r.surface == surface).map(|r| (r.method, shape(&r.path))).collect()
}

/// The page routes as the source declares them: `.route("/path", get(…).post(…))`.
fn page_routes_in_source() -> BTreeSet<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/pages");
    let mut routes = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("pages folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).expect("source");
        // Each `.route("` begins one route, up to the next one.
        for declaration in source.split(".route(\"").skip(1) {
            let (route, rest) = declaration.split_once('"').expect("a quoted path");
            let handlers = rest.split(['\n', ';']).next().unwrap_or_default();
            for method in ["get", "post", "put", "delete"] {
                let call = format!("{method}(");
                let called = handlers
                    .match_indices(&call)
                    .any(|(i, _)| !handlers[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
                if called {
                    routes.insert((method.to_uppercase(), shape(route)));
                }
            }
        }
    }
    routes
}

async fn the_matrix_names_every_api_route_and_every_page() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    let doc = app.get_ok("/api/v1/openapi.json").await;
    let mut api = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("operations").keys() {
            api.insert((method.to_uppercase(), shape(path)));
        }
    }
    assert!(api.len() > 30, "the OpenAPI document lists the API: {api:?}");
    let mut documented = declared("api");
    documented.extend(declared("callback"));
    assert_eq!(
        api, documented,
        "docs/access-matrix.csv and the OpenAPI document list the same API routes and callbacks"
    );
    let pages = page_routes_in_source();
    assert!(pages.len() > 30, "{pages:?}");
    assert_eq!(pages, declared("page"), "docs/access-matrix.csv and src/web/pages list the same pages");
}

/// Two units (the subject's, "own", and another) and one user per column.
struct World {
    a: Unit,
    b: Unit,
    usernames: [Option<&'static str>; 8],
    tokens: Vec<Option<String>>,
    /// A user the admin pages act on.
    spare_user: i64,
}

async fn world(app: &TestApp) -> World {
    let a = app.unit_with_people("安盾").await;
    let b = app.unit_with_people("山城").await;
    let users: [Option<(&'static str, UserRole, Option<i64>)>; 8] = [
        None,
        Some(("root", UserRole::Admin, None)),
        None,
        Some(("manager", UserRole::Manager, None)),
        Some(("manager-a", UserRole::Manager, Some(a.id))),
        Some(("manager-b", UserRole::Manager, Some(b.id))),
        Some(("unit-a", UserRole::Unit, Some(a.id))),
        Some(("unit-b", UserRole::Unit, Some(b.id))),
    ];
    let mut usernames = [None; 8];
    let mut tokens = Vec::new();
    for (i, user) in users.iter().enumerate() {
        match (i, user) {
            // The bureau column is the test app's own bureau user.
            (2, _) => {
                usernames[i] = Some("duty");
                tokens.push(Some(app.token.clone()));
            }
            (_, Some((name, role, unit))) => {
                usernames[i] = Some(name);
                tokens.push(Some(app.user_token(name, *role, *unit).await));
            }
            (_, None) => tokens.push(None),
        }
    }
    app.user_token("spare", UserRole::Unit, Some(b.id)).await;
    let spare_user = app.state.store.user_by_name("spare").await.unwrap().expect("spare user").id;
    World { a, b, usernames, tokens, spare_user }
}

/// What one cell acts on: the concrete path, and the assignment behind it
/// with its timeline's length before the request.
struct Subject {
    path: String,
    assignment: Option<(i64, usize)>,
}

impl Subject {
    /// A request that was not allowed left the assignment's timeline alone.
    async fn assert_unchanged(&self, app: &TestApp, cell: &str) {
        if let Some((id, before)) = self.assignment {
            assert_eq!(app.timeline_len(id).await, before, "{cell}: a refused request changed the timeline");
        }
    }
}

/// A fresh subject for each cell, so one actor's allowed change never
/// decides the next actor's answer. Closure routes get an assignment that
/// was resolved and has a report, submitted when it is to be reviewed.
async fn subject(app: &TestApp, w: &World, template: &str) -> Subject {
    let mut path = template
        .replace("{unit}", &w.a.id.to_string())
        .replace("{person}", &w.a.people[3].to_string())
        .replace("{branch}", &w.a.branch_id.to_string())
        .replace("{user}", &w.spare_user.to_string())
        .replace("{token}", "not-a-real-link")
        .replace("{milestone}", "on_site");
    if path.contains("{channel}") {
        let channels = format!("/api/v1/people/{}/channels", w.a.people[3]);
        let created = app.post(&channels, &json!({"kind": "sms", "address": "13800000003"})).await;
        let channel = expect_json(created, StatusCode::CREATED).await["id"].as_i64().unwrap();
        path = path.replace("{channel}", &channel.to_string());
    }
    if path.contains("{attachment}") {
        // On a notice to unit A: a photo for the thumbnail, the 通报 otherwise.
        let notice = app.issue(&[w.a.id], true).await["id"].clone();
        let (name, bytes) = if path.ends_with("/thumbnail") {
            ("现场.jpg", crate::attachments::photo_at((29, 33, 28), (106, 34, 38)))
        } else {
            ("通报.pdf", crate::attachments::PDF.to_vec())
        };
        let files = format!("/api/v1/notices/{notice}/attachments");
        let kept = crate::attachments::upload(app, &app.token, &files, name, &bytes).await;
        let id = expect_json(kept, StatusCode::CREATED).await["id"].clone();
        path = path.replace("{attachment}", &id.to_string());
    }
    if path.contains("{notice}") {
        let notice = app.issue(&[w.a.id], true).await;
        path = path.replace("{notice}", &notice["id"].to_string());
    }
    if path.contains("/roster") {
        let put = app.client.put(app.url(&format!("/api/v1/branches/{}/roster", w.a.branch_id)));
        let body = json!({"starts_on": "2026-11-23", "handover": "09:00", "shift_days": 1, "members": [w.a.people[3]]});
        expect_json(put.bearer_auth(&app.token).json(&body).send().await.unwrap(), StatusCode::OK).await;
    }
    if path.contains("{period}") || path.contains("{task}") {
        let body = json!({
            "name": "重保",
            "starts_at": "2026-11-25T00:00:00+08:00",
            "ends_at": "2026-11-26T00:00:00+08:00",
            "unit_ids": [w.a.id],
        });
        let period = expect_json(app.post("/api/v1/protection-periods", &body).await, StatusCode::CREATED).await["id"]
            .as_i64()
            .unwrap();
        let tasks = json!({"tasks": [{"unit_id": w.a.id, "enterprise": "重庆某银行", "kind": "on_site"}]});
        let path_tasks = format!("/api/v1/protection-periods/{period}/screening-tasks");
        let task =
            expect_json(app.post(&path_tasks, &tasks).await, StatusCode::CREATED).await[0]["id"].as_i64().unwrap();
        path = path.replace("{period}", &period.to_string()).replace("{task}", &task.to_string());
    }
    if path.contains("{enterprise}") {
        let body = crate::duties::enterprise_body("重庆某企业");
        let id = expect_json(app.post("/api/v1/enterprises", &body).await, StatusCode::CREATED).await["id"].clone();
        path = path.replace("{enterprise}", &id.to_string());
    }
    if path.contains("{report}") {
        let report = crate::duties::file_special_report(app, &app.token, Some(w.a.id)).await;
        if path.ends_with("/accept") || path.ends_with("/return") || path.ends_with("/notice") {
            expect_json(
                app.post(&format!("/api/v1/special-reports/{report}/submit"), &json!({})).await,
                StatusCode::OK,
            )
            .await;
        }
        if path.ends_with("/notice") {
            let accept = format!("/api/v1/special-reports/{report}/accept");
            expect_json(app.post(&accept, &json!({})).await, StatusCode::OK).await;
        }
        path = path.replace("{report}", &report.to_string());
    }
    if path.contains("{credential}") {
        let credentials = format!("/api/v1/units/{}/credentials", w.a.id);
        let created = app.post(&credentials, &crate::profiles::credential_body()).await;
        let id = expect_json(created, StatusCode::CREATED).await["id"].as_i64().unwrap();
        path = path.replace("{credential}", &id.to_string());
    }
    if path.contains("{threat}") {
        let (report, finding) = crate::threats::file_threat_report(app, &app.token, Some(w.a.id)).await;
        if path.ends_with("/accept") || path.ends_with("/return") {
            let submit = format!("/api/v1/threat-reports/{report}/submit");
            expect_json(app.post(&submit, &json!({})).await, StatusCode::OK).await;
        }
        path = path.replace("{threat}", &report.to_string()).replace("{finding}", &finding.to_string());
    }
    if path.contains("{month}") {
        // A past month of its own for each cell, with a whole draft saved.
        let k = FRESH_MONTH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let month = format!("{}-{:02}", 2001 + k / 12, k % 12 + 1);
        path = path.replace("{month}", &month);
        let draft = format!("/api/v1/units/{}/work-reports/{month}", w.a.id);
        let put = app.client.put(app.url(&draft)).bearer_auth(&app.token).json(&work_report_body());
        expect_json(put.send().await.unwrap(), StatusCode::OK).await;
    }
    if path.contains("{instruction}") {
        let issued = app.post("/api/v1/instructions", &crate::instructions::body(&[w.a.id])).await;
        let id = expect_json(issued, StatusCode::CREATED).await["id"].as_i64().unwrap();
        path = path.replace("{instruction}", &id.to_string());
    }
    let mut assignment = None;
    if path.contains("{assignment}") {
        let id = app.issue(&[w.a.id], true).await["assignments"][0]["id"].as_i64().unwrap();
        if path.contains("closure-report") {
            for kind in ["acknowledged", "plan_activated", "hq_remote", "on_site", "resolved"] {
                expect_json(app.event(id, json!({"kind": kind})).await, StatusCode::CREATED).await;
            }
            let report = format!("/api/v1/assignments/{id}/closure-report");
            let put = app.client.put(app.url(&report)).bearer_auth(&app.token).json(&full_report());
            expect_json(put.send().await.unwrap(), StatusCode::OK).await;
            if path.ends_with("/accept") || path.ends_with("/return") {
                expect_json(app.post(&format!("{report}/submit"), &json!({})).await, StatusCode::OK).await;
            }
        }
        path = path.replace("{assignment}", &id.to_string());
        assignment = Some((id, app.timeline_len(id).await));
    }
    Subject { path, assignment }
}

/// Months handed out to the work-report cells, one each.
static FRESH_MONTH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

fn work_report_body() -> Value {
    json!({"work_done": "完成远程巡检", "problems": "无", "next_plans": "元旦值守"})
}

/// A valid request body for each API route that takes one; `n` keeps names unique.
fn api_body(method: &str, template: &str, w: &World, n: usize) -> Option<Value> {
    let tail = template.rsplit('/').next().unwrap_or_default();
    Some(match (method, template) {
        ("POST", "/api/v1/units") => json!({"name": format!("单位{n}")}),
        ("POST", "/api/v1/notices") => notice_body(&[w.a.id], true),
        ("POST", "/api/v1/protection-periods") => json!({
            "name": format!("重保{n}"),
            "starts_at": "2026-11-25T00:00:00+08:00",
            "ends_at": "2026-11-26T00:00:00+08:00",
        }),
        ("POST", "/api/v1/enterprises") => crate::duties::enterprise_body(&format!("企业{n}")),
        ("PUT", "/api/v1/enterprises/{enterprise}") => crate::duties::enterprise_body(&format!("企业{n}")),
        ("POST", "/api/v1/special-reports") => crate::duties::special_report_body(Some(w.a.id)),
        ("PUT", "/api/v1/special-reports/{report}") => crate::duties::special_report_body(None),
        ("POST", "/api/v1/special-reports/{report}/notice") => {
            json!({"unit_ids": [w.a.id], "site_address": "重庆市渝北区"})
        }
        ("PUT", _) if tail == "profile" => crate::profiles::profile_body(w.a.branch_id),
        ("POST", _) if tail == "credentials" => crate::profiles::credential_body(),
        ("POST", "/api/v1/threat-reports") => crate::threats::threat_report_body(Some(w.a.id)),
        ("POST", "/api/v1/threat-reports/{threat}/findings") => crate::threats::finding_body("Gafgyt 变种"),
        ("POST", "/api/v1/instructions") => crate::instructions::body(&[w.a.id]),
        ("PUT", _) if tail == "{month}" => work_report_body(),
        ("POST", "/api/v1/bureau-contacts") => {
            json!({"name": format!("值班员{n}"), "role": "duty_officer", "kind": "webhook", "address": "http://127.0.0.1:9/hook"})
        }
        ("PUT", _) if tail == "policy" => json!({"ack_target": "10m"}),
        ("PUT", _) if tail == "roster" => {
            json!({"starts_on": "2026-11-23", "handover": "08:00", "shift_days": 7, "members": [w.a.people[3]]})
        }
        ("PUT", _) if tail == "closure-report" => full_report(),
        ("PUT", _) if tail == "result" => json!({"outcome": "clean"}),
        // Reactivating: the person stays on the roster the other cells use.
        ("PUT", _) if tail == "active" => json!({"active": true}),
        ("PUT", _) if template.ends_with("{channel}") => json!({"kind": "sms", "address": "13800000004"}),
        ("POST", _) => match tail {
            "branches" => {
                json!({"name": format!("江北分公司{n}"), "district": "江北区", "address": "重庆市江北区", "lat": 29.6, "lon": 106.5})
            }
            "people" => json!({"name": "孙浩", "phone": "13800000001", "role": "engineer", "branch_id": w.a.branch_id}),
            "channels" => json!({"kind": "sms", "address": "13800000002"}),
            "events" => json!({"kind": "acknowledged"}),
            "extend" => json!({"deadline_at": "2026-11-25T06:00:00+08:00", "reason": "路途较远"}),
            "stand-down" => json!({"reason": "误报"}),
            "reassign" => json!({"unit_id": w.b.id, "reason": "就近处置"}),
            "return" => json!({"comment": "请补充样本哈希"}),
            "screening-tasks" => {
                json!({"tasks": [{"unit_id": w.a.id, "enterprise": format!("企业{n}"), "kind": "remote"}]})
            }
            "overrides" => json!({
                "person_id": w.a.people[3],
                "from": "2026-11-25T00:00:00+08:00",
                "until": "2026-11-25T08:00:00+08:00",
                "reason": "调班",
            }),
            _ => json!({}),
        },
        _ => return None,
    })
}

async fn every_api_route_answers_each_role_and_scope_as_the_matrix_says() {
    let wecom = crate::fake_wecom::FakeWecom::start(&[]).await;
    let feishu = crate::fake_feishu::FakeFeishu::start(&[]).await;
    let dingtalk = crate::fake_dingtalk::FakeDingtalk::start(&[]).await;
    let voice = crate::fake_voice::FakeVoice::start().await;
    let configure = |c: &mut onsite::config::Config| {
        wecom.configure(c);
        feishu.configure(c);
        dingtalk.configure(c);
        voice.configure(c);
        c.sms.reply_secret = Some(secrecy::SecretString::from("reply-secret-shared-with-the-sms-gateway"));
    };
    let app = TestApp::spawn_with(Backend::Sqlite, configure).await.expect("sqlite app");
    let w = world(&app).await;
    let mut n = 0;
    for rule in matrix().into_iter().filter(|r| r.surface == "api" || r.surface == "callback") {
        for (i, expect) in rule.expect.iter().enumerate() {
            n += 1;
            let s = subject(&app, &w, &rule.path).await;
            let method = Method::from_bytes(rule.method.as_bytes()).unwrap();
            let mut request = app.client.request(method, app.url(&s.path));
            if let Some(token) = &w.tokens[i] {
                request = request.bearer_auth(token);
            }
            if rule.method == "POST" && rule.path.ends_with("/attachments") {
                let file = reqwest::multipart::Part::bytes(crate::attachments::PDF).file_name("证据.pdf");
                request = request.multipart(reqwest::multipart::Form::new().part("file", file));
            } else if rule.path == "/api/v1/registry/import" {
                // A dry run of a one-unit file: allowed, it writes nothing.
                let file = reqwest::multipart::Part::bytes(format!("单位名称\n矩阵单位{n}\n").into_bytes())
                    .file_name("名录.csv");
                request = request.multipart(reqwest::multipart::Form::new().part("file", file));
            } else if let Some(body) = api_body(&rule.method, &rule.path, &w, n) {
                request = request.json(&body);
            }
            if *expect == Expect::Signed {
                request = forged_signature(&app, &rule.path, request);
            }
            let response = request.send().await.unwrap();
            let cell = format!("{} {} as {}", rule.method, s.path, ACTORS[i]);
            match expect {
                Expect::Allow | Expect::Public => {
                    let status = response.status();
                    assert!(
                        status.is_success(),
                        "{cell}: expected success, got {status}: {}",
                        response.text().await.unwrap()
                    );
                }
                Expect::Deny => drop(expect_problem(response, StatusCode::FORBIDDEN).await),
                Expect::Hidden => drop(expect_problem(response, StatusCode::NOT_FOUND).await),
                Expect::Login => drop(expect_problem(response, StatusCode::UNAUTHORIZED).await),
                Expect::Signed => drop(expect_problem(response, StatusCode::FORBIDDEN).await),
            }
            if *expect != Expect::Allow {
                s.assert_unchanged(&app, &cell).await;
            }
        }
    }
}

/// A callback as its vendor would send it, fresh, but with a signature
/// made without the vendor's secret.
fn forged_signature(app: &TestApp, path: &str, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    use onsite::domain::clock::Clock;
    let timestamp = app.clock.now().timestamp().to_string();
    let gateway = |request: reqwest::RequestBuilder, body: &'static str| {
        request
            .header("X-Onsite-Timestamp", timestamp.clone())
            .header("X-Onsite-Signature", format!("sha256={}", "0".repeat(64)))
            .body(body)
    };
    if path == "/callbacks/sms" {
        return gateway(request, r#"{"mobile":"13800138000","text":"1A","time":0}"#);
    }
    if path == "/callbacks/voice" {
        return gateway(request, r#"[{"call_id":"116012854210^1028700001","status_code":"300000","dtmf":"1"}]"#);
    }
    if path == "/callbacks/dingtalk" {
        let timestamp_ms = app.clock.now().timestamp_millis().to_string();
        return request
            .header("timestamp", timestamp_ms)
            .header("sign", "A".repeat(44))
            .body(r#"{"msgId":"m1","msgtype":"text","text":{"content":"1A"},"senderStaffId":"manager4220"}"#);
    }
    if path == "/callbacks/feishu" {
        return request
            .header("X-Lark-Request-Timestamp", timestamp)
            .header("X-Lark-Request-Nonce", "1")
            .header("X-Lark-Signature", "0".repeat(64))
            .body(r#"{"encrypt":"AAAA"}"#);
    }
    let query = [
        ("msg_signature", "0".repeat(40)),
        ("timestamp", timestamp),
        ("nonce", "1".into()),
        ("echostr", "AAAA".into()),
    ];
    request.query(&query).body("<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>")
}

/// A valid form for each page that takes one; `n` keeps names unique.
fn page_form(template: &str, w: &World, n: usize) -> Vec<(String, String)> {
    let pairs: Vec<(&str, String)> = match template.rsplit('/').next().unwrap_or_default() {
        "login" => vec![("username", "nobody".into()), ("password", "wrong".into())],
        "lang" => vec![("lang", "zh".into())],
        "files" => vec![("on", "on_site".into())],
        "new" => vec![
            ("title", "某门户网站首页被篡改".into()),
            ("category", "web_defacement".into()),
            ("severity", "III".into()),
            ("target_name", "某互联网企业".into()),
            ("target_kind", "internet_company".into()),
            ("site_address", "重庆市渝中区解放碑".into()),
            ("site_lat", "29.5577".into()),
            ("site_lon", "106.5772".into()),
            ("description", "首页出现非法内容".into()),
            ("requires_onsite", "on".into()),
            ("unit_ids", w.a.id.to_string()),
            ("step", "issue".into()),
        ],
        "enterprises" => {
            vec![("name", format!("企业{n}")), ("kind", "internet_company".into()), ("businesses", "idc".into())]
        }
        "special-reports" | "{report}" => vec![
            ("unit_id", w.a.id.to_string()),
            ("title", "漏洞预警".into()),
            ("category", "vulnerability".into()),
            ("severity", "III".into()),
        ],
        "profile" => vec![
            ("legal_representative", "张伟".into()),
            ("support_contact_name", "王敏".into()),
            ("support_contact_mobile", "13800000001".into()),
        ],
        "credentials" => vec![("kind", "qualification".into()), ("name", "ISO 27001".into())],
        "threat-reports" => vec![("unit_id", w.a.id.to_string()), ("title", "11月威胁信息".into())],
        "{month}" => vec![
            ("work_done", "完成远程巡检".into()),
            ("problems", "无".into()),
            ("next_plans", "元旦值守".into()),
            ("action", "submit".into()),
        ],
        "instructions" => vec![
            ("title", "元旦保障".into()),
            ("body", "请落实值守安排".into()),
            ("unit_ids", w.a.id.to_string()),
            ("confirm_by", "2026-11-25T09:00".into()),
        ],
        "findings" => vec![
            ("kind", "phishing".into()),
            ("name", "仿冒网银登录页".into()),
            ("found_at", "2026-11-20T10:00".into()),
            ("c2_addresses", "http://bank-login.example.com/".into()),
            ("disposal_advice", "通报注册商停止解析".into()),
        ],
        "notice" => vec![("unit_ids", w.a.id.to_string()), ("site_address", "重庆市渝北区".into())],
        "units" => vec![("name", format!("单位{n}")), ("credit_code", String::new()), ("hq_address", String::new())],
        "branches" => vec![
            ("name", format!("江北分公司{n}")),
            ("district", "江北区".into()),
            ("address", "重庆市江北区".into()),
            ("lat", String::new()),
            ("lon", String::new()),
        ],
        "people" => vec![
            ("name", "孙浩".into()),
            ("phone", "13800000001".into()),
            ("role", "engineer".into()),
            ("branch_id", w.a.branch_id.to_string()),
        ],
        "channels" => vec![("kind", "sms".into()), ("address", "13800000002".into())],
        "milestone" => vec![("milestone", "acknowledged".into())],
        "note" => vec![("note", "已电话联系现场".into())],
        "extend" => vec![("deadline_at", "2026-11-25T06:00".into()), ("reason", "路途较远".into())],
        "stand-down" => vec![("reason", "误报".into()), ("step", "confirm".into())],
        "reassign" => vec![("unit_id", w.b.id.to_string()), ("reason", "就近处置".into()), ("step", "confirm".into())],
        "closure-report" => vec![("description", "首页被篡改，已恢复".into())],
        "return" => vec![("comment", "请补充样本哈希".into())],
        "users" => vec![
            ("username", format!("new-user-{n}")),
            ("password", "another long password".into()),
            ("role", "manager".into()),
            ("unit_id", String::new()),
        ],
        "tokens" => vec![("name", format!("token {n}"))],
        "periods" => vec![
            ("name", format!("重保{n}")),
            ("starts_at", "2026-11-25T00:00".into()),
            ("ends_at", "2026-11-26T00:00".into()),
        ],
        "tasks" => {
            vec![("unit_id", w.a.id.to_string()), ("kind", "remote".into()), ("enterprises", format!("企业{n}"))]
        }
        "result" => vec![("outcome", "clean".into())],
        "roster" => vec![
            ("starts_on", "2026-11-23".into()),
            ("handover", "08:00".into()),
            ("shift_days", "7".into()),
            ("zone", "Asia/Shanghai".into()),
        ],
        "overrides" => vec![
            ("person_id", w.a.people[3].to_string()),
            ("from", "2026-11-25T00:00".into()),
            ("until", "2026-11-25T08:00".into()),
            ("reason", "调班".into()),
        ],
        _ => vec![],
    };
    let mut form: Vec<(String, String)> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
    if template.ends_with("/roster") {
        // The rotation form names each member's turn by their id.
        form.push((format!("m{}", w.a.people[3]), "1".into()));
    }
    form
}

async fn every_page_answers_each_role_and_scope_as_the_matrix_says() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.web.sign_in_attempts_per_minute = 1_000;
        c.notify.demo_inbox = true;
    })
    .await
    .expect("sqlite app");
    let w = world(&app).await;
    let mut sessions = Vec::new();
    for name in w.usernames {
        sessions.push(match name {
            Some(name) => Web::sign_in(&app, name).await,
            None => Web::anonymous(&app),
        });
    }
    let mut n = 0;
    for rule in matrix().into_iter().filter(|r| r.surface == "page") {
        for (i, expect) in rule.expect.iter().enumerate() {
            n += 1;
            let s = subject(&app, &w, &rule.path).await;
            let form = page_form(&rule.path, &w, n);
            let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let (status, location) = sessions[i].status_of(&rule.method, &s.path, &fields).await;
            let cell = format!("{} {} as {}", rule.method, s.path, ACTORS[i]);
            // Where a page sends a visitor who must sign in first (signing out
            // itself ends on the bare `/login`).
            let to_login = status == StatusCode::SEE_OTHER && location.starts_with("/login?");
            match expect {
                Expect::Allow => assert!(
                    (status.is_success() || status.is_redirection()) && !to_login,
                    "{cell}: expected the page or its redirect, got {status} → {location}"
                ),
                Expect::Public => assert!(
                    !status.is_server_error() && !to_login && status != StatusCode::FORBIDDEN,
                    "{cell}: expected an answer without signing in, got {status} → {location}"
                ),
                Expect::Deny => assert_eq!(status, StatusCode::FORBIDDEN, "{cell}"),
                Expect::Hidden => assert_eq!(status, StatusCode::NOT_FOUND, "{cell}"),
                Expect::Login => assert!(to_login, "{cell}: expected a redirect to sign in, got {status} → {location}"),
                Expect::Signed => unreachable!("{cell}: pages are not signed by a vendor"),
            }
            if *expect != Expect::Allow {
                s.assert_unchanged(&app, &cell).await;
            }
            // Signing out ended that session; sign back in for the next rows.
            if rule.path == "/logout"
                && let Some(name) = w.usernames[i]
            {
                sessions[i] = Web::sign_in(&app, name).await;
            }
        }
    }
}

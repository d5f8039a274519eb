//! The web app in headless Chromium: two independently signed-in browsers,
//! a notice issued through the form appearing live on the other's board,
//! the bureau's actions, the countdown and its colours. Any console error
//! (a script error, a CSP violation, a failed load) fails the test.

#[path = "support/browser.rs"]
mod browser;
#[path = "support/fake_telegram.rs"]
mod fake_telegram;
#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;
#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/process.rs"]
mod process;
#[path = "support/trials.rs"]
mod trials;

use std::time::Duration;

use browser::{Driver, assert_no_console_errors, eventually, screenshot, text_of};
use chrono::Duration as Minutes;
use fantoccini::{Client, Locator};
use helpers::{Backend, ClockExt, TestApp};
use onsite::domain::access::UserRole;

const PASSWORD: &str = "a long test password";

/// Waits for an element on the page a click is loading: a lookup that
/// lands while the browser is still navigating is aborted, not failed,
/// and is asked again.
async fn after_navigation(c: &Client, locator: Locator<'_>) -> fantoccini::elements::Element {
    for _ in 0..20 {
        match c.wait().for_element(locator).await {
            Ok(element) => return element,
            Err(e) if e.to_string().contains("aborted by navigation") => continue,
            Err(e) => panic!("waiting for {locator:?}: {e}"),
        }
    }
    panic!("the page kept navigating while waiting for {locator:?}")
}

async fn sign_in(c: &Client, app: &TestApp, username: &str) {
    sign_in_at(c, &app.url(""), username, PASSWORD).await;
}

async fn sign_in_at(c: &Client, base: &str, username: &str, password: &str) {
    c.goto(&format!("{base}/board")).await.expect("open board");
    // Not signed in: the board sends the browser to the sign-in page.
    assert!(c.current_url().await.unwrap().path().starts_with("/login"));
    c.find(Locator::Css("input[name=username]")).await.unwrap().send_keys(username).await.unwrap();
    c.find(Locator::Css("input[name=password]")).await.unwrap().send_keys(password).await.unwrap();
    c.find(Locator::Id("sign-in")).await.unwrap().click().await.unwrap();
    c.wait().for_element(Locator::Id("board-rows")).await.expect("board after sign-in");
    assert_eq!(c.current_url().await.unwrap().path(), "/board");
}

/// The board row of `title`, as (data-sla, countdown text), if shown.
async fn board_row(c: &Client, title: &str) -> Option<(String, String)> {
    // Read in one script, not element by element: a live update that
    // re-renders the rows mid-read would leave stale element references.
    let script = "const r=[...document.querySelectorAll('#board-rows tr[data-sla]')]\
                  .find(r=>r.textContent.includes(arguments[0]));\
                  return r ? [r.getAttribute('data-sla'), r.querySelector('.countdown').innerText] : null;";
    let found = c.execute(script, vec![title.into()]).await.ok()?;
    let pair = found.as_array()?;
    Some((pair.first()?.as_str()?.to_owned(), pair.get(1)?.as_str()?.trim().to_owned()))
}

/// The computed text colour of the countdown in the row of `title`.
async fn countdown_colour(c: &Client, title: &str) -> String {
    let script = "const rows=[...document.querySelectorAll('#board-rows tr[data-sla]')];\
                  const r=rows.find(r=>r.textContent.includes(arguments[0]));\
                  return r ? getComputedStyle(r.querySelector('.countdown')).color : '';";
    c.execute(script, vec![title.into()]).await.unwrap().as_str().unwrap_or_default().to_owned()
}

const GREEN: &str = "rgb(30, 123, 52)";
const AMBER: &str = "rgb(154, 91, 0)";
const RED: &str = "rgb(179, 38, 30)";

async fn bureau_staff_issue_extend_and_stand_down_while_a_second_board_follows_live() {
    let Some(driver) = Driver::start() else { return };
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
    app.user_token("watcher", UserRole::Bureau, None).await;
    let unit = app.unit_with_people("重庆星辰网络安全技术有限公司").await;
    let other = app.unit_with_people("山城信息安全服务有限公司").await;

    // Two assignments already running late, to see the colours: one with 20
    // minutes left (at risk) and one 10 minutes past its deadline.
    let now = app.clock.now_utc();
    for (minutes_ago, title) in [(100, "历史派单·临近时限"), (130, "历史派单·已超时")] {
        app.clock.set(now - Minutes::minutes(minutes_ago));
        let mut body = helpers::notice_body(&[other.id], true);
        body["title"] = title.into();
        helpers::expect_json(app.post("/api/v1/notices", &body).await, reqwest::StatusCode::CREATED).await;
    }
    app.clock.set(now);

    let profiles = tempfile::tempdir().unwrap();
    let staff = driver.browser(&profiles.path().join("staff")).await;
    let watcher = driver.browser(&profiles.path().join("watcher")).await;
    sign_in(&staff, &app, "duty").await;
    sign_in(&watcher, &app, "watcher").await;
    // A marker that a reload would wipe: the board must update without one.
    watcher.execute("window.__noReload = 42; return true;", vec![]).await.unwrap();

    // Colours and countdowns of the late assignments.
    let (sla, countdown) = board_row(&watcher, "临近时限").await.expect("at-risk row");
    assert_eq!(sla, "at_risk");
    assert!(countdown.starts_with("剩余 19分") || countdown.starts_with("剩余 20分"), "{countdown}");
    assert_eq!(countdown_colour(&watcher, "临近时限").await, AMBER);
    let (sla, countdown) = board_row(&watcher, "已超时").await.expect("breached row");
    assert_eq!(sla, "breached");
    assert!(countdown.starts_with("已超时 10分"), "{countdown}");
    assert_eq!(countdown_colour(&watcher, "已超时").await, RED);

    // The form refuses an empty title beside the field, in Chinese, and keeps what was typed.
    staff.goto(&app.url("/notices/new")).await.unwrap();
    staff.find(Locator::Css("input[name=target_name]")).await.unwrap().send_keys("重庆某政务云平台").await.unwrap();
    staff
        .find(Locator::Css("input[name=site_address]"))
        .await
        .unwrap()
        .send_keys("重庆市渝北区金开大道")
        .await
        .unwrap();
    staff.find(Locator::Css("input[name=site_lat]")).await.unwrap().send_keys("29.61").await.unwrap();
    staff.find(Locator::Css("input[name=site_lon]")).await.unwrap().send_keys("106.63").await.unwrap();
    staff
        .find(Locator::Css("textarea[name=description]"))
        .await
        .unwrap()
        .send_keys("门户首页被植入博彩链接")
        .await
        .unwrap();
    staff.find(Locator::Id("review")).await.unwrap().click().await.unwrap();
    after_navigation(&staff, Locator::Id("form-errors")).await;
    assert!(text_of(&staff, "[data-error-for=title]").await.contains("必填"), "title error in Chinese");
    assert!(text_of(&staff, "[data-error-for=unit_ids]").await.contains("支撑单位"));
    // The refusal is a 422 answer, which Chromium logs; nothing else may be.
    let errors = browser::console_errors(&staff).await;
    assert!(
        errors.iter().all(|e| e["source"] == "network" && e["message"].as_str().unwrap_or("").contains("422")),
        "{errors:#?}"
    );
    let kept = staff.find(Locator::Css("input[name=target_name]")).await.unwrap().prop("value").await.unwrap();
    assert_eq!(kept.as_deref(), Some("重庆某政务云平台"));

    let title = "渝北区政务门户网站被植入博彩链接";
    staff.find(Locator::Css("input[name=title]")).await.unwrap().send_keys(title).await.unwrap();
    staff.find(Locator::Css("select[name=category]")).await.unwrap().select_by_value("malware_implant").await.unwrap();
    staff.find(Locator::Css("select[name=severity]")).await.unwrap().select_by_value("II").await.unwrap();
    staff
        .find(Locator::Css(&format!("input[name=unit_ids][value='{}']", unit.id)))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let branch_select = format!("[data-unit-choice]:has(input[value='{}']) select", unit.id);
    staff.find(Locator::Css(&branch_select)).await.unwrap().select_by_value(&unit.branch_id.to_string()).await.unwrap();
    screenshot(&staff, "notice-form").await;
    staff.find(Locator::Id("review")).await.unwrap().click().await.unwrap();
    after_navigation(&staff, Locator::Id("confirm-issue")).await;
    assert_eq!(text_of(&staff, "#confirm-title").await, title);
    assert_no_console_errors(&staff, "on the notice form").await;
    staff.find(Locator::Id("confirm-issue")).await.unwrap().click().await.unwrap();
    after_navigation(&staff, Locator::Css("section[id^=a]")).await;
    assert!(staff.current_url().await.unwrap().path().starts_with("/notices/"));

    // The second browser's board shows it within 2 s, without a reload.
    let took = eventually(Duration::from_secs(2), "new notice on the second board", || async {
        board_row(&watcher, title).await.is_some()
    })
    .await;
    eprintln!("notice on the second board after {took:?}");
    let (sla, countdown) = board_row(&watcher, title).await.unwrap();
    assert_eq!(sla, "on_track");
    assert!(countdown.starts_with("剩余 1小时59分") || countdown.starts_with("剩余 2小时"), "{countdown}");
    assert_eq!(countdown_colour(&watcher, title).await, GREEN);
    let marker = watcher.execute("return window.__noReload || 0;", vec![]).await.unwrap();
    assert_eq!(marker, 42, "the board reloaded instead of updating live");
    let row_text = watcher.find(Locator::Css("#board-rows")).await.unwrap().text().await.unwrap();
    assert!(row_text.contains("渝中分公司"), "the chosen branch is shown: {row_text}");

    // Extend: the form suggests the deadline plus 30 minutes; give a reason.
    let extend = staff.find(Locator::Css(".extend-form")).await.unwrap();
    extend.find(Locator::Css("input[name=reason]")).await.unwrap().send_keys("现场交通管制，申请延长").await.unwrap();
    extend.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    after_navigation(&staff, Locator::Id("flash")).await;
    let page = staff.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
    assert!(page.contains("延长时限") && page.contains("现场交通管制"), "extension on the timeline");
    assert!(page.contains("2026-11-25 05:30"), "new deadline 05:30 Shanghai time: {page}");
    eventually(Duration::from_secs(2), "extended countdown on the board", || async {
        board_row(&watcher, title)
            .await
            .is_some_and(|(_, c)| c.starts_with("剩余 2小时29分") || c.starts_with("剩余 2小时30分"))
    })
    .await;
    screenshot(&staff, "notice-page").await;
    assert_no_console_errors(&staff, "on the notice page").await;

    // Stand down the at-risk one: it leaves the second board.
    watcher.find(Locator::LinkText("历史派单·临近时限")).await.unwrap();
    let (at_risk_notice,) = {
        let href = watcher
            .execute(
                "return [...document.querySelectorAll('#board-rows a')].find(a=>a.textContent.includes('临近时限')).getAttribute('href');",
                vec![],
            )
            .await
            .unwrap();
        (href.as_str().unwrap().to_owned(),)
    };
    staff.goto(&app.url(&at_risk_notice)).await.unwrap();
    let stand_down = staff.find(Locator::Css(".stand-down-form")).await.unwrap();
    stand_down
        .find(Locator::Css("input[name=reason]"))
        .await
        .unwrap()
        .send_keys("企业已自行恢复，经核实撤销")
        .await
        .unwrap();
    stand_down.find(Locator::Css("button")).await.unwrap().click().await.unwrap();
    // A stand-down is confirmed on a page of its own, which names the reason.
    let confirm = after_navigation(&staff, Locator::Id("confirm-action")).await;
    let reason = staff.find(Locator::Id("confirm-reason")).await.unwrap().text().await.unwrap();
    assert_eq!(reason, "企业已自行恢复，经核实撤销");
    confirm.click().await.unwrap();
    after_navigation(&staff, Locator::Id("flash")).await;
    eventually(Duration::from_secs(2), "stood-down assignment leaves the board", || async {
        board_row(&watcher, "临近时限").await.is_none()
    })
    .await;
    assert_eq!(text_of(&watcher, "#open-count").await, "2");
    screenshot(&watcher, "board").await;
    assert_no_console_errors(&watcher, "on the live board").await;

    // The month's SLA report: the breached one is listed, charts drawn.
    staff.goto(&app.url("/reports")).await.unwrap();
    after_navigation(&staff, Locator::Id("breaches")).await;
    assert!(text_of(&staff, "#breaches").await.contains("历史派单·已超时"));
    assert_eq!(staff.find_all(Locator::Css(".charts svg")).await.unwrap().len(), 3);
    screenshot(&staff, "reports").await;
    browser::screenshot_at(&staff, ".charts", "report-charts").await;
    assert_no_console_errors(&staff, "on the report page").await;

    // English, remembered for the user.
    watcher.find(Locator::Id("switch-lang")).await.unwrap().click().await.unwrap();
    // The old page's board is still there until the switch's answer loads.
    eventually(Duration::from_secs(5), "the board in English", || async {
        text_of(&watcher, "h1").await.contains("Live board")
    })
    .await;
    watcher.goto(&app.url("/notices")).await.unwrap();
    assert!(text_of(&watcher, "h1").await.contains("Notices"));
    assert_no_console_errors(&watcher, "in English").await;

    // A manager on the move: on a phone the board's rows become cards.
    let phone = driver.browser_sized(&profiles.path().join("phone"), (390, 844)).await;
    sign_in(&phone, &app, "duty").await;
    let header = phone
        .execute("return getComputedStyle(document.querySelector('table.board thead')).display;", vec![])
        .await
        .unwrap();
    assert_eq!(header, "none", "no table header on a phone");
    let overflow =
        phone.execute("return document.documentElement.scrollWidth > window.innerWidth;", vec![]).await.unwrap();
    assert_eq!(overflow, false, "nothing wider than the phone's screen");
    assert!(board_row(&phone, title).await.is_some());
    screenshot(&phone, "board-phone").await;
    assert_no_console_errors(&phone, "on a phone").await;

    staff.close().await.unwrap();
    watcher.close().await.unwrap();
    phone.close().await.unwrap();
}

/// `onsite serve --demo` as a newcomer meets it: three months of history in
/// the reports, and a notice answered from the demo inbox moving the board.
async fn the_demo_answers_from_its_inbox_and_the_board_moves() {
    let Some(driver) = Driver::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = process::onsite(dir.path(), &process::sqlite_url(dir.path()));
    cmd.args(["serve", "--demo"]);
    let server = process::Server::start(cmd);
    let printed = |label: &str| {
        server.lines.iter().find_map(|l| l.split(label).nth(1)).map(|v| v.trim().to_owned()).expect(label)
    };
    let (password, token) = (printed("password 密码: "), printed("API token 令牌: "));
    let profiles = tempfile::tempdir().unwrap();
    let c = driver.browser(&profiles.path().join("demo")).await;
    sign_in_at(&c, &server.base, "duty", &password).await;
    assert!(text_of(&c, "#open-count").await.parse::<u32>().unwrap() >= 2, "the demo's running notices");
    screenshot(&c, "demo-board").await;

    // A notice to the first demo unit, then the page of whoever is on duty
    // there (the demo's roster) in the inbox.
    let api = reqwest::Client::new();
    let units: serde_json::Value = api
        .get(format!("{}/api/v1/units", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let unit = units[0]["id"].as_i64().unwrap();
    let title = "演示：某政务网站首页被篡改";
    let body = serde_json::json!({
        "title": title, "category": "web_defacement", "severity": "II",
        "target": {"name": "重庆某局", "kind": "other"},
        "site": {"address": "重庆市渝中区解放碑", "lat": 29.557, "lon": 106.577},
        "description": "首页被篡改", "requires_onsite": true, "unit_ids": [unit],
    });
    let issued = api.post(format!("{}/api/v1/notices", server.base)).bearer_auth(&token).json(&body).send().await;
    let issued = issued.unwrap();
    assert_eq!(issued.status(), 201);
    let notice = issued.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
    c.goto(&format!("{}/demo/inbox", server.base)).await.unwrap();
    let link = eventually(Duration::from_secs(10), "the page to the one on duty in the inbox", || async {
        c.refresh().await.unwrap();
        let script = "const m=[...document.querySelectorAll('#inbox article')]\
                      .find(m=>m.textContent.includes(arguments[0])&&m.querySelector('a.button'));\
                      return m ? m.querySelector('a.button').getAttribute('href') : null;";
        c.execute(script, vec![title.into()]).await.unwrap().as_str().is_some()
    })
    .await;
    assert!(link < Duration::from_secs(10));
    assert!(!text_of(&c, "#inbox").await.contains("发送失败"), "every demo page is delivered");
    screenshot(&c, "demo-inbox").await;
    assert_no_console_errors(&c, "in the demo inbox").await;

    // They answer from the action page their page links to.
    let script = "return [...document.querySelectorAll('#inbox article')]\
                  .find(m=>m.textContent.includes(arguments[0])&&m.querySelector('a.button'))\
                  .querySelector('a.button').getAttribute('href');";
    let href = c.execute(script, vec![title.into()]).await.unwrap().as_str().unwrap().to_owned();
    c.goto(&format!("{}{href}", server.base)).await.unwrap();
    for (milestone, label) in
        [("acknowledged", "已接收"), ("plan_activated", "启动应急支撑方案"), ("on_site", "到达现场")]
    {
        let button = format!("button[value={milestone}]");
        c.find(Locator::Css(&button)).await.unwrap().click().await.unwrap();
        // The answer is the next page's flash naming this milestone (the
        // previous page's flash may still be on screen a moment).
        eventually(Duration::from_secs(5), "the milestone is recorded", || async {
            text_of(&c, ".flash.ok").await.contains(label)
        })
        .await;
    }
    // A photo of the site from the same page, as the phone's camera gives it.
    let photo = profiles.path().join("现场.jpg");
    image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 120]))
        .save(&photo)
        .unwrap();
    let input = c.find(Locator::Css("#photo-form input[type=file]")).await.unwrap();
    input.send_keys(photo.to_str().unwrap()).await.unwrap();
    c.find(Locator::Id("send-photo")).await.unwrap().click().await.unwrap();
    eventually(Duration::from_secs(5), "the photo is kept", || async {
        text_of(&c, ".flash.ok").await.contains("现场照片已上传")
    })
    .await;
    assert!(text_of(&c, "#photos").await.contains("现场.jpg"), "the page lists the photo sent");
    assert_no_console_errors(&c, "on the action page").await;

    // The bureau sees it on the notice's page as a thumbnail drawn by the server.
    c.goto(&format!("{}/notices/{notice}", server.base)).await.unwrap();
    c.wait().for_element(Locator::Css(".thumb img")).await.unwrap();
    let width = eventually(Duration::from_secs(5), "the thumbnail loads", || async {
        let w = c.execute("return document.querySelector('.thumb img').naturalWidth;", vec![]).await.unwrap();
        w.as_u64() == Some(320)
    })
    .await;
    assert!(width < Duration::from_secs(5));
    screenshot(&c, "demo-notice-photo").await;
    assert_no_console_errors(&c, "on the notice's page with a photo").await;

    c.goto(&format!("{}/board", server.base)).await.unwrap();
    c.wait().for_element(Locator::Id("board-rows")).await.unwrap();
    assert!(board_row(&c, title).await.is_some());
    assert!(text_of(&c, "#board-rows").await.contains("已到达现场"), "the board shows the engineer on site");
    screenshot(&c, "demo-board-after").await;

    // Three months of history in the reports, charts drawn.
    let today = (chrono::Utc::now() + Minutes::hours(8)).date_naive();
    let from = today - Minutes::days(92);
    c.goto(&format!("{}/reports?from={from}&to={today}", server.base)).await.unwrap();
    c.wait().for_element(Locator::Css(".charts")).await.unwrap();
    assert_eq!(c.find_all(Locator::Css(".charts svg")).await.unwrap().len(), 3);
    screenshot(&c, "demo-reports").await;
    browser::screenshot_at(&c, ".charts", "demo-report-charts").await;
    assert_no_console_errors(&c, "on the demo's reports").await;
    c.close().await.unwrap();
    assert!(server.stop().success());
}

fn main() {
    trials::main(vec![
        trial!(bureau_staff_issue_extend_and_stand_down_while_a_second_board_follows_live, Browser),
        trial!(the_demo_answers_from_its_inbox_and_the_board_moves, Browser),
    ]);
}

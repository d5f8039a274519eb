//! Signing in against an attacker: parallel guesses, return addresses that
//! leave the site, and sign-ins or form posts from another site.

use reqwest::StatusCode;

use crate::helpers::{ClockExt, TestApp};
use crate::web::{PASSWORD, Web, browser, csrf_of, post_login};

crate::on_both_backends!(
    fifteen_wrong_passwords_at_once_lock_the_account,
    every_return_address_trick_stays_on_the_site,
    a_cross_site_sign_in_or_form_post_is_refused,
);

/// Counted one by one, parallel guesses cannot outrun the lockout: fifteen
/// wrong passwords at once lock the account, and the right one is refused.
async fn fifteen_wrong_passwords_at_once_lock_the_account(app: TestApp) {
    let forms = futures::future::join_all((0..15).map(|_| async {
        let client = browser();
        let form = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        (client, csrf_of(&form))
    }))
    .await;
    let answers = futures::future::join_all(forms.iter().map(|(client, token)| {
        let fields = [("csrf", token.as_str()), ("username", "duty"), ("password", "wrong password!")];
        client.post(app.url("/login")).form(&fields).send()
    }))
    .await;
    assert!(answers.iter().all(|r| r.as_ref().unwrap().status() == StatusCode::UNAUTHORIZED));
    let user = app.state.store.user_by_name("duty").await.unwrap().unwrap();
    assert!(user.locked_until.is_some_and(|until| until > app.clock.now_utc()), "locked: {user:?}");
    let r = post_login(&browser(), &app, &[("username", "duty"), ("password", PASSWORD)]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("已锁定"));
}

/// After sign-in and after the language switch the browser goes back only
/// to a page of this site; a return address with CR/LF is refused before
/// any session exists.
async fn every_return_address_trick_stays_on_the_site(app: TestApp) {
    for (trick, refused) in [
        ("//evil.example/", true),
        ("/\t/evil.example/", true),
        ("/\\evil.example/", true),
        ("https://evil.example/", true),
        ("/%2F%2Fevil.example/", false),
        ("/\r\nSet-Cookie: stolen=1", true),
    ] {
        let r = post_login(&browser(), &app, &[("username", "duty"), ("password", PASSWORD), ("next", trick)]).await;
        let location = r.headers().get("location").map(|l| l.to_str().unwrap().to_owned());
        let cookies: Vec<String> =
            r.headers().get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_owned()).collect();
        if refused {
            assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{trick:?}");
            assert!(cookies.iter().all(|c| !c.starts_with("onsite_session=")), "{trick:?}: no session");
            assert!(r.text().await.unwrap().contains("返回地址无效"), "{trick:?}: said why");
        } else {
            assert_eq!(location.as_deref(), Some(trick), "a path that only looks odd is still a path here");
        }
    }
    let signed_in = app.state.store.audit_entries(100).await.unwrap();
    assert_eq!(signed_in.iter().filter(|e| e.action == "user.signed_in").count(), 1, "only the honest path signed in");
    let web = Web::sign_in(&app, "duty").await;
    for trick in ["//evil.example/", "/\t/evil.example/", "/\r\n/evil.example/"] {
        let (status, location, body) = web.post("/lang", &[("lang", "en"), ("back", trick)]).await;
        assert_eq!((status, location.as_str()), (StatusCode::BAD_REQUEST, ""), "{trick:?}");
        assert!(body.contains("返回地址无效"), "{body}");
    }
    let (status, location, _) = web.post("/lang", &[("lang", "en"), ("back", "/units")]).await;
    assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/units"));
}

/// Another site cannot sign a browser in as the attacker (the sign-in form
/// has its own token), and a browser marking a form post as cross-site is
/// refused even with a valid token.
async fn a_cross_site_sign_in_or_form_post_is_refused(app: TestApp) {
    let fields = [("username", "duty"), ("password", PASSWORD), ("next", "/board")];
    let r = browser().post(app.url("/login")).form(&fields).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "no form token");
    assert!(r.headers().get_all("set-cookie").iter().all(|c| !c.to_str().unwrap().starts_with("onsite_session=")));
    assert!(r.text().await.unwrap().contains("表单已过期或来源不明"));
    for (header, value) in
        [("origin", "http://evil.example"), ("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site")]
    {
        let client = browser();
        let form = client.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let token = csrf_of(&form);
        let mut all = vec![("csrf", token.as_str())];
        all.extend_from_slice(&fields);
        let r = client.post(app.url("/login")).header(header, value).form(&all).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{header}: {value}");
    }
    let own = browser();
    let form = own.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let token = csrf_of(&form);
    let r = own
        .post(app.url("/login"))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf", token.as_str()), ("username", "duty"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the site's own form signs in (as Chromium sends it)");

    let web = Web::sign_in(&app, "duty").await;
    let r = web
        .client
        .post(format!("{}/units", web.base))
        .header("origin", "http://evil.example")
        .form(&[("csrf", web.csrf.as_str()), ("name", "伪造单位")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app.client.post(app.url("/api/v1/units")).bearer_auth(&app.token).header("sec-fetch-site", "cross-site");
    let problem = crate::helpers::expect_problem(
        r.json(&serde_json::json!({"name": "伪造单位"})).send().await.unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("cross-site"));
    let units = app.get_ok("/api/v1/units").await;
    assert!(units.as_array().unwrap().iter().all(|u| u["name"] != "伪造单位"), "nothing was created");
}

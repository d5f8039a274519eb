//! A page that fails is still a page: in the reader's language, inside the
//! site's navigation when they are signed in, in both languages when not;
//! a malformed address reads as "not found", never as a parser's text.

use reqwest::StatusCode;

use crate::helpers::TestApp;
use crate::web::Web;

crate::on_both_backends!(
    a_malformed_or_unknown_address_is_a_not_found_page_with_the_navigation,
    a_visitor_not_signed_in_is_told_in_both_languages,
    a_refused_form_is_explained_in_the_readers_language,
);

/// The navigation and who is signed in: the page is inside the site.
fn inside_the_site(page: &str) {
    assert!(page.contains(r#"id="who""#) && page.contains(r#"href="/notices""#), "no navigation: {page}");
}

async fn a_malformed_or_unknown_address_is_a_not_found_page_with_the_navigation(app: TestApp) {
    let web = Web::sign_in(&app, "duty").await;
    for path in ["/assignments/abc", "/notices/99999", "/units/x1", "/no/such/page", "/assignments/1/extend"] {
        let (status, page) = web.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert!(page.contains("页面不存在，或您无权查看。"), "{path}: {page}");
        assert!(!page.contains("Invalid URL") && !page.contains("Cannot parse"), "{path}: the parser's words leaked");
        inside_the_site(&page);
    }
    // In English for a reader who chose it.
    let (status, _, _) = web.post("/lang", &[("lang", "en"), ("back", "/board")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, page) = web.get("/notices/abc").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("Not found, or not yours to see."), "{page}");
    inside_the_site(&page);
    // The API keeps answering in problem+json.
    let r = reqwest::get(format!("{}/api/v1/no-such", app.base)).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.headers()["content-type"], "application/problem+json");
}

async fn a_visitor_not_signed_in_is_told_in_both_languages(app: TestApp) {
    let (status, page) = Web::anonymous(&app).get("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(page.contains("页面不存在，或您无权查看。") && page.contains("Not found, or not yours to see."), "{page}");
    assert!(!page.contains(r#"id="who""#), "no one is signed in");
}

async fn a_refused_form_is_explained_in_the_readers_language(app: TestApp) {
    let unit = app.unit_with_people("安盾").await;
    let notice = app.issue(&[unit.id], true).await;
    let a = notice["assignments"][0]["id"].as_i64().unwrap();
    let web = Web::sign_in(&app, "duty").await;
    let before = app.timeline_len(a).await;
    let (status, _, page) =
        web.post(&format!("/assignments/{a}/extend"), &[("deadline_at", "not a time"), ("reason", "x")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("未执行"), "{page}");
    inside_the_site(&page);
    assert_eq!(app.timeline_len(a).await, before, "nothing recorded");
}

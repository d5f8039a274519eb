//! The second line against cross-site requests, after each form's token: a
//! state-changing request that a browser marks as coming from another site
//! (`Sec-Fetch-Site`, or an `Origin` that is neither this host nor the
//! configured public address) is refused before any handler runs. Callers
//! that are not browsers (API clients, Telegram, robots) send neither header
//! and pass. `Origin: null` tells nothing: under this site's
//! `Referrer-Policy: no-referrer` browsers send it for their own forms.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::pages::error::PageError;
use super::problem::ApiError;

/// The middleware; its state is the configured public address.
pub async fn same_site_only(State(public_url): State<Arc<str>>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let own = req.uri().authority().map(|a| a.as_str().to_owned());
    if safe || !from_another_site(req.headers(), own.as_deref(), &public_url) {
        return next.run(req).await;
    }
    tracing::warn!(method = %req.method(), path = req.uri().path(), "cross-site request refused");
    if req.uri().path().starts_with("/api/") {
        ApiError::Forbidden("cross-site requests are refused").into_response()
    } else {
        PageError::Csrf.into_response()
    }
}

/// Whether the browser says the request comes from another site.
fn from_another_site(headers: &HeaderMap, authority: Option<&str>, public_url: &str) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    let Some(origin) = headers.get(header::ORIGIN).filter(|o| o.as_bytes() != b"null") else { return false };
    let Some(origin) = origin.to_str().ok().and_then(|o| url::Url::parse(o).ok()).filter(|o| o.host().is_some()) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).or(authority);
    let this_host = host.and_then(|h| url::Url::parse(&format!("{}://{h}", origin.scheme())).ok());
    let public = url::Url::parse(public_url).ok();
    ![this_host, public].into_iter().flatten().any(|own| own.origin() == origin.origin())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn a_browsers_cross_site_marks_are_read() {
        let public = "https://onsite.example.gov.cn";
        let own = [("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")];
        assert!(!from_another_site(&headers(&own), None, public));
        assert!(!from_another_site(&headers(&[("host", "127.0.0.1:8080")]), None, public), "no browser headers");
        assert!(
            !from_another_site(&headers(&[("origin", public), ("host", "10.0.0.5")]), None, public),
            "behind a proxy"
        );
        assert!(!from_another_site(&headers(&[("sec-fetch-site", "same-origin")]), None, public));
        assert!(!from_another_site(&headers(&[("sec-fetch-site", "none")]), None, public), "typed by the user");
        let own_form = [("origin", "null"), ("sec-fetch-site", "same-origin")];
        assert!(!from_another_site(&headers(&own_form), None, public), "a form of this no-referrer site");
        assert!(!from_another_site(&headers(&[("origin", "null")]), None, public), "null says nothing");
        for marks in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")],
            &[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")],
            &[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:9090")],
            &[("host", "127.0.0.1:8080"), ("origin", "null"), ("sec-fetch-site", "cross-site")],
            &[("host", "127.0.0.1:8080"), ("origin", "garbage")],
        ] {
            assert!(from_another_site(&headers(marks), None, public), "{marks:?}");
        }
    }
}

//! The session cookie itself: its name and how it is set and cleared.

use axum_extra::extract::cookie::{Cookie, SameSite};

/// The session cookie's name.
pub const COOKIE: &str = "onsite_session";

/// The session cookie: HttpOnly, SameSite=Lax, Secure unless configured off.
pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((COOKIE, value)).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build()
}

/// Clears the session cookie in the browser.
pub fn cleared_cookie() -> Cookie<'static> {
    let mut cookie = Cookie::build((COOKIE, "")).path("/").http_only(true).same_site(SameSite::Lax).build();
    cookie.make_removal();
    cookie
}

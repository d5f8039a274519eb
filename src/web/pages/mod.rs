//! HTML pages: sign-in, the live board, the notice form, a notice's page
//! with the bureau's actions, and the phone page behind action links. Every
//! page takes its words from `text` and its data through the same store
//! calls, scoped to the reader, as the API.

pub mod action;
pub mod action_photo;
pub mod admin;
pub mod assignment_forms;
pub mod board;
pub mod board_snapshots;
pub mod channel_test;
pub mod closure;
pub mod demo;
pub mod enterprises;
pub mod error;
pub mod files;
pub mod form;
pub mod instructions;
pub mod login;
pub mod notice;
pub mod notice_form;
pub mod profiles;
pub mod protection;
pub mod read_link;
pub mod registry;
pub mod registry_sheet;
pub mod report_duties;
pub mod reports;
pub mod roster;
pub mod screening;
pub mod special_report_files;
pub mod special_reports;
pub mod text;
pub mod threat_reports;
pub mod view;
pub mod work_reports;

use axum::Router;
use axum::response::Redirect;
use axum::routing::get;

use crate::AppState;
use crate::domain::access::UserRole;
use crate::domain::labels::Lang;
use crate::store::sessions::WebSession;
use text::{UiText, ui};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/board") }))
        .merge(login::router())
        .merge(board::router())
        .merge(notice_form::router())
        .merge(notice::router())
        .merge(assignment_forms::router())
        .merge(registry::router())
        .merge(registry_sheet::router())
        .merge(channel_test::router())
        .merge(admin::router())
        .merge(reports::router())
        .merge(protection::router())
        .merge(screening::router())
        .merge(enterprises::router())
        .merge(special_reports::router())
        .merge(special_report_files::router())
        .merge(threat_reports::router())
        .merge(instructions::router())
        .merge(work_reports::router())
        .merge(read_link::router())
        .merge(profiles::router())
        .merge(roster::router())
        .merge(closure::router())
        .merge(files::router())
        .merge(action::router())
        .merge(demo::router())
}

/// What every signed-in page shows around its content.
pub struct Chrome {
    pub t: &'static UiText,
    pub lang: Lang,
    pub html_lang: &'static str,
    pub other_lang: &'static str,
    pub username: String,
    pub role: &'static str,
    pub csrf: String,
    pub can_direct: bool,
    pub is_admin: bool,
    /// Demo mode: the navigation offers the demo inbox.
    pub demo_inbox: bool,
    /// The navigation entry to highlight.
    pub active: &'static str,
    /// The server's clock, for the countdowns.
    pub now_ms: i64,
    /// This page's path, where the language switch returns to.
    pub path: String,
}

impl Chrome {
    pub fn new(state: &AppState, session: &WebSession, path: &str, active: &'static str) -> Self {
        let lang = session.lang;
        Self {
            t: ui(lang),
            lang,
            html_lang: if lang == Lang::Zh { "zh-CN" } else { "en" },
            other_lang: if lang == Lang::Zh { "en" } else { "zh" },
            username: session.actor.username.clone(),
            role: session.actor.role.label(lang),
            csrf: session.csrf_token.clone(),
            can_direct: session.actor.can_direct(),
            is_admin: session.actor.role == UserRole::Admin,
            demo_inbox: state.config.notify.demo_inbox,
            active,
            now_ms: state.clock.now().timestamp_millis(),
            path: path.to_owned(),
        }
    }
}

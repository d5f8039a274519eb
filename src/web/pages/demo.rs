//! `/demo/inbox`, served only in demo mode: what each person was paged, on
//! which channel, with the action link their page carried, so whoever
//! tries onsite can answer as the engineer and watch the board move.

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::Chrome;
use super::error::PageError;
use super::text::{DemoText, demo};
use crate::AppState;
use crate::domain::duration::format_local;
use crate::domain::labels::Lang;
use crate::domain::people::masked_address;
use crate::domain::record::Page;
use crate::notify::message::in_lang;
use crate::web::session::SignedIn;

/// The latest pages shown.
const SHOWN: u64 = 100;

pub fn router() -> Router<AppState> {
    Router::new().route("/demo/inbox", get(show))
}

pub struct Message {
    pub id: i64,
    pub recipient: String,
    pub channel: String,
    pub at: String,
    pub status: &'static str,
    pub delivered: bool,
    pub title: String,
    /// The page's text in the reader's language.
    pub text: String,
    /// Where its action link leads (none for a message nobody answers).
    pub action: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "demo_inbox.html")]
struct InboxPage {
    chrome: Chrome,
    d: &'static DemoText,
    messages: Vec<Message>,
}

fn message(state: &AppState, p: Page, lang: Lang) -> Message {
    let action = match (p.assignment_id, p.person_id, p.channel_id) {
        (Some(a), Some(person), Some(channel)) => Some(format!("/a/{}", state.action_token(a, person, channel))),
        _ => None,
    };
    Message {
        id: p.id,
        recipient: p.recipient,
        channel: format!("{} {}", p.channel_kind.label(lang), masked_address(p.channel_kind, &p.address)),
        at: format_local(p.sent_at.unwrap_or(p.created_at), state.tz),
        status: p.status.label(lang),
        delivered: p.sent_at.is_some(),
        title: p.body.title.clone(),
        text: in_lang(&p.body.text, lang).to_owned(),
        action,
    }
}

async fn show(State(state): State<AppState>, signed: SignedIn) -> Result<InboxPage, PageError> {
    let session = &signed.session;
    let lang = session.lang;
    if !state.config.notify.demo_inbox {
        return Err(PageError::NotFound);
    }
    let pages = state.app.reads(&session.actor).latest_pages(SHOWN).await?;
    Ok(InboxPage {
        chrome: Chrome::new(&state, session, "/demo/inbox", "demo"),
        d: demo(lang),
        messages: pages.into_iter().map(|p| message(&state, p, lang)).collect(),
    })
}

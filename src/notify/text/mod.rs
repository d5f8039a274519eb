//! Page wording, one module per language, and what a chat app's card and
//! answers say (`ChatText`).

pub mod en;
pub mod zh;

/// The words of a chat app's card and of the answers to a press or a reply.
pub struct ChatText {
    pub button_ack: &'static str,
    pub button_plan: &'static str,
    pub button_site: &'static str,
    pub button_hq: &'static str,
    /// The link button to the page's action page.
    pub button_open: &'static str,
    /// A press was recorded (before the milestone's name).
    pub recorded: &'static str,
    /// An SMS reply that is not a reply code.
    pub unknown_reply: &'static str,
    /// A reply code whose page is too old.
    pub expired_code: &'static str,
    /// A reply code no page to this phone carried.
    pub unknown_code: &'static str,
    /// After (zh) or before (en) a reply code's number: which page it is.
    pub page_number: &'static str,
    /// The card's source line.
    pub source: &'static str,
    /// The person pressing is not known here by this app's account.
    pub unknown_user: &'static str,
    /// A button this service did not send (or an old card's).
    pub unknown_button: &'static str,
    /// The assignment pressed is not the person's unit's.
    pub not_your_unit: &'static str,
    /// The service could not record the press (try again, or use the link).
    pub failed: &'static str,
}

pub use en::CHAT as CHAT_EN;
pub use zh::CHAT as CHAT_ZH;

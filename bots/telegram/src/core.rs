//! What the bot may ask of the service. The core implements this over its
//! store and domain; tests implement it with a fake.

use crate::callback::Action;

/// The language a chat reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// Why the service refused; the bot words it for the chat.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BotError {
    #[error("this chat is not linked to a person")]
    NotLinked,
    #[error("unknown link code")]
    UnknownCode,
    #[error("the link code has expired")]
    ExpiredCode,
    #[error("the link code was already used")]
    UsedCode,
    /// Too many link codes tried from this chat lately.
    #[error("too many link attempts")]
    TooManyAttempts,
    #[error("not an assignment of your unit")]
    NotYourUnit,
    /// The service refused the change, with its reason in both languages.
    #[error("{en}")]
    Refused { zh: String, en: String },
    #[error("internal error")]
    Internal,
}

/// Whom a chat was linked to: a person, or (`person: None`) the unit's duty group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Linked {
    pub person: Option<String>,
    pub unit: String,
}

/// A recorded press: who did what, when (already in local time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub person: String,
    pub milestone_zh: String,
    pub milestone_en: String,
    pub at_local: String,
}

/// An instruction confirmed as read: by whom and when (already in local
/// time); `now` is false when the unit had confirmed it before this press.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadConfirmed {
    pub title: String,
    pub by: String,
    pub at_local: String,
    pub now: bool,
}

/// One open assignment for `/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenAssignment {
    pub id: i64,
    pub title: String,
    pub status_zh: String,
    pub status_en: String,
    /// Seconds to the deadline (negative once past).
    pub remaining_seconds: i64,
}

/// A photo from the chat, as downloaded from Telegram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    /// The file's name when it was sent as a file; none for a photo.
    pub name: Option<String>,
    pub bytes: Vec<u8>,
}

/// An on-site photo kept: on which assignment, and how far from the site it
/// was taken when its EXIF says where (`far`: beyond the on-site radius).
#[derive(Debug, Clone, PartialEq)]
pub struct PhotoKept {
    pub assignment_id: i64,
    pub distance_m: Option<f64>,
    pub far: bool,
}

/// In every method `user` is the Telegram user acting (in a private chat it
/// equals the chat id): a press in a group chat is attributed to whoever
/// pressed, not to the group.
#[async_trait::async_trait]
pub trait BotCore: Send + Sync {
    /// Binds `user` to the person holding `code` (from `/start CODE`); pages
    /// for that person go to `chat`.
    async fn link(&self, user: i64, chat: i64, code: &str) -> Result<Linked, BotError>;
    /// Records the milestone a button reports.
    async fn press(&self, user: i64, action: Action, assignment_id: i64) -> Result<Recorded, BotError>;
    /// Confirms that the unit read the instruction of this receipt.
    async fn confirm_read(&self, user: i64, receipt_id: i64) -> Result<ReadConfirmed, BotError>;
    /// Remembers that this user owes a location for an on-site report.
    async fn await_location(&self, user: i64, assignment_id: i64) -> Result<(), BotError>;
    /// Records the on-site milestone with the location the chat sent.
    async fn location(&self, user: i64, lat: f64, lon: f64) -> Result<(Recorded, Option<f64>), BotError>;
    /// The open assignments of the chat's unit.
    async fn status(&self, user: i64) -> Result<Vec<OpenAssignment>, BotError>;
    /// Adds a note to an assignment: the one a replied-to page was about, or
    /// the chat's only open one.
    async fn note(&self, user: i64, reply_to_message: Option<i32>, text: &str) -> Result<i64, BotError>;
    /// Keeps an on-site photo on an assignment's on-site milestone: the one a
    /// replied-to page was about, the one whose location is awaited (right
    /// after 已到达现场), or the chat's only open one.
    async fn photo(&self, user: i64, reply_to_message: Option<i32>, photo: Photo) -> Result<PhotoKept, BotError>;
    /// The largest photo the service keeps, in bytes: a bigger one is not downloaded.
    fn max_photo_bytes(&self) -> u64;
    async fn lang(&self, user: i64) -> Lang;
    async fn set_lang(&self, user: i64, lang: Lang) -> Result<(), BotError>;
}

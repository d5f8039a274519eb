//! Handles one update through a dptree handler tree: commands (teloxide's
//! `BotCommands`), shared locations, replies to a page (a note), button
//! presses. Each endpoint asks the core, then answers in the chat's
//! language. A failure to answer (Telegram down) is logged: what the core
//! recorded stays recorded.

use std::ops::ControlFlow;
use std::sync::{Arc, LazyLock};

use futures::StreamExt;
use teloxide::dispatching::{DpHandlerDescription, UpdateFilterExt};
use teloxide::dptree::{self, Handler};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{FileMeta, KeyboardRemove, Location, MaybeInaccessibleMessage, Me};
use teloxide::utils::command::BotCommands;

use crate::callback::{self, Action, Press};
use crate::core::{BotCore, BotError, Lang, Photo};
use crate::keyboard;
use crate::text::{Texts, for_lang};

type Outcome = Result<(), teloxide::RequestError>;
type Core = Arc<dyn BotCore>;

/// The bot's username, so that `/status@onsite_bot` is ours and
/// `/status@other_bot` is not.
#[derive(Debug, Clone)]
struct BotName(String);

/// What an engineer can type.
#[derive(BotCommands, Debug, Clone, PartialEq, Eq)]
#[command(rename_rule = "lowercase")]
pub enum Command {
    /// `/start CODE`: link this chat to the person holding the code.
    Start(String),
    /// The unit's open assignments and their time left.
    Status,
    /// `/note TEXT`: a note on the chat's only open assignment.
    Note(String),
    /// `/lang en` or `/lang zh`.
    Lang(String),
    Help,
}

static TREE: LazyLock<Handler<'static, Outcome, DpHandlerDescription>> = LazyLock::new(|| {
    let command =
        dptree::filter_map(|m: Message, name: BotName| m.text().and_then(|t| Command::parse(t, &name.0).ok()));
    let reply = dptree::filter_map(|m: Message| {
        m.reply_to_message().and(m.text()).filter(|t| !t.starts_with('/')).map(str::to_owned)
    });
    dptree::entry()
        .branch(
            Update::filter_message()
                .branch(dptree::filter_map(|m: Message| m.location().cloned()).endpoint(on_location))
                .branch(dptree::filter_map(photo_of).endpoint(on_photo))
                .branch(command.endpoint(on_command))
                .branch(reply.endpoint(on_reply))
                .branch(dptree::filter(|m: Message| m.text().is_some()).endpoint(on_other_text)),
        )
        .branch(Update::filter_callback_query().endpoint(on_press))
});

/// Handles `update` as the bot named by `me` (without it, a command that
/// names a bot is not taken as ours).
pub async fn handle(bot: &Bot, core: Core, me: Option<&Me>, update: Update) {
    let id = update.id.0;
    let name = BotName(me.and_then(|m| m.user.username.clone()).unwrap_or_default());
    if let ControlFlow::Break(Err(e)) = TREE.dispatch(dptree::deps![bot.clone(), core, name, update]).await {
        tracing::warn!(update = id, error = %e, "could not answer in Telegram");
    }
}

async fn reply(bot: &Bot, chat: ChatId, text: String) -> Outcome {
    bot.send_message(chat, text).await.map(|_| ())
}

/// The acting user: the sender, or the chat itself when Telegram gives none.
fn user_of(msg: &Message) -> i64 {
    msg.from.as_ref().and_then(|u| i64::try_from(u.id.0).ok()).unwrap_or(msg.chat.id.0)
}

async fn texts(core: &Core, user: i64) -> &'static Texts {
    for_lang(core.lang(user).await)
}

async fn on_location(bot: Bot, core: Core, msg: Message, loc: Location) -> Outcome {
    let user = user_of(&msg);
    let t = texts(&core, user).await;
    let text = match core.location(user, loc.latitude, loc.longitude).await {
        Ok((recorded, distance)) => {
            let mut text = (t.recorded)(&recorded);
            if let Some(m) = distance {
                text.push('\n');
                text.push_str(&(t.far_from_site)(m));
            }
            text
        }
        Err(e) => (t.error)(&e),
    };
    bot.send_message(msg.chat.id, text).reply_markup(KeyboardRemove::new()).await.map(|_| ())
}

/// A photo as Telegram keeps it: its largest size (a photo sent as a photo,
/// re-encoded by Telegram without its EXIF), or an image sent as a file
/// (the original, with its position).
#[derive(Debug, Clone)]
struct SentPhoto {
    file: FileMeta,
    name: Option<String>,
}

fn photo_of(m: Message) -> Option<SentPhoto> {
    if let Some(sizes) = m.photo() {
        let largest = sizes.iter().max_by_key(|p| u64::from(p.width) * u64::from(p.height))?;
        return Some(SentPhoto { file: largest.file.clone(), name: None });
    }
    let d = m.document().filter(|d| d.mime_type.as_ref().is_some_and(|t| t.type_() == mime::IMAGE))?;
    Some(SentPhoto { file: d.file.clone(), name: d.file_name.clone() })
}

/// Downloads the photo, at most `max` bytes; `Ok(None)` when it is larger.
async fn download(bot: &Bot, file: &FileMeta, max: u64) -> Result<Option<Vec<u8>>, String> {
    if u64::from(file.size) > max {
        return Ok(None);
    }
    let file = bot.get_file(file.id.clone()).await.map_err(|e| e.to_string())?;
    let mut stream = bot.download_file_stream(&file.path);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        if (bytes.len() + chunk.len()) as u64 > max {
            return Ok(None);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Some(bytes))
}

/// A photo sent in reply to a page, or right after 已到达现场: proof of
/// arrival, kept on that assignment's on-site milestone.
async fn on_photo(bot: Bot, core: Core, msg: Message, photo: SentPhoto) -> Outcome {
    let user = user_of(&msg);
    let t = texts(&core, user).await;
    let max = core.max_photo_bytes();
    let answer = match download(&bot, &photo.file, max).await {
        Ok(None) => (t.photo_too_large)(max / (1024 * 1024)),
        Err(e) => {
            tracing::warn!(error = %e, "could not download a photo from Telegram");
            t.photo_download_failed.to_owned()
        }
        Ok(Some(bytes)) => {
            let replied = msg.reply_to_message().map(|m| m.id.0);
            match core.photo(user, replied, Photo { name: photo.name, bytes }).await {
                Ok(kept) => {
                    let place = match kept.distance_m {
                        Some(m) if kept.far => (t.photo_far)(m),
                        Some(m) => (t.photo_near)(m),
                        None => t.photo_no_position.to_owned(),
                    };
                    format!("{}\n{place}", (t.photo_kept)(&kept))
                }
                Err(e) => (t.error)(&e),
            }
        }
    };
    reply(&bot, msg.chat.id, answer).await
}

async fn on_command(bot: Bot, core: Core, msg: Message, command: Command) -> Outcome {
    let (chat, user) = (msg.chat.id, user_of(&msg));
    let t = texts(&core, user).await;
    let answer = match command {
        Command::Start(code) if !code.trim().is_empty() => match core.link(user, chat.0, code.trim()).await {
            Ok(linked) => (t.linked)(&linked),
            Err(e) => (t.error)(&e),
        },
        Command::Status => match core.status(user).await {
            Ok(open) if open.is_empty() => t.no_open.to_owned(),
            Ok(open) => open.iter().map(|a| (t.status_line)(a)).collect::<Vec<_>>().join("\n"),
            Err(e) => (t.error)(&e),
        },
        Command::Note(text) if text.trim().is_empty() => t.note_needs_text.to_owned(),
        Command::Note(text) => note(&core, &msg, text.trim(), t).await,
        Command::Lang(code) => {
            let lang = if code.trim().eq_ignore_ascii_case("en") { Lang::En } else { Lang::Zh };
            match core.set_lang(user, lang).await {
                Ok(()) => for_lang(lang).lang_set.to_owned(),
                Err(e) => (t.error)(&e),
            }
        }
        Command::Start(_) | Command::Help => t.help.to_owned(),
    };
    reply(&bot, chat, answer).await
}

/// A reply to one of the bot's pages is a note on that page's assignment.
async fn on_reply(bot: Bot, core: Core, msg: Message, text: String) -> Outcome {
    let t = texts(&core, user_of(&msg)).await;
    let answer = note(&core, &msg, &text, t).await;
    reply(&bot, msg.chat.id, answer).await
}

async fn on_other_text(bot: Bot, core: Core, msg: Message) -> Outcome {
    let t = texts(&core, user_of(&msg)).await;
    reply(&bot, msg.chat.id, t.help.to_owned()).await
}

async fn note(core: &Core, msg: &Message, text: &str, t: &Texts) -> String {
    let replied = msg.reply_to_message().map(|m| m.id.0);
    match core.note(user_of(msg), replied, text).await {
        Ok(id) => (t.note_added)(id),
        Err(e) => (t.error)(&e),
    }
}

async fn on_press(bot: Bot, core: Core, q: CallbackQuery) -> Outcome {
    let Some(message) = q.message.as_ref() else {
        return bot.answer_callback_query(q.id.clone()).await.map(|_| ());
    };
    let chat = message.chat().id;
    let user = i64::try_from(q.from.id.0).unwrap_or(chat.0);
    let lang = core.lang(user).await;
    let t = for_lang(lang);
    let (action, assignment_id) = match q.data.as_deref().and_then(callback::parse) {
        Some(Press::Milestone(action, id)) => (action, id),
        Some(Press::Read(receipt_id)) => return on_read(&bot, &core, &q, message, receipt_id, t).await,
        None => {
            return bot.answer_callback_query(q.id.clone()).text((t.error)(&BotError::Internal)).await.map(|_| ());
        }
    };
    if action == Action::OnSite {
        return match core.await_location(user, assignment_id).await {
            Ok(()) => {
                bot.answer_callback_query(q.id.clone()).await?;
                bot.send_message(chat, t.ask_location).reply_markup(keyboard::location_request(lang)).await.map(|_| ())
            }
            Err(e) => bot.answer_callback_query(q.id.clone()).text((t.error)(&e)).show_alert(true).await.map(|_| ()),
        };
    }
    match core.press(user, action, assignment_id).await {
        Ok(recorded) => {
            let line = (t.recorded)(&recorded);
            bot.answer_callback_query(q.id.clone()).text(line.clone()).await?;
            if let MaybeInaccessibleMessage::Regular(m) = message {
                let body = format!("{}\n{line}", m.text().unwrap_or_default());
                bot.edit_message_text(chat, m.id, body)
                    .reply_markup(keyboard::page_buttons(assignment_id, lang))
                    .await?;
            }
            Ok(())
        }
        Err(e) => bot.answer_callback_query(q.id.clone()).text((t.error)(&e)).show_alert(true).await.map(|_| ()),
    }
}

/// 确认已阅: the unit read an instruction. The message keeps its text with
/// who confirmed under it, and loses its button.
async fn on_read(
    bot: &Bot,
    core: &Core,
    q: &CallbackQuery,
    message: &MaybeInaccessibleMessage,
    receipt_id: i64,
    t: &Texts,
) -> Outcome {
    let user = i64::try_from(q.from.id.0).unwrap_or(message.chat().id.0);
    match core.confirm_read(user, receipt_id).await {
        Ok(confirmed) => {
            let line = (t.read_confirmed)(&confirmed);
            bot.answer_callback_query(q.id.clone()).text(line.clone()).await?;
            if let MaybeInaccessibleMessage::Regular(m) = message {
                let body = format!("{}\n{line}", m.text().unwrap_or_default());
                bot.edit_message_text(m.chat.id, m.id, body).await?;
            }
            Ok(())
        }
        Err(e) => bot.answer_callback_query(q.id.clone()).text((t.error)(&e)).show_alert(true).await.map(|_| ()),
    }
}

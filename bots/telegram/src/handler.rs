//! Handles one update: commands, button presses, locations and replies. It
//! asks the core, then answers in the chat's language. A failure to answer
//! (Telegram down) is logged: what the core recorded stays recorded.

use teloxide::prelude::*;
use teloxide::types::{KeyboardRemove, MaybeInaccessibleMessage, UpdateKind};

use crate::callback::{self, Action};
use crate::core::{BotCore, BotError, Lang};
use crate::keyboard;
use crate::text::for_lang;

pub async fn handle(bot: &Bot, core: &dyn BotCore, update: &Update) {
    let result = match &update.kind {
        UpdateKind::Message(msg) => on_message(bot, core, msg).await,
        UpdateKind::CallbackQuery(q) => on_press(bot, core, q).await,
        _ => Ok(()),
    };
    if let Err(e) = result {
        tracing::warn!(update = update.id.0, error = %e, "could not answer in Telegram");
    }
}

async fn reply(bot: &Bot, chat: ChatId, text: String) -> Result<(), teloxide::RequestError> {
    bot.send_message(chat, text).await.map(|_| ())
}

/// The acting user: the sender, or the chat itself when Telegram gives none.
fn user_of(msg: &Message) -> i64 {
    msg.from.as_ref().and_then(|u| i64::try_from(u.id.0).ok()).unwrap_or(msg.chat.id.0)
}

async fn on_message(bot: &Bot, core: &dyn BotCore, msg: &Message) -> Result<(), teloxide::RequestError> {
    let chat = msg.chat.id;
    let user = user_of(msg);
    let lang = core.lang(user).await;
    let t = for_lang(lang);
    if let Some(loc) = msg.location() {
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
        return bot.send_message(chat, text).reply_markup(KeyboardRemove::new()).await.map(|_| ());
    }
    let Some(text) = msg.text() else { return Ok(()) };
    if let Some(command) = text.strip_prefix('/') {
        let (name, arg) = command.split_once(char::is_whitespace).unwrap_or((command, ""));
        let name = name.split('@').next().unwrap_or(name);
        let arg = arg.trim();
        let answer = match name {
            "start" if !arg.is_empty() => match core.link(user, chat.0, arg).await {
                Ok(linked) => (t.linked)(&linked),
                Err(e) => (t.error)(&e),
            },
            "status" => match core.status(user).await {
                Ok(open) if open.is_empty() => t.no_open.to_owned(),
                Ok(open) => open.iter().map(|a| (t.status_line)(a)).collect::<Vec<_>>().join("\n"),
                Err(e) => (t.error)(&e),
            },
            "note" if arg.is_empty() => t.note_needs_text.to_owned(),
            "note" => note(core, msg, arg, t).await,
            "lang" => {
                let lang = if arg.eq_ignore_ascii_case("en") { Lang::En } else { Lang::Zh };
                match core.set_lang(user, lang).await {
                    Ok(()) => for_lang(lang).lang_set.to_owned(),
                    Err(e) => (t.error)(&e),
                }
            }
            _ => t.help.to_owned(),
        };
        return reply(bot, chat, answer).await;
    }
    if msg.reply_to_message().is_some() {
        let answer = note(core, msg, text, t).await;
        return reply(bot, chat, answer).await;
    }
    reply(bot, chat, t.help.to_owned()).await
}

async fn note(core: &dyn BotCore, msg: &Message, text: &str, t: &crate::text::Texts) -> String {
    let replied = msg.reply_to_message().map(|m| m.id.0);
    match core.note(user_of(msg), replied, text).await {
        Ok(id) => (t.note_added)(id),
        Err(e) => (t.error)(&e),
    }
}

async fn on_press(bot: &Bot, core: &dyn BotCore, q: &CallbackQuery) -> Result<(), teloxide::RequestError> {
    let Some(message) = q.message.as_ref() else {
        return bot.answer_callback_query(q.id.clone()).await.map(|_| ());
    };
    let chat = message.chat().id;
    let user = i64::try_from(q.from.id.0).unwrap_or(chat.0);
    let lang = core.lang(user).await;
    let t = for_lang(lang);
    let Some((action, assignment_id)) = q.data.as_deref().and_then(callback::parse) else {
        return bot.answer_callback_query(q.id.clone()).text((t.error)(&BotError::Internal)).await.map(|_| ());
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

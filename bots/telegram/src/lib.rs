//! The engineers' Telegram bot. It does not know the database: `BotCore` is
//! what it may ask of the service, and the core implements it (STYLE.md
//! rule 11). Updates are received durably (the core stores each one before
//! the offset moves) and handled from that store by `handler::handle`.

pub mod callback;
pub mod core;
pub mod handler;
pub mod keyboard;
pub mod poller;
pub mod text;

pub use callback::Action;
pub use core::{BotCore, BotError, Lang};

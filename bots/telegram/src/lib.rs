//! The engineers' Telegram bot. It does not know the database: it will
//! define the trait of what it may ask of the service, which the core
//! implements (STYLE.md rule 11). Built in the bot issue; empty until then.

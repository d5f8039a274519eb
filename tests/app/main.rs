//! The application layer's use cases, called as every door calls them: a
//! caller and a validated command, on a fresh SQLite store with a manual
//! clock. Each use case is tried by the callers it must refuse (role, then
//! scope, then state) as well as by those it serves.

mod assignments;
mod closure;
mod notices;
mod protection;
mod reads;
mod registry;
mod reply_codes;
mod rosters;
mod users;
mod world;

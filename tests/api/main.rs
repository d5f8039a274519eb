//! Integration tests of the API, each on a fresh SQLite file and on a fresh
//! PostgreSQL database, against the real server on a loopback port.

mod access;
mod access_matrix;
mod action_links;
mod audit;
mod bad_input;
mod channels;
mod closure;
mod connections;
mod demo;
mod error_pages;
mod escalation;
#[path = "../support/fake_telegram.rs"]
mod fake_telegram;
mod flow;
mod helpers;
mod listing;
mod outbox;
#[path = "../support/postgres.rs"]
mod postgres;
mod protection;
#[path = "../support/receiver.rs"]
mod receiver;
mod reports;
mod rosters;
mod screening;
mod service;
mod sign_in;
mod telegram;
mod web;

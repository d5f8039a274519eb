//! The pure domain: types, rules and arithmetic with no IO, no database and no
//! runtime, so every rule is unit-tested with an injected clock.

pub mod access;
pub mod assignment;
pub mod clock;
pub mod duration;
pub mod error;
pub mod escalation;
pub mod geo;
pub mod labels;
pub mod notice;
pub mod people;
pub mod policy;
pub mod sla;
pub mod text;
pub mod unit;

pub use error::{DomainError, FieldError};

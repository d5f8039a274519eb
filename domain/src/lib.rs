//! The pure domain: types, rules and arithmetic with no IO, no database and no
//! runtime, so every rule is unit-tested with an injected clock. Its own
//! crate, so nothing here can reach the store, the web or a channel; the
//! product re-exports it as `onsite::domain`. `crypto` lives here too: the
//! audit chain's hashing needs it, and every other layer uses it.

pub mod access;
pub mod assignment;
pub mod attachment;
pub mod audit;
pub mod call;
pub mod change;
pub mod clock;
pub mod closure;
pub mod crypto;
pub mod duration;
pub mod enterprise;
pub mod error;
pub mod escalation;
pub mod event;
pub mod geo;
pub mod instant;
pub mod instruction;
pub mod labels;
pub mod login;
pub mod notice;
pub mod page;
pub mod people;
pub mod period;
pub mod policy;
pub mod profile;
pub mod protection;
pub mod rate;
pub mod record;
pub mod registry_sheet;
pub mod reply;
pub mod report;
pub mod review;
pub mod roster;
pub mod screening;
pub mod sla;
pub mod special_report;
pub mod text;
pub mod threat;
pub mod timeline;
pub mod unit;
pub mod work_report;

pub use error::{DomainError, FieldError};

/// For `labelled_enum!`'s schema, wherever it expands.
#[cfg(feature = "openapi")]
#[doc(hidden)]
pub use utoipa as __utoipa;

/// Times the domain's unit tests share: T0 is 03:00 in Chongqing.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{DateTime, Duration, Utc};

    pub fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T19:00:00Z").expect("valid time").to_utc()
    }

    /// T0 plus `n` minutes.
    pub fn min(n: i64) -> DateTime<Utc> {
        t0() + Duration::minutes(n)
    }
}

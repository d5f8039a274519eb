//! The audit chain: each entry's hash covers its contents and the hash of
//! the entry before it, so an edited, deleted or reordered entry breaks the
//! chain where it happened. Pure: the store supplies the rows in order.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one entry says (everything its hash covers besides the previous hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content<'a> {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub source: &'a str,
    pub actor: &'a str,
    pub user_id: Option<i64>,
    pub person_id: Option<i64>,
    pub address: Option<&'a str>,
    pub action: &'a str,
    pub subject: &'a str,
    pub data: Option<&'a str>,
}

/// The entry's hash: SHA-256 over its fields as a JSON array (unambiguous
/// whatever the fields contain) and the previous entry's hash, in hex.
pub fn digest(c: &Content<'_>, prev_hash: &str) -> String {
    let fields = serde_json::json!([
        c.seq,
        c.at.to_rfc3339_opts(SecondsFormat::Micros, true),
        c.source,
        c.actor,
        c.user_id,
        c.person_id,
        c.address,
        c.action,
        c.subject,
        c.data,
        prev_hash,
    ]);
    hex::encode(Sha256::digest(fields.to_string().as_bytes()))
}

/// The first thing wrong with the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tamper {
    #[error("row id {id} (seq {seq}) was edited: its hash does not match its contents")]
    Edited { id: i64, seq: i64 },
    #[error("row id {id} has seq {seq} where {expected} was due: rows before it were deleted or reordered")]
    OutOfSequence { id: i64, seq: i64, expected: i64 },
    #[error("row id {id} (seq {seq}) does not chain to the row before it: that row was changed or replaced")]
    Unchained { id: i64, seq: i64 },
    #[error("the log ends at seq {last} but was written up to seq {head}: rows at the end were deleted")]
    Truncated { last: i64, head: i64 },
    #[error("the audit log's head row is missing")]
    HeadMissing,
}

/// Walks the log in id order.
#[derive(Debug)]
pub struct Verifier {
    expected: i64,
    prev_hash: String,
    checked: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self { expected: 1, prev_hash: GENESIS.to_owned(), checked: 0 }
    }
}

impl Verifier {
    /// Checks the next row: its place in the sequence, its link to the one
    /// before, then its own contents.
    pub fn row(&mut self, id: i64, c: &Content<'_>, prev_hash: &str, hash: &str) -> Result<(), Tamper> {
        if c.seq != self.expected {
            return Err(Tamper::OutOfSequence { id, seq: c.seq, expected: self.expected });
        }
        if prev_hash != self.prev_hash {
            return Err(Tamper::Unchained { id, seq: c.seq });
        }
        if digest(c, prev_hash) != hash {
            return Err(Tamper::Edited { id, seq: c.seq });
        }
        self.expected += 1;
        self.prev_hash = hash.to_owned();
        self.checked += 1;
        Ok(())
    }

    /// Compares the end of the log with the head written alongside it;
    /// returns how many rows were checked.
    pub fn finish(self, head_seq: i64, head_hash: &str) -> Result<u64, Tamper> {
        let last = self.expected - 1;
        if last != head_seq || self.prev_hash != head_hash {
            return Err(Tamper::Truncated { last, head: head_seq });
        }
        Ok(self.checked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::t0;

    fn content(seq: i64, action: &str) -> Content<'_> {
        Content {
            seq,
            at: t0(),
            source: "api",
            actor: "duty",
            user_id: Some(1),
            person_id: None,
            address: Some("127.0.0.1"),
            action,
            subject: "assignment:1",
            data: None,
        }
    }

    /// Three chained rows as the store would write them: (id, content, prev, hash).
    fn chain() -> Vec<(i64, Content<'static>, String, String)> {
        let mut prev = GENESIS.to_owned();
        let mut rows = Vec::new();
        for (i, action) in ["assignment.acknowledged", "assignment.on_site", "user.created"].into_iter().enumerate() {
            let c = content(i as i64 + 1, action);
            let hash = digest(&c, &prev);
            rows.push((i as i64 + 10, c, prev.clone(), hash.clone()));
            prev = hash;
        }
        rows
    }

    fn verify(rows: &[(i64, Content<'_>, String, String)], head: (i64, &str)) -> Result<u64, Tamper> {
        let mut v = Verifier::default();
        for (id, c, prev, hash) in rows {
            v.row(*id, c, prev, hash)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_untouched_chain_verifies_and_each_kind_of_tampering_is_named() {
        let rows = chain();
        let head = rows[2].3.clone();
        assert_eq!(verify(&rows, (3, &head)), Ok(3));

        let mut edited = rows.clone();
        edited[1].1.action = "assignment.plan_activated";
        assert_eq!(verify(&edited, (3, &head)), Err(Tamper::Edited { id: 11, seq: 2 }));

        let mut deleted = rows.clone();
        deleted.remove(1);
        assert_eq!(verify(&deleted, (3, &head)), Err(Tamper::OutOfSequence { id: 12, seq: 3, expected: 2 }));

        // Two rows' contents swapped in place (the ids stay).
        let mut swapped = rows.clone();
        swapped[0] = (10, rows[1].1.clone(), rows[1].2.clone(), rows[1].3.clone());
        swapped[1] = (11, rows[0].1.clone(), rows[0].2.clone(), rows[0].3.clone());
        assert_eq!(verify(&swapped, (3, &head)), Err(Tamper::OutOfSequence { id: 10, seq: 2, expected: 1 }));

        let truncated = &rows[..2];
        assert_eq!(verify(truncated, (3, &head)), Err(Tamper::Truncated { last: 2, head: 3 }));

        // Rewritten with a fresh hash but the old link: the next row no longer chains.
        let mut rehashed = rows.clone();
        rehashed[1].1.action = "assignment.plan_activated";
        rehashed[1].3 = digest(&rehashed[1].1, &rehashed[1].2);
        assert_eq!(verify(&rehashed, (3, &head)), Err(Tamper::Unchained { id: 12, seq: 3 }));
    }
}

//! The audit chain: each entry's hash covers its contents, its row id and
//! the hash of the entry before it, so an edited, deleted, reordered or
//! renumbered entry breaks the chain where it happened. The chain is keyed
//! (HMAC-SHA256 with a key kept outside the database), so whoever can write
//! the database cannot re-hash a rewritten chain; each entry also carries
//! the MAC it was written with, so a row inserted around the service is
//! never sealed as genuine. Entries sealed before the key was introduced
//! keep their plain SHA-256 chain, tied to the keyed part by the first
//! keyed entry. Pure: the store supplies the rows in order.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

/// The hash the first entry chains to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What one entry says (everything its hash covers besides the previous
/// hash; `seq` is given when it is sealed).
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

impl Content<'_> {
    /// The fields as a JSON array: unambiguous whatever they contain.
    fn fields(&self) -> Vec<serde_json::Value> {
        vec![
            self.at.to_rfc3339_opts(SecondsFormat::Micros, true).into(),
            self.source.into(),
            self.actor.into(),
            self.user_id.into(),
            self.person_id.into(),
            self.address.into(),
            self.action.into(),
            self.subject.into(),
            self.data.into(),
        ]
    }
}

fn hmac_hex(key: &[u8], message: &str) -> String {
    hex::encode(crate::crypto::hmac_sha256(key, message.as_bytes()))
}

/// The entry's hash before the chain was keyed: SHA-256 over its sequence
/// number, its fields and the previous hash, in hex.
pub fn digest(c: &Content<'_>, prev_hash: &str) -> String {
    let mut fields = vec![serde_json::Value::from(c.seq)];
    fields.extend(c.fields());
    fields.push(prev_hash.into());
    hex::encode(Sha256::digest(serde_json::Value::Array(fields).to_string().as_bytes()))
}

/// The keyed hash: HMAC over the row id, the sequence number, the fields
/// and the previous hash.
pub fn keyed_digest(key: &[u8], id: i64, c: &Content<'_>, prev_hash: &str) -> String {
    let mut fields = vec![serde_json::Value::from(id), c.seq.into()];
    fields.extend(c.fields());
    fields.push(prev_hash.into());
    hmac_hex(key, &serde_json::Value::Array(fields).to_string())
}

/// The MAC an entry is written with, over its fields (not `seq`, which it
/// gets when sealed).
pub fn entry_mac(key: &[u8], c: &Content<'_>) -> String {
    hmac_hex(key, &serde_json::Value::Array(c.fields()).to_string())
}

/// The head's MAC: its end of the chain and where the keyed part begins.
pub fn head_mac(key: &[u8], seq: i64, hash: &str, keyed_from: i64) -> String {
    hmac_hex(key, &format!("head|{seq}|{hash}|{keyed_from}"))
}

/// A checkpoint: the end of the chain at a time, signed, kept by the
/// operator where the database cannot reach.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    pub at: DateTime<Utc>,
    pub mac: String,
}

impl Checkpoint {
    pub fn new(key: &[u8], seq: i64, hash: String, at: DateTime<Utc>) -> Self {
        let mac = hmac_hex(key, &format!("checkpoint|{seq}|{hash}"));
        Self { seq, hash, at, mac }
    }

    /// Whether this key signed it.
    pub fn genuine(&self, key: &[u8]) -> bool {
        Self::new(key, self.seq, self.hash.clone(), self.at).mac == self.mac
    }
}

/// The first thing wrong with the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tamper {
    #[error("row id {id} (seq {seq}) was edited: its hash does not match its contents and row id")]
    Edited { id: i64, seq: i64 },
    #[error("row id {id} has seq {seq} where {expected} was due: rows before it were deleted or reordered")]
    OutOfSequence { id: i64, seq: i64, expected: i64 },
    #[error("row id {id} (seq {seq}) does not chain to the row before it: that row was changed or replaced")]
    Unchained { id: i64, seq: i64 },
    #[error("row id {id} (seq {seq}) comes after row id {before} in the chain: row ids were changed or swapped")]
    IdOrder { id: i64, seq: i64, before: i64 },
    #[error("row id {id} was not written by onsite (no valid entry MAC): it was inserted around the service")]
    Inserted { id: i64 },
    #[error("the log ends at seq {last} but was written up to seq {head}: rows at the end were deleted")]
    Truncated { last: i64, head: i64 },
    #[error("the audit log's head row is missing")]
    HeadMissing,
    #[error(
        "the audit log's head does not carry this key's MAC: it was rewritten (or the key is not the one it was kept with)"
    )]
    HeadForged,
    #[error("checkpoint {line} is not signed with this key")]
    CheckpointForged { line: usize },
    #[error("the log ends at seq {last} but checkpoint {line} saw seq {seq}: rows at the end were deleted")]
    CheckpointBeyondEnd { line: usize, seq: i64, last: i64 },
    #[error("seq {seq} differs from checkpoint {line}: the chain up to it was rewritten")]
    CheckpointMismatch { line: usize, seq: i64 },
}

/// Walks the log in sequence order.
#[derive(Debug)]
pub struct Verifier<'k> {
    key: &'k [u8],
    keyed_from: i64,
    expected: i64,
    prev_hash: String,
    last_id: i64,
    checked: u64,
}

impl<'k> Verifier<'k> {
    /// A walk from the genesis; entries from `keyed_from` on (0: none) are
    /// checked with `key`.
    pub fn new(key: &'k [u8], keyed_from: i64) -> Self {
        Self { key, keyed_from, expected: 1, prev_hash: GENESIS.to_owned(), last_id: 0, checked: 0 }
    }

    fn keyed(&self, seq: i64) -> bool {
        self.keyed_from > 0 && seq >= self.keyed_from
    }

    /// Checks the next row: its place in the sequence and among the row
    /// ids, its link to the one before, then its own contents. Returns its
    /// hash.
    pub fn row(
        &mut self,
        id: i64,
        c: &Content<'_>,
        prev_hash: &str,
        hash: &str,
        written_mac: Option<&str>,
    ) -> Result<(), Tamper> {
        if c.seq != self.expected {
            return Err(Tamper::OutOfSequence { id, seq: c.seq, expected: self.expected });
        }
        if id <= self.last_id {
            return Err(Tamper::IdOrder { id, seq: c.seq, before: self.last_id });
        }
        if prev_hash != self.prev_hash {
            return Err(Tamper::Unchained { id, seq: c.seq });
        }
        if self.keyed(c.seq) {
            if keyed_digest(self.key, id, c, prev_hash) != hash {
                return Err(Tamper::Edited { id, seq: c.seq });
            }
            if written_mac != Some(entry_mac(self.key, c).as_str()) {
                return Err(Tamper::Inserted { id });
            }
        } else if digest(c, prev_hash) != hash {
            return Err(Tamper::Edited { id, seq: c.seq });
        }
        self.expected += 1;
        self.last_id = id;
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
    use crate::fixtures::t0;

    const KEY: &[u8] = b"a key kept outside the database";

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

    /// A sealed row as the store keeps it.
    #[derive(Debug, Clone)]
    struct Row {
        id: i64,
        c: Content<'static>,
        prev: String,
        hash: String,
        mac: Option<String>,
    }

    const ACTIONS: [&str; 4] = ["assignment.acknowledged", "assignment.on_site", "user.created", "unit.created"];

    /// Four chained rows, keyed from `keyed_from` (0: a chain from before the key).
    fn chain(keyed_from: i64) -> Vec<Row> {
        let mut prev = GENESIS.to_owned();
        let mut rows = Vec::new();
        for (i, action) in ACTIONS.into_iter().enumerate() {
            let (id, c) = (i as i64 + 10, content(i as i64 + 1, action));
            let keyed = keyed_from > 0 && c.seq >= keyed_from;
            let hash = if keyed { keyed_digest(KEY, id, &c, &prev) } else { digest(&c, &prev) };
            let mac = keyed.then(|| entry_mac(KEY, &c));
            rows.push(Row { id, c, prev: std::mem::replace(&mut prev, hash.clone()), hash, mac });
        }
        rows
    }

    fn verify(rows: &[Row], keyed_from: i64, head: &Row) -> Result<u64, Tamper> {
        let mut v = Verifier::new(KEY, keyed_from);
        for r in rows {
            v.row(r.id, &r.c, &r.prev, &r.hash, r.mac.as_deref())?;
        }
        v.finish(head.c.seq, &head.hash)
    }

    #[test]
    fn an_untouched_chain_verifies_and_each_kind_of_tampering_is_named() {
        for keyed_from in [0, 1, 3] {
            let rows = chain(keyed_from);
            let head = rows[3].clone();
            assert_eq!(verify(&rows, keyed_from, &head), Ok(4));

            let mut edited = rows.clone();
            edited[1].c.action = "assignment.plan_activated";
            assert_eq!(verify(&edited, keyed_from, &head), Err(Tamper::Edited { id: 11, seq: 2 }), "{keyed_from}");

            let mut deleted = rows.clone();
            deleted.remove(1);
            let gap = Tamper::OutOfSequence { id: 12, seq: 3, expected: 2 };
            assert_eq!(verify(&deleted, keyed_from, &head), Err(gap));

            // Two rows' ids swapped, everything else in place: a keyed hash
            // covers the id, a plain one is caught by the order of ids.
            let mut swapped = rows.clone();
            (swapped[0].id, swapped[1].id) = (11, 10);
            let caught = if keyed_from == 1 {
                Tamper::Edited { id: 11, seq: 1 }
            } else {
                Tamper::IdOrder { id: 10, seq: 2, before: 11 }
            };
            assert_eq!(verify(&swapped, keyed_from, &head), Err(caught));

            assert_eq!(verify(&rows[..3], keyed_from, &head), Err(Tamper::Truncated { last: 3, head: 4 }));
        }
    }

    #[test]
    fn a_rewritten_chain_cannot_be_rehashed_without_the_key() {
        // Row 2 rewritten, then every hash after it recomputed the way the
        // chain was hashed before the key (all an attacker without the key can do).
        let rows = chain(1);
        let mut forged = rows.clone();
        forged[1].c.action = "assignment.plan_activated";
        let mut prev = forged[0].hash.clone();
        for r in &mut forged[1..] {
            r.prev = prev.clone();
            r.hash = digest(&r.c, &prev);
            prev = r.hash.clone();
        }
        let head = forged[3].clone();
        assert_eq!(verify(&forged, 1, &head), Err(Tamper::Edited { id: 11, seq: 2 }));
        for r in &mut forged[1..] {
            r.hash = keyed_digest(b"another key", r.id, &r.c, &r.prev);
        }
        assert_eq!(verify(&forged, 1, &head), Err(Tamper::Edited { id: 11, seq: 2 }), "nor with another key");

        // The part from before the key is tied in by the first keyed row.
        let mixed = chain(3);
        let mut legacy = mixed.clone();
        legacy[0].c.actor = "mallory";
        legacy[0].hash = digest(&legacy[0].c, GENESIS);
        legacy[1].prev = legacy[0].hash.clone();
        legacy[1].hash = digest(&legacy[1].c, &legacy[1].prev);
        assert_eq!(verify(&legacy, 3, &mixed[3]), Err(Tamper::Unchained { id: 12, seq: 3 }));
        legacy[2].prev = legacy[1].hash.clone();
        assert_eq!(verify(&legacy, 3, &mixed[3]), Err(Tamper::Edited { id: 12, seq: 3 }));

        let mut unsigned = chain(1);
        unsigned[2].mac = None;
        assert_eq!(verify(&unsigned, 1, &unsigned[3].clone()), Err(Tamper::Inserted { id: 12 }));
    }

    #[test]
    fn a_checkpoint_is_genuine_only_under_its_key() {
        let c = Checkpoint::new(KEY, 42, "ab".repeat(32), t0());
        assert!(c.genuine(KEY));
        assert!(!c.genuine(b"another key"));
        assert!(!Checkpoint { seq: 41, ..c.clone() }.genuine(KEY));
        assert_ne!(head_mac(KEY, 42, &c.hash, 1), head_mac(KEY, 42, &c.hash, 0), "the keyed part's start is covered");
    }
}

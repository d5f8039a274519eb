//! The live board's rows rendered once per reader scope and language for
//! each change, and shared: every stream open in that scope and every
//! `GET /board` in it is served the same rendering. A rendering is tagged
//! with the changes the store had seen before it read, so it is never older
//! than its tag; it is rendered again after the next change or after
//! `MAX_AGE` (the SLA colours move with the clock; the page's countdown
//! follows the server's clock between renderings).

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::domain::access::Scope;
use crate::domain::labels::Lang;
use crate::latest::Latest;

/// The longest a rendering is shown without a change.
const MAX_AGE: Duration = Duration::seconds(1);

/// The board's rows as one scope sees them.
#[derive(Debug)]
pub struct Snapshot {
    pub html: String,
    pub count: usize,
    /// The stream's event before its `now` (`{"html":…,"count":…,"now":`),
    /// serialised once for every viewer.
    pub event_head: String,
}

impl Snapshot {
    pub fn new(html: String, count: usize) -> Self {
        let body = serde_json::json!({ "html": html, "count": count }).to_string();
        // `{…}` without its closing brace, so each stream appends its `now`.
        let event_head = format!("{},\"now\":", &body[..body.len() - 1]);
        Self { html, count, event_head }
    }

    /// The stream's event data at `now`.
    pub fn event(&self, now: DateTime<Utc>) -> String {
        format!("{}{}}}", self.event_head, now.timestamp_millis())
    }
}

/// The renderings, by reader scope and language, stamped with the changes
/// seen and when.
#[derive(Default)]
pub struct BoardSnapshots {
    renderings: Latest<(Scope, Lang), (u64, DateTime<Utc>), Snapshot>,
}

impl BoardSnapshots {
    /// The rendering for `key` as of `seen` changes at `now`: the one
    /// already made or being made, else `render`'s.
    pub async fn get<E, F, Fut>(
        &self,
        key: (Scope, Lang),
        seen: u64,
        now: DateTime<Utc>,
        render: F,
    ) -> Result<Arc<Snapshot>, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Snapshot, E>>,
    {
        let serves = |(kept, at): &(u64, DateTime<Utc>)| *kept == seen && now >= *at && now - *at < MAX_AGE;
        self.renderings.get(key, (seen, now), serves, render).await
    }

    /// How many renderings were made.
    pub fn renders(&self) -> u64 {
        self.renderings.made()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn t(ms: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_millis(1_764_000_000_000 + ms).unwrap()
    }

    #[tokio::test]
    async fn one_rendering_per_scope_and_change_is_shared() {
        let snapshots = BoardSnapshots::default();
        let renders = AtomicUsize::new(0);
        let render = |html: &'static str| {
            let renders = &renders;
            move || async move {
                renders.fetch_add(1, Ordering::SeqCst);
                Ok::<_, ()>(Snapshot::new(html.into(), 1))
            }
        };
        let bureau = (Scope::All, Lang::Zh);
        let many = (0..50).map(|_| snapshots.get(bureau, 7, t(0), render("a")));
        let got = futures::future::join_all(many).await;
        assert!(got.iter().all(|s| s.as_ref().unwrap().html == "a"));
        assert_eq!(renders.load(Ordering::SeqCst), 1, "fifty viewers, one rendering");
        assert_eq!(snapshots.renders(), 1);

        let unit = snapshots.get((Scope::Unit(3), Lang::Zh), 7, t(0), render("u")).await.unwrap();
        assert_eq!(unit.html, "u", "another scope has its own");
        let english = snapshots.get((Scope::All, Lang::En), 7, t(0), render("e")).await.unwrap();
        assert_eq!(english.html, "e", "and another language");
        assert_eq!(renders.load(Ordering::SeqCst), 3);

        let changed = snapshots.get(bureau, 8, t(10), render("b")).await.unwrap();
        assert_eq!(changed.html, "b", "a change renders again");
        let aged = snapshots.get(bureau, 8, t(1_010), render("c")).await.unwrap();
        assert_eq!(aged.html, "c", "and so does time");
        assert_eq!(snapshots.get(bureau, 8, t(1_500), render("d")).await.unwrap().html, "c");
    }

    #[test]
    fn the_event_carries_the_rows_and_the_server_s_now() {
        let s = Snapshot::new("<tr>\"引号\"</tr>".into(), 2);
        let event: serde_json::Value = serde_json::from_str(&s.event(t(0))).unwrap();
        assert_eq!(event["html"], "<tr>\"引号\"</tr>");
        assert_eq!(event["count"], 2);
        assert_eq!(event["now"], t(0).timestamp_millis());
    }
}

//! The access token a chat app's server API asks for: fetched with the
//! app's secret, kept until shortly before it expires, fetched again when
//! the vendor says it expired early. One fetch at a time: pages sent while
//! it is under way wait for it instead of asking again.

use std::future::Future;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Mutex;

use super::SendError;

/// Fetched again this long before the vendor's expiry, so no page goes out
/// with a token that expires on the way.
const MARGIN: Duration = Duration::minutes(5);

/// A token as the vendor issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub token: String,
    /// Seconds from issue to expiry (`expires_in`).
    pub expires_in: i64,
}

#[derive(Default)]
pub struct TokenCache {
    current: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl TokenCache {
    /// The token valid at `now`, fetched with `fetch` when there is none.
    pub async fn get<F, Fut>(&self, now: DateTime<Utc>, fetch: F) -> Result<String, SendError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Issued, SendError>>,
    {
        let mut current = self.current.lock().await;
        if let Some((token, until)) = current.as_ref()
            && now < *until
        {
            return Ok(token.clone());
        }
        let issued = fetch().await?;
        let until = now + Duration::seconds(issued.expires_in) - MARGIN;
        *current = Some((issued.token.clone(), until));
        Ok(issued.token)
    }

    /// Drops `token` when the vendor refused it as expired or invalid (a
    /// token fetched meanwhile by another send is kept).
    pub async fn forget(&self, token: &str) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|(held, _)| held == token) {
            *current = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + Duration::minutes(minutes)
    }

    #[tokio::test]
    async fn a_token_is_kept_until_shortly_before_it_expires_and_dropped_when_refused() {
        let cache = TokenCache::default();
        let issue = |token: &str| {
            let token = token.to_owned();
            move || async move { Ok(Issued { token, expires_in: 7200 }) }
        };
        assert_eq!(cache.get(at(0), issue("t1")).await.unwrap(), "t1");
        assert_eq!(cache.get(at(114), issue("t2")).await.unwrap(), "t1", "kept while valid");
        assert_eq!(cache.get(at(115), issue("t2")).await.unwrap(), "t2", "fetched again before expiry");
        cache.forget("t1").await;
        assert_eq!(cache.get(at(116), issue("t3")).await.unwrap(), "t2", "an older token's refusal keeps the new one");
        cache.forget("t2").await;
        assert_eq!(cache.get(at(116), issue("t3")).await.unwrap(), "t3");
        let failing = || async { Err(SendError::Permanent { reason: "bad secret".into() }) };
        cache.forget("t3").await;
        assert!(cache.get(at(117), failing).await.is_err());
    }
}

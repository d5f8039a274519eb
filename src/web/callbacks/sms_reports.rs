//! The SMS gateway's delivery reports, taken on `/callbacks/sms` (signed
//! like the replies) in the shape Chinese cloud SMS services push them: a
//! JSON array of `{phone_number, success, err_code, err_msg, report_time,
//! biz_id, out_id}`, where `out_id` is the page's key (the `{key}` of
//! `[notify] sms_template`). Delivered: the page's receipt. Not delivered:
//! the page fails (`undelivered`) and falls over to the person's next
//! channel. A report repeated changes nothing more.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Value, json};

use super::CallbackError;
use crate::AppState;
use crate::domain::event::{DeliveryFailure, Receipt};
use crate::domain::people::ChannelKind;
use crate::store::StoreError;

#[derive(Debug, Deserialize)]
struct Report {
    #[serde(default)]
    out_id: Option<String>,
    success: bool,
    #[serde(default)]
    err_code: String,
    #[serde(default)]
    err_msg: String,
    /// `2026-11-25 03:00:07`, in the carrier's (China's) time.
    #[serde(default)]
    report_time: Option<String>,
}

/// Applies a batch of delivery reports; what each did, as codes.
pub async fn take(state: &AppState, body: &[u8]) -> Result<Value, CallbackError> {
    let reports: Vec<Report> =
        serde_json::from_slice(body).map_err(|_| CallbackError::Malformed("not a list of delivery reports"))?;
    let unavailable = |e: StoreError| {
        tracing::error!(error = %e, "cannot apply an SMS delivery report");
        CallbackError::Unavailable
    };
    let mut results = Vec::with_capacity(reports.len());
    for report in &reports {
        let now = state.clock.now();
        let key = report.out_id.as_deref().filter(|k| !k.is_empty());
        let page = match key {
            Some(key) => state.store.page_by_key(ChannelKind::Sms, key).await.map_err(unavailable)?,
            None => None,
        };
        let Some(page) = page else {
            results.push("unknown_page");
            continue;
        };
        let changed = if report.success {
            let at = reported_at(report.report_time.as_deref(), state.tz, now);
            state.store.record_receipt(page.id, Receipt::Delivered, at).await.map_err(unavailable)?
        } else {
            let error = format!("SMS not delivered ({}): {}", report.err_code, report.err_msg);
            state.store.undelivered(page.id, &error, DeliveryFailure::Undelivered, now).await.map_err(unavailable)?
        };
        results.push(match (changed, report.success) {
            (false, _) => "noted",
            (true, true) => "delivered",
            (true, false) => "undelivered",
        });
    }
    Ok(json!({ "code": 0, "msg": "成功", "results": results }))
}

/// The report's time in the display zone, or now when it is missing,
/// malformed or ahead of the clock.
fn reported_at(local: Option<&str>, tz: Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    local
        .and_then(|t| NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%d %H:%M:%S").ok())
        .and_then(|t| t.and_local_timezone(tz).single())
        .map_or(now, |t| t.to_utc().min(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_time_is_read_in_chinas_time_and_never_after_now() {
        let now = DateTime::parse_from_rfc3339("2026-11-24T19:05:00Z").unwrap().to_utc();
        let tz = chrono_tz::Asia::Shanghai;
        assert_eq!(reported_at(Some("2026-11-25 03:00:07"), tz, now).to_rfc3339(), "2026-11-24T19:00:07+00:00");
        assert_eq!(reported_at(Some("2026-11-25 04:00:00"), tz, now), now);
        assert_eq!(reported_at(Some("yesterday"), tz, now), now);
        assert_eq!(reported_at(None, tz, now), now);
    }
}

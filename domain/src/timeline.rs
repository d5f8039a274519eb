//! What a timeline event carries beyond its kind, time, actor and note: one
//! shape per kind of event that has facts of its own. The API shows it as the
//! event's `data` object, so each shape's JSON is part of the contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::escalation::Audience;
use crate::event::DeliveryFailure;
use crate::geo::Coordinates;
use crate::people::ChannelKind;

/// Stored and shown without a tag: every shape has a field no other has
/// (`deadline_at`, `to_assignment_id`, `location`, `from`, `late_ms`,
/// `page_id`, `attachment_id`), so
/// reading one back picks its own shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventData {
    Dispatched(Dispatched),
    Reassigned(Reassigned),
    Located(Located),
    Extended(Extended),
    TimerFired(TimerFired),
    PageFailed(PageFailed),
    FileAdded(FileAdded),
}

/// Who a dispatch or a timer paged.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paged {
    /// Names of those paged.
    pub paged: Vec<String>,
    /// Names of those with no active channel: nobody could page them.
    pub unreachable: Vec<String>,
    /// The branch's roster had nobody on duty: the support lead was paged
    /// instead of the engineers.
    pub roster_gap: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dispatched {
    pub unit_id: i64,
    pub branch_id: Option<i64>,
    pub reassigned_from: Option<i64>,
    pub deadline_at: DateTime<Utc>,
    pub requires_onsite: bool,
    #[serde(flatten)]
    pub paged: Paged,
    /// The protection period whose policy it took, by name and id.
    pub protection_period: Option<String>,
    pub protection_period_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reassigned {
    pub to_assignment_id: i64,
    pub to_unit_id: i64,
}

/// A file kept on one of the assignment's milestones (an on-site photo) or
/// on its closure report; the event's note is the file's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileAdded {
    pub attachment_id: i64,
    /// The milestone it proves; none for the closure report's.
    pub milestone: Option<crate::assignment::Milestone>,
    /// A photo's distance from the site, from its EXIF (metres).
    pub distance_m: Option<f64>,
    pub far_from_site: bool,
}

/// A milestone reported with the reporter's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Located {
    pub location: Coordinates,
    /// From the notice's site, when it has one (metres, one decimal).
    pub distance_m: Option<f64>,
    pub far_from_site: bool,
}

/// The deadline moved by an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extended {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerFired {
    /// How late the engine fired it.
    pub late_ms: i64,
    pub audiences: Vec<Audience>,
    #[serde(flatten)]
    pub paged: Paged,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageFailed {
    pub page_id: i64,
    pub recipient: String,
    pub channel: ChannelKind,
    pub error: String,
    /// What the error means, for the reader (absent on events recorded
    /// before failures were classified).
    #[serde(default)]
    pub failure: Option<DeliveryFailure>,
    /// The recipient's next channel, tried instead; none when none was left.
    pub fell_over_to: Option<ChannelKind>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &EventData) -> EventData {
        serde_json::from_str(&serde_json::to_string(data).unwrap()).unwrap()
    }

    #[test]
    fn every_shape_reads_back_as_itself() {
        let paged = Paged { paged: vec!["张工".into()], unreachable: vec![], roster_gap: true };
        let shapes = [
            EventData::Dispatched(Dispatched {
                unit_id: 1,
                branch_id: None,
                reassigned_from: Some(4),
                deadline_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                requires_onsite: true,
                paged: paged.clone(),
                protection_period: None,
                protection_period_id: None,
            }),
            EventData::Reassigned(Reassigned { to_assignment_id: 9, to_unit_id: 2 }),
            EventData::Located(Located {
                location: Coordinates { lat: 29.56, lon: 106.57 },
                distance_m: Some(12.5),
                far_from_site: false,
            }),
            EventData::Extended(Extended {
                from: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
                to: DateTime::from_timestamp(1_800_003_600, 0).unwrap(),
            }),
            EventData::TimerFired(TimerFired { late_ms: 3, audiences: vec![Audience::BureauDuty], paged }),
            EventData::PageFailed(PageFailed {
                page_id: 5,
                recipient: "李工".into(),
                channel: ChannelKind::Sms,
                error: "rejected".into(),
                failure: Some(DeliveryFailure::Rejected),
                fell_over_to: Some(ChannelKind::Telegram),
            }),
        ];
        for shape in &shapes {
            assert_eq!(&round_trip(shape), shape);
        }
    }

    #[test]
    fn a_failure_recorded_before_failures_were_classified_still_reads() {
        let old = r#"{"page_id":5,"recipient":"李工","channel":"sms","error":"x","fell_over_to":null}"#;
        let read: PageFailed = serde_json::from_str(old).unwrap();
        assert_eq!(read.failure, None);
    }

    #[test]
    fn the_stored_json_keeps_its_field_names() {
        let v = serde_json::to_value(EventData::TimerFired(TimerFired {
            late_ms: 3,
            audiences: vec![Audience::BureauDuty],
            paged: Paged::default(),
        }))
        .unwrap();
        assert_eq!(
            v,
            serde_json::json!({"late_ms": 3, "audiences": ["bureau_duty"], "paged": [], "unreachable": [], "roster_gap": false})
        );
    }
}

//! Evidence files (附件): what a file is, read from its content and never
//! from its name, against the kinds allowed; how large each kind may be;
//! the name kept, made safe to show and to save; what a file is attached to;
//! and the read model the store returns.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::assignment::Milestone;
use super::error::{DomainError, FieldError};
use super::geo::Coordinates;
use super::review::ReviewStatus;
use crate::labelled_enum;

mod sniff;
pub use sniff::{Sniffed, TEXT_PROBE, inflated_size, sniff, sniff_file};

labelled_enum! {
    /// The kinds of file onsite keeps; anything else is refused.
    pub enum FileKind {
        Image => ("image", "图片", "Image"),
        Pdf => ("pdf", "PDF 文档", "PDF document"),
        Office => ("office", "Office 文档", "Office document"),
        Text => ("text", "文本或日志", "Text or log"),
        Pcap => ("pcap", "抓包文件", "Packet capture"),
        Archive => ("archive", "压缩包", "Zip archive"),
        Sample => ("sample", "加密样本包", "Encrypted sample archive"),
    }
}

labelled_enum! {
    /// What a file is attached to.
    pub enum SubjectKind {
        Notice => ("notice", "通报", "Notice"),
        Milestone => ("milestone", "处置节点", "Milestone"),
        ClosureReport => ("closure_report", "处置报告", "Closure report"),
        SpecialReport => ("special_report", "专项报告", "Special report"),
        ThreatReport => ("threat_report", "威胁信息报告", "Threat report"),
    }
}

/// The record a file belongs to: a notice, one milestone of an assignment,
/// an assignment's closure report, or a special or threat report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Subject {
    pub kind: SubjectKind,
    /// The notice's, the assignment's (milestones, closure reports) or the report's id.
    pub id: i64,
    /// Which milestone, for `milestone`.
    pub milestone: Option<Milestone>,
}

impl Subject {
    pub fn notice(id: i64) -> Self {
        Self { kind: SubjectKind::Notice, id, milestone: None }
    }

    pub fn milestone(assignment_id: i64, milestone: Milestone) -> Self {
        Self { kind: SubjectKind::Milestone, id: assignment_id, milestone: Some(milestone) }
    }

    pub fn closure_report(assignment_id: i64) -> Self {
        Self { kind: SubjectKind::ClosureReport, id: assignment_id, milestone: None }
    }

    pub fn special_report(id: i64) -> Self {
        Self { kind: SubjectKind::SpecialReport, id, milestone: None }
    }

    pub fn threat_report(id: i64) -> Self {
        Self { kind: SubjectKind::ThreatReport, id, milestone: None }
    }
}

/// The largest file of each class, in bytes (configured).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeLimits {
    pub image: u64,
    /// PDF, Office documents, text and logs.
    pub document: u64,
    /// Packet captures, zip archives and sample archives.
    pub bulk: u64,
}

impl SizeLimits {
    pub fn of(&self, kind: FileKind) -> u64 {
        match kind {
            FileKind::Image => self.image,
            FileKind::Pdf | FileKind::Office | FileKind::Text => self.document,
            FileKind::Pcap | FileKind::Archive | FileKind::Sample => self.bulk,
        }
    }

    /// Refuses a file larger than its kind allows, naming the limit.
    pub fn check(&self, kind: FileKind, size: u64) -> Result<(), FieldError> {
        let limit = self.of(kind);
        if size <= limit {
            return Ok(());
        }
        let mib = limit as f64 / (1024.0 * 1024.0);
        Err(FieldError::new(
            "file",
            "too_large",
            format!("a {} may be at most {mib:.0} MiB", kind.label(crate::labels::Lang::En).to_lowercase()),
            format!("{}不能超过 {mib:.0} MiB", kind.label(crate::labels::Lang::Zh)),
        ))
    }
}

/// The most characters a kept name has.
pub const MAX_NAME_CHARS: usize = 120;

/// The name as typed, made safe: the last path part only, no control or
/// reserved characters, no leading dots, at most `MAX_NAME_CHARS`, and an
/// extension that says what the content is (appended when the typed one
/// does not).
pub fn safe_name(raw: &str, sniffed: &Sniffed) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | ':' | '"' | '|' | '?' | '*' | '\u{202e}'))
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let stem_and_ext = if trimmed.is_empty() { "附件 file" } else { trimmed };
    let typed_ext = stem_and_ext.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let fits = typed_ext.as_deref().is_some_and(|e| sniffed.extensions.contains(&e));
    let extension = if fits { String::new() } else { format!(".{}", sniffed.extensions[0]) };
    let room = MAX_NAME_CHARS.saturating_sub(extension.chars().count());
    let mut name: String = stem_and_ext.chars().take(room).collect();
    name.push_str(&extension);
    name
}

/// Where a photo was taken, against the site it was sent about.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoPlace {
    pub location: Coordinates,
    /// From the notice's site, when it has one (metres).
    pub distance_m: Option<f64>,
    /// Farther than the on-site radius: flagged, not refused.
    pub far_from_site: bool,
}

impl PhotoPlace {
    /// The same rule as a shared location: farther than `radius_m` from the site is flagged.
    pub fn judge(location: Coordinates, site: Option<Coordinates>, radius_m: f64) -> Self {
        let distance_m = site.map(|s| (s.distance_m(location) * 10.0).round() / 10.0);
        Self { location, distance_m, far_from_site: distance_m.is_some_and(|d| d > radius_m) }
    }
}

/// A report's files are part of what it says: they may be added while the
/// unit may still edit it (or before it is written), not once it is under
/// review or accepted.
pub fn check_report_open(status: Option<ReviewStatus>) -> Result<(), DomainError> {
    if status.is_none_or(ReviewStatus::editable) {
        return Ok(());
    }
    Err(DomainError::conflict(
        "report_not_editable",
        "the report has been submitted: files can be added only while it is a draft or returned",
        "报告已提交，只能在草稿或退回修改时添加附件",
    ))
}

/// A kept file, as the store returns it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: i64,
    pub subject: Subject,
    /// The unit whose record it is on (none for a notice's own files).
    pub unit_id: Option<i64>,
    pub name: String,
    pub kind: FileKind,
    pub content_type: String,
    pub size: u64,
    /// The content's SHA-256, hex: the object's key.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    /// An image's position from its EXIF, judged against the site.
    pub place: Option<PhotoPlace>,
    /// A thumbnail exists (images only).
    pub thumbnail: bool,
}

#[cfg(test)]
mod tests;

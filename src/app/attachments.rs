//! Evidence files on records. Who may attach to a record and who may read
//! its files is decided here once for every door: the role (the bureau's
//! notices, the units' milestones and reports), then the record in the
//! caller's scope (another unit's is not found), then the file itself (its
//! kind from its content and its size, the domain's rules). A photo loses
//! its metadata before it is kept, its EXIF position is judged against the
//! site, and a thumbnail is drawn. The objects are stored before the row
//! commits; one whose row never commits is swept later.

use bytes::Bytes;
use chrono::{DateTime, Utc};

use crate::evidence::ObjectsError;
pub use crate::evidence::{ObjectStream, Received, Receiving};

use super::{AppResult, Core};
use crate::domain::access::{By, Caller, Need};
use crate::domain::attachment::{Attachment, FileKind, PhotoPlace, Subject, SubjectKind, check_report_open, safe_name};
use crate::domain::geo::Coordinates;
use crate::domain::review::ReviewStatus;
use crate::evidence::photo;
use crate::store::attachments::NewAttachment;

/// A file as a door received it.
#[derive(Debug)]
pub struct Upload {
    /// The name the sender gave it.
    pub name: String,
    pub file: Received,
}

impl Upload {
    /// A file a door holds in memory (a photo the bot downloaded).
    pub fn from_bytes(name: String, bytes: Bytes) -> Self {
        Self { name, file: Received::from_bytes(bytes) }
    }
}

/// A kept file as it is read, with its size and what it is.
pub struct Download {
    pub attachment: Attachment,
    pub size: u64,
    pub body: ObjectStream,
}

/// A photo's thumbnail (empty for a file without one) and what it shows.
#[derive(Debug, Clone)]
pub struct Preview {
    pub attachment: Attachment,
    pub bytes: Bytes,
}

/// The record a file is on: its unit (none for a notice), its site, and
/// for a report its review status (`Some(None)`: not written yet).
struct OnRecord {
    unit_id: Option<i64>,
    /// An assignment's notice, for a file on one of its milestones or its report.
    notice_id: Option<i64>,
    site: Option<Coordinates>,
    report: Option<Option<ReviewStatus>>,
}

/// The role attaching to a kind of record needs.
fn needs(kind: SubjectKind) -> Need {
    match kind {
        SubjectKind::Notice => Need::Direct,
        SubjectKind::Milestone
        | SubjectKind::ClosureReport
        | SubjectKind::SpecialReport
        | SubjectKind::ThreatReport => Need::Report,
    }
}

impl Core {
    /// The record a file is on, when the reader may see it.
    async fn subject_in_scope(&self, caller: &Caller, s: Subject) -> AppResult<OnRecord> {
        let reads = self.reads(caller);
        let site = |lat: Option<f64>, lon: Option<f64>| lat.zip(lon).map(|(lat, lon)| Coordinates { lat, lon });
        let report =
            |unit_id, status| OnRecord { unit_id: Some(unit_id), notice_id: None, site: None, report: Some(status) };
        Ok(match s.kind {
            SubjectKind::Notice => {
                let n = reads.notice(s.id).await?.notice;
                OnRecord { unit_id: None, notice_id: None, site: site(n.site_lat, n.site_lon), report: None }
            }
            SubjectKind::Milestone | SubjectKind::ClosureReport => {
                let a = reads.assignment(s.id).await?;
                let n = reads.notice(a.notice_id).await?.notice;
                let report = match s.kind {
                    SubjectKind::ClosureReport => Some(reads.closure_report(s.id).await?.map(|r| r.status)),
                    _ => None,
                };
                OnRecord { unit_id: Some(a.unit_id), notice_id: Some(n.id), site: site(n.site_lat, n.site_lon), report }
            }
            SubjectKind::SpecialReport => {
                let r = reads.special_report(s.id).await?;
                report(r.unit_id, Some(r.status))
            }
            SubjectKind::ThreatReport => {
                let r = reads.threat_report(s.id).await?;
                report(r.unit_id, Some(r.status))
            }
        })
    }

    /// Keeps `upload` on `subject` as `caller`.
    pub async fn attach(&self, caller: &Caller, subject: Subject, upload: Upload) -> AppResult<Attachment> {
        Self::require(caller, needs(subject.kind))?;
        let OnRecord { unit_id, notice_id, site, report } = self.subject_in_scope(caller, subject).await?;
        if let Some(status) = report {
            check_report_open(status)?;
        }
        let evidence = self.evidence()?;
        let file = &upload.file;
        let sniffed = file.sniffed().await.map_err(ObjectsError::from)??;
        evidence.limits.check(sniffed.kind, file.len())?;
        let (size, sha256, thumbnail, place) = if sniffed.kind == FileKind::Image {
            // Bounded by the image limit just checked.
            let bytes = file.bytes().await.map_err(ObjectsError::from)?;
            let place = photo::place(&bytes).map(|p| PhotoPlace::judge(p, site, evidence.radius_m));
            let content = photo::stripped(&bytes);
            let thumbnail = photo::thumbnail(&content);
            (content.len() as u64, evidence.objects.put(content).await?, thumbnail, place)
        } else {
            (file.len(), evidence.objects.put_received(file).await?, None, None)
        };
        let thumbnail_sha256 = match thumbnail {
            Some(t) => Some(evidence.objects.put(t).await?),
            None => None,
        };
        let new = NewAttachment {
            subject,
            notice_id,
            unit_id,
            name: safe_name(&upload.name, &sniffed),
            kind: sniffed.kind,
            content_type: sniffed.mime.to_owned(),
            size,
            sha256,
            thumbnail_sha256,
            place,
        };
        Ok(self.store.add_attachment(&By::caller(caller), new, self.clock.now()).await?)
    }

    /// The files on a record the caller may see.
    pub async fn attachments(&self, caller: &Caller, subject: Subject) -> AppResult<Vec<Attachment>> {
        self.subject_in_scope(caller, subject).await?;
        Ok(self.store.attachments(subject).await?)
    }

    /// Every file on an assignment (its milestones' and its closure
    /// report's), when the caller may see it.
    pub async fn assignment_files(&self, caller: &Caller, assignment_id: i64) -> AppResult<Vec<Attachment>> {
        self.reads(caller).assignment(assignment_id).await?;
        Ok(self.store.assignment_attachments(assignment_id).await?)
    }

    /// Every file on an assignment with its thumbnail's bytes when it has
    /// one: what its closure report's document shows.
    pub async fn assignment_exhibits(&self, caller: &Caller, assignment_id: i64) -> AppResult<Vec<Preview>> {
        let files = self.assignment_files(caller, assignment_id).await?;
        self.previews(files).await
    }

    /// The files on a record with their thumbnails' bytes: what its
    /// document shows.
    pub async fn exhibits(&self, caller: &Caller, subject: Subject) -> AppResult<Vec<Preview>> {
        let files = self.attachments(caller, subject).await?;
        self.previews(files).await
    }

    async fn previews(&self, files: Vec<Attachment>) -> AppResult<Vec<Preview>> {
        let mut previews = Vec::with_capacity(files.len());
        for attachment in files {
            let bytes = match self.store.attachment(attachment.id).await?.1 {
                Some(sha256) => self.evidence()?.objects.get(&sha256).await?,
                None => Bytes::new(),
            };
            previews.push(Preview { attachment, bytes });
        }
        Ok(previews)
    }

    /// A file, when the caller may see its record; the download is audited.
    pub async fn download(&self, caller: &Caller, id: i64) -> AppResult<Download> {
        let (attachment, _) = self.store.attachment(id).await?;
        self.subject_in_scope(caller, attachment.subject).await?;
        let (size, body) = self.evidence()?.objects.stream(&attachment.sha256).await?;
        self.store.audit_download(&By::caller(caller), &attachment, self.clock.now()).await?;
        Ok(Download { attachment, size, body })
    }

    /// A photo's thumbnail, when the caller may see its record (not audited:
    /// pages show it).
    pub async fn thumbnail(&self, caller: &Caller, id: i64) -> AppResult<Preview> {
        let (attachment, thumbnail) = self.store.attachment(id).await?;
        self.subject_in_scope(caller, attachment.subject).await?;
        let Some(sha256) = thumbnail else {
            return Err(crate::store::StoreError::not_found("thumbnail", id).into());
        };
        let bytes = self.evidence()?.objects.get(&sha256).await?;
        Ok(Preview { attachment, bytes })
    }

    /// Deletes the objects no record names once `sweep_after` old: what an
    /// upload whose change never committed left behind. Returns how many.
    pub async fn sweep_evidence(&self, now: DateTime<Utc>) -> AppResult<usize> {
        let evidence = self.evidence()?;
        let kept = self.store.referenced_objects().await?;
        Ok(evidence.objects.sweep(&kept, now - evidence.sweep_after).await?)
    }
}

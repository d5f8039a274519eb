//! Evidence files' rows: one per file on a record, written with its audit
//! entry in one transaction (the object is already in the evidence store,
//! named by its SHA-256); read back as `domain::attachment::Attachment`.
//! The application layer decides who may see the record a file is on.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::attachment;
use super::timeline::{self, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::access::By;
use crate::domain::attachment::{Attachment, FileKind, PhotoPlace, Subject, SubjectKind};
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::geo::Coordinates;
use crate::domain::timeline::{EventData, FileAdded};

/// A file to record on `subject`, its object (and thumbnail) already stored.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub subject: Subject,
    /// The assignment's notice, for a file on an assignment: its timeline
    /// records the file.
    pub notice_id: Option<i64>,
    /// The unit whose record it is (none for a notice's own files).
    pub unit_id: Option<i64>,
    pub name: String,
    pub kind: FileKind,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
    pub thumbnail_sha256: Option<String>,
    pub place: Option<PhotoPlace>,
}

fn attachment_of(r: attachment::Model) -> Attachment {
    let place = match (r.lat, r.lon) {
        (Some(lat), Some(lon)) => Some(PhotoPlace {
            location: Coordinates { lat, lon },
            distance_m: r.distance_m,
            far_from_site: r.far_from_site,
        }),
        _ => None,
    };
    Attachment {
        id: r.id,
        subject: Subject { kind: r.subject_kind, id: r.subject_id, milestone: r.milestone },
        unit_id: r.unit_id,
        name: r.name,
        kind: r.kind,
        content_type: r.content_type,
        size: u64::try_from(r.size).unwrap_or_default(),
        sha256: r.sha256,
        uploaded_by: r.uploaded_by,
        uploaded_at: r.uploaded_at,
        place,
        thumbnail: r.thumbnail_sha256.is_some(),
    }
}

/// What the audit log says of a file.
fn audited(a: &Attachment) -> serde_json::Value {
    serde_json::json!({"attachment_id": a.id, "name": a.name, "sha256": a.sha256, "size": a.size})
}

fn subject_label(s: &Subject) -> String {
    format!("{}:{}", s.kind.code(), s.id)
}

impl Store {
    /// Records a file on its record, audited, in one transaction.
    pub async fn add_attachment(&self, by: &By, new: NewAttachment, now: DateTime<Utc>) -> StoreResult<Attachment> {
        let txn = self.db().begin().await?;
        let place = new.place;
        let row = attachment::ActiveModel {
            subject_kind: Set(new.subject.kind),
            subject_id: Set(new.subject.id),
            milestone: Set(new.subject.milestone),
            unit_id: Set(new.unit_id),
            name: Set(new.name),
            kind: Set(new.kind),
            content_type: Set(new.content_type),
            size: Set(i64::try_from(new.size).unwrap_or(i64::MAX)),
            sha256: Set(new.sha256),
            thumbnail_sha256: Set(new.thumbnail_sha256),
            lat: Set(place.map(|p| p.location.lat)),
            lon: Set(place.map(|p| p.location.lon)),
            distance_m: Set(place.and_then(|p| p.distance_m)),
            far_from_site: Set(place.is_some_and(|p| p.far_from_site)),
            uploaded_by: Set(by.label.clone()),
            user_id: Set(by.user_id),
            person_id: Set(by.person_id),
            source: Set(by.source),
            uploaded_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let kept = attachment_of(row);
        let entry = Audit::new(by, "attachment.added", subject_label(&kept.subject)).with(audited(&kept));
        self.audit(&txn, entry, now).await?;
        if let Some(notice_id) = new.notice_id {
            let data = FileAdded {
                attachment_id: kept.id,
                milestone: kept.subject.milestone,
                distance_m: place.and_then(|p| p.distance_m),
                far_from_site: place.is_some_and(|p| p.far_from_site),
            };
            let event = NewEvent {
                assignment_id: kept.subject.id,
                notice_id,
                kind: EventKind::Other(BureauEvent::FileAdded),
                at: now,
                by,
                note: Some(kept.name.clone()),
                data: Some(EventData::FileAdded(data)),
            };
            timeline::append(&txn, self.audit_key(), event, now).await?;
        }
        txn.commit().await?;
        Ok(kept)
    }

    /// The files on `subject`, oldest first.
    pub async fn attachments(&self, subject: Subject) -> StoreResult<Vec<Attachment>> {
        let mut q = attachment::Entity::find()
            .filter(attachment::Column::SubjectKind.eq(subject.kind))
            .filter(attachment::Column::SubjectId.eq(subject.id));
        if let Some(m) = subject.milestone {
            q = q.filter(attachment::Column::Milestone.eq(m));
        }
        Ok(q.order_by_asc(attachment::Column::Id).all(self.reader()).await?.into_iter().map(attachment_of).collect())
    }

    /// Every file on an assignment, its milestones' and its closure report's,
    /// oldest first: what its card and its report show.
    pub async fn assignment_attachments(&self, assignment_id: i64) -> StoreResult<Vec<Attachment>> {
        let rows = attachment::Entity::find()
            .filter(attachment::Column::SubjectKind.is_in([SubjectKind::Milestone, SubjectKind::ClosureReport]))
            .filter(attachment::Column::SubjectId.eq(assignment_id))
            .order_by_asc(attachment::Column::Id)
            .all(self.reader())
            .await?;
        Ok(rows.into_iter().map(attachment_of).collect())
    }

    /// One file's row (the caller checks the reader may see its record).
    pub async fn attachment(&self, id: i64) -> StoreResult<(Attachment, Option<String>)> {
        let r = attachment::Entity::find_by_id(id)
            .one(self.reader())
            .await?
            .ok_or(StoreError::not_found("attachment", id))?;
        let thumbnail = r.thumbnail_sha256.clone();
        Ok((attachment_of(r), thumbnail))
    }

    /// Audits that `by` downloaded a file (its thumbnail is not audited).
    pub async fn audit_download(&self, by: &By, a: &Attachment, now: DateTime<Utc>) -> StoreResult<()> {
        let txn = self.db().begin().await?;
        let entry = Audit::new(by, "attachment.downloaded", subject_label(&a.subject)).with(audited(a));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Every object a row names, files and thumbnails: what the sweep keeps.
    pub async fn referenced_objects(&self) -> StoreResult<HashSet<String>> {
        let rows = attachment::Entity::find()
            .select_only()
            .columns([attachment::Column::Sha256, attachment::Column::ThumbnailSha256])
            .into_tuple::<(String, Option<String>)>()
            .all(self.reader())
            .await?;
        Ok(rows.into_iter().flat_map(|(file, thumb)| std::iter::once(file).chain(thumb)).collect())
    }
}

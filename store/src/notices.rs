//! The notice aggregate: issuing a notice dispatches one assignment per unit,
//! each with its clock (T0, deadline, the policy copied onto it) and its
//! `dispatched` timeline event, all in one transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Set, TransactionTrait,
};

use super::assignments::Change;
use super::dispatches::{Dispatch, Dispatching, insert_returning, policy_at};
use super::entities::{assignment, notice, unit};
use super::intake::Issue;
use super::pages;
use super::planning::{self, Asked};
use super::timeline::{self, NewEvent};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::assignment::Status;
use crate::domain::change::Reassignment;
use crate::domain::escalation;
use crate::domain::event::{BureauEvent, EventKind};
use crate::domain::notice::{Category, NoticeDraft, Severity};
use crate::domain::policy::SlaPolicy;
use crate::domain::record::{Assignment, Notice, Unit};
use crate::domain::timeline::{EventData, Reassigned};
use crate::records;

/// A notice with the assignments the reader may see.
#[derive(Debug, Clone)]
pub struct NoticeRecord {
    pub notice: Notice,
    pub assignments: Vec<Assignment>,
}

/// A notice just issued, with the names of the units it went to (as its
/// pages name them), so that answering the issuer reads nothing more.
#[derive(Debug, Clone)]
pub struct Issued {
    pub record: NoticeRecord,
    pub unit_names: HashMap<i64, String>,
}

/// Which notices to list.
#[derive(Debug, Clone, Default)]
pub struct NoticeFilter {
    pub unit_id: Option<i64>,
    /// Only notices with at least one assignment still open.
    pub open: Option<bool>,
    pub category: Option<Category>,
    pub severity: Option<Severity>,
    /// Only notices about this registered detection object.
    pub enterprise_id: Option<i64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: u64,
    pub offset: u64,
}

impl Store {
    /// Issues a notice and dispatches it to every unit in the draft: what it
    /// needs is read first, off the transaction (on SQLite, off the one
    /// writer), then written in one transaction; both with whatever other
    /// notices are being issued at the same time (`intake.rs`).
    #[tracing::instrument(skip_all, fields(units = draft.unit_ids.len()))]
    pub async fn issue_notice(
        &self,
        by: &By,
        draft: NoticeDraft,
        policy: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Issued> {
        let plan = self.plan_queued(Asked { draft, policy: policy.clone(), now }).await?;
        self.write_queued(Issue { by: by.clone(), plan, now }).await
    }

    /// Issues a notice inside `txn` (the caller commits and wakes the
    /// engine).
    pub(crate) async fn issue_in(
        &self,
        txn: &DatabaseTransaction,
        by: &By,
        draft: NoticeDraft,
        policy: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<NoticeRecord> {
        let plan = planning::plan(txn, Asked { draft, policy: policy.clone(), now }).await?;
        let mut written = self.write_notices(txn, &[Issue { by: by.clone(), plan, now }]).await?;
        let issued = written.pop().ok_or_else(|| StoreError::Corrupt("an issued notice came back missing".into()))?;
        Ok(issued.record)
    }

    /// Writes planned notices inside `txn`, one insert per table for all of
    /// them: the notices, then one dispatched assignment per unit of each.
    pub(super) async fn write_notices(&self, txn: &DatabaseTransaction, issues: &[Issue]) -> StoreResult<Vec<Issued>> {
        let rows = issues.iter().map(|i| notice_row(&i.by, &i.plan.draft, i.now)).collect();
        let notices: Vec<notice::Model> = insert_returning(txn, rows).await?;
        if notices.len() != issues.len() || notices.iter().zip(issues).any(|(n, i)| n.title != i.plan.draft.title) {
            return Err(StoreError::Corrupt("notices came back out of their insert's order".into()));
        }
        let items: Vec<Dispatching> = issues
            .iter()
            .zip(&notices)
            .flat_map(|(i, notice)| {
                i.plan.dispatches.iter().map(move |to| Dispatching { notice, to, by: &i.by, now: i.now })
            })
            .collect();
        let mut assignments = self.dispatch(txn, &items).await?.into_iter();
        Ok(issues
            .iter()
            .zip(notices)
            .map(|(i, notice)| Issued {
                record: NoticeRecord {
                    notice: notice.into(),
                    assignments: records::all(assignments.by_ref().take(i.plan.dispatches.len()).collect()),
                },
                unit_names: i.plan.dispatches.iter().map(|d| (d.unit_id, d.unit_name.clone())).collect(),
            })
            .collect())
    }

    /// Moves an open assignment to another unit: the old one is stood down
    /// (its clock stops, its pages are cancelled) and a new one is
    /// dispatched on the same notice with a fresh clock, in one transaction.
    #[tracing::instrument(skip_all, fields(assignment_id = id, to_unit = to.to_unit_id))]
    pub async fn reassign(
        &self,
        by: &By,
        scope: Scope,
        id: i64,
        to: &Reassignment,
        policy: &SlaPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<Assignment> {
        let (to_unit_id, reason) = (to.to_unit_id, &to.reason);
        let txn = self.db().begin().await?;
        let current = assignment::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .filter(|a| scope.allows_unit(a.unit_id))
            .ok_or(StoreError::not_found("assignment", id))?;
        if current.unit_id == to_unit_id {
            return Err(DomainError::field(
                "unit_id",
                "same_unit",
                "the assignment is already with that unit",
                "该派单已在此支撑单位",
            )
            .into());
        }
        let unit = unit::Entity::find_by_id(to_unit_id).one(&txn).await?.ok_or_else(|| {
            DomainError::field(
                "unit_id",
                "unknown_unit",
                format!("no support unit with id {to_unit_id}"),
                format!("支撑单位 {to_unit_id} 不存在"),
            )
        })?;
        let notice = notice::Entity::find_by_id(current.notice_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("notice", current.notice_id))?;
        let reason = format!("改派至{}：{reason}", unit.name);
        let change = Change::StandDown { reason };
        if super::assignments::apply(&txn, by, &current, &change, now, self.tz(), self.audit_key()).await?.is_none() {
            return Err(StoreError::Concurrent { entity: "assignment" });
        }
        let periods = super::protection::in_force_at(&txn, now).await?;
        let unit = Unit::from(unit);
        let (policy, period) = policy_at(Some(&unit), to_unit_id, policy, &periods, now);
        let to = Dispatch {
            unit_id: to_unit_id,
            unit_name: unit.name,
            branch_id: None,
            reassigned_from: Some(current.id),
            policy,
            period,
            to: pages::addressees(&txn, to_unit_id, None, escalation::DISPATCH_AUDIENCE, now).await?,
        };
        let created = self
            .dispatch(&txn, &[Dispatching { notice: &notice, to: &to, by, now }])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Corrupt("a reassigned assignment came back missing".into()))?;
        timeline::append(
            &txn,
            self.audit_key(),
            NewEvent {
                assignment_id: current.id,
                notice_id: current.notice_id,
                kind: EventKind::Other(BureauEvent::Reassigned),
                at: now,
                by,
                note: None,
                data: Some(EventData::Reassigned(Reassigned { to_assignment_id: created.id, to_unit_id })),
            },
            now,
        )
        .await?;
        Store::notify_peers(&txn).await?;
        txn.commit().await?;
        self.wake();
        Ok(created.into())
    }

    /// One notice with the assignments within `scope`; a notice with none of
    /// the reader's assignments does not exist for that reader.
    pub async fn notice(&self, scope: Scope, id: i64) -> StoreResult<NoticeRecord> {
        let notice = notice::Entity::find_by_id(id).one(self.db()).await?.ok_or(StoreError::not_found("notice", id))?;
        let mut q =
            assignment::Entity::find().filter(assignment::Column::NoticeId.eq(id)).order_by_asc(assignment::Column::Id);
        if let Scope::Unit(u) = scope {
            q = q.filter(assignment::Column::UnitId.eq(u));
        }
        let assignments = q.all(self.db()).await?;
        if assignments.is_empty() && scope != Scope::All {
            return Err(StoreError::not_found("notice", id));
        }
        Ok(NoticeRecord { notice: notice.into(), assignments: records::all(assignments) })
    }

    /// A page of notices, newest first, with the total matching count.
    pub async fn notices(&self, scope: Scope, filter: &NoticeFilter) -> StoreResult<(Vec<NoticeRecord>, u64)> {
        let mut q = notice::Entity::find();
        let mut sub = assignment::Entity::find().select_only().column(assignment::Column::NoticeId);
        let mut restrict = false;
        let unit = match (scope, filter.unit_id) {
            (Scope::Unit(u), _) => Some(u),
            (Scope::All, u) => u,
        };
        if let Some(u) = unit {
            sub = sub.filter(assignment::Column::UnitId.eq(u));
            restrict = true;
        }
        if let Some(open) = filter.open {
            let statuses = Status::open();
            sub = if open {
                sub.filter(assignment::Column::Status.is_in(statuses))
            } else {
                sub.filter(assignment::Column::Status.is_not_in(statuses))
            };
            restrict = true;
        }
        if restrict {
            q = q.filter(notice::Column::Id.in_subquery(sub.into_query()));
        }
        if let Some(c) = filter.category {
            q = q.filter(notice::Column::Category.eq(c));
        }
        if let Some(s) = filter.severity {
            q = q.filter(notice::Column::Severity.eq(s));
        }
        if let Some(e) = filter.enterprise_id {
            q = q.filter(notice::Column::EnterpriseId.eq(e));
        }
        if let Some(from) = filter.from {
            q = q.filter(notice::Column::IssuedAt.gte(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(notice::Column::IssuedAt.lt(to));
        }
        let total = q.clone().count(self.db()).await?;
        let notices = q
            .order_by_desc(notice::Column::IssuedAt)
            .order_by_desc(notice::Column::Id)
            .limit(filter.limit)
            .offset(filter.offset)
            .all(self.db())
            .await?;
        let ids: Vec<i64> = notices.iter().map(|n| n.id).collect();
        let mut aq = assignment::Entity::find()
            .filter(assignment::Column::NoticeId.is_in(ids))
            .order_by_asc(assignment::Column::Id);
        if let Scope::Unit(u) = scope {
            aq = aq.filter(assignment::Column::UnitId.eq(u));
        }
        let mut by_notice: HashMap<i64, Vec<assignment::Model>> = HashMap::new();
        for a in aq.all(self.db()).await? {
            by_notice.entry(a.notice_id).or_default().push(a);
        }
        let records = notices
            .into_iter()
            .map(|n| NoticeRecord {
                assignments: records::all(by_notice.remove(&n.id).unwrap_or_default()),
                notice: n.into(),
            })
            .collect();
        Ok((records, total))
    }

    /// Names of the given units, for readable answers.
    pub async fn unit_names(&self, ids: &[i64]) -> StoreResult<HashMap<i64, String>> {
        let rows: Vec<(i64, String)> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Id)
            .column(unit::Column::Name)
            .filter(unit::Column::Id.is_in(ids.to_vec()))
            .into_tuple()
            .all(self.reader())
            .await?;
        Ok(rows.into_iter().collect())
    }
}

/// A notice's row, as `by` issued `draft` at `now`.
fn notice_row(by: &By, draft: &NoticeDraft, now: DateTime<Utc>) -> notice::ActiveModel {
    notice::ActiveModel {
        title: Set(draft.title.clone()),
        category: Set(draft.category),
        severity: Set(draft.severity),
        target_name: Set(draft.target_name.clone()),
        target_kind: Set(draft.target_kind),
        enterprise_id: Set(draft.enterprise_id),
        site_address: Set(draft.site_address.clone()),
        site_lat: Set(draft.site.map(|s| s.lat)),
        site_lon: Set(draft.site.map(|s| s.lon)),
        description: Set(draft.description.clone()),
        requires_onsite: Set(draft.requires_onsite),
        issued_by: Set(by.user_id),
        issued_at: Set(now),
        ..Default::default()
    }
}

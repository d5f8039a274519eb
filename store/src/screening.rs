//! The pre-event screening checklist in the database: the bureau adds
//! enterprises for the units on watch, each unit records its results, and
//! both are audited.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait};

use super::audit::Audit;
use super::entities::{protection_period, screening_task, unit};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::error::FieldError;
use crate::domain::protection::ProtectionPeriod;
use crate::domain::record::ScreeningTask;
use crate::domain::screening::{ResultDraft, TaskDraft, TaskStatus};
use crate::records;

impl Store {
    /// One protection period (every signed-in reader may see periods).
    pub async fn protection_period(&self, id: i64) -> StoreResult<ProtectionPeriod> {
        let m = protection_period::Entity::find_by_id(id)
            .one(self.reader())
            .await?
            .ok_or(StoreError::not_found("protection_period", id))?;
        Ok(super::protection::period_of(m))
    }

    /// Adds a checklist to a period, all or nothing: each unit must exist
    /// and be on watch in the period.
    pub async fn add_screening_tasks(
        &self,
        by: &By,
        period: &ProtectionPeriod,
        drafts: Vec<TaskDraft>,
        now: DateTime<Utc>,
    ) -> StoreResult<Vec<ScreeningTask>> {
        let txn = self.db().begin().await?;
        let mut unit_ids: Vec<i64> = drafts.iter().map(|d| d.unit_id).collect();
        unit_ids.sort_unstable();
        unit_ids.dedup();
        let known = unit::Entity::find().filter(unit::Column::Id.is_in(unit_ids)).all(&txn).await?;
        let mut errors = Vec::new();
        for (i, d) in drafts.iter().enumerate() {
            let field = format!("tasks[{i}].unit_id");
            if !known.iter().any(|u| u.id == d.unit_id) {
                let id = d.unit_id;
                errors.push(FieldError::new(
                    field,
                    "unknown_unit",
                    format!("no support unit with id {id}"),
                    format!("支撑单位 {id} 不存在"),
                ));
            } else if !period.unit_ids.is_empty() && !period.unit_ids.contains(&d.unit_id) {
                errors.push(FieldError::new(
                    field,
                    "not_on_watch",
                    "the unit is not on watch in this period",
                    "该支撑单位不在本次重保值守范围内",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors).into());
        }
        let mut saved = Vec::with_capacity(drafts.len());
        for (i, mut d) in drafts.into_iter().enumerate() {
            let registered = match d.enterprise_id {
                Some(id) => Some(super::enterprises::named(&txn, &format!("tasks[{i}].enterprise_id"), id).await?),
                None => super::enterprises::by_name(&txn, &d.enterprise).await?,
            };
            if let Some(e) = registered {
                (d.enterprise_id, d.enterprise) = (Some(e.id), e.name);
            }
            let row = screening_task::ActiveModel {
                protection_period_id: Set(period.id),
                unit_id: Set(d.unit_id),
                enterprise: Set(d.enterprise),
                enterprise_id: Set(d.enterprise_id),
                target: Set(d.target),
                kind: Set(d.kind),
                due_at: Set(Some(d.due_at)),
                status: Set(TaskStatus::Pending),
                created_at: Set(now),
                updated_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            saved.push(row);
        }
        let detail = serde_json::json!({
            "task_ids": saved.iter().map(|t| t.id).collect::<Vec<_>>(),
            "enterprises": saved.iter().map(|t| &t.enterprise).collect::<Vec<_>>(),
        });
        let subject = format!("protection_period:{}", period.id);
        self.audit(&txn, Audit::new(by, "screening_tasks.added", subject).with(detail), now).await?;
        txn.commit().await?;
        Ok(records::all(saved))
    }

    /// A period's checklist within the reader's scope, by unit then entry.
    pub async fn screening_tasks(&self, scope: Scope, period_id: i64) -> StoreResult<Vec<ScreeningTask>> {
        let mut q = screening_task::Entity::find().filter(screening_task::Column::ProtectionPeriodId.eq(period_id));
        if let Scope::Unit(u) = scope {
            q = q.filter(screening_task::Column::UnitId.eq(u));
        }
        let rows = q
            .order_by_asc(screening_task::Column::UnitId)
            .order_by_asc(screening_task::Column::Id)
            .all(self.reader())
            .await?;
        Ok(records::all(rows))
    }

    /// The tasks that screened registered enterprise `enterprise_id`, newest first.
    pub async fn screening_tasks_of_enterprise(
        &self,
        scope: Scope,
        enterprise_id: i64,
    ) -> StoreResult<Vec<ScreeningTask>> {
        let mut q = screening_task::Entity::find().filter(screening_task::Column::EnterpriseId.eq(enterprise_id));
        if let Scope::Unit(u) = scope {
            q = q.filter(screening_task::Column::UnitId.eq(u));
        }
        Ok(records::all(q.order_by_desc(screening_task::Column::Id).all(self.reader()).await?))
    }

    /// One task, if the scope covers its unit.
    pub async fn screening_task(&self, scope: Scope, id: i64) -> StoreResult<ScreeningTask> {
        screening_task::Entity::find_by_id(id)
            .one(self.reader())
            .await?
            .filter(|t| scope.allows_unit(t.unit_id))
            .map(ScreeningTask::from)
            .ok_or(StoreError::not_found("screening_task", id))
    }

    /// Records (or corrects) a task's result; a task outside the scope is
    /// not found.
    pub async fn record_screening_result(
        &self,
        by: &By,
        scope: Scope,
        task_id: i64,
        result: ResultDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<ScreeningTask> {
        let txn = self.db().begin().await?;
        let task = screening_task::Entity::find_by_id(task_id)
            .one(&txn)
            .await?
            .filter(|t| scope.allows_unit(t.unit_id))
            .ok_or(StoreError::not_found("screening_task", task_id))?;
        let corrected = task.outcome;
        let mut row: screening_task::ActiveModel = task.into();
        row.status = Set(TaskStatus::Done);
        row.outcome = Set(Some(result.outcome));
        row.findings = Set(result.findings.clone());
        row.done_at = Set(Some(now));
        row.done_by = Set(Some(by.label.clone()));
        row.updated_at = Set(now);
        let saved = row.update(&txn).await?;
        let detail = serde_json::json!({
            "outcome": result.outcome.code(),
            "findings": result.findings,
            "replaces": corrected,
        });
        let entry = Audit::new(by, "screening_task.result_recorded", format!("screening_task:{task_id}")).with(detail);
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        Ok(saved.into())
    }
}

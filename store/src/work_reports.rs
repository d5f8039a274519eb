//! Work reports (汇报): a unit's draft for a month saved and submitted, each
//! step audited in its transaction; and the follow-ups of a month not yet
//! reported, each unit's written once with its messages.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
    TransactionTrait,
};

use super::audit::Audit;
use super::entities::{person, unit, work_report, work_report_notice};
use super::profiles::unit_in;
use super::reminders::{first, tell_and_commit, unit_contacts};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::{By, Scope};
use crate::domain::page::WorkReportContext;
use crate::domain::work_report::{Month, WorkReport, WorkReportDraft, WorkReportStatus, WorkReportStep};

fn report_of(r: work_report::Model) -> StoreResult<WorkReport> {
    let month =
        Month::parse(&r.month).map_err(|e| StoreError::Corrupt(format!("work_reports.month: {}", e.message)))?;
    Ok(WorkReport {
        id: r.id,
        unit_id: r.unit_id,
        month,
        content: WorkReportDraft { work_done: r.work_done, problems: r.problems, next_plans: r.next_plans },
        status: r.status,
        submitted_at: r.submitted_at,
        submitted_by: r.submitted_by,
        updated_at: r.updated_at,
    })
}

fn submitted() -> DomainError {
    DomainError::conflict(
        "work_report_submitted",
        "this month's report has been submitted and can no longer change",
        "该月工作汇报已报送，不能再修改",
    )
}

async fn find(
    db: &impl sea_orm::ConnectionTrait,
    unit_id: i64,
    month: Month,
) -> StoreResult<Option<work_report::Model>> {
    Ok(work_report::Entity::find()
        .filter(work_report::Column::UnitId.eq(unit_id))
        .filter(work_report::Column::Month.eq(month.to_string()))
        .one(db)
        .await?)
}

impl Store {
    /// Saves unit `unit_id`'s draft for `month`, until it is submitted.
    pub async fn save_work_report(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        month: Month,
        draft: WorkReportDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<WorkReport> {
        let txn = self.db().begin().await?;
        unit_in(&txn, scope, unit_id).await?;
        let saved = match find(&txn, unit_id, month).await? {
            Some(r) if r.status == WorkReportStatus::Submitted => return Err(submitted().into()),
            Some(r) => {
                let mut row = r.into_active_model();
                row.work_done = Set(draft.work_done.clone());
                row.problems = Set(draft.problems.clone());
                row.next_plans = Set(draft.next_plans.clone());
                row.updated_at = Set(now);
                row.update(&txn).await?
            }
            None => {
                work_report::ActiveModel {
                    unit_id: Set(unit_id),
                    month: Set(month.to_string()),
                    work_done: Set(draft.work_done.clone()),
                    problems: Set(draft.problems.clone()),
                    next_plans: Set(draft.next_plans.clone()),
                    status: Set(WorkReportStatus::Draft),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        let entry = Audit::new(by, "work_report.saved", format!("unit:{unit_id}"))
            .with(serde_json::json!({ "month": month.to_string() }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        report_of(saved)
    }

    /// Submits unit `unit_id`'s report for `month`: every part filled in,
    /// once.
    pub async fn submit_work_report(
        &self,
        by: &By,
        scope: Scope,
        unit_id: i64,
        month: Month,
        now: DateTime<Utc>,
    ) -> StoreResult<WorkReport> {
        let txn = self.db().begin().await?;
        unit_in(&txn, scope, unit_id).await?;
        let r = find(&txn, unit_id, month).await?.ok_or(StoreError::not_found("work_report", unit_id))?;
        if r.status == WorkReportStatus::Submitted {
            return Err(submitted().into());
        }
        report_of(r.clone())?.content.check_complete()?;
        let changed = work_report::Entity::update_many()
            .col_expr(work_report::Column::Status, Expr::value(WorkReportStatus::Submitted.code()))
            .col_expr(work_report::Column::SubmittedAt, Expr::value(now))
            .col_expr(work_report::Column::SubmittedBy, Expr::value(by.label.clone()))
            .filter(work_report::Column::Id.eq(r.id))
            .filter(work_report::Column::Status.eq(WorkReportStatus::Draft))
            .exec(&txn)
            .await?
            .rows_affected;
        if changed != 1 {
            return Err(submitted().into());
        }
        let entry = Audit::new(by, "work_report.submitted", format!("unit:{unit_id}"))
            .with(serde_json::json!({ "month": month.to_string() }));
        self.audit(&txn, entry, now).await?;
        txn.commit().await?;
        self.work_report(scope, unit_id, month).await
    }

    /// Unit `unit_id`'s report for `month`; not found before one is saved.
    pub async fn work_report(&self, scope: Scope, unit_id: i64, month: Month) -> StoreResult<WorkReport> {
        unit_in(self.reader(), scope, unit_id).await?;
        let r = find(self.reader(), unit_id, month).await?.ok_or(StoreError::not_found("work_report", unit_id))?;
        report_of(r)
    }

    /// The reports for `month` in `scope`, by unit.
    pub async fn work_reports(&self, scope: Scope, month: Month) -> StoreResult<Vec<WorkReport>> {
        let mut q = work_report::Entity::find().filter(work_report::Column::Month.eq(month.to_string()));
        if let Scope::Unit(u) = scope {
            q = q.filter(work_report::Column::UnitId.eq(u));
        }
        q.order_by_asc(work_report::Column::UnitId).all(self.reader()).await?.into_iter().map(report_of).collect()
    }

    /// Sends `step` for `month` to every unit registered before the month
    /// ended that has not submitted it and has not been sent it yet: the
    /// reminder to its liaisons, the overdue flag to its liaisons and
    /// support leads. Returns how many units were told.
    pub async fn follow_up_work_reports(
        &self,
        month: Month,
        step: WorkReportStep,
        registered_before: DateTime<Utc>,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<usize> {
        let key = month.to_string();
        let reported = Query::select()
            .column(work_report::Column::UnitId)
            .from(work_report::Entity)
            .and_where(work_report::Column::Month.eq(&key))
            .and_where(work_report::Column::Status.eq(WorkReportStatus::Submitted))
            .to_owned();
        let told = Query::select()
            .column(work_report_notice::Column::UnitId)
            .from(work_report_notice::Entity)
            .and_where(work_report_notice::Column::Month.eq(&key))
            .and_where(work_report_notice::Column::Step.eq(step))
            .to_owned();
        let owing = unit::Entity::find()
            .filter(unit::Column::CreatedAt.lt(registered_before))
            .filter(
                Condition::all()
                    .add(unit::Column::Id.not_in_subquery(reported))
                    .add(unit::Column::Id.not_in_subquery(told)),
            )
            .order_by_asc(unit::Column::Id)
            .all(self.reader())
            .await?;
        let mut units = 0;
        for u in owing {
            units += usize::from(self.tell_work_report(&u, month, step, due_at, now).await?);
        }
        Ok(units)
    }

    /// One unit's follow-up and its messages, unless a peer wrote it first.
    async fn tell_work_report(
        &self,
        u: &unit::Model,
        month: Month,
        step: WorkReportStep,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let txn = self.db().begin().await?;
        let marker = work_report_notice::ActiveModel {
            unit_id: Set(u.id),
            month: Set(month.to_string()),
            step: Set(step),
            sent_at: Set(now),
            ..Default::default()
        };
        if !first(marker.insert(&txn).await)? {
            return Ok(false);
        }
        let people = unit_contacts(&txn, u.id, step == WorkReportStep::Overdue).await?;
        let ctx = |p: &person::Model| WorkReportContext {
            step,
            unit_name: u.name.clone(),
            person_name: p.name.clone(),
            month,
            due_at,
        };
        let key = format!("work_report:u{}:{month}:{}", u.id, step.code());
        let body = |p: &person::Model| self.page_writer().work_report(&ctx(p));
        let pages = tell_and_commit(self, txn, &people, step.reason(), &key, body, now).await?;
        tracing::info!(unit = u.id, %month, step = step.code(), pages, "work report followed up");
        Ok(true)
    }
}

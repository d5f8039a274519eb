//! Histories written in bulk, for the benchmark only (feature `bench`): a
//! year of closed assignments, or thousands of open ones with their timers,
//! faster than the use cases could write them. Each assignment's state
//! comes from the domain (`AssignmentState::reach`, `escalation::plan`), so
//! the rows are ones the service could have written.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait};

use super::entities::{assignment, closure_report, notice, timer};
use super::{Store, StoreResult};
use crate::domain::assignment::AssignmentState;
use crate::domain::escalation::{self, TimerStatus};
use crate::domain::notice::{Category, Severity, TargetKind};
use crate::domain::policy::SlaPolicy;
use crate::domain::review::ReviewStatus;

/// A notice of the history and the assignments it was dispatched as.
#[derive(Debug, Clone)]
pub struct HistoricNotice {
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub issued_at: DateTime<Utc>,
    pub assignments: Vec<HistoricAssignment>,
}

/// One assignment of the history, as its state machine left it.
#[derive(Debug, Clone)]
pub struct HistoricAssignment {
    pub unit_id: i64,
    pub branch_id: i64,
    pub state: AssignmentState,
    /// The deadline after the bureau extended it, if it did.
    pub extended_to: Option<DateTime<Utc>>,
    /// When its closure report was filed (and accepted), if it has one.
    pub closure_filed_at: Option<DateTime<Utc>>,
    /// Whether its policy's timers are written, pending (an open assignment).
    pub timers: bool,
}

impl Store {
    /// Writes `notices` under `policy` in one transaction; returns how many
    /// timers were written.
    pub async fn write_history(&self, notices: &[HistoricNotice], policy: &SlaPolicy) -> StoreResult<usize> {
        let txn = self.db().begin().await?;
        let rows: Vec<_> = notices.iter().map(notice_row).collect();
        let notice_ids = notice::Entity::insert_many(rows).exec_with_returning_keys(&txn).await?;
        let lives: Vec<(i64, &HistoricAssignment)> =
            notice_ids.iter().zip(notices).flat_map(|(id, n)| n.assignments.iter().map(move |a| (*id, a))).collect();
        let rows: Vec<_> = lives.iter().map(|(notice_id, a)| assignment_row(*notice_id, a, policy)).collect();
        let assignment_ids = assignment::Entity::insert_many(rows).exec_with_returning_keys(&txn).await?;
        let reports: Vec<_> = assignment_ids
            .iter()
            .zip(&lives)
            .filter_map(|(id, (_, a))| a.closure_filed_at.map(|at| closure_row(*id, at)))
            .collect();
        if !reports.is_empty() {
            closure_report::Entity::insert_many(reports).exec(&txn).await?;
        }
        let timers: Vec<_> = assignment_ids
            .iter()
            .zip(&lives)
            .filter(|(_, (_, a))| a.timers)
            .flat_map(|(id, (_, a))| {
                escalation::plan(policy, &a.state).into_iter().map(move |t| timer::ActiveModel {
                    assignment_id: Set(*id),
                    kind: Set(t.kind),
                    due_at: Set(t.due_at),
                    status: Set(TimerStatus::Pending),
                    created_at: Set(a.state.notified_at),
                    ..Default::default()
                })
            })
            .collect();
        let written = timers.len();
        if !timers.is_empty() {
            timer::Entity::insert_many(timers).exec(&txn).await?;
        }
        txn.commit().await?;
        Ok(written)
    }

    /// Of the timers due in `[from, to)`: how late each fired one fired (ms,
    /// in no order), and how many are still pending.
    pub async fn timer_lateness(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> StoreResult<(Vec<i64>, u64)> {
        let in_window =
            || timer::Entity::find().filter(timer::Column::DueAt.gte(from)).filter(timer::Column::DueAt.lt(to));
        let late: Vec<Option<i64>> = in_window()
            .filter(timer::Column::Status.ne(TimerStatus::Pending))
            .select_only()
            .column(timer::Column::LateMs)
            .into_tuple()
            .all(self.db())
            .await?;
        let unfired = in_window().filter(timer::Column::Status.eq(TimerStatus::Pending)).count(self.db()).await?;
        Ok((late.into_iter().flatten().collect(), unfired))
    }
}

fn notice_row(n: &HistoricNotice) -> notice::ActiveModel {
    notice::ActiveModel {
        id: NotSet,
        title: Set(n.title.clone()),
        category: Set(n.category),
        severity: Set(n.severity),
        target_name: Set("某互联网企业".into()),
        target_kind: Set(TargetKind::InternetCompany),
        enterprise_id: Set(None),
        site_address: Set("重庆市渝北区".into()),
        site_lat: Set(None),
        site_lon: Set(None),
        description: Set("历史记录（基准测试生成）".into()),
        requires_onsite: Set(true),
        issued_by: Set(None),
        issued_at: Set(n.issued_at),
    }
}

fn assignment_row(notice_id: i64, a: &HistoricAssignment, policy: &SlaPolicy) -> assignment::ActiveModel {
    let (state, m) = (&a.state, &a.state.milestones);
    let deadline = a.extended_to.unwrap_or(state.deadline_at);
    let late = [m.plan_activated_at, m.on_site_at, m.hq_remote_at].iter().any(|t| t.is_none_or(|t| t > deadline));
    let finished = m.closed_at.is_some() || state.stood_down_at.is_some();
    assignment::ActiveModel {
        id: NotSet,
        notice_id: Set(notice_id),
        unit_id: Set(a.unit_id),
        branch_id: Set(Some(a.branch_id)),
        status: Set(state.status),
        requires_onsite: Set(state.requires_onsite),
        notified_at: Set(state.notified_at),
        deadline_at: Set(deadline),
        original_deadline_at: Set(state.deadline_at),
        acknowledged_at: Set(m.acknowledged_at),
        plan_activated_at: Set(m.plan_activated_at),
        on_site_at: Set(m.on_site_at),
        hq_remote_at: Set(m.hq_remote_at),
        resolved_at: Set(m.resolved_at),
        closed_at: Set(m.closed_at),
        stood_down_at: Set(state.stood_down_at),
        stand_down_reason: Set(state.stood_down_at.map(|_| "误报".to_owned())),
        extension_count: Set(i32::from(a.extended_to.is_some())),
        breached_at: Set((finished && late && state.stood_down_at.is_none()).then_some(deadline)),
        reassigned_from: Set(None),
        policy: Set(policy.clone().into()),
        protection_period_id: Set(None),
        version: Set(1),
        updated_at: Set(state.notified_at),
    }
}

fn closure_row(assignment_id: i64, filed_at: DateTime<Utc>) -> closure_report::ActiveModel {
    closure_report::ActiveModel {
        id: NotSet,
        assignment_id: Set(assignment_id),
        status: Set(ReviewStatus::Accepted),
        event_time: Set(None),
        description: Set("首页被篡改".into()),
        cause: Set("弱口令".into()),
        impact: Set("首页不可用".into()),
        countermeasures: Set("恢复页面，修改口令".into()),
        analysis: Set(String::new()),
        five_tuples: Set(Vec::new().into()),
        propagation_path: Set(String::new()),
        c2_addresses: Set(Vec::new().into()),
        disposal_recommendations: Set(String::new()),
        submitted_at: Set(Some(filed_at)),
        reviewed_at: Set(Some(filed_at)),
        reviewed_by: Set(None),
        review_comment: Set(None),
        created_at: Set(filed_at),
        updated_at: Set(filed_at),
    }
}

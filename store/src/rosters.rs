//! Duty rosters in the database: a branch's rotation and its overrides,
//! written by the unit or the bureau (audited), and read back as the pure
//! `Roster` that says who is on duty (for paging at T0 and the board).

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};

use super::audit::Audit;
use super::entities::{branch, person, roster, roster_override, unit};
use super::{Store, StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::access::By;
use crate::domain::access::Scope;
use crate::domain::error::FieldError;
use crate::domain::record::{Branch, RosterOverride};
use crate::domain::roster::{Override, Roster, Rotation, Segment, Shift};
use crate::records;
use std::collections::HashMap;

/// A branch's roster as stored, with the rotation it describes.
#[derive(Debug, Clone)]
pub struct StoredRoster {
    pub branch: Branch,
    pub roster: Roster,
    /// Overrides that have not ended yet (shown and editable).
    pub overrides: Vec<RosterOverride>,
}

/// An override as typed.
#[derive(Debug, Clone)]
pub struct OverrideDraft {
    pub person_id: i64,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub reason: String,
}

impl Store {
    /// The branch, if the actor's scope covers its unit.
    pub async fn branch_in(&self, scope: Scope, branch_id: i64) -> StoreResult<Branch> {
        self.branch(branch_id)
            .await?
            .filter(|b| scope.allows_unit(b.unit_id))
            .ok_or(StoreError::not_found("branch", branch_id))
    }

    /// Sets (or replaces) a branch's rotation. Every member must be an
    /// active person of the branch's unit.
    pub async fn set_roster(
        &self,
        by: &By,
        scope: Scope,
        branch_id: i64,
        rotation: Rotation,
        now: DateTime<Utc>,
    ) -> StoreResult<StoredRoster> {
        let b = self.branch_in(scope, branch_id).await?;
        let txn = self.db().begin().await?;
        let mut errors = Vec::new();
        for (i, id) in rotation.members.iter().enumerate() {
            if !member_of(&txn, b.unit_id, *id).await? {
                errors.push(not_a_member(format!("members[{i}]")));
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors).into());
        }
        roster::Entity::insert(roster::ActiveModel {
            branch_id: Set(branch_id),
            zone: Set(rotation.zone.name().to_owned()),
            starts_on: Set(rotation.starts_on.format("%Y-%m-%d").to_string()),
            handover: Set(rotation.handover.format("%H:%M").to_string()),
            shift_days: Set(i32::try_from(rotation.shift_days).unwrap_or(i32::MAX)),
            members: Set(rotation.members.clone().into()),
            updated_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::column(roster::Column::BranchId)
                .update_columns([
                    roster::Column::Zone,
                    roster::Column::StartsOn,
                    roster::Column::Handover,
                    roster::Column::ShiftDays,
                    roster::Column::Members,
                    roster::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        let detail = serde_json::json!({
            "zone": rotation.zone.name(),
            "starts_on": rotation.starts_on,
            "handover": rotation.handover.format("%H:%M").to_string(),
            "shift_days": rotation.shift_days,
            "members": rotation.members,
        });
        self.audit(&txn, Audit::new(by, "roster.set", format!("branch:{branch_id}")).with(detail), now).await?;
        txn.commit().await?;
        self.roster(scope, branch_id, now).await?.ok_or(StoreError::not_found("roster", branch_id))
    }

    /// Puts someone of the unit on duty for a stretch.
    pub async fn add_roster_override(
        &self,
        by: &By,
        scope: Scope,
        branch_id: i64,
        o: OverrideDraft,
        now: DateTime<Utc>,
    ) -> StoreResult<StoredRoster> {
        let b = self.branch_in(scope, branch_id).await?;
        let txn = self.db().begin().await?;
        let r = roster::Entity::find()
            .filter(roster::Column::BranchId.eq(branch_id))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found("roster", branch_id))?;
        let mut errors = Vec::new();
        if !member_of(&txn, b.unit_id, o.person_id).await? {
            errors.push(not_a_member("person_id".into()));
        }
        if o.until <= o.from {
            errors.push(FieldError::new("until", "invalid_range", "must be after `from`", "结束时间应晚于开始时间"));
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors).into());
        }
        let saved = roster_override::ActiveModel {
            roster_id: Set(r.id),
            person_id: Set(o.person_id),
            from_at: Set(o.from),
            until_at: Set(o.until),
            reason: Set(o.reason.clone()),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let detail =
            serde_json::json!({"person_id": o.person_id, "from": o.from, "until": o.until, "reason": o.reason});
        let subject = format!("roster_override:{}", saved.id);
        self.audit(&txn, Audit::new(by, "roster.override_added", subject).with(detail), now).await?;
        txn.commit().await?;
        self.roster(scope, branch_id, now).await?.ok_or(StoreError::not_found("roster", branch_id))
    }

    /// A branch's roster with the overrides not yet ended at `now`; `None`
    /// when the branch has none.
    pub async fn roster(&self, scope: Scope, branch_id: i64, now: DateTime<Utc>) -> StoreResult<Option<StoredRoster>> {
        let b = self.branch_in(scope, branch_id).await?;
        let Some((roster, overrides)) = load(self.reader(), branch_id, now).await? else { return Ok(None) };
        Ok(Some(StoredRoster { branch: b, roster, overrides }))
    }
}

/// One branch's duty on the board.
#[derive(Debug, Clone)]
pub struct DutyNow {
    pub unit: String,
    pub branch: String,
    /// `None` is a gap.
    pub shift: Option<Shift>,
    pub person: Option<String>,
}

impl Store {
    /// Who is on duty now at every branch with a roster in the actor's
    /// scope, by unit and branch name (the board).
    pub async fn duty_now(&self, scope: Scope, now: DateTime<Utc>) -> StoreResult<Vec<DutyNow>> {
        let db = self.reader();
        let mut out = Vec::new();
        for r in roster::Entity::find().all(db).await? {
            let Some(b) = branch::Entity::find_by_id(r.branch_id).one(db).await? else { continue };
            if !scope.allows_unit(b.unit_id) {
                continue;
            }
            let Some((roster, _)) = load(db, b.id, now).await? else { continue };
            let shift = roster.on_duty(now);
            let person = match &shift {
                Some(s) => person::Entity::find_by_id(s.person_id).one(db).await?.map(|p| p.name),
                None => None,
            };
            let unit = unit::Entity::find_by_id(b.unit_id).one(db).await?.map(|u| u.name).unwrap_or_default();
            out.push(DutyNow { unit, branch: b.name, shift, person });
        }
        out.sort_by(|x, y| (&x.unit, &x.branch).cmp(&(&y.unit, &y.branch)));
        Ok(out)
    }
}

/// Who was (or will be) on duty at one branch over a span.
#[derive(Debug, Clone)]
pub struct BranchDuty {
    pub unit_id: i64,
    pub unit: String,
    pub branch_id: i64,
    pub branch: String,
    pub segments: Vec<Segment>,
    /// Names of the people in `segments`.
    pub names: HashMap<i64, String>,
}

impl Store {
    /// Every roster's segments over `[from, to)` for the units in scope
    /// (and in `units`, when given), by unit and branch name.
    pub async fn duty_between(
        &self,
        scope: Scope,
        units: Option<&[i64]>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<BranchDuty>> {
        let db = self.reader();
        let mut out = Vec::new();
        for r in roster::Entity::find().all(db).await? {
            let Some(b) = branch::Entity::find_by_id(r.branch_id).one(db).await? else { continue };
            if !scope.allows_unit(b.unit_id) || units.is_some_and(|u| !u.contains(&b.unit_id)) {
                continue;
            }
            let Some((roster, _)) = load(db, b.id, from).await? else { continue };
            let segments = roster.segments(from, to);
            let ids: Vec<i64> = segments.iter().filter_map(|s| s.person_id).collect();
            let names = person::Entity::find()
                .filter(person::Column::Id.is_in(ids))
                .all(db)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
            let unit = unit::Entity::find_by_id(b.unit_id).one(db).await?.map(|u| u.name).unwrap_or_default();
            out.push(BranchDuty { unit_id: b.unit_id, unit, branch_id: b.id, branch: b.name, segments, names });
        }
        out.sort_by(|x, y| (&x.unit, &x.branch).cmp(&(&y.unit, &y.branch)));
        Ok(out)
    }
}

/// A branch's roster with the overrides that end after `since`.
pub(super) async fn load<C: ConnectionTrait>(
    conn: &C,
    branch_id: i64,
    since: DateTime<Utc>,
) -> StoreResult<Option<(Roster, Vec<RosterOverride>)>> {
    Ok(load_many(conn, &[branch_id], since).await?.remove(&branch_id))
}

/// The rosters of `branch_ids` (those that have one) with the overrides
/// that end after `since`, by branch: two queries however many branches.
pub(super) async fn load_many<C: ConnectionTrait>(
    conn: &C,
    branch_ids: &[i64],
    since: DateTime<Utc>,
) -> StoreResult<HashMap<i64, (Roster, Vec<RosterOverride>)>> {
    if branch_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rosters = roster::Entity::find().filter(roster::Column::BranchId.is_in(branch_ids.to_vec())).all(conn).await?;
    if rosters.is_empty() {
        return Ok(HashMap::new());
    }
    let mut overrides: HashMap<i64, Vec<roster_override::Model>> = HashMap::new();
    for o in roster_override::Entity::find()
        .filter(roster_override::Column::RosterId.is_in(rosters.iter().map(|r| r.id)))
        .filter(roster_override::Column::UntilAt.gt(since))
        .order_by_asc(roster_override::Column::Id)
        .all(conn)
        .await?
    {
        overrides.entry(o.roster_id).or_default().push(o);
    }
    rosters
        .into_iter()
        .map(|r| {
            let own = overrides.remove(&r.id).unwrap_or_default();
            Ok((r.branch_id, assemble(&r, own)?))
        })
        .collect()
}

/// The pure roster a stored one describes, with its overrides.
fn assemble(r: &roster::Model, overrides: Vec<roster_override::Model>) -> StoreResult<(Roster, Vec<RosterOverride>)> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("roster {} has a bad {what}", r.id));
    let rotation = Rotation {
        zone: r.zone.parse().map_err(|_| corrupt("zone"))?,
        starts_on: chrono::NaiveDate::parse_from_str(&r.starts_on, "%Y-%m-%d").map_err(|_| corrupt("start date"))?,
        handover: chrono::NaiveTime::parse_from_str(&r.handover, "%H:%M").map_err(|_| corrupt("hand-over time"))?,
        shift_days: u32::try_from(r.shift_days).map_err(|_| corrupt("shift length"))?,
        members: r.members.0.clone(),
    };
    let roster = Roster {
        rotation,
        overrides: overrides
            .iter()
            .map(|o| Override { person_id: o.person_id, from: o.from_at, until: o.until_at })
            .collect(),
    };
    Ok((roster, records::all(overrides)))
}

async fn member_of<C: ConnectionTrait>(conn: &C, unit_id: i64, person_id: i64) -> StoreResult<bool> {
    Ok(person::Entity::find_by_id(person_id).one(conn).await?.is_some_and(|p| p.unit_id == unit_id && p.active))
}

fn not_a_member(field: String) -> FieldError {
    FieldError::new(field, "not_a_member", "not an active person of this unit", "不是本单位的在岗人员")
}

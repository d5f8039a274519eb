//! What issuing a notice reads before it is written: the registry's name for
//! its target, its units (all must exist) and branches, the policy each
//! answers under and whom each pages. Notices issued together are planned
//! together, one query per table for all of them; each still gets its own
//! answer, so a draft naming an unknown unit fails only itself.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use super::dispatches::{Dispatch, policy_at};
use super::duty::{Post, distinct};
use super::entities::{branch, enterprise, unit};
use super::pages::addressees_of;
use super::{StoreError, StoreResult};
use crate::domain::DomainError;
use crate::domain::enterprise::Enterprise;
use crate::domain::escalation;
use crate::domain::notice::NoticeDraft;
use crate::domain::policy::SlaPolicy;
use crate::domain::record::Unit;

/// A notice asked for, not yet planned.
pub(super) struct Asked {
    pub(super) draft: NoticeDraft,
    /// The policy its units answer under unless their own say otherwise.
    pub(super) policy: SlaPolicy,
    pub(super) now: DateTime<Utc>,
}

/// What a notice needs read before it is written: the target as the
/// registry names it, and where each assignment goes.
pub(super) struct Plan {
    pub(super) draft: NoticeDraft,
    pub(super) dispatches: Vec<Dispatch>,
}

/// A draft that passed the registry's checks, with its branch per unit.
type Checked<'a> = (&'a Asked, NoticeDraft, HashMap<i64, i64>);

/// Plans one notice through `conn`.
pub(super) async fn plan<C: ConnectionTrait>(conn: &C, asked: Asked) -> StoreResult<Plan> {
    plans(conn, std::slice::from_ref(&asked))
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("a notice's plan came back missing".into()))?
}

/// Plans every notice of `asked` through `conn`, in their order: the outer
/// error is the database's, each inner one a draft's own.
pub(super) async fn plans<C: ConnectionTrait>(conn: &C, asked: &[Asked]) -> StoreResult<Vec<StoreResult<Plan>>> {
    let (Some(from), Some(to)) = (asked.iter().map(|a| a.now).min(), asked.iter().map(|a| a.now).max()) else {
        return Ok(vec![]);
    };
    let registry = Registry::read(conn, asked).await?;
    let periods = super::protection::in_force_between(conn, from, to).await?;
    let checked: Vec<StoreResult<Checked>> = asked
        .iter()
        .map(|a| {
            let draft = registry.name_target(a.draft.clone())?;
            registry.check_units(&draft.unit_ids)?;
            let branches = registry.branches_by_unit(&draft.unit_ids, &draft.branch_ids)?;
            Ok((a, draft, branches))
        })
        .collect();
    let posts: Vec<Post> = checked
        .iter()
        .flatten()
        .flat_map(|(a, draft, branches)| {
            draft.unit_ids.iter().map(|u| Post { unit_id: *u, branch_id: branches.get(u).copied(), at: a.now })
        })
        .collect();
    let mut addressees = addressees_of(conn, &posts, escalation::DISPATCH_AUDIENCE).await?.into_iter();
    Ok(checked
        .into_iter()
        .map(|checked| {
            let (a, draft, branches) = checked?;
            let mut dispatches = Vec::with_capacity(draft.unit_ids.len());
            for (unit_id, to) in draft.unit_ids.iter().zip(addressees.by_ref()) {
                let unit = registry.units.get(unit_id);
                let (policy, period) = policy_at(unit, *unit_id, &a.policy, &periods, a.now);
                dispatches.push(Dispatch {
                    unit_id: *unit_id,
                    unit_name: unit.map(|u| u.name.clone()).unwrap_or_default(),
                    branch_id: branches.get(unit_id).copied(),
                    reassigned_from: None,
                    policy,
                    period,
                    to,
                });
            }
            Ok(Plan { draft, dispatches })
        })
        .collect())
}

/// The registry rows the drafts name: their targets, units and branches.
struct Registry {
    enterprises: Vec<Enterprise>,
    units: HashMap<i64, Unit>,
    branches: Vec<branch::Model>,
}

impl Registry {
    async fn read<C: ConnectionTrait>(conn: &C, asked: &[Asked]) -> StoreResult<Self> {
        let ids: Vec<i64> = distinct(asked.iter().filter_map(|a| a.draft.enterprise_id));
        let names: Vec<&str> =
            asked.iter().filter(|a| a.draft.enterprise_id.is_none()).map(|a| a.draft.target_name.as_str()).collect();
        let enterprises = enterprise::Entity::find()
            .filter(Condition::any().add(enterprise::Column::Id.is_in(ids)).add(enterprise::Column::Name.is_in(names)))
            .all(conn)
            .await?
            .into_iter()
            .map(Enterprise::from)
            .collect();
        let unit_ids = distinct(asked.iter().flat_map(|a| a.draft.unit_ids.iter().copied()));
        let units = unit::Entity::find()
            .filter(unit::Column::Id.is_in(unit_ids))
            .all(conn)
            .await?
            .into_iter()
            .map(|u| (u.id, Unit::from(u)))
            .collect();
        let branch_ids = distinct(asked.iter().flat_map(|a| a.draft.branch_ids.iter().copied()));
        let branches = if branch_ids.is_empty() {
            vec![]
        } else {
            branch::Entity::find().filter(branch::Column::Id.is_in(branch_ids)).all(conn).await?
        };
        Ok(Self { enterprises, units, branches })
    }

    /// The draft with its target named as the registry does: the
    /// enterprise it names by id (which must exist), or the one of exactly
    /// its name.
    fn name_target(&self, mut draft: NoticeDraft) -> StoreResult<NoticeDraft> {
        let registered = match draft.enterprise_id {
            Some(id) => Some(
                self.enterprises
                    .iter()
                    .find(|e| e.id == id)
                    .ok_or_else(|| super::enterprises::unknown("target.enterprise_id", id))?,
            ),
            None => self.enterprises.iter().find(|e| e.name == draft.target_name),
        };
        if let Some(e) = registered {
            (draft.enterprise_id, draft.target_name, draft.target_kind) = (Some(e.id), e.name.clone(), e.kind);
        }
        Ok(draft)
    }

    fn check_units(&self, unit_ids: &[i64]) -> StoreResult<()> {
        let unknown: Vec<String> =
            unit_ids.iter().filter(|id| !self.units.contains_key(id)).map(i64::to_string).collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let list = unknown.join(", ");
        Err(DomainError::field(
            "unit_ids",
            "unknown_unit",
            format!("no support unit with id {list}"),
            format!("支撑单位 {list} 不存在"),
        )
        .into())
    }

    /// The chosen branch of each unit, checked to belong to it (one per unit).
    fn branches_by_unit(&self, unit_ids: &[i64], branch_ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
        let mut by_unit = HashMap::new();
        for id in branch_ids {
            let Some(b) = self.branches.iter().find(|b| b.id == *id && unit_ids.contains(&b.unit_id)) else {
                return Err(DomainError::field(
                    "branch_ids",
                    "unknown_branch",
                    format!("branch {id} is not a branch of the chosen units"),
                    format!("属地机构 {id} 不属于所选支撑单位"),
                )
                .into());
            };
            if by_unit.insert(b.unit_id, b.id).is_some() {
                return Err(DomainError::field(
                    "branch_ids",
                    "two_branches",
                    "choose at most one branch per unit",
                    "每个支撑单位最多选择一个属地机构",
                )
                .into());
            }
        }
        Ok(by_unit)
    }
}

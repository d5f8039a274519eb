//! Whom "the branch's engineers" of an assignment mean at a moment: the
//! person on duty by the branch's roster, everyone when it has none, a gap
//! when the roster has nobody (or nobody still active) on duty. The duties
//! of many assignments are read together, a few queries for all of them.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::StoreResult;
use super::entities::{branch, person};
use super::rosters;

/// Whom "the branch's engineers" means at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Duty {
    /// No roster: every engineer of the branch, as before rosters.
    Everyone,
    /// The roster's person on duty, whatever their role or branch.
    Person(i64),
    /// The roster has nobody on duty: the support lead is paged instead.
    Gap,
}

/// Where and when an assignment asks for its engineers.
#[derive(Debug, Clone, Copy)]
pub(super) struct Post {
    pub(super) unit_id: i64,
    /// The branch the notice names, if any.
    pub(super) branch_id: Option<i64>,
    pub(super) at: DateTime<Utc>,
}

/// The duty of each of `posts`, in their order. A post that names no branch
/// uses the roster of its unit's only branch.
pub(super) async fn duties<C: ConnectionTrait>(conn: &C, posts: &[Post]) -> StoreResult<Vec<Duty>> {
    let Some(since) = posts.iter().map(|p| p.at).min() else { return Ok(vec![]) };
    let only = only_branches(conn, posts).await?;
    let branches: Vec<Option<i64>> =
        posts.iter().map(|p| p.branch_id.or_else(|| only.get(&p.unit_id).copied())).collect();
    let wanted: Vec<i64> = distinct(branches.iter().flatten().copied());
    let rosters = rosters::load_many(conn, &wanted, since).await?;
    // Per post: `None` without a roster, else whom the roster has on duty.
    let on_duty: Vec<Option<Option<i64>>> = posts
        .iter()
        .zip(&branches)
        .map(|(p, b)| rosters.get(&(*b)?).map(|(r, _)| r.on_duty(p.at).map(|s| s.person_id)))
        .collect();
    let named: Vec<i64> = distinct(on_duty.iter().flatten().flatten().copied());
    // Someone deactivated after the roster was written cannot be paged: a gap.
    let active: HashSet<i64> = if named.is_empty() {
        HashSet::new()
    } else {
        person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .filter(person::Column::Id.is_in(named))
            .filter(person::Column::Active.eq(true))
            .into_tuple::<i64>()
            .all(conn)
            .await?
            .into_iter()
            .collect()
    };
    Ok(on_duty
        .into_iter()
        .map(|d| match d {
            None => Duty::Everyone,
            Some(Some(id)) if active.contains(&id) => Duty::Person(id),
            Some(_) => Duty::Gap,
        })
        .collect())
}

/// The branch of each unit among `posts`' that name none and have exactly
/// one.
async fn only_branches<C: ConnectionTrait>(conn: &C, posts: &[Post]) -> StoreResult<HashMap<i64, i64>> {
    let units = distinct(posts.iter().filter(|p| p.branch_id.is_none()).map(|p| p.unit_id));
    if units.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(i64, i64)> = branch::Entity::find()
        .select_only()
        .column(branch::Column::UnitId)
        .column(branch::Column::Id)
        .filter(branch::Column::UnitId.is_in(units))
        .into_tuple()
        .all(conn)
        .await?;
    let mut by_unit: HashMap<i64, Vec<i64>> = HashMap::new();
    for (unit, id) in rows {
        by_unit.entry(unit).or_default().push(id);
    }
    Ok(by_unit.into_iter().filter_map(|(unit, ids)| (ids.len() == 1).then(|| (unit, ids[0]))).collect())
}

/// `ids` without repeats, in their first order.
pub(super) fn distinct(ids: impl IntoIterator<Item = i64>) -> Vec<i64> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

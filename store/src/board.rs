//! The live board: every open assignment the reader may see, with what a
//! row needs (notice, unit, branch), nearest deadline first.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::entities::{assignment, branch, notice};
use super::{Store, StoreResult};
use crate::domain::access::Scope;
use crate::domain::assignment::Status;
use crate::domain::record::{Assignment, Notice};

/// The board shows at most this many rows; a province has far fewer open.
pub const BOARD_LIMIT: u64 = 500;

/// One open assignment with its notice, unit and branch.
#[derive(Debug, Clone)]
pub struct BoardRow {
    pub assignment: Assignment,
    pub notice: Notice,
    pub unit_name: String,
    pub branch_name: Option<String>,
}

impl Store {
    pub async fn board(&self, scope: Scope) -> StoreResult<Vec<BoardRow>> {
        let mut q = assignment::Entity::find().filter(assignment::Column::Status.is_in(Status::open()));
        if let Scope::Unit(u) = scope {
            q = q.filter(assignment::Column::UnitId.eq(u));
        }
        let assignments = q
            .order_by_asc(assignment::Column::DeadlineAt)
            .order_by_asc(assignment::Column::Id)
            .limit(BOARD_LIMIT)
            .all(self.reader())
            .await?;
        let notice_ids: Vec<i64> = assignments.iter().map(|a| a.notice_id).collect();
        let unit_ids: Vec<i64> = assignments.iter().map(|a| a.unit_id).collect();
        let branch_ids: Vec<i64> = assignments.iter().filter_map(|a| a.branch_id).collect();
        let notices: HashMap<i64, notice::Model> = notice::Entity::find()
            .filter(notice::Column::Id.is_in(notice_ids))
            .all(self.reader())
            .await?
            .into_iter()
            .map(|n| (n.id, n))
            .collect();
        let units = self.unit_names(&unit_ids).await?;
        let branches: HashMap<i64, String> = branch::Entity::find()
            .select_only()
            .column(branch::Column::Id)
            .column(branch::Column::Name)
            .filter(branch::Column::Id.is_in(branch_ids))
            .into_tuple::<(i64, String)>()
            .all(self.reader())
            .await?
            .into_iter()
            .collect();
        Ok(assignments
            .into_iter()
            .filter_map(|a| {
                // A notice is written before its assignments and never deleted.
                let notice = notices.get(&a.notice_id).cloned()?;
                Some(BoardRow {
                    unit_name: units.get(&a.unit_id).cloned().unwrap_or_default(),
                    branch_name: a.branch_id.and_then(|b| branches.get(&b).cloned()),
                    notice: notice.into(),
                    assignment: a.into(),
                })
            })
            .collect())
    }
}

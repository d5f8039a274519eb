//! The registry in and out of the bureau's spreadsheet: an import checked
//! whole (a dry run lists every bad cell) and written all or nothing, and
//! the export in the same layout. The doors turn files into tables and back
//! (`reports::registry_sheet`).

use serde::Serialize;

use crate::domain::DomainError;
use crate::domain::access::{By, Caller, Need};
use crate::domain::registry_sheet::{self, PlanCounts};

use super::{AppResult, Core};

/// What an import did, or on a dry run would do.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RegistryImport {
    /// Whether the registry was written: false on a dry run, and when the
    /// file has nothing to change.
    pub committed: bool,
    pub counts: PlanCounts,
    /// Headers that name no column of the layout, left unread.
    pub ignored_columns: Vec<String>,
}

impl Core {
    /// Checks the table `decode` reads from the door's file (its first row
    /// the headers) against the registry and, when `commit`, writes it in
    /// one transaction. The file is decoded only once the role is allowed.
    pub async fn import_registry(
        &self,
        caller: &Caller,
        decode: impl FnOnce() -> Result<Vec<Vec<String>>, DomainError>,
        commit: bool,
    ) -> AppResult<RegistryImport> {
        Self::require(caller, Need::Registry)?;
        let sheet = registry_sheet::read(&decode()?)?;
        let imported = self.store.import_registry(&By::caller(caller), &sheet, commit, self.clock.now()).await?;
        Ok(RegistryImport {
            committed: imported.committed,
            counts: imported.counts,
            ignored_columns: sheet.ignored_columns,
        })
    }

    /// The registry as the import reads it (headers first); the export is
    /// audited, since it lists every contact's phone and address.
    pub async fn registry_table(&self, caller: &Caller) -> AppResult<Vec<Vec<String>>> {
        Self::require(caller, Need::Registry)?;
        let units = self.store.registry_exported(&By::caller(caller), self.clock.now()).await?;
        Ok(registry_sheet::write(&units))
    }
}

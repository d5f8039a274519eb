//! Taking a backup while the service runs.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::archive::{self, DATABASE, object_path};
use super::{BackupError, FORMAT, Manifest, Taken, checked, file_name, prune};
use crate::config::{Config, EvidenceStore};
use crate::store::Store;
use crate::store::audit_key::key_file;

/// Writes a backup of `store` (configured by `config`) into `dir`, then
/// keeps the newest `keep` there when given. The copy is checked before
/// the file is written; a file that exists is complete (written aside and
/// renamed).
pub async fn take(
    store: &Store,
    config: &Config,
    dir: &Path,
    now: DateTime<Utc>,
    keep: Option<usize>,
) -> Result<Taken, BackupError> {
    if store.sqlite_file().is_none() {
        return Err(BackupError::Refused(
            "PostgreSQL is backed up with pg_dump: deploy/pg-backup.sh / PostgreSQL 请用 pg_dump 备份".into(),
        ));
    }
    std::fs::create_dir_all(dir)?;
    let staging = tempfile::Builder::new().prefix(".onsite-backup-").tempdir_in(dir)?;
    let copy = staging.path().join(DATABASE);
    store.copy_sqlite_to(&copy).await?;
    let (rows, audit_entries, named) = checked(config, &copy, store.audit_key().secret()).await?;

    let objects = match config.evidence.store {
        EvidenceStore::Local => {
            let mut objects: Vec<(String, PathBuf)> = named
                .into_iter()
                .map(|sha| {
                    let path = object_path(&config.evidence.path, &sha);
                    (sha, path)
                })
                .collect();
            objects.sort();
            if let Some((sha, _)) = objects.iter().find(|(_, p)| !p.is_file()) {
                return Err(BackupError::Unsound(format!(
                    "the evidence object {sha} a record names is missing from {} / 附件对象缺失",
                    config.evidence.path.display()
                )));
            }
            Some(objects)
        }
        EvidenceStore::S3 => None,
    };
    let key = config.database.audit_key.is_none().then(|| key_file(&config.database)).filter(|k| k.is_file());
    let manifest = Manifest {
        format: FORMAT,
        onsite: env!("CARGO_PKG_VERSION").to_owned(),
        taken_at: now,
        rows,
        audit_entries,
        audit_key: key.is_some(),
        evidence_objects: objects.as_ref().map(Vec::len),
    };
    let file = dir.join(file_name(now));
    let partial = staging.path().join("backup.tar");
    let bytes = {
        let (partial, manifest) = (partial.clone(), manifest.clone());
        tokio::task::spawn_blocking(move || {
            archive::write(&partial, &manifest, &copy, key.as_deref(), objects.as_deref().unwrap_or_default())
        })
        .await
        .map_err(std::io::Error::other)??
    };
    std::fs::rename(&partial, &file)?;
    let pruned = match keep {
        Some(keep) => prune(dir, keep)?,
        None => 0,
    };
    Ok(Taken { file, bytes, manifest, pruned })
}

//! Restoring a backup into an empty data directory: unpacked aside, checked
//! as a backup is (integrity, the audit chain with the key it will run
//! with, the rows the manifest counted), then moved into place, the
//! database last, so a restore cut off leaves no database to start on.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use super::archive::{self, object_path};
use super::{BackupError, Manifest, checked};
use crate::config::{Config, EvidenceStore};
use crate::store::audit_key::key_file;

/// Restores the backup `file` into the database and evidence store
/// `config` names, which must hold nothing yet.
pub async fn restore(config: &Config, file: &Path) -> Result<Manifest, BackupError> {
    let db = sqlite_file(config)?;
    refuse_if_in_use(config, &db)?;
    let dir = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).to_owned();
    std::fs::create_dir_all(&dir)?;
    let staging = tempfile::Builder::new().prefix(".onsite-restore-").tempdir_in(&dir)?;
    let unpacked = {
        let (file, into) = (file.to_owned(), staging.path().to_owned());
        tokio::task::spawn_blocking(move || archive::unpack(&file, &into)).await.map_err(std::io::Error::other)??
    };
    let key = audit_key(config, unpacked.audit_key.as_deref())?;
    let (rows, entries, named) = checked(config, &unpacked.database, key.clone()).await?;
    let manifest = unpacked.manifest;
    if rows != manifest.rows || entries < manifest.audit_entries {
        return Err(BackupError::Unsound(format!(
            "the database does not hold what the manifest counted / 数据与清单不符: {rows:?} ≠ {:?}",
            manifest.rows
        )));
    }
    if config.evidence.store == EvidenceStore::S3 && !unpacked.objects.is_empty() {
        return Err(BackupError::Refused(
            "the backup holds a local store's evidence files: restore with [evidence] store = \"local\" / 备份含本地附件，请以本地存储恢复"
                .into(),
        ));
    }
    if config.evidence.store == EvidenceStore::Local {
        let kept: std::collections::HashSet<&String> = unpacked.objects.iter().map(|(sha, _)| sha).collect();
        if manifest.evidence_objects.is_some() && named.iter().any(|sha| !kept.contains(sha)) {
            return Err(BackupError::Unsound(
                "an evidence object a record names is not in the backup / 备份缺少记录所指的附件".into(),
            ));
        }
        for (sha256, from) in &unpacked.objects {
            let to = object_path(&config.evidence.path, sha256);
            std::fs::create_dir_all(to.parent().unwrap_or(&config.evidence.path))?;
            move_file(from, &to)?;
        }
    }
    if config.database.audit_key.is_none() {
        let to = key_file(&config.database);
        if !to.exists() {
            write_key(&to, &key)?;
        }
    }
    move_file(&unpacked.database, &db)?;
    Ok(manifest)
}

fn sqlite_file(config: &Config) -> Result<PathBuf, BackupError> {
    match crate::store::sqlite_path(&config.database.url) {
        Some(p) => Ok(PathBuf::from(p)),
        None => Err(BackupError::Refused(
            "restore a PostgreSQL backup with deploy/pg-restore.sh / PostgreSQL 请用 deploy/pg-restore.sh 恢复".into(),
        )),
    }
}

/// Refuses a data directory with a database (or its write-ahead log) or
/// evidence objects in it: a restore never overwrites.
fn refuse_if_in_use(config: &Config, db: &Path) -> Result<(), BackupError> {
    let mut in_use: Vec<PathBuf> = ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|p| p.exists())
        .collect();
    let objects = config.evidence.path.join("sha256");
    if config.evidence.store == EvidenceStore::Local
        && std::fs::read_dir(&objects).is_ok_and(|mut d| d.next().is_some())
    {
        in_use.push(objects);
    }
    match in_use.first() {
        None => Ok(()),
        Some(p) => Err(BackupError::Refused(format!(
            "{} exists: restore only into an empty data directory / 数据目录非空，拒绝覆盖",
            p.display()
        ))),
    }
}

/// The key the restored database will run with: the configured one, else
/// the backup's. A key file already there must be the backup's.
fn audit_key(config: &Config, in_backup: Option<&Path>) -> Result<SecretString, BackupError> {
    if let Some(key) = &config.database.audit_key {
        return Ok(key.clone());
    }
    let Some(path) = in_backup else {
        return Err(BackupError::Refused(
            "the backup's audit key came from ONSITE_DATABASE__AUDIT_KEY: set it to restore / 请设置审计密钥后恢复"
                .into(),
        ));
    };
    let key = std::fs::read_to_string(path)?.trim().to_owned();
    let existing = key_file(&config.database);
    if let Ok(there) = std::fs::read_to_string(&existing)
        && there.trim() != key
    {
        return Err(BackupError::Refused(format!(
            "{} holds another audit key / 已有不同的审计密钥",
            existing.display()
        )));
    }
    Ok(SecretString::from(key))
}

fn write_key(to: &Path, key: &SecretString) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(to)?;
    file.write_all(key.expose_secret().as_bytes())?;
    file.sync_all()
}

/// Renames, or copies when `to` is on another file system.
fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    std::fs::copy(from, to)?;
    std::fs::remove_file(from)
}

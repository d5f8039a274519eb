//! The audit chain's key, kept outside the database so that whoever can
//! write the database still cannot re-hash a rewritten chain: from
//! `ONSITE_DATABASE__AUDIT_KEY`, else from a key file (`database.audit_key_file`;
//! by default `audit.key` beside the SQLite file, or `data/audit.key` for
//! PostgreSQL), which is created with a random key on first start.
//! Several instances must share one key: set it in their environment.

use std::io::Write;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

use super::{StoreError, StoreResult, sqlite_path};
use crate::config::DatabaseConfig;

/// The key; never printed.
#[derive(Clone)]
pub struct AuditKey(SecretString);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret().as_bytes()
    }

    /// The key itself: a backup's copy is opened and checked with it.
    pub fn secret(&self) -> SecretString {
        self.0.clone()
    }

    /// The configured key, or the key file's (created when missing).
    pub fn load(config: &DatabaseConfig) -> StoreResult<Self> {
        if let Some(key) = &config.audit_key {
            return Ok(Self(key.clone()));
        }
        let path = key_file(config);
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let key = text.trim();
                if let Some(why) = crate::crypto::weak_key(key) {
                    return Err(StoreError::Corrupt(format!("the audit key in {} {why}", path.display())));
                }
                Ok(Self(SecretString::from(key.to_owned())))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(&path),
            Err(e) => Err(StoreError::Corrupt(format!("cannot read the audit key {}: {e}", path.display()))),
        }
    }
}

/// Where the key is kept when no key is configured.
pub fn key_file(config: &DatabaseConfig) -> PathBuf {
    if let Some(path) = &config.audit_key_file {
        return path.clone();
    }
    match sqlite_path(&config.url).map(PathBuf::from) {
        Some(db) => db.with_file_name("audit.key"),
        None => PathBuf::from("data/audit.key"),
    }
}

/// Writes a fresh random key, readable by this user only; a process that
/// loses the race to create it reads the winner's.
fn create(path: &std::path::Path) -> StoreResult<AuditKey> {
    let failed = |e: std::io::Error| StoreError::Corrupt(format!("cannot write the audit key {}: {e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(failed)?;
    }
    let key = crate::crypto::random_secret("", 32);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(key.as_bytes()).and_then(|()| file.sync_all()).map_err(failed)?;
            tracing::warn!(
                file = %path.display(),
                "created the audit chain's key; keep a copy away from the database, and set \
                 ONSITE_DATABASE__AUDIT_KEY on every instance when there are several"
            );
            Ok(AuditKey(SecretString::from(key)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(failed)?;
            Ok(AuditKey(SecretString::from(text.trim().to_owned())))
        }
        Err(e) => Err(failed(e)),
    }
}

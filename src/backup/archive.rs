//! The backup file's layout: a tar of `manifest.json`, `onsite.db`,
//! `audit.key` (when included) and `evidence/sha256/<2>/<sha256>` for each
//! object. Reading accepts exactly these names as regular files, so a
//! crafted archive can write nowhere else, and checks each object against
//! its name.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{BackupError, Manifest};

pub const MANIFEST: &str = "manifest.json";
pub const DATABASE: &str = "onsite.db";
pub const AUDIT_KEY: &str = "audit.key";
const EVIDENCE: &str = "evidence";

/// What an archive's entry may be.
enum Entry {
    Manifest,
    Database,
    AuditKey,
    /// An evidence object by its SHA-256.
    Object(String),
}

fn entry_of(name: &str) -> Option<Entry> {
    match name {
        MANIFEST => return Some(Entry::Manifest),
        DATABASE => return Some(Entry::Database),
        AUDIT_KEY => return Some(Entry::AuditKey),
        _ => {}
    }
    let mut parts = name.strip_prefix("evidence/sha256/")?.split('/');
    let (prefix, sha256) = (parts.next()?, parts.next()?);
    let hex = |s: &str| s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    let sound = parts.next().is_none() && sha256.len() == 64 && hex(sha256) && sha256.get(..2) == Some(prefix);
    sound.then(|| Entry::Object(sha256.to_owned()))
}

/// Where an object named `sha256` lives under a store's `root` (the
/// local store's layout, and the archive's below `evidence/`).
pub fn object_path(root: &Path, sha256: &str) -> PathBuf {
    root.join("sha256").join(sha256.get(..2).unwrap_or("00")).join(sha256)
}

/// Writes the archive to `to` and syncs it; returns its size.
pub fn write(
    to: &Path,
    manifest: &Manifest,
    database: &Path,
    audit_key: Option<&Path>,
    objects: &[(String, PathBuf)],
) -> Result<u64, BackupError> {
    let mut tar = tar::Builder::new(BufWriter::new(File::create(to)?));
    let json = serde_json::to_vec_pretty(manifest).map_err(std::io::Error::other)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(u64::try_from(manifest.taken_at.timestamp()).unwrap_or(0));
    tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    tar.append_path_with_name(database, DATABASE)?;
    if let Some(key) = audit_key {
        tar.append_path_with_name(key, AUDIT_KEY)?;
    }
    for (sha256, path) in objects {
        let name = object_path(Path::new(EVIDENCE), sha256);
        tar.append_path_with_name(path, name)?;
    }
    let file = tar.into_inner()?.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}

/// What an archive unpacked into a directory holds.
pub struct Unpacked {
    pub manifest: Manifest,
    pub database: PathBuf,
    pub audit_key: Option<PathBuf>,
    /// Each object's SHA-256 and where it was unpacked.
    pub objects: Vec<(String, PathBuf)>,
}

/// Unpacks the archive `from` into `into`.
pub fn unpack(from: &Path, into: &Path) -> Result<Unpacked, BackupError> {
    let unsound = |why: String| {
        BackupError::Unsound(format!("{} is not an onsite backup / 不是完好的 onsite 备份文件: {why}", from.display()))
    };
    let mut archive = tar::Archive::new(File::open(from)?);
    let (mut manifest, mut database, mut audit_key, mut objects) = (None, None, None, Vec::new());
    for entry in archive.entries()? {
        let mut entry = entry?;
        let name = entry.path()?.to_string_lossy().into_owned();
        let what = entry_of(&name).filter(|_| entry.header().entry_type().is_file());
        match what.ok_or_else(|| unsound(format!("unexpected entry {name}")))? {
            Entry::Manifest => {
                let mut text = String::new();
                entry.read_to_string(&mut text)?;
                manifest = Some(serde_json::from_str::<Manifest>(&text).map_err(|e| unsound(e.to_string()))?);
            }
            Entry::Database => {
                let path = into.join(DATABASE);
                entry.unpack(&path)?;
                database = Some(path);
            }
            Entry::AuditKey => {
                let path = into.join(AUDIT_KEY);
                entry.unpack(&path)?;
                audit_key = Some(path);
            }
            Entry::Object(sha256) => {
                let path = object_path(&into.join(EVIDENCE), &sha256);
                std::fs::create_dir_all(path.parent().unwrap_or(into))?;
                if hashed_copy(&mut entry, &path)? != sha256 {
                    return Err(unsound(format!("the evidence object {sha256} does not match its content")));
                }
                objects.push((sha256, path));
            }
        }
    }
    let manifest = manifest.ok_or_else(|| unsound("no manifest".into()))?;
    if manifest.format != super::FORMAT {
        return Err(unsound(format!("layout {} (this onsite reads {})", manifest.format, super::FORMAT)));
    }
    let database = database.ok_or_else(|| unsound("no database".into()))?;
    Ok(Unpacked { manifest, database, audit_key, objects })
}

/// Copies `from` to a new file `to`, returning the content's SHA-256.
fn hashed_copy(from: &mut impl Read, to: &Path) -> std::io::Result<String> {
    let mut out = BufWriter::new(File::create(to)?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 256 * 1024];
    loop {
        let n = from.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        out.write_all(&buf[..n])?;
    }
    out.flush()?;
    Ok(hex::encode(hasher.finalize()))
}

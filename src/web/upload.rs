//! A file sent as `multipart/form-data` in its `file` field, received chunk
//! by chunk up to a limit (a bigger one is refused before it is all
//! received) and hashed as it arrives, a large one into a temporary file
//! rather than memory. Every door that takes files (the API, the pages, the
//! action page) reads them here.

use std::collections::HashMap;

use axum::extract::Multipart;
use axum::extract::multipart::{Field, MultipartError};
use bytes::BytesMut;

use crate::app::attachments::{Receiving, Upload};
use crate::config::EvidenceConfig;
use crate::domain::FieldError;

/// The longest text field a form may send beside its file (a CSRF token,
/// which record the file is for).
const MAX_TEXT_FIELD: usize = 1024;

/// Why no file was read.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// Not a readable multipart body.
    #[error("malformed upload: {0}")]
    Malformed(String),
    /// No file: a field error in both languages.
    #[error("{}", .0.message)]
    Refused(FieldError),
    /// Over the limit, refused before the rest was read: the connection
    /// cannot carry another request, so the answer closes it.
    #[error("{}", .0.message)]
    TooLarge(FieldError),
    /// The fields sent before the file were refused (a page's CSRF token);
    /// the file was not read.
    #[error("the form was refused before its file was read")]
    FormRefused,
    /// The file could not be set down where it is received.
    #[error("receiving the file failed: {0}")]
    Receiving(#[from] std::io::Error),
}

/// A form's text fields (those sent before its file) and its file.
pub type FormUpload = (HashMap<String, String>, Upload);

fn too_large(max: u64) -> FieldError {
    let mib = max / (1024 * 1024);
    FieldError::new("file", "too_large", format!("a file may be at most {mib} MiB"), format!("文件不能超过 {mib} MiB"))
}

fn malformed(e: MultipartError) -> UploadError {
    UploadError::Malformed(e.body_text())
}

/// The `file` field's name and content; other fields are ignored.
pub async fn file_of(multipart: Multipart, evidence: &EvidenceConfig) -> Result<Upload, UploadError> {
    form_of(multipart, evidence, |_| true).await.map(|(_, file)| file)
}

/// The text fields up to the `file` field, which is read only once `accept`
/// has passed them: a page's form puts its CSRF token first, so a forged
/// post is refused before its file is received.
pub async fn form_of(
    mut multipart: Multipart,
    evidence: &EvidenceConfig,
    accept: impl FnOnce(&HashMap<String, String>) -> bool,
) -> Result<FormUpload, UploadError> {
    let mut fields = HashMap::new();
    while let Some(field) = multipart.next_field().await.map_err(malformed)? {
        let Some(name) = field.name().map(str::to_owned) else { continue };
        if name == "file" {
            if !accept(&fields) {
                return Err(UploadError::FormRefused);
            }
            return Ok((fields, file(field, evidence).await?));
        }
        let text = read_limited(field, MAX_TEXT_FIELD as u64).await.map_err(|e| match e {
            UploadError::TooLarge(_) => UploadError::Malformed(format!("the field {name} is too long")),
            other => other,
        })?;
        fields.insert(name, String::from_utf8_lossy(&text).into_owned());
    }
    Err(UploadError::Refused(FieldError::new("file", "required", "choose a file to upload", "请选择要上传的文件")))
}

async fn file(mut field: Field<'_>, evidence: &EvidenceConfig) -> Result<Upload, UploadError> {
    let name = field.file_name().unwrap_or_default().to_owned();
    let max = evidence.largest();
    let mut received = Receiving::new(&evidence.incoming());
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if received.len() + chunk.len() as u64 > max {
            return Err(UploadError::TooLarge(too_large(max)));
        }
        received.push(&chunk).await?;
    }
    Ok(Upload { name, file: received.finish().await? })
}

/// The whole of a small file (a registry spreadsheet), refused past `max`
/// before it is read into memory.
pub async fn small_file(upload: &Upload, max: usize) -> Result<bytes::Bytes, UploadError> {
    if upload.file.len() > max as u64 {
        return Err(UploadError::TooLarge(too_large(max as u64)));
    }
    Ok(upload.file.bytes().await?)
}

async fn read_limited(mut field: Field<'_>, max: u64) -> Result<BytesMut, UploadError> {
    let mut bytes = BytesMut::new();
    while let Some(chunk) = field.chunk().await.map_err(malformed)? {
        if (bytes.len() + chunk.len()) as u64 > max {
            return Err(UploadError::TooLarge(too_large(max)));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

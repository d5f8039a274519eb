//! A file sent as `multipart/form-data` in its `file` field, read chunk by
//! chunk up to a limit: a bigger one is refused before it is all received.
//! Every door that takes files (the API, the pages, the action page) reads
//! them here.

use axum::extract::Multipart;
use bytes::BytesMut;

use crate::app::attachments::Upload;
use crate::domain::FieldError;

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
}

fn too_large(max: u64) -> FieldError {
    let mib = max / (1024 * 1024);
    FieldError::new("file", "too_large", format!("a file may be at most {mib} MiB"), format!("文件不能超过 {mib} MiB"))
}

/// The `file` field's name and bytes; other fields are ignored.
pub async fn file_of(mut multipart: Multipart, max: u64) -> Result<Upload, UploadError> {
    let malformed = |e: axum::extract::multipart::MultipartError| UploadError::Malformed(e.body_text());
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_owned();
        let mut bytes = BytesMut::new();
        while let Some(chunk) = field.chunk().await.map_err(malformed)? {
            if (bytes.len() + chunk.len()) as u64 > max {
                return Err(UploadError::TooLarge(too_large(max)));
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(Upload { name, bytes: bytes.freeze() });
    }
    Err(UploadError::Refused(FieldError::new("file", "required", "choose a file to upload", "请选择要上传的文件")))
}

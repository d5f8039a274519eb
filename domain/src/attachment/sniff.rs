//! What a file is, from its first bytes (the `infer` crate's signatures,
//! and the packet captures' and plain text's own): never from its name or
//! the type a client claims. A zip is looked into only as far as its
//! directory (no entry is unpacked): every entry encrypted makes it a sample
//! archive. Programs are refused outright: samples travel encrypted.

use std::io::{Cursor, Read, Seek};

use super::FileKind;
use crate::error::FieldError;

/// A file's kind as its content shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub kind: FileKind,
    /// The type it is served with.
    pub mime: &'static str,
    /// The extensions a name may end with; the first is appended otherwise.
    pub extensions: &'static [&'static str],
}

const fn of(kind: FileKind, mime: &'static str, extensions: &'static [&'static str]) -> Sniffed {
    Sniffed { kind, mime, extensions }
}

const JPEG: Sniffed = of(FileKind::Image, "image/jpeg", &["jpg", "jpeg"]);
const PNG: Sniffed = of(FileKind::Image, "image/png", &["png"]);
const GIF: Sniffed = of(FileKind::Image, "image/gif", &["gif"]);
const WEBP: Sniffed = of(FileKind::Image, "image/webp", &["webp"]);
const PDF: Sniffed = of(FileKind::Pdf, "application/pdf", &["pdf"]);
const DOCX: Sniffed =
    of(FileKind::Office, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", &["docx"]);
const XLSX: Sniffed =
    of(FileKind::Office, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &["xlsx"]);
const PPTX: Sniffed =
    of(FileKind::Office, "application/vnd.openxmlformats-officedocument.presentationml.presentation", &["pptx"]);
/// Word, Excel and PowerPoint before 2007 share one container format.
const OLE: Sniffed = of(FileKind::Office, "application/x-ole-storage", &["doc", "xls", "ppt"]);
const PCAP: Sniffed = of(FileKind::Pcap, "application/vnd.tcpdump.pcap", &["pcap", "cap"]);
const PCAPNG: Sniffed = of(FileKind::Pcap, "application/x-pcapng", &["pcapng"]);
const ZIP: Sniffed = of(FileKind::Archive, "application/zip", &["zip"]);
const SAMPLE: Sniffed = of(FileKind::Sample, "application/zip", &["zip"]);
const TEXT: Sniffed = of(FileKind::Text, "text/plain; charset=utf-8", &["txt", "log", "csv", "json", "xml", "md"]);

/// The classic capture's magic in either byte order and resolution, and pcapng's section header.
const CAPTURE_MAGICS: [([u8; 4], Sniffed); 5] = [
    ([0xd4, 0xc3, 0xb2, 0xa1], PCAP),
    ([0xa1, 0xb2, 0xc3, 0xd4], PCAP),
    ([0x4d, 0x3c, 0xb2, 0xa1], PCAP),
    ([0xa1, 0xb2, 0x3c, 0x4d], PCAP),
    ([0x0a, 0x0d, 0x0d, 0x0a], PCAPNG),
];

/// How much of a file decides whether it is text.
pub const TEXT_PROBE: usize = 64 * 1024;

fn refused(code: &'static str, en: impl Into<String>, zh: impl Into<String>) -> FieldError {
    FieldError::new("file", code, en, zh)
}

fn not_allowed(what: &str) -> FieldError {
    refused(
        "file_type_not_allowed",
        format!(
            "{what} files are not accepted: images, PDF, Office documents, text and logs, packet captures and zip archives are"
        ),
        format!("不接受{what}类型的文件：仅限图片、PDF、Office 文档、文本和日志、抓包文件和 zip 压缩包"),
    )
}

/// The kind of a file held in memory, or why it is refused.
pub fn sniff(bytes: &[u8]) -> Result<Sniffed, FieldError> {
    sniff_file(bytes, Cursor::new(bytes))
}

/// The kind of a file from its first bytes (at least `TEXT_PROBE` of them
/// when it is longer), with the whole file to read a zip's directory from;
/// or why it is refused.
pub fn sniff_file(bytes: &[u8], whole: impl Read + Seek) -> Result<Sniffed, FieldError> {
    if bytes.is_empty() {
        return Err(refused("file_empty", "the file is empty", "文件为空"));
    }
    if let Some((_, s)) = CAPTURE_MAGICS.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Ok(*s);
    }
    let Some(found) = infer::get(bytes) else {
        return if is_text(bytes) { Ok(TEXT) } else { Err(not_allowed("未知 unknown")) };
    };
    if found.matcher_type() == infer::MatcherType::App {
        return Err(refused(
            "sample_not_encrypted",
            "programs are accepted only as samples inside an encrypted zip (password: infected)",
            "恶意代码样本只能放入加密 zip 压缩包（密码 infected）后上传",
        ));
    }
    match found.mime_type() {
        "image/jpeg" => Ok(JPEG),
        "image/png" => Ok(PNG),
        "image/gif" => Ok(GIF),
        "image/webp" => Ok(WEBP),
        "application/pdf" => Ok(PDF),
        "application/msword"
        | "application/vnd.ms-excel"
        | "application/vnd.ms-powerpoint"
        | "application/x-ole-storage" => Ok(OLE),
        "application/zip"
        | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        | "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        | "application/vnd.openxmlformats-officedocument.presentationml.presentation" => zip_kind(whole),
        other => Err(not_allowed(other)),
    }
}

/// A zip by its directory: an Office document by its parts' names, a sample
/// archive when every entry is encrypted, an archive otherwise; one that
/// cannot be read as a zip is refused.
fn zip_kind(whole: impl Read + Seek) -> Result<Sniffed, FieldError> {
    let broken = || refused("file_unreadable", "the zip archive cannot be read", "zip 压缩包已损坏，无法读取");
    let mut archive = zip::ZipArchive::new(whole).map_err(|_| broken())?;
    let names: Vec<String> =
        archive.file_names().map(|n| n.map(|n| n.into_owned())).collect::<Result<_, _>>().map_err(|_| broken())?;
    if names.iter().any(|n| n == "[Content_Types].xml") {
        for (part, office) in [("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)] {
            if names.iter().any(|n| n.starts_with(part)) {
                return Ok(office);
            }
        }
    }
    let mut encrypted = 0;
    for i in 0..archive.len() {
        let entry = archive.by_index_raw(i).map_err(|_| broken())?;
        encrypted += usize::from(entry.encrypted());
    }
    Ok(if encrypted > 0 && encrypted == archive.len() { SAMPLE } else { ZIP })
}

/// What a zip says its entries come to once inflated (`None` when its
/// directory cannot be read): checked before a reader unpacks one.
pub fn inflated_size(whole: impl Read + Seek) -> Option<u64> {
    let mut archive = zip::ZipArchive::new(whole).ok()?;
    (0..archive.len()).try_fold(0u64, |sum, i| Some(sum.saturating_add(archive.by_index_raw(i).ok()?.size())))
}

/// Text, in UTF-8 or a legacy Chinese encoding: no control bytes but tab,
/// line breaks, form feed and escape (a log's colours) in its first part.
fn is_text(bytes: &[u8]) -> bool {
    bytes.iter().take(TEXT_PROBE).all(|b| *b >= 0x20 || matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
}

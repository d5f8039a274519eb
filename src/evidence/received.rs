//! A file as it arrives: hashed while it is received, its first bytes kept
//! to tell its kind, and its content held in memory only while small. A
//! larger one goes to an unnamed temporary file beside the store, which
//! the system removes when it is closed, kill -9 included: a 200 MiB
//! capture costs the server a buffer, not 200 MiB, and leaves nothing
//! behind.

use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};

use crate::domain::FieldError;
use crate::domain::attachment::{Sniffed, TEXT_PROBE, sniff_file};
use bytes::{Bytes, BytesMut};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

/// How much of a file is held in memory before the rest goes to disk; also
/// how much of its start is kept to tell its kind.
const IN_MEMORY: usize = 1024 * 1024;
const _: () = assert!(IN_MEMORY >= TEXT_PROBE, "the kind is told from the bytes held in memory");

/// The chunk a spilled file is read back in.
const READ_CHUNK: usize = 1024 * 1024;

/// Something that reads a file and seeks in it: what a zip's directory is
/// read from.
pub trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

/// A file being received.
pub struct Receiving {
    dir: PathBuf,
    head: BytesMut,
    spill: Option<tokio::fs::File>,
    len: u64,
    hasher: Sha256,
}

impl Receiving {
    /// A file whose content goes to `dir` once it outgrows memory.
    pub fn new(dir: &Path) -> Self {
        Self { dir: dir.to_owned(), head: BytesMut::new(), spill: None, len: 0, hasher: Sha256::new() }
    }

    /// How much has arrived.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The next part of the file. The first `IN_MEMORY` bytes are always
    /// held (they tell the kind), however large the chunks come.
    pub async fn push(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.hasher.update(chunk);
        self.len += chunk.len() as u64;
        if let Some(spill) = &mut self.spill {
            return spill.write_all(chunk).await;
        }
        let room = IN_MEMORY - self.head.len();
        let (held, rest) = chunk.split_at(room.min(chunk.len()));
        self.head.extend_from_slice(held);
        if rest.is_empty() {
            return Ok(());
        }
        tokio::fs::create_dir_all(&self.dir).await?;
        let dir = self.dir.clone();
        let file = tokio::task::spawn_blocking(move || tempfile::tempfile_in(dir)).await??;
        let mut file = tokio::fs::File::from_std(file);
        file.write_all(&self.head).await?;
        file.write_all(rest).await?;
        self.spill = Some(file);
        Ok(())
    }

    /// The file, all of it received.
    pub async fn finish(self) -> std::io::Result<Received> {
        let sha256 = hex::encode(self.hasher.finalize());
        let head = self.head.freeze();
        let content = match self.spill {
            None => Content::Memory(head.clone()),
            Some(mut file) => {
                file.flush().await?;
                Content::Spilled(file.into_std().await)
            }
        };
        Ok(Received { head, len: self.len, sha256, content })
    }
}

enum Content {
    Memory(Bytes),
    Spilled(std::fs::File),
}

/// A file received whole, not yet kept.
pub struct Received {
    head: Bytes,
    len: u64,
    sha256: String,
    content: Content,
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Received({} bytes, {})", self.len, self.sha256)
    }
}

impl Received {
    /// A file already in memory (a photo the bot downloaded).
    pub fn from_bytes(bytes: Bytes) -> Self {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let head = bytes.slice(..bytes.len().min(IN_MEMORY));
        Self { head, len: bytes.len() as u64, sha256, content: Content::Memory(bytes) }
    }

    /// Its first bytes (all of it when small).
    pub fn head(&self) -> &[u8] {
        &self.head
    }

    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The hex SHA-256 of the whole file.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// A reader over the whole file, from its start.
    pub fn reader(&self) -> std::io::Result<Box<dyn ReadSeek>> {
        Ok(match &self.content {
            Content::Memory(bytes) => Box::new(Cursor::new(bytes.clone())),
            Content::Spilled(file) => {
                let mut file = file.try_clone()?;
                file.rewind()?;
                Box::new(file)
            }
        })
    }

    /// What the file is by its content, or why it is refused; a spilled
    /// file's zip directory is read off the runtime's threads.
    pub async fn sniffed(&self) -> std::io::Result<Result<Sniffed, FieldError>> {
        if let Content::Memory(bytes) = &self.content {
            return Ok(sniff_file(bytes, Cursor::new(bytes)));
        }
        let head = self.head.clone();
        let whole = self.reader()?;
        tokio::task::spawn_blocking(move || sniff_file(&head, whole)).await.map_err(std::io::Error::other)
    }

    /// The whole file in memory: only for a file whose size its kind's
    /// limit has already bounded (a photo).
    pub async fn bytes(&self) -> std::io::Result<Bytes> {
        if let Content::Memory(bytes) = &self.content {
            return Ok(bytes.clone());
        }
        let mut all = BytesMut::with_capacity(self.len as usize);
        let mut chunks = self.chunks().await?;
        while let Some(chunk) = chunks.next().await? {
            all.extend_from_slice(&chunk);
        }
        Ok(all.freeze())
    }

    /// The file chunk by chunk, from its start.
    pub async fn chunks(&self) -> std::io::Result<Chunks> {
        Ok(match &self.content {
            Content::Memory(bytes) => Chunks::Memory(Some(bytes.clone())),
            Content::Spilled(file) => {
                let mut file = tokio::fs::File::from_std(file.try_clone()?);
                file.rewind().await?;
                Chunks::Spilled(file)
            }
        })
    }
}

/// A received file read chunk by chunk.
pub enum Chunks {
    Memory(Option<Bytes>),
    Spilled(tokio::fs::File),
}

impl Chunks {
    /// The next chunk; `None` at the end.
    pub async fn next(&mut self) -> std::io::Result<Option<Bytes>> {
        match self {
            Chunks::Memory(bytes) => Ok(bytes.take().filter(|b| !b.is_empty())),
            Chunks::Spilled(file) => {
                let mut chunk = BytesMut::with_capacity(READ_CHUNK);
                while chunk.len() < READ_CHUNK && file.read_buf(&mut chunk).await? > 0 {}
                Ok((!chunk.is_empty()).then(|| chunk.freeze()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::attachment::FileKind;

    /// A classic packet capture of `len` bytes.
    fn capture(len: usize) -> Vec<u8> {
        let mut bytes = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        bytes.resize(len, 7);
        bytes
    }

    #[tokio::test]
    async fn a_file_arriving_in_one_large_chunk_is_still_told_by_its_start() {
        let dir = tempfile::tempdir().unwrap();
        let sent = capture(3 * IN_MEMORY + 5);
        let mut receiving = Receiving::new(dir.path());
        receiving.push(&sent).await.unwrap();
        let received = receiving.finish().await.unwrap();
        assert_eq!((received.len(), received.head().len()), (sent.len() as u64, IN_MEMORY));
        assert_eq!(received.sha256(), hex::encode(Sha256::digest(&sent)));
        assert_eq!(received.sniffed().await.unwrap().unwrap().kind, FileKind::Pcap);
        assert!(received.bytes().await.unwrap() == sent.as_slice(), "read back whole");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the spilled file has no name");
    }

    #[tokio::test]
    async fn a_small_file_stays_in_memory() {
        let dir = tempfile::tempdir().unwrap();
        let mut receiving = Receiving::new(&dir.path().join("incoming"));
        for part in capture(1000).chunks(100) {
            receiving.push(part).await.unwrap();
        }
        let received = receiving.finish().await.unwrap();
        assert_eq!(received.bytes().await.unwrap(), capture(1000));
        assert!(!dir.path().join("incoming").exists(), "nothing touched the disk");
    }
}

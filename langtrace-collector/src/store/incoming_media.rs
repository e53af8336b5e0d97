//! Media bytes on their way into the media directory: written chunk by chunk to a
//! temporary file next to their final place while their SHA-256 is computed, then made
//! durable (file synced, renamed into place, directory synced) only once complete and
//! checked, so a crash or a refused upload leaves either no file or the whole file. A
//! temporary file not kept is removed.

use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tokio::fs::File;
use tokio::io::AsyncWriteExt;

use super::media::file_of;

/// Bytes arriving for the file of one SHA-256.
pub struct IncomingMedia {
    file: File,
    temporary: PathBuf,
    destination: PathBuf,
    hasher: Sha256,
    length: u64,
    kept: bool,
}

impl IncomingMedia {
    /// A new temporary file (`temporary_suffix` keeps concurrent uploads of the same bytes
    /// apart) for the bytes whose SHA-256 is `sha256_base64` (standard base64).
    pub async fn create(media_dir: &Path, sha256_base64: &str, temporary_suffix: &str) -> io::Result<Self> {
        let destination = file_of(media_dir, sha256_base64);
        let temporary = destination.with_extension(format!("part-{temporary_suffix}"));
        // Readable by the collector's user only, like every file of the data directory.
        let file = File::from_std(super::permissions::create_private(&temporary)?);
        Ok(Self { file, temporary, destination, hasher: Sha256::new(), length: 0, kept: false })
    }

    /// Appends `chunk`.
    pub async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.file.write_all(chunk).await?;
        self.hasher.update(chunk);
        self.length += chunk.len() as u64;
        Ok(())
    }

    /// Bytes written so far.
    pub fn bytes_written(&self) -> u64 {
        self.length
    }

    /// The SHA-256 of the bytes written so far, standard base64.
    pub fn sha256_base64(&self) -> String {
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, self.hasher.clone().finalize())
    }

    /// Makes the bytes durable in their place: the file synced, renamed, the directory
    /// synced.
    pub async fn keep(mut self) -> io::Result<()> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        tokio::fs::rename(&self.temporary, &self.destination).await?;
        self.kept = true;
        let directory = self.destination.parent().map(Path::to_path_buf).unwrap_or_default();
        tokio::task::spawn_blocking(move || std::fs::File::open(directory)?.sync_all()).await?
    }
}

impl Drop for IncomingMedia {
    fn drop(&mut self) {
        if !self.kept {
            // Best effort: a leftover `.part-*` file holds no acknowledged bytes.
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

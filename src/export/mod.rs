//! Files written from the store: streamed page by page, with progress and cancellation, so a
//! screen can run them in a thread.

pub mod plan_export;
pub mod plan_report;
pub mod rankings;
pub mod unit_lists;

use std::path::{Path, PathBuf};

/// The export was cancelled (the partial file has been removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("esportazione annullata")
    }
}

impl std::error::Error for Cancelled {}

/// `FILE.part` next to `FILE`: written first and renamed when complete, so that a reader never
/// sees half a file under the final name.
pub fn part_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    out.with_file_name(name)
}

/// Removes the partial file when dropped, unless `keep` was called.
pub struct PartFile {
    path: PathBuf,
    armed: bool,
}

impl PartFile {
    pub fn new(path: PathBuf) -> PartFile {
        PartFile { path, armed: true }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Renames the finished file to `out`.
    pub fn finish(mut self, out: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, out)?;
        self.armed = false;
        Ok(())
    }
}

impl Drop for PartFile {
    fn drop(&mut self) {
        if self.armed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

//! Files written from the store: streamed page by page, with progress and cancellation, so a
//! screen can run them in a thread.

pub mod assignments;
pub mod plan_export;
pub mod plan_report;
pub mod rankings;
pub mod receipt;
pub mod unit_lists;

/// The export was cancelled (the partial file has been removed).
///
/// Every writer here writes through `crate::output_file` (`-` is standard output, an existing
/// file needs `--force`, only regular files, temporary file created exclusively then renamed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("esportazione annullata")
    }
}

impl std::error::Error for Cancelled {}

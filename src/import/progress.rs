//! Progress bars for large imports, on stderr (indicatif hides them when stderr is not a
//! terminal, so pipes and logs stay clean).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::time::Duration;

/// Files from this size on get a reading bar (about 3,000 rows).
pub const LARGE_FILE: u64 = 1 << 20;
/// Writes from this many units on get a writing bar.
pub const MANY_UNITS: u64 = 5_000;

fn bar(shown: bool, len: u64, template: &str, message: &'static str) -> ProgressBar {
    if !shown {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(message);
    // Ticks while a spreadsheet is loaded before its first row arrives.
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// `len` is a first guess (the file size); the reader sets its own unit (bytes or rows).
pub fn reading(shown: bool, len: u64) -> ProgressBar {
    bar(
        shown,
        len,
        "{msg:10} [{bar:40}] {percent:>3}% {elapsed}",
        "Verifica",
    )
}

pub fn writing(shown: bool, units: u64) -> ProgressBar {
    bar(
        shown,
        units,
        "{msg:10} [{bar:40}] {pos}/{len} alloggi {elapsed}",
        "Scrittura",
    )
}

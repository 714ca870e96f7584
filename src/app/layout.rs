//! Screen geometry both the state (how many rows a page holds) and the drawing agree on.

/// Smallest terminal we draw screens in; below it we say so.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;
/// Full layout from this size up; between the minimum and this, a compact one.
pub const FULL_WIDTH: u16 = 80;
pub const FULL_HEIGHT: u16 = 24;

pub fn is_compact(width: u16, height: u16) -> bool {
    width < FULL_WIDTH || height < FULL_HEIGHT
}

/// Lines of chrome around a screen's body: title, instruction (full layout only), legend,
/// message.
pub fn chrome_lines(width: u16, height: u16) -> u16 {
    if is_compact(width, height) { 3 } else { 4 }
}

/// Lines the search's filter block takes: the form in the full layout, a one-line summary in
/// the compact one.
pub fn filter_lines(width: u16, height: u16) -> u16 {
    if is_compact(width, height) { 1 } else { 5 }
}

/// Data rows the search table shows (its header and status line excluded): the page size.
pub fn table_rows(width: u16, height: u16) -> usize {
    let used = chrome_lines(width, height) + filter_lines(width, height) + 2;
    height.saturating_sub(used).max(1) as usize
}

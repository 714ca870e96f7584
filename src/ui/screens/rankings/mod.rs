//! Graduatorie: the notice list, the rankings of a notice, a ranking, the explanation of a
//! score and the what-if comparison, one file each; here the dispatch and the cells they share.
//! States, indigence and movements are written out (SI/NO, "sale di 3"), the selection has a
//! marker glyph: nothing rests on colour alone.

mod explanation;
mod notice;
mod notices;
mod ranking;
mod what_if;

use crate::app::keymap::Keymap;
use crate::app::screens::rankings::Rankings;
use crate::ui::{SELECTED_GLYPH, Theme, WARNING_GLYPH, truncate};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(r: &Rankings, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    match r {
        Rankings::Notices(s) => notices::draw(s, frame, theme, area),
        Rankings::Notice(s) => notice::draw(s, frame, theme, area),
        Rankings::Ranking(s) => ranking::draw(s, frame, theme, area),
        Rankings::Explain(s) => explanation::draw(s, frame, theme, area),
        Rankings::WhatIf(s) => what_if::draw(s, keys, frame, theme, area),
    }
}

fn it(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "2026-03-02" → "02/03/2026"; anything else as it is.
fn it_str(s: &str) -> String {
    s.get(..10)
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .map_or_else(|| s.to_string(), it)
}

pub(in crate::ui::screens) fn loading(frame: &mut Frame, theme: &Theme, area: Rect) {
    frame.render_widget(
        Paragraph::new(Line::styled("Caricamento…", theme.muted)),
        area,
    );
}

/// A row with the selection marker: reverse video (theme) and a glyph.
pub(in crate::ui::screens) fn marked(text: String, selected: bool, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw(format!(" {} ", if selected { SELECTED_GLYPH } else { " " })),
        Span::styled(text, if selected { theme.selected } else { theme.body }),
    ])
}

/// Pads or cuts to exactly `w` characters.
pub(in crate::ui::screens) fn cell(s: &str, w: usize) -> String {
    format!("{:<w$}", truncate(s, w))
}

pub(in crate::ui::screens) fn rcell(s: &str, w: usize) -> String {
    format!("{:>w$}", truncate(s, w))
}

/// The first `n` items around `selected` so that it stays in view.
pub(in crate::ui::screens) fn window(
    len: usize,
    selected: usize,
    n: usize,
) -> std::ops::Range<usize> {
    if len <= n {
        return 0..len;
    }
    let start = selected.saturating_sub(n.saturating_sub(1)).min(len - n);
    start..start + n
}

pub(in crate::ui::screens) fn unverified_span(
    line: &Option<String>,
    theme: &Theme,
    width: usize,
) -> Line<'static> {
    match line {
        Some(u) => Line::styled(
            truncate(&format!("{WARNING_GLYPH} {u}"), width),
            theme.warning,
        ),
        None => Line::styled("Regole con tutti i valori verificati", theme.muted),
    }
}

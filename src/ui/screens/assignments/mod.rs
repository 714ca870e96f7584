//! Assegnazione: the ledgers of the year, a ledger with its units, a proposal explained, an
//! istruttoria with its steps, the what-if replay — one file each; here the dispatch and what
//! they share. Stages and lines are written out, the selection has a marker glyph: nothing
//! rests on colour alone.

mod case;
mod ledger;
mod ledgers;
mod preview;
mod what_if;

use crate::app::keymap::Keymap;
use crate::app::screens::assignments::Assignments;
use crate::domain::assignment::Line as LedgerLine;
use crate::store::assignments::LedgerView;
use crate::ui::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

pub fn draw(a: &Assignments, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    match a {
        Assignments::Ledgers(s) => ledgers::draw(s, frame, theme, area),
        Assignments::Ledger(s) => ledger::draw(s, frame, theme, area),
        Assignments::Preview(s) => preview::draw(s, keys, frame, theme, area),
        Assignments::Case(s) => case::draw(s, frame, theme, area),
        Assignments::WhatIf(s) => what_if::draw(s, keys, frame, theme, area),
    }
}

/// `text` cut into lines of at most `width` characters at spaces (a longer word is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                out.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            out.push(head);
        }
        let need = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if need > width && !line.is_empty() {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

/// The short name of what the next unit goes to.
fn next_short(v: &LedgerView) -> String {
    match v.next_line() {
        LedgerLine::Indigenti => "indigente".into(),
        LedgerLine::Graduatoria => "graduatoria".into(),
        l => format!("riserva {}", l.short()),
    }
}

/// Lines `from..` of `lines`, at most `n`.
fn scrolled(lines: Vec<Line<'static>>, from: usize, n: usize) -> Vec<Line<'static>> {
    let from = from.min(lines.len().saturating_sub(n.max(1)));
    lines.into_iter().skip(from).take(n).collect()
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_cuts_at_spaces_and_long_words() {
        assert_eq!(wrap("uno due tre", 7), vec!["uno due", "tre"]);
        assert_eq!(wrap("abcdefghijk", 8), vec!["abcdefgh", "ijk"]);
        assert!(wrap("", 10).is_empty());
    }
}

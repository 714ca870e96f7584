//! One ranking: its rows by position and the jump field.

use super::{cell, marked, rcell, unverified_span};
use crate::app::screens::rankings::RankingView;
use crate::domain::isbar::points;
use crate::ui::field::{self, Look};
use crate::ui::{SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &RankingView, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let info = &s.info;
    let mut lines = vec![
        Line::from(vec![
            Span::styled("Graduatoria ", theme.label),
            Span::raw(truncate(
                &format!(
                    "{} · {} · {} · {}",
                    info.owner_name,
                    info.comune,
                    info.state,
                    crate::domain::format::count(info.entries, "domanda", "domande")
                ),
                width.saturating_sub(12),
            )),
        ]),
        unverified_span(&s.unverified, theme, width),
    ];
    // The jump field: an ID domanda, Enter goes to its position.
    let jump = Line::from(vec![
        Span::raw(if s.jump_focus {
            format!(" {SELECTED_GLYPH} ")
        } else {
            "   ".into()
        }),
        Span::styled("Vai a ID domanda: ", theme.label),
    ]);
    let jump_at = (lines.len() as u16, jump.width() as u16);
    lines.push(jump);
    // Columns: the optional ones go below 80 columns.
    let wide = width >= 80;
    let fixed = 3 + 5 + 15 + 7 + 5 + if wide { 8 + 8 + 12 } else { 8 };
    let cat_w = width.saturating_sub(fixed + 1).max(6);
    let row =
        |pos: &str, id: &str, isbar: &str, ind: &str, cat: &str, a1: &str, a2: &str, st: &str| {
            let mut t = format!(
                "{} {} {} {} {} {}",
                rcell(pos, 4),
                cell(id, 14),
                rcell(isbar, 6),
                cell(ind, 4),
                cell(cat, cat_w),
                rcell(a1, 7)
            );
            if wide {
                t.push_str(&format!(" {} {}", rcell(a2, 7), cell(st, 11)));
            }
            t
        };
    lines.push(Line::styled(
        format!(
            "   {}",
            row(
                "Pos.",
                "ID domanda",
                "ISBAR",
                "Ind.",
                "Categorie",
                "All. 1",
                "All. 2",
                "Stato"
            )
        ),
        theme.header,
    ));
    if !s.loaded {
        lines.push(Line::styled("   Caricamento…", theme.muted));
    } else if s.rows.is_empty() {
        lines.push(Line::styled("   Graduatoria vuota", theme.muted));
    }
    for (i, e) in s.rows.iter().enumerate() {
        let unit = |u: Option<i64>| u.map(|u| u.to_string()).unwrap_or_else(|| "—".into());
        lines.push(marked(
            row(
                &crate::domain::format::int(e.position),
                &e.code,
                &points(e.isbar),
                if e.indigent { "SI" } else { "NO" },
                &s.category_names(&e.conditions),
                &unit(e.unit1),
                &unit(e.unit2),
                match (e.outcome.as_deref(), e.without_preferences) {
                    (Some("IN ISTRUTTORIA"), _) => "ISTRUTTORIA",
                    (Some(o), _) => o,
                    (None, true) => "SENZA PREF.",
                    (None, false) => "AMMESSA",
                },
            ),
            i == s.selected,
            theme,
        ));
    }
    // The status line sits at the bottom of the body.
    let body = area.height as usize;
    while lines.len() + 1 < body {
        lines.push(Line::raw(""));
    }
    if let (Some(a), Some(b)) = (s.rows.first(), s.rows.last()) {
        lines.push(Line::styled(
            format!(
                "Posizioni {}–{} di {} · Ind. = indigente (SI/NO)",
                crate::domain::format::int(a.position),
                crate::domain::format::int(b.position),
                crate::domain::format::int(info.entries)
            ),
            theme.muted,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
    let (row, x) = jump_at;
    let r = Rect::new(area.x + x, area.y + row, s.jump.max() as u16, 1);
    field::draw(
        frame,
        theme,
        r.intersection(area),
        &s.jump,
        Look::focused(s.jump_focus),
    );
}

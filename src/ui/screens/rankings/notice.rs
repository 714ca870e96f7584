//! The rankings of a notice, one per owner and comune.

use super::{cell, it, loading, marked, rcell, unverified_span, window};
use crate::app::screens::rankings::NoticeRankings;
use crate::store::rankings::{Placement, RankingInfo};
use crate::ui::{ERROR_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &NoticeRankings, frame: &mut Frame, theme: &Theme, area: Rect) {
    let (Some(notice), Some(rankings)) = (&s.notice, &s.rankings) else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("Avviso {} ", notice.id), theme.label),
            Span::raw(truncate(
                &format!(
                    "{} · {} · chiuso il {} · regole {}",
                    notice.title,
                    notice.district_code,
                    it(notice.closes_on),
                    notice.rule_set
                ),
                width.saturating_sub(10),
            )),
        ]),
        unverified_span(&s.unverified, theme, width),
    ];
    let name_w = width
        .saturating_sub(3 + 1 + 22 + 1 + 11 + 1 + 10 + 1)
        .max(10);
    let row = |ente: &str, comune: &str, stato: &str, n: &str| {
        format!(
            "{} {} {} {}",
            cell(ente, name_w),
            cell(comune, 22),
            cell(stato, 11),
            rcell(n, 10)
        )
    };
    if let Some(found) = &s.found {
        return draw_found(s, found, lines, frame, theme, area);
    }
    lines.push(Line::styled(
        format!("   {}", row("Ente", "Comune", "Stato", "N. domande")),
        theme.header,
    ));
    if rankings.is_empty() {
        lines.push(Line::styled(
            "   Nessuna graduatoria: il capofila la calcola dopo la chiusura dell'avviso",
            theme.muted,
        ));
    }
    if !s.problems.is_empty() {
        lines.push(Line::styled(
            format!(
                "{ERROR_GLYPH} FILE RIFIUTATO: {} problemi (i primi), nessuna domanda importata",
                s.problems.len()
            ),
            theme.error,
        ));
        for p in s.problems.iter().skip(s.problems_scroll) {
            lines.push(Line::raw(truncate(&format!("  {p}"), width)));
        }
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let rows = (area.height as usize)
        .saturating_sub(lines.len() + 1)
        .max(1);
    for i in window(rankings.len(), s.selected, rows) {
        let r = &rankings[i];
        lines.push(marked(
            row(
                &r.owner_name,
                &r.comune,
                &r.state,
                &crate::domain::format::int(r.entries),
            ),
            i == s.selected,
            theme,
        ));
    }
    let total: i64 = rankings.iter().map(|r| r.entries).sum();
    lines.push(Line::styled(
        format!(
            "{} · {} · {} all'avviso",
            crate::domain::format::count(rankings.len() as i64, "graduatoria", "graduatorie"),
            crate::domain::format::count(total, "posizione", "posizioni"),
            crate::domain::format::count(notice.applications, "domanda", "domande")
        ),
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), area);
    if let Some((_, f)) = &s.form {
        crate::ui::screens::form::draw_at_bottom(f, frame, theme, area);
    }
}

/// The applications found by ID domanda: where each stands, in which ranking.
fn draw_found(
    s: &NoticeRankings,
    found: &[(RankingInfo, Placement)],
    mut lines: Vec<Line<'static>>,
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
) {
    let width = area.width as usize;
    let name_w = width.saturating_sub(3 + 16 + 1 + 20 + 1 + 9 + 1).max(8);
    let row = |code: &str, ente: &str, comune: &str, pos: &str| {
        format!(
            "{} {} {} {}",
            cell(code, 16),
            cell(ente, name_w),
            cell(comune, 20),
            rcell(pos, 9)
        )
    };
    lines.push(Line::styled(
        format!("   {}", row("ID domanda", "Ente", "Comune", "Posizione")),
        theme.header,
    ));
    let rows = (area.height as usize).saturating_sub(lines.len()).max(1);
    for i in window(found.len(), s.found_selected, rows) {
        let (r, p) = &found[i];
        lines.push(marked(
            row(
                &p.code,
                &r.owner_name,
                &r.comune,
                &format!("{} di {}", p.position, r.entries),
            ),
            i == s.found_selected,
            theme,
        ));
    }
    frame.render_widget(Paragraph::new(lines), area);
}

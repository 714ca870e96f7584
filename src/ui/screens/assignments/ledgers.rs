//! The ledgers of the year: one line per owner and comune.

use super::next_short;
use crate::app::screens::assignments::LedgerList;
use crate::domain::assignment::Line as LedgerLine;
use crate::ui::Theme;
use crate::ui::screens::rankings::{cell, loading, marked, rcell, unverified_span, window};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &LedgerList, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(ledgers) = &s.ledgers else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    let fixed = 3 + 6 + 7 + 8 + 12 + 4;
    let flex = width.saturating_sub(fixed).max(16);
    let (owner_w, comune_w) = (flex * 3 / 5, flex - flex * 3 / 5);
    let row = |o: &str, c: &str, d: &str, w: &str, i: &str, n: &str| {
        format!(
            "{} {} {} {} {} {}",
            cell(o, owner_w),
            cell(c, comune_w),
            rcell(d, 5),
            rcell(w, 6),
            rcell(i, 7),
            cell(n, 12)
        )
    };
    let rules = ledgers
        .first()
        .map(|l| format!(" · regole {}", l.rule_set))
        .unwrap_or_default();
    let mut lines = vec![
        Line::styled(
            format!(
                "Anno {} · {} (ente × comune){rules}",
                s.year,
                match ledgers.len() {
                    1 => "1 registro".to_string(),
                    n => format!("{n} registri"),
                }
            ),
            theme.label,
        ),
        unverified_span(
            &ledgers.first().and_then(|l| l.unverified.clone()),
            theme,
            width,
        ),
        Line::styled(
            format!(
                "   {}",
                row("Ente", "Comune", "Disp.", "Attesa", "Indig.", "Prossima")
            ),
            theme.header,
        ),
    ];
    if ledgers.is_empty() {
        lines.push(Line::styled(
            "   Nessuna unità resa disponibile nell'anno",
            theme.muted,
        ));
    }
    let rows = (area.height as usize).saturating_sub(4).max(1);
    for i in window(ledgers.len(), s.selected, rows) {
        let v = &ledgers[i];
        let ind = v.ledger.line(LedgerLine::Indigenti);
        lines.push(marked(
            row(
                &v.owner_name,
                &v.comune,
                &v.ledger.base.to_string(),
                &v.waiting.to_string(),
                &format!("{}/{}", ind.used + ind.in_progress, ind.quota),
                &next_short(v),
            ),
            i == s.selected,
            theme,
        ));
    }
    let body = area.height as usize;
    while lines.len() + 1 < body {
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        "Disp. = unità disponibili nell'anno · Attesa = senza proposta · Indig. = quota indigenti usata/spettante",
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

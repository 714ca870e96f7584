//! One ledger: the headline, each line (quota, used, in progress, owed), then the units still
//! to assign with the istruttoria each is in.

use crate::app::screens::assignments::{LedgerScreen, it_date};
use crate::domain::assignment::{Line as LedgerLine, Stage};
use crate::domain::communication::Pct;
use crate::ui::screens::rankings::{cell, loading, marked, rcell, unverified_span};
use crate::ui::{Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &LedgerScreen, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(v) = &s.view else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    let mut lines = vec![
        Line::styled(truncate(&v.headline(), width), theme.label),
        unverified_span(&v.unverified, theme, width),
    ];
    // The lines of the ledger.
    let label_w = width
        .saturating_sub(3 + 7 + 6 + 6 + 9 + 7 + 5)
        .clamp(12, 40);
    let lrow = |l: &str, p: &str, q: &str, u: &str, c: &str, d: &str| {
        format!(
            "   {} {} {} {} {} {}",
            cell(l, label_w),
            rcell(p, 6),
            rcell(q, 5),
            rcell(u, 5),
            rcell(c, 8),
            rcell(d, 6)
        )
    };
    lines.push(Line::styled(
        lrow("Linea", "%", "Quota", "Usate", "In corso", "Dovute"),
        theme.header,
    ));
    for l in &v.ledger.lines {
        let quota = l.line != LedgerLine::Graduatoria;
        let text = lrow(
            &l.label(v.ledger.shares.other_name.as_deref()),
            &l.pct.map(|p| Pct(p as u32).to_string()).unwrap_or_default(),
            &if quota {
                l.quota.to_string()
            } else {
                String::new()
            },
            &l.used.to_string(),
            &l.in_progress.to_string(),
            &if quota {
                l.owed().to_string()
            } else {
                String::new()
            },
        );
        // Owed lines are marked with a glyph, not only a colour.
        let owed = quota && l.owed() > 0;
        lines.push(Line::styled(
            if owed {
                format!(" !{}", &text[2..])
            } else {
                text
            },
            if owed { theme.warning } else { theme.body },
        ));
    }
    // The units.
    let fixed = 3 + 11 + 5 + 1 + 4;
    let rest = width.saturating_sub(fixed);
    let (addr_w, state_w) = (rest * 2 / 5, rest - rest * 2 / 5);
    let urow = |id: &str, a: &str, m: &str, st: &str| {
        format!(
            "{} {} {} {}",
            cell(id, 11),
            cell(a, addr_w),
            rcell(m, 4),
            cell(st, state_w)
        )
    };
    lines.push(Line::styled(
        format!("   {}", urow("ID alloggio", "Indirizzo", "m²", "Stato")),
        theme.header,
    ));
    if !s.loaded {
        lines.push(Line::styled("   Caricamento…", theme.muted));
    } else if s.units.is_empty() {
        lines.push(Line::styled(
            "   Nessuna unità da assegnare: ogni unità dell'anno è assegnata",
            theme.muted,
        ));
    }
    for (i, u) in s.units.iter().enumerate() {
        let state = match &u.assignment {
            Some((_, stage, code, line, by, _)) if !u.waiting() => {
                let stage = match (stage, by) {
                    (Stage::Offerta, Some(b)) => format!("OFFERTA entro {}", it_date(b)),
                    (Stage::Assegnata, _) => "ASSEGNATA, attesa contratto".to_string(),
                    (s, _) => s.db().to_string(),
                };
                format!("{stage} · {code} · {}", line.short())
            }
            Some((_, stage, code, ..)) => format!("in attesa (ultima: {code} {})", stage.db()),
            None => "in attesa di proposta".into(),
        };
        lines.push(marked(
            urow(
                &u.unit_id.to_string(),
                &u.address,
                &u.area_m2
                    .map(|m| (m.round() as i64).to_string())
                    .unwrap_or_else(|| "—".into()),
                &state,
            ),
            i == s.selected,
            theme,
        ));
    }
    let body = area.height as usize;
    while lines.len() + 1 < body {
        lines.push(Line::raw(""));
    }
    lines.truncate(body.saturating_sub(1));
    lines.push(Line::styled(
        truncate(
            &format!(
                "Pagina {}{} · {} in attesa{} · quote: {}",
                s.page(),
                if s.more { " (segue)" } else { "" },
                v.waiting,
                v.ledger
                    .shares
                    .forecast
                    .map(|g| format!(" · previste dal piano: {g}"))
                    .unwrap_or_default(),
                v.ledger.shares.source
            ),
            width,
        ),
        theme.muted,
    ));
    frame.render_widget(Paragraph::new(lines), area);
}

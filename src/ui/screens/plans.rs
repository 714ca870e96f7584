//! Programmazione: the plan list and the plan card with the capofila's overview. States are
//! written out and marked with glyphs, so nothing rests on colour alone.

use crate::app::screens::plans::{NewPlan, PlanCard};
use crate::app::screens::{PlanCardScreen, PlanList};
use crate::store::communications::Communication;
use crate::ui::field::{self, Look};
use crate::ui::{ERROR_GLYPH, INFO_GLYPH, SELECTED_GLYPH, Theme, WARNING_GLYPH, truncate};
use chrono::NaiveDate;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

fn it(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// "2026-09-01T08:00:00Z" → "01/09/2026 08:00".
use crate::domain::format::int;

/// A stored instant in the operator's time zone, to the minute.
fn stamp(at: &str) -> String {
    crate::domain::format::instant_short(at)
}

pub fn draw_list(l: &PlanList, frame: &mut Frame, theme: &Theme, area: Rect) {
    let mut lines = Vec::new();
    let Some(plans) = &l.plans else {
        frame.render_widget(
            Paragraph::new(Line::styled("Caricamento…", theme.muted)),
            area,
        );
        return;
    };
    // Below 70 columns the start date goes: the end date is the one that matters.
    let wide = area.width >= 70;
    let row = |id: &str, ambito: &str, anno: &str, inizio: &str, fine: &str, stato: &str| {
        let mut s = format!("{id:>5} {:<16} {anno:<5}", truncate(ambito, 16));
        if wide {
            s.push_str(&format!(" {inizio:<10}"));
        }
        s.push_str(&format!(" {fine:<10} {stato}"));
        s
    };
    lines.push(Line::styled(
        format!(
            "   {}",
            row("ID", "Ambito", "Anno", "Inizio", "Fine", "Stato")
        ),
        theme.header,
    ));
    if plans.is_empty() {
        lines.push(Line::styled(
            "   Nessun piano: il capofila lo crea con Nuovo piano (o casa plan create)",
            theme.muted,
        ));
    }
    for (i, (p, state)) in plans.iter().enumerate() {
        let selected = i == l.selected;
        let text = row(
            &p.id.to_string(),
            &p.district_code,
            &p.year.to_string(),
            &it(p.window_start),
            &it(p.window_end),
            state.db(),
        );
        lines.push(Line::from(vec![
            Span::raw(format!(" {} ", if selected { SELECTED_GLYPH } else { " " })),
            Span::styled(text, if selected { theme.selected } else { theme.body }),
        ]));
    }
    let mut boxes = Vec::new();
    if let Some(d) = &l.new_plan {
        // The dialog goes below the list, which stays in view.
        lines.push(Line::raw(""));
        lines.push(Line::styled("NUOVO PIANO", theme.header));
        for (i, (label, f)) in NewPlan::LABELS.iter().zip(&d.fields).enumerate() {
            let focused = i == d.focus;
            let head = Line::from(vec![
                Span::raw(if focused {
                    format!(" {SELECTED_GLYPH} ")
                } else {
                    "   ".into()
                }),
                Span::styled(format!("{label}: "), theme.label),
            ]);
            boxes.push((lines.len(), head.width() as u16, f, focused));
            lines.push(head);
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
    for (line, x, f, focused) in boxes {
        if line < area.height as usize {
            let r = Rect::new(area.x + x, area.y + line as u16, f.max() as u16, 1);
            field::draw(
                frame,
                theme,
                r.intersection(area),
                f,
                Look::focused(focused),
            );
        }
    }
}

fn cert_cell(c: &Communication) -> String {
    match (&c.last_certification, c.certified_for_plan) {
        (None, _) => format!("{ERROR_GLYPH} mancante"),
        (Some(l), true) => format!("{INFO_GLYPH} {}", stamp(&l.at).get(..10).unwrap_or("")),
        // Made before the window opened: filing needs a newer one.
        (Some(l), false) => format!("{WARNING_GLYPH} {}", stamp(&l.at).get(..10).unwrap_or("")),
    }
}

fn card_lines(card: &PlanCard, theme: &Theme, width: usize, compact: bool) -> Vec<Line<'static>> {
    let p = &card.plan;
    let mut out: Vec<Line<'static>> = Vec::new();
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<27}"), theme.label),
            Span::raw(value),
        ])
    };
    out.push(Line::styled("SCHEDA PROGRAMMAZIONE ANNUALE", theme.header));
    if compact {
        // Short terminals: the fields in three lines, so the owners show without scrolling.
        let pair = |a: &str, av: String, b: &str, bv: String| {
            Line::from(vec![
                Span::styled(format!("{a} "), theme.label),
                Span::raw(format!("{av}   ")),
                Span::styled(format!("{b} "), theme.label),
                Span::raw(bv),
            ])
        };
        out.push(pair(
            "ID",
            p.id.to_string(),
            "ANNO DI RIFERIMENTO",
            format!("{}   STATO DEL PIANO {}", p.year, card.state.db()),
        ));
        out.push(pair(
            "INIZIO COMUNICAZIONE",
            it(p.window_start),
            "FINE COMUNICAZIONE",
            it(p.window_end),
        ));
        out.push(pair(
            "PIANO DI ZONA",
            format!("{} ({})", p.district_name, p.district_code),
            "Regole",
            format!("{} rev. {}", p.rule_set, p.revision),
        ));
    } else {
        out.push(field("ID", p.id.to_string()));
        out.push(field("ANNO DI RIFERIMENTO", p.year.to_string()));
        out.push(field("DATA INIZIO COMUNICAZIONE", it(p.window_start)));
        out.push(field("DATA FINE COMUNICAZIONE", it(p.window_end)));
        out.push(field(
            "PIANO DI ZONA",
            format!("{} ({})", p.district_name, p.district_code),
        ));
        out.push(field("STATO DEL PIANO", card.state.db().to_string()));
        out.push(field(
            "Regole applicate",
            format!("{} · revisione {}", p.rule_set, p.revision),
        ));
    }
    for w in &card.warnings {
        out.push(Line::styled(format!("{WARNING_GLYPH} {w}"), theme.warning));
    }
    if !compact {
        out.push(Line::raw(""));
    }
    out.push(Line::styled("CRONOLOGIA DELLO STATO", theme.header));
    for h in &card.history {
        out.push(Line::raw(format!(
            "{}  {:<8} {} → {}  {}",
            stamp(&h.at),
            h.action,
            h.from_state.as_deref().unwrap_or("—"),
            h.to_state,
            h.operator
        )));
    }
    if !compact {
        out.push(Line::raw(""));
    }
    out.extend(overview_lines(&card.owners, theme, width));
    out
}

/// The capofila's overview: every owner of the district, who is missing, running totals.
fn overview_lines(owners: &[Communication], theme: &Theme, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let filed: Vec<&Communication> = owners.iter().filter(|c| c.filing.is_some()).collect();
    let missing: Vec<&str> = owners
        .iter()
        .filter(|c| c.filing.is_none())
        .map(|c| c.owner_name.as_str())
        .collect();
    out.push(Line::styled(
        format!(
            "ENTI DELL'AMBITO: trasmesse {} di {}, mancano {}",
            filed.len(),
            owners.len(),
            missing.len()
        ),
        theme.header,
    ));
    if owners
        .iter()
        .any(|c| c.filing.is_some() && c.draft.is_some())
    {
        out.push(Line::styled(
            "TRASMESSA+BOZZA: bozza dopo la trasmissione; il piano conta i valori trasmessi",
            theme.muted,
        ));
    }
    // Fixed columns: glyph 2, certification 14, communication 15, total 6, separators 3, and
    // one spare column so no row wraps.
    let name_w = width.saturating_sub(2 + 14 + 15 + 6 + 3 + 1).max(10);
    out.push(Line::styled(
        format!(
            "  {:<name_w$} {:<14} {:<15} {:>6}",
            "Ente", "Certificazione", "Comunicazione", "Tot."
        ),
        theme.label,
    ));
    for c in owners {
        let glyph = if c.filing.is_some() { INFO_GLYPH } else { "·" };
        let total = c.filing.as_ref().map(|f| int(f.total)).unwrap_or_default();
        out.push(Line::raw(format!(
            "{glyph} {:<name_w$} {:<14} {:<15} {total:>6}",
            truncate(&c.owner_name, name_w),
            cert_cell(c),
            super::communications::state_label(c),
        )));
    }
    let mut t = [0i64; 7];
    for f in filed.iter().filter_map(|c| c.filing.as_ref()) {
        let n = &f.form.counts;
        for (slot, v) in t.iter_mut().zip([
            f.total,
            n.carenze,
            n.nuove,
            n.turnover,
            n.privati,
            n.sat,
            n.assegnate,
        ]) {
            *slot += v;
        }
    }
    out.push(Line::raw(format!(
        "Totali trasmessi: complessivo (g) {} · carenze (b) {} · nuove (c+d) {} · turn-over (e) {} · privati (f) {} · SAT (j) {} · assegnate (k) {}",
        int(t[0]), int(t[1]), int(t[2]), int(t[3]), int(t[4]), int(t[5]), int(t[6])
    )));
    if !missing.is_empty() {
        out.push(Line::styled(
            format!("{WARNING_GLYPH} Mancano: {}", missing.join(", ")),
            theme.warning,
        ));
    }
    out
}

pub fn draw_card(s: &PlanCardScreen, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(card) = &s.card else {
        frame.render_widget(
            Paragraph::new(Line::styled("Caricamento…", theme.muted)),
            area,
        );
        return;
    };
    let compact = area.height < 30;
    if let Some(f) = s.dates.as_ref().or(s.save_as.as_ref().map(|(_, f)| f)) {
        // Drawn after the card, over its last lines.
        let full = area;
        draw_card_body(s, card, frame, theme, area, compact);
        return super::form::draw_at_bottom(f, frame, theme, full);
    }
    draw_card_body(s, card, frame, theme, area, compact);
}

fn draw_card_body(
    s: &PlanCardScreen,
    card: &PlanCard,
    frame: &mut Frame,
    theme: &Theme,
    area: Rect,
    compact: bool,
) {
    let mut area = area;
    if let Some(f) = &s.reopen {
        // The date being typed, above the card so it is always in view.
        let label = Span::styled("Nuova DATA FINE COMUNICAZIONE (GG/MM/AAAA): ", theme.label);
        let x = label.width() as u16;
        frame.render_widget(label, Rect { height: 1, ..area });
        let r = Rect::new(area.x + x, area.y, f.max() as u16, 1);
        field::draw(frame, theme, r.intersection(area), f, Look::focused(true));
        area = Rect {
            y: area.y + 1,
            height: area.height.saturating_sub(1),
            ..area
        };
    }
    let lines = card_lines(card, theme, area.width as usize, compact);
    // Scrolling stops with the last line at the bottom (End goes there).
    let rows: usize = lines
        .iter()
        .map(|l| {
            let text: String = l.spans.iter().map(|s| s.content.as_ref()).collect();
            crate::ui::wrapped_rows(&text, area.width as usize)
        })
        .sum();
    let max = u16::try_from(rows)
        .unwrap_or(u16::MAX)
        .saturating_sub(area.height);
    s.max_scroll.set(max);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((s.scroll.min(max), 0)),
        area,
    );
}

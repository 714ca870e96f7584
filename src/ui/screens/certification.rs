//! SCHEDA CERTIFICAZIONE: the owner's totals and its last certification.

use crate::app::keymap::{Action, Keymap};
use crate::app::screens::Certification;
use crate::app::screens::certification::OwnerPicker;
use crate::ui::field::{self, Look};
use crate::ui::{SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(c: &Certification, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    if let Some(p) = &c.picker {
        return draw_picker(p, frame, theme, area);
    }
    let mut lines: Vec<Line> = Vec::new();
    let field = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<42}"), theme.label),
            Span::raw(value),
        ])
    };
    let owner = c
        .owners
        .get(c.current)
        .map(|(_, n)| n.clone())
        .unwrap_or_else(|| "nessun ente".into());
    let mut title = format!("ENTE PROPRIETARIO: {owner}");
    if c.owners.len() > 1 {
        title.push_str(&format!(
            "  ({} di {}, {} cambia)",
            c.current + 1,
            c.owners.len(),
            keys.pair(Action::Up, Action::Down)
        ));
    }
    lines.push(Line::styled(title, theme.header));
    lines.push(Line::raw(""));
    let Some(card) = &c.card else {
        lines.push(Line::styled("Caricamento…", theme.muted));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let t = &card.totals;
    lines.push(field(
        "Numero fabbricati",
        crate::domain::format::int(t.buildings),
    ));
    lines.push(field(
        "Numero unità abitative",
        crate::domain::format::int(t.units),
    ));
    lines.push(field(
        "Numero nuclei familiari",
        crate::domain::format::int(t.households),
    ));
    lines.push(field(
        "Numero inquilini",
        crate::domain::format::int(t.tenants),
    ));
    lines.push(field(
        "U.I. SERVIZI ABITATIVI SOCIALI (SAS)",
        crate::domain::format::int(t.sas),
    ));
    lines.push(field(
        "U.I. SERVIZI ABITATIVI PUBBLICI (SAP)",
        crate::domain::format::int(t.sap),
    ));
    lines.push(field(
        "U.I. ALTRO USO RESIDENZIALE",
        crate::domain::format::int(t.other),
    ));
    lines.push(Line::raw(""));
    match &card.last {
        Some(last) => {
            lines.push(field(
                "Data ultima certificazione",
                crate::domain::format::instant(&last.at),
            ));
            lines.push(field("Tipo", last.kind.label().to_string()));
            lines.push(field("Operatore", last.operator.clone()));
            lines.push(field(
                "U.I. all'ultima certificazione",
                crate::domain::format::int(last.totals.units),
            ));
        }
        None => lines.push(Line::styled(
            "Nessuna certificazione registrata",
            theme.warning,
        )),
    }
    frame.render_widget(Paragraph::new(lines), area);
}

/// The owner picker: what is typed, then the owners that match, the chosen one marked.
fn draw_picker(p: &OwnerPicker, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let label = "Ente: ";
    let mut lines = vec![
        Line::styled("SCELTA DELL'ENTE PROPRIETARIO", theme.header),
        Line::styled(label, theme.label),
    ];
    let Some(_) = &p.all else {
        lines.push(Line::styled("Caricamento…", theme.muted));
        frame.render_widget(Paragraph::new(lines), area);
        return;
    };
    let found = p.matches();
    lines.push(Line::styled(
        match found.len() {
            0 => "Nessun ente corrisponde".to_string(),
            1 => "1 ente".to_string(),
            n => format!("{n} enti"),
        },
        theme.muted,
    ));
    let rows = (area.height as usize).saturating_sub(lines.len()).max(1);
    let start = p.selected.saturating_sub(rows.saturating_sub(1));
    for (i, (_, l)) in found.iter().enumerate().skip(start).take(rows) {
        let selected = i == p.selected;
        lines.push(Line::from(vec![
            Span::raw(format!(" {} ", if selected { SELECTED_GLYPH } else { " " })),
            Span::styled(
                truncate(l, width.saturating_sub(3)),
                if selected { theme.selected } else { theme.body },
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), area);
    let x = area.x + label.len() as u16;
    let r = Rect::new(
        x,
        area.y + 1,
        area.width.saturating_sub(label.len() as u16 + 1).min(40),
        1,
    );
    field::draw(
        frame,
        theme,
        r.intersection(area),
        &p.field,
        Look::focused(true),
    );
}

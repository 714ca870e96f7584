//! SCHEDA OCCUPAZIONE: a head line (reference, state, version, unit), then the fields in two
//! columns (one below 80 columns) in a window that follows the cursor; a coded field shows its
//! label in the box; the close dialog and the lists of values over it.

use crate::app::keymap::{Action, Keymap};
use crate::app::screens::occupations::card::closing_states;
use crate::app::screens::occupations::{CARD_FIELDS, CLOSE_LABELS, CloseDialog, OccupationCard};
use crate::ui::field::{self, Look};
use crate::ui::{INVALID_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

pub fn draw(c: &OccupationCard, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    if area.height < 2 {
        return;
    }
    let head = match &c.stored {
        Some(s) => format!(
            "{} · {} · versione {} · {}",
            s.reference(),
            if s.record.is_open() {
                "IN CORSO"
            } else {
                "CESSATA"
            },
            s.version,
            match s.unit_id {
                Some(u) => format!("alloggio {u} in anagrafe"),
                None => "alloggio non in anagrafe".into(),
            }
        ),
        None if c.id.is_some() => "Caricamento…".into(),
        None => "Nuova occupazione senza titolo".into(),
    };
    frame.render_widget(
        Paragraph::new(truncate(&head, area.width as usize)).style(theme.header),
        Rect { height: 1, ..area },
    );
    let body = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    let columns: usize = if body.width >= 80 { 2 } else { 1 };
    let col_w = body.width / columns as u16;
    let label_w = (col_w / 2).min(22);
    let rows = body.height as usize;
    let per_row = columns;
    let focus_row = c.focus / per_row;
    // The window of rows shown keeps the focused field inside.
    let total_rows = CARD_FIELDS.len().div_ceil(per_row);
    let first = focus_row
        .saturating_sub(rows.saturating_sub(1))
        .min(total_rows.saturating_sub(rows));
    for (i, f) in CARD_FIELDS.iter().enumerate() {
        let row = i / per_row;
        if row < first || row >= first + rows {
            continue;
        }
        let col = (i % per_row) as u16;
        let x = body.x + col * col_w;
        let y = body.y + (row - first) as u16;
        let invalid = c.invalid == Some(i);
        let focused = c.focus == i && c.lov.is_none() && c.close.is_none();
        let label = format!(
            "{}{}",
            if invalid {
                INVALID_GLYPH
            } else if focused {
                "›"
            } else {
                " "
            },
            f.label
        );
        frame.render_widget(
            Span::styled(
                truncate(&label, label_w as usize),
                if invalid { theme.invalid } else { theme.label },
            ),
            Rect::new(x, y, label_w, 1),
        );
        let box_w = col_w.saturating_sub(label_w + 2);
        let rect = Rect::new(x + label_w + 1, y, box_w, 1);
        if c.writable(i) {
            field::draw(
                frame,
                theme,
                rect,
                &c.form.fields[i],
                Look {
                    focused: focused && !c.waiting,
                    invalid,
                },
            );
        } else {
            // Read-only: the value without the field's box.
            let style = if focused { theme.selected } else { theme.muted };
            frame.render_widget(
                Span::styled(truncate(c.form.fields[i].value(), box_w as usize), style),
                rect,
            );
        }
    }
    if let Some((field, items, selected)) = &c.lov {
        let labels: Vec<String> = items.iter().map(|(_, l)| l.clone()).collect();
        super::list_popup(
            &format!(
                "{} ({})",
                CARD_FIELDS[*field].label,
                keys.key(Action::ListOfValues)
            ),
            &labels,
            *selected,
            false,
            frame,
            theme,
            area,
        );
    }
    if let Some(d) = &c.close {
        close_dialog(d, keys, frame, theme, area);
    }
}

fn close_dialog(d: &CloseDialog, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let rect = super::centered(area, 64, CLOSE_LABELS.len() as u16 + 3);
    frame.render_widget(Clear, rect);
    let title = if d.confirming {
        format!(
            " Chiudi occupazione ({}): confermare ",
            keys.key(Action::OccupationClose)
        )
    } else {
        format!(
            " Chiudi occupazione ({}) ",
            keys.key(Action::OccupationClose)
        )
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if d.confirming {
            theme.invalid
        } else {
            theme.border
        })
        .title(title);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let label_w = 27u16;
    for (i, label) in CLOSE_LABELS.iter().enumerate() {
        if i as u16 >= inner.height {
            break;
        }
        let y = inner.y + i as u16;
        let invalid = d.invalid == Some(i);
        frame.render_widget(
            Span::styled(
                format!("{}{label}", if invalid { INVALID_GLYPH } else { " " }),
                if invalid { theme.invalid } else { theme.label },
            ),
            Rect::new(inner.x, y, label_w, 1),
        );
        field::draw(
            frame,
            theme,
            Rect::new(
                inner.x + label_w,
                y,
                inner.width.saturating_sub(label_w + 1),
                1,
            ),
            &d.fields[i],
            Look {
                focused: d.focus == i && d.states.is_none() && !d.confirming,
                invalid,
            },
        );
    }
    if (CLOSE_LABELS.len() as u16) < inner.height {
        let note = if d.confirming {
            format!(
                "{} conferma la chiusura (non si annulla), {} torna",
                keys.key(Action::Select),
                keys.plain(Action::Back)
            )
        } else {
            "Stato: obbligatorio se è l'ultima occupazione aperta dell'alloggio".to_string()
        };
        frame.render_widget(
            Paragraph::new(truncate(&note, inner.width as usize)).style(theme.muted),
            Rect::new(inner.x, inner.y + CLOSE_LABELS.len() as u16, inner.width, 1),
        );
    }
    if let Some(sel) = d.states {
        let labels: Vec<String> = closing_states()
            .iter()
            .map(|s| s.label().to_string())
            .collect();
        super::list_popup(
            &format!("Stato dell'alloggio ({})", keys.key(Action::ListOfValues)),
            &labels,
            sel,
            false,
            frame,
            theme,
            area,
        );
    }
}

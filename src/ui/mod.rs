//! Pure drawing: `view(&App, &mut Frame, &Theme)`. Every screen shares the chrome: a title
//! line with breadcrumbs, operator and database; an instruction line; the body; a key legend
//! generated from the screen's actions and the keymap; a message line.

pub mod field;
pub mod form;
pub mod screens;
pub mod theme;

use crate::app::field::editing_keys_help;
use crate::app::keymap::Action;
use crate::app::{App, Message, QUIT_KEY};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
pub use theme::Theme;

pub use crate::app::layout::{MIN_HEIGHT, MIN_WIDTH};

/// Marker glyphs: meaning never rests on colour alone.
pub const ERROR_GLYPH: &str = "✖";
pub const WARNING_GLYPH: &str = "!";
pub const INFO_GLYPH: &str = "✔";
pub const SELECTED_GLYPH: &str = "▶";
pub const INVALID_GLYPH: &str = "✖";
pub const TICK_GLYPH: &str = "✓";

pub fn is_compact(area: Rect) -> bool {
    crate::app::layout::is_compact(area.width, area.height)
}

pub fn view(app: &App, frame: &mut Frame, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(app, frame, theme, area);
        return;
    }
    let compact = is_compact(area);
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(if compact { 0 } else { 1 }),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(message_rows(app, area.width)),
    ])
    .split(area);
    title_line(app, frame, theme, rows[0]);
    if !compact {
        frame.render_widget(
            Paragraph::new(app.screen().instruction(&app.keys())).style(theme.instruction),
            rows[1],
        );
    }
    screens::draw(app, frame, theme, rows[2]);
    legend(app, frame, theme, rows[3]);
    message_line(app, frame, theme, rows[4]);
    if app.help_open {
        help(app, frame, theme, rows[2]);
    }
}

fn too_small(app: &App, frame: &mut Frame, theme: &Theme, area: Rect) {
    let text = format!(
        "Terminale troppo piccolo ({}x{}): servono almeno {MIN_WIDTH}x{MIN_HEIGHT}. Ingrandire la finestra; {} per uscire.",
        area.width,
        area.height,
        app.keymap.describe(Action::Exit)
    );
    frame.render_widget(
        Paragraph::new(text)
            .style(theme.warning)
            .wrap(Wrap { trim: true }),
        area,
    );
}

fn title_line(app: &App, frame: &mut Frame, theme: &Theme, area: Rect) {
    let crumbs = format!(" casa › {}", app.breadcrumbs().join(" › "));
    let mut right = format!("{} · {} ", app.session.scope.username, app.session.database);
    if app.session.read_only {
        right = format!("[SOLA LETTURA] {right}");
    }
    let width = area.width as usize;
    let right_len = right.chars().count();
    let left = truncate(&crumbs, width.saturating_sub(right_len + 1));
    let pad = width.saturating_sub(left.chars().count() + right_len);
    let line = Line::from(vec![
        Span::raw(left),
        Span::raw(" ".repeat(pad)),
        Span::raw(truncate(&right, width)),
    ]);
    frame.render_widget(Paragraph::new(line).style(theme.title), area);
}

/// Legend entries "key label" for the offered actions, in order. When they do not all fit,
/// the help's entry moves to the end as "F1 altri tasti", so no key drops out unannounced.
fn legend(app: &App, frame: &mut Frame, theme: &Theme, area: Rect) {
    let width = area.width as usize;
    let keymap = app.keys();
    let len = |key: &str, label: &str| key.chars().count() + 1 + label.chars().count() + 2;
    let entries_with = |short: bool| -> Vec<(Action, String, &str)> {
        legend_actions(app)
            .into_iter()
            .filter_map(|action| {
                let key = keymap.keys(action).first()?.to_string();
                let label = if short {
                    short_label(action)
                } else {
                    action.label()
                };
                Some((action, key, label))
            })
            .collect()
    };
    // Short labels on small terminals, and wherever the full ones do not all fit.
    let mut entries = entries_with(is_compact(frame.area()));
    if entries.iter().map(|(_, k, l)| len(k, l)).sum::<usize>() > width {
        entries = entries_with(true);
    }
    let all: usize = entries.iter().map(|(_, k, l)| len(k, l)).sum();
    let hint = (all > width + 2)
        .then(|| entries.iter().find(|(a, _, _)| *a == Action::Help))
        .flatten()
        .map(|(_, k, _)| (k.clone(), "altri tasti"));
    // The hint ends the line: no spaces after it.
    let reserved = hint.as_ref().map_or(0, |(k, l)| len(k, l) - 2);
    let mut spans = Vec::new();
    let mut used = 0usize;
    for (action, key, label) in &entries {
        if hint.is_some() && *action == Action::Help {
            continue;
        }
        let entry_len = len(key, label);
        // Without the hint every entry fits (the last one's two spaces may be cut).
        if hint.is_some() && used + entry_len + reserved > width {
            break;
        }
        spans.push(Span::styled(key.clone(), theme.key));
        spans.push(Span::styled(format!(" {label}  "), theme.legend));
        used += entry_len;
    }
    if let Some((key, label)) = hint {
        spans.push(Span::styled(key, theme.key));
        spans.push(Span::styled(format!(" {label}"), theme.legend));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// Movement keys are obvious and take room: the legend leaves them to the help.
fn legend_actions(app: &App) -> Vec<Action> {
    app.offered()
        .into_iter()
        .filter(|a| {
            !matches!(
                a,
                Action::Up
                    | Action::Down
                    | Action::PageUp
                    | Action::PageDown
                    | Action::First
                    | Action::Last
                    | Action::NextField
                    | Action::PrevField
            )
        })
        .collect()
}

fn short_label(action: Action) -> &'static str {
    match action {
        Action::Help => "Aiuto",
        Action::Exit => "Esci",
        Action::Back => "Ind.",
        Action::ListOfValues => "Elenco",
        Action::Refresh => "Aggiorna",
        Action::ClearFilters => "Azzera",
        Action::Mark => "Marca",
        Action::DeclareNoUnits => "Nessuna",
        other => other.label(),
    }
}

/// A message longer than the line wraps onto up to this many lines (the body gives way).
const MESSAGE_MAX_ROWS: u16 = 3;

fn message_text(m: &Message) -> String {
    let glyph = match m {
        Message::Info(_) => INFO_GLYPH,
        Message::Warning(_) => WARNING_GLYPH,
        Message::Error(_) => ERROR_GLYPH,
    };
    format!("{glyph} {}", m.text())
}

/// Lines the message takes: one, or as many as it needs wrapped, up to the maximum.
fn message_rows(app: &App, width: u16) -> u16 {
    app.message.as_ref().map_or(1, |m| {
        (wrapped_rows(&message_text(m), width.max(1) as usize) as u16).clamp(1, MESSAGE_MAX_ROWS)
    })
}

fn message_line(app: &App, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(m) = &app.message else { return };
    let style = match m {
        Message::Info(_) => theme.info,
        Message::Warning(_) => theme.warning,
        Message::Error(_) => theme.error,
    };
    let text = message_text(m);
    let width = area.width.max(1) as usize;
    // Longer than the rows allowed: cut at the end with an ellipsis (the log has it whole).
    let text = if wrapped_rows(&text, width) > area.height as usize {
        truncate(&text, width * area.height as usize - 2)
    } else {
        text
    };
    frame.render_widget(
        Paragraph::new(text).style(style).wrap(Wrap { trim: true }),
        area,
    );
}

/// The help over the body: the screen's actions with their keys (in two columns when one
/// does not fit), in a field the field's own keys, and how to leave.
fn help(app: &App, frame: &mut Frame, theme: &Theme, body: Rect) {
    let keys = app.keys();
    // Actions with no key that acts here (Home in a field edits it) are left out.
    let entries: Vec<(String, &str)> = app
        .offered()
        .into_iter()
        .filter(|a| !keys.keys(*a).is_empty())
        .map(|a| (keys.describe(a), a.label()))
        .collect();
    let mut notes: Vec<String> = Vec::new();
    if app.screen().in_text() {
        // The field's own keys, which no keymap changes.
        let field: Vec<String> = editing_keys_help()
            .into_iter()
            .map(|(k, what)| format!("{k} {what}"))
            .collect();
        notes.push(format!("Nel campo: {}.", field.join(", ")));
    }
    notes.push(format!(
        "Nei campi di testo le lettere si scrivono: {} esce dal campo. {QUIT_KEY} chiude casa.",
        keys.plain(Action::Back)
    ));
    if !app.history.is_empty() {
        notes.push("Ultimi messaggi, dal più recente:".into());
        for m in app.history.iter().rev() {
            notes.push(message_text(m));
        }
    }
    notes.push(format!(
        "{} scorrono l'aiuto; un altro tasto lo chiude.",
        keys.pair(Action::Up, Action::Down)
    ));
    let width = body.width.min(70);
    let inner = width.saturating_sub(2).max(1) as usize;
    let note_rows: usize = notes.iter().map(|n| wrapped_rows(n, inner)).sum();
    // Title, a blank line, the notes and the borders around the entries.
    let fixed = 1 + 1 + note_rows + 2;
    let two_columns = fixed + entries.len() > body.height as usize && inner >= 56;
    let mut lines: Vec<Line> = vec![Line::styled(
        format!("Tasti di «{}»", app.screen().title()),
        theme.header,
    )];
    if two_columns {
        let column = inner / 2;
        for pair in entries.chunks(2) {
            let mut spans = Vec::new();
            for (k, label) in pair {
                spans.push(Span::styled(format!("{k:<12} "), theme.key));
                spans.push(Span::raw(format!(
                    "{:<w$}",
                    truncate(label, column.saturating_sub(13)),
                    w = column.saturating_sub(13)
                )));
            }
            lines.push(Line::from(spans));
        }
    } else {
        for (k, label) in &entries {
            lines.push(Line::from(vec![
                Span::styled(format!("{k:<16}"), theme.key),
                Span::raw(*label),
            ]));
        }
    }
    lines.push(Line::raw(""));
    for n in notes {
        lines.push(Line::styled(n, theme.muted));
    }
    let entry_rows = if two_columns {
        entries.len().div_ceil(2)
    } else {
        entries.len()
    };
    let wanted = (fixed + entry_rows) as u16;
    let height = wanted.min(body.height);
    // Longer than the body: the movement keys scroll it, and the frame says so.
    let max_scroll = wanted.saturating_sub(height);
    app.help_max_scroll.set(max_scroll);
    let scroll = app.help_scroll.min(max_scroll);
    let title = if max_scroll > 0 {
        format!(
            " Aiuto ({}) · {} scorre, righe {}-{} di {} ",
            keys.key(Action::Help),
            keys.pair(Action::Up, Action::Down),
            scroll + 1,
            scroll + height.saturating_sub(2),
            wanted.saturating_sub(2)
        )
    } else {
        format!(" Aiuto ({}) ", keys.key(Action::Help))
    };
    let area = Rect {
        x: body.x + (body.width - width) / 2,
        y: body.y + (body.height - height) / 2,
        width,
        height,
    };
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(title)
                    .border_style(theme.border),
            ),
        area,
    );
}

/// Rows `text` takes when wrapped at word boundaries in `width` columns.
pub fn wrapped_rows(text: &str, width: usize) -> usize {
    let (mut rows, mut used) = (1, 0);
    for word in text.split(' ') {
        let w = word.chars().count();
        let need = if used == 0 { w } else { used + 1 + w };
        if need <= width {
            used = need;
        } else {
            rows += 1 + w.saturating_sub(1) / width.max(1);
            used = w % width.max(1);
        }
    }
    rows
}

/// Cuts `s` to `width` characters, with an ellipsis when cut.
pub fn truncate(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod snapshot_tests;

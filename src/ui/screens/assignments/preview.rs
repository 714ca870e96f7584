//! A proposal explained before it is made.

use super::{scrolled, wrap};
use crate::app::keymap::{Action, Keymap};
use crate::app::screens::assignments::PreviewScreen;
use crate::domain::assignment::proposal::owner_choice_line;
use crate::ui::screens::rankings::loading;
use crate::ui::{SELECTED_GLYPH, Theme, truncate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

pub(super) fn draw(s: &PreviewScreen, keys: &Keymap, frame: &mut Frame, theme: &Theme, area: Rect) {
    let Some(p) = &s.proposed else {
        return loading(frame, theme, area);
    };
    let width = area.width as usize;
    let body = area.height as usize;
    let mut head = vec![Line::styled(
        truncate(&format!("Unità {} · {}", s.unit_id, p.headline), width),
        theme.label,
    )];
    let status = match (p.decision.proposal(), s.may_assign, s.waiting) {
        (Some(_), _, true) => "Registrazione della proposta…".to_string(),
        (Some(d), true, false) => format!(
            "{SELECTED_GLYPH} Proposta non ancora salvata: {} · {} · {} la registra",
            d.applicant.code,
            d.line.label(),
            keys.key(Action::AssignmentPropose)
        ),
        (Some(d), false, false) => format!(
            "Proposta: domanda {} ({}), in sola consultazione.",
            d.applicant.code,
            d.line.label()
        ),
        (None, ..) => "Nessuna domanda da proporre per questa unità.".into(),
    };
    head.push(Line::styled(truncate(&status, width), theme.header));
    let mut text: Vec<Line> = Vec::new();
    let explanation = p
        .decision
        .explanation()
        .iter()
        .cloned()
        .chain(owner_choice_line(&p.owner_choice));
    for l in explanation {
        for w in wrap(&l, width.saturating_sub(2)) {
            text.push(Line::raw(format!("  {w}")));
        }
    }
    let room = body.saturating_sub(head.len());
    head.extend(scrolled(text, s.scroll as usize, room));
    frame.render_widget(Paragraph::new(head), area);
}

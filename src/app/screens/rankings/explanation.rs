//! Spiegazione del punteggio of one application.

use super::Data;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::rankings::Explanation;

/// Spiegazione del punteggio of one application.
#[derive(Debug)]
pub struct ExplainView {
    pub notice_id: i64,
    pub code: String,
    pub explanation: Option<Box<Explanation>>,
    pub scroll: u16,
    pub(super) generation: u64,
}

impl ExplainView {
    pub fn new(notice_id: i64, code: &str) -> ExplainView {
        ExplainView {
            notice_id,
            code: code.to_string(),
            explanation: None,
            scroll: 0,
            generation: 0,
        }
    }

    pub(super) fn on_action(&mut self, action: Action) {
        match action {
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(10),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::First => self.scroll = 0,
            _ => {}
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Explanation(e) = data {
            self.explanation = Some(e);
        }
        ScreenOutcome::none()
    }
}

//! What-if: the notice's rankings under another stored rule set. Nothing is written.

use super::{Data, ExplainView, Query, Rankings, Step, push, step};
use crate::app::Message;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::notices::Notice;
use crate::store::rankings::Comparison;
use crate::store::rule_sets::Stored;

/// What-if: the notice's rankings under another stored rule set. Nothing is written.
#[derive(Debug)]
pub struct WhatIf {
    pub notice: Box<Notice>,
    /// The rule sets one may compare with (not the notice's own).
    pub sets: Option<Vec<Stored>>,
    pub list_open: bool,
    pub list_selected: usize,
    /// The rule set compared.
    pub chosen: Option<i64>,
    /// Label of the compared rule set, its unverified line, the comparisons.
    pub result: Option<(String, Option<String>, Vec<Comparison>)>,
    /// A comparison is being computed.
    pub waiting: bool,
    pub scroll: u16,
    /// The movement selected (over all the comparisons): Enter opens its application.
    pub selected: usize,
    pub(super) generation: u64,
}

impl WhatIf {
    pub fn new(notice: &Notice) -> WhatIf {
        WhatIf {
            notice: Box::new(notice.clone()),
            sets: None,
            list_open: false,
            list_selected: 0,
            chosen: None,
            result: None,
            waiting: false,
            scroll: 0,
            selected: 0,
            generation: 0,
        }
    }

    /// Movements listed, over all the comparisons.
    pub fn moved(&self) -> usize {
        self.result
            .as_ref()
            .map_or(0, |(_, _, c)| c.iter().map(|c| c.movements.len()).sum())
    }

    /// The ID domanda of the selected movement.
    pub fn selected_code(&self) -> Option<&str> {
        let (_, _, comparisons) = self.result.as_ref()?;
        comparisons
            .iter()
            .flat_map(|c| c.movements.iter())
            .nth(self.selected)
            .map(|m| m.code.as_str())
    }

    pub(super) fn on_action(&mut self, action: Action) -> Step {
        if self.list_open {
            let n = self.sets.as_ref().map_or(0, Vec::len);
            return match action {
                Action::Back => {
                    self.list_open = false;
                    None
                }
                Action::Select => {
                    let id = self.sets.as_ref()?.get(self.list_selected)?.id;
                    self.list_open = false;
                    self.chosen = Some(id);
                    self.waiting = true;
                    self.scroll = 0;
                    Some(Ok(Query::WhatIf {
                        notice_id: self.notice.id,
                        rule_set_id: id,
                    }))
                }
                a => {
                    step(&mut self.list_selected, n, a, 10);
                    None
                }
            };
        }
        let moved = self.moved();
        match action {
            Action::ListOfValues if self.sets.as_ref().is_some_and(|s| !s.is_empty()) => {
                self.list_open = true;
            }
            // The application of the selected row: its score explained under the notice's
            // own rules.
            Action::Select => {
                let code = self.selected_code()?.to_string();
                return Some(Err(push(Rankings::Explain(ExplainView::new(
                    self.notice.id,
                    &code,
                )))));
            }
            a if moved > 0 => step(&mut self.selected, moved, a, 10),
            Action::Down => self.scroll = self.scroll.saturating_add(1),
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::PageDown => self.scroll = self.scroll.saturating_add(10),
            Action::PageUp => self.scroll = self.scroll.saturating_sub(10),
            Action::First => self.scroll = 0,
            _ => {}
        }
        None
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::RuleSets(sets) => {
                let empty = sets.is_empty();
                self.list_open = !empty && self.result.is_none();
                self.list_selected = self.list_selected.min(sets.len().saturating_sub(1));
                self.sets = Some(sets);
                if empty {
                    return ScreenOutcome::message(Message::Warning(
                        "Nessun altro insieme di regole con i parametri delle graduatorie".into(),
                    ));
                }
                ScreenOutcome::none()
            }
            Data::WhatIf {
                label,
                unverified,
                comparisons,
            } => {
                self.waiting = false;
                let moved: usize = comparisons.iter().map(|c| c.movements.len()).sum();
                let message = Message::Info(format!(
                    "Simulazione con {label}: {moved} spostamenti in {} graduatorie, nessuna modifica salvata",
                    comparisons.len()
                ));
                self.result = Some((label, unverified, comparisons));
                self.selected = 0;
                self.scroll = 0;
                ScreenOutcome::message(message)
            }
            _ => ScreenOutcome::none(),
        }
    }
}

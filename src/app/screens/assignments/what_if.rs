//! What-if: the year of a ledger replayed under another letter h (the Comune's share for
//! indigents above the 20%) or another stored rule set; which units would have gone to another
//! household or line. Nothing is saved.

use super::{Data, Next, Query, step};
use crate::app::Message;
use crate::app::field::TextField;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::domain::communication::Pct;
use crate::store::assignments::{LedgerKey, LedgerView, WhatIf};
use crate::store::rule_sets::Stored;

#[derive(Debug)]
pub struct WhatIfScreen {
    pub key: LedgerKey,
    pub owner_name: String,
    pub comune: String,
    /// Letter h as typed (percent).
    pub h: TextField,
    /// The rule sets one may replay with; `None` until read.
    pub sets: Option<Vec<Stored>>,
    pub list_open: bool,
    pub list_selected: usize,
    /// The rule set chosen (`None`: the year's).
    pub chosen: Option<(i64, String)>,
    pub result: Option<Box<WhatIf>>,
    pub waiting: bool,
    pub scroll: usize,
    pub(super) generation: u64,
}

impl WhatIfScreen {
    pub fn new(view: &LedgerView) -> WhatIfScreen {
        let h = Pct(view.ledger.shares.indigent_excess.min(10_000) as u32).to_string();
        WhatIfScreen {
            key: view.key.clone(),
            owner_name: view.owner_name.clone(),
            comune: view.comune.clone(),
            h: TextField::with_value(6, h.trim_end_matches('%')),
            sets: None,
            list_open: false,
            list_selected: 0,
            chosen: None,
            result: None,
            waiting: false,
            scroll: 0,
            generation: 0,
        }
    }

    fn run(&mut self) -> Next {
        let h = match Pct::parse(self.h.value(), 2) {
            Ok(p) if p.0 <= 8_000 => u64::from(p.0),
            Ok(_) => {
                return Some(Err(ScreenOutcome::message(Message::Error(
                    "Soglia eccedente: al più 80% (20% + 80% = 100%)".into(),
                ))));
            }
            Err(e) => {
                return Some(Err(ScreenOutcome::message(Message::Error(format!(
                    "Soglia eccedente per indigenti: {e}"
                )))));
            }
        };
        self.waiting = true;
        self.scroll = 0;
        Some(Ok(Query::WhatIf {
            key: self.key.clone(),
            rule_set_id: self.chosen.as_ref().map(|c| c.0),
            h: Some(h),
        }))
    }

    pub(super) fn on_action(&mut self, action: Action) -> Next {
        if self.list_open {
            let n = self.sets.as_ref().map_or(0, Vec::len) + 1;
            return match action {
                Action::Back => {
                    self.list_open = false;
                    None
                }
                Action::Select => {
                    self.list_open = false;
                    // The first entry is the year's own rule set.
                    self.chosen = match self.list_selected {
                        0 => None,
                        i => self.sets.as_ref()?.get(i - 1).map(|s| (s.id, s.label())),
                    };
                    self.run()
                }
                a => {
                    step(&mut self.list_selected, n, a, 10);
                    None
                }
            };
        }
        match action {
            Action::Select => self.run(),
            Action::ListOfValues if self.sets.is_some() => {
                self.list_open = true;
                None
            }
            Action::Down => {
                self.scroll = self.scroll.saturating_add(1);
                None
            }
            Action::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                None
            }
            Action::PageDown => {
                self.scroll = self.scroll.saturating_add(10);
                None
            }
            Action::PageUp => {
                self.scroll = self.scroll.saturating_sub(10);
                None
            }
            _ => None,
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::RuleSets(sets) => {
                self.sets = Some(sets);
                ScreenOutcome::none()
            }
            Data::WhatIf(w) => {
                self.waiting = false;
                let message = Message::Info(format!(
                    "Simulazione: {} unità su {} cambierebbero nucleo o linea; nessuna modifica salvata",
                    w.replay.changed(),
                    w.replay.rows.len()
                ));
                self.result = Some(w);
                ScreenOutcome::message(message)
            }
            _ => ScreenOutcome::none(),
        }
    }
}

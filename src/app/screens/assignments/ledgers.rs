//! The ledgers of a year the operator reads, one per owner and comune, with the export of the
//! year.

use super::{Assignments, Data, LedgerScreen, Next, Query, push, step};
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::app::{Message, Session};
use crate::store::assignments::LedgerView;
use std::path::PathBuf;

#[derive(Debug)]
pub struct LedgerList {
    pub year: i32,
    pub ledgers: Option<Vec<LedgerView>>,
    pub selected: usize,
    pub(super) generation: u64,
}

impl LedgerList {
    pub fn new(year: i32) -> LedgerList {
        LedgerList {
            year,
            ledgers: None,
            selected: 0,
            generation: 0,
        }
    }

    pub(super) fn on_action(&mut self, action: Action, session: &Session) -> Next {
        let n = self.ledgers.as_ref().map_or(0, Vec::len);
        match action {
            Action::Select => {
                let v = self.ledgers.as_ref()?.get(self.selected)?;
                Some(Err(push(Assignments::Ledger(Box::new(LedgerScreen::new(
                    v.clone(),
                    session.size,
                ))))))
            }
            Action::Export => {
                if n == 0 {
                    return Some(Err(ScreenOutcome::message(Message::Warning(
                        "Nessun registro da esportare".into(),
                    ))));
                }
                Some(Ok(Query::Export {
                    year: self.year,
                    path: PathBuf::from(format!("assegnazioni-{}.xlsx", self.year)),
                }))
            }
            a => {
                step(&mut self.selected, n, a, 10);
                None
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::Ledgers(v) => {
                self.selected = self.selected.min(v.len().saturating_sub(1));
                let empty = v.is_empty();
                self.ledgers = Some(v);
                if empty {
                    return ScreenOutcome::message(Message::Warning(format!(
                        "Nessuna unità resa disponibile nel {} tra gli enti e i comuni che l'operatore può consultare",
                        self.year
                    )));
                }
                ScreenOutcome::none()
            }
            Data::Exported {
                path,
                ledgers,
                rows,
            } => ScreenOutcome::message(Message::Info(format!(
                "Esportati {ledgers} registri e {rows} assegnazioni in {}",
                path.display()
            ))),
            _ => ScreenOutcome::none(),
        }
    }
}

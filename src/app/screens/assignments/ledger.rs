//! One ledger: its lines on top, the units still to assign below, paged by key.

use super::{
    Assignments, CaseScreen, Data, Next, PreviewScreen, Query, WhatIfScreen, push, step, unit_rows,
};
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::assignments::{AvailableUnit, LedgerKey, LedgerView};

#[derive(Debug)]
pub struct LedgerScreen {
    pub key: LedgerKey,
    /// The ledger as listed, then as reloaded.
    pub view: Option<LedgerView>,
    listed: LedgerView,
    pub units: Vec<AvailableUnit>,
    pub loaded: bool,
    pub selected: usize,
    /// Units per page.
    pub limit: usize,
    /// Where each page shown so far started (availability id after which it was read).
    starts: Vec<Option<i64>>,
    /// More units after this page.
    pub more: bool,
    pub may_assign: bool,
    size: (u16, u16),
    pub(super) generation: u64,
}

impl LedgerScreen {
    pub fn new(view: LedgerView, size: (u16, u16)) -> LedgerScreen {
        let limit = unit_rows(size.0, size.1, view.ledger.lines.len());
        LedgerScreen {
            key: view.key.clone(),
            view: None,
            listed: view,
            units: Vec::new(),
            loaded: false,
            selected: 0,
            limit,
            starts: vec![None],
            more: false,
            may_assign: false,
            size,
            generation: 0,
        }
    }

    pub fn owner_name(&self) -> &str {
        &self.listed.owner_name
    }

    pub fn comune(&self) -> &str {
        &self.listed.comune
    }

    /// The page shown now, read again.
    pub(super) fn reload(&self) -> Query {
        Query::Ledger {
            key: self.key.clone(),
            after: self.starts.last().copied().flatten(),
            // One more than shown: whether a next page exists.
            limit: self.limit + 1,
        }
    }

    /// Whether the page size changed with the terminal.
    pub(super) fn resize(&mut self, width: u16, height: u16) -> bool {
        self.size = (width, height);
        let lines = self
            .view
            .as_ref()
            .unwrap_or(&self.listed)
            .ledger
            .lines
            .len();
        let limit = unit_rows(width, height, lines);
        let changed = limit != self.limit;
        self.limit = limit;
        changed
    }

    pub(super) fn on_action(&mut self, action: Action) -> Next {
        match action {
            Action::Select => {
                let u = self.units.get(self.selected)?;
                let screen = match &u.assignment {
                    Some(a) if !u.waiting() => Assignments::Case(CaseScreen::new(a.0)),
                    _ => Assignments::Preview(PreviewScreen::new(u.unit_id)),
                };
                Some(Err(push(screen)))
            }
            Action::WhatIf => Some(Err(push(Assignments::WhatIf(WhatIfScreen::new(
                self.view.as_ref()?,
            ))))),
            Action::PageDown if self.more => {
                self.starts
                    .push(self.units.last().map(|u| u.availability_id));
                self.selected = 0;
                Some(Ok(self.reload()))
            }
            Action::Down if self.more && self.selected + 1 >= self.units.len() => {
                self.starts
                    .push(self.units.last().map(|u| u.availability_id));
                self.selected = 0;
                Some(Ok(self.reload()))
            }
            Action::PageUp | Action::Up if self.selected == 0 && self.starts.len() > 1 => {
                self.starts.pop();
                self.selected = if action == Action::Up {
                    self.limit.saturating_sub(1)
                } else {
                    0
                };
                Some(Ok(self.reload()))
            }
            Action::First if self.starts.len() > 1 => {
                self.starts.truncate(1);
                self.selected = 0;
                Some(Ok(self.reload()))
            }
            a => {
                step(&mut self.selected, self.units.len(), a, self.limit);
                None
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Ledger {
            view,
            mut units,
            may_assign,
            ..
        } = data
        {
            self.more = units.len() > self.limit;
            units.truncate(self.limit);
            // A page emptied meanwhile (units assigned by someone else): back to the start.
            self.selected = self.selected.min(units.len().saturating_sub(1));
            self.units = units;
            self.view = Some(*view);
            self.may_assign = may_assign;
            self.loaded = true;
            // The ledger may have more or fewer lines than listed: the page size follows.
            let (w, h) = self.size;
            self.resize(w, h);
        }
        ScreenOutcome::none()
    }

    /// Which page: 1-based.
    pub fn page(&self) -> usize {
        self.starts.len()
    }
}

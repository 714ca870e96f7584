//! The proposal for a unit explained before it is made: who, on which ledger line, why the
//! households ahead were passed over. Proponi writes it; nothing is saved before.

use super::{Data, Next, Query};
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::assignments::Proposed;

#[derive(Debug)]
pub struct PreviewScreen {
    pub unit_id: i64,
    pub proposed: Option<Box<Proposed>>,
    pub may_assign: bool,
    pub scroll: u16,
    /// The proposal is being written.
    pub waiting: bool,
    pub(super) generation: u64,
}

impl PreviewScreen {
    pub fn new(unit_id: i64) -> PreviewScreen {
        PreviewScreen {
            unit_id,
            proposed: None,
            may_assign: false,
            scroll: 0,
            waiting: false,
            generation: 0,
        }
    }

    pub(super) fn on_action(&mut self, action: Action) -> Next {
        match action {
            Action::AssignmentPropose
                if self.may_assign
                    && !self.waiting
                    && self
                        .proposed
                        .as_ref()
                        .is_some_and(|p| p.decision.proposal().is_some()) =>
            {
                self.waiting = true;
                Some(Ok(Query::Propose {
                    unit_id: self.unit_id,
                }))
            }
            Action::Down => {
                self.scroll = self.scroll.saturating_add(1);
                None
            }
            Action::Up => {
                self.scroll = self.scroll.saturating_sub(1);
                None
            }
            _ => None,
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Preview {
            proposed,
            may_assign,
        } = data
        {
            self.proposed = Some(proposed);
            self.may_assign = may_assign;
            self.waiting = false;
        }
        ScreenOutcome::none()
    }
}

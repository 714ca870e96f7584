//! Avvisi e graduatorie: the notices the operator may read; the capofila creates one here.

use super::{Data, NoticeRankings, Rankings, act, manage, push, step};
use crate::app::Message;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::app::screens::form::Form;
use crate::store::notices::Notice;

/// Avvisi e graduatorie: the notices the operator may read.
#[derive(Debug, Default)]
pub struct NoticeList {
    pub notices: Option<Vec<(Notice, &'static str)>>,
    pub selected: usize,
    /// The operator is a capofila: Nuovo avviso is offered.
    pub may_create: bool,
    /// The Nuovo avviso dialog, while open.
    pub form: Option<Form>,
    pub(super) generation: u64,
}

impl NoticeList {
    pub(super) fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if let Some(f) = &mut self.form {
            match action {
                Action::Back => self.form = None,
                Action::Select => {
                    return match manage::new_notice(f) {
                        Ok(a) => {
                            // The dialog stays until the store accepts: a refusal keeps it.
                            self.generation = generation;
                            act(generation, a)
                        }
                        Err((i, m)) => {
                            f.refuse(i);
                            ScreenOutcome::message(Message::Error(m))
                        }
                    };
                }
                a => {
                    f.navigate(a);
                }
            }
            return ScreenOutcome::none();
        }
        let n = self.notices.as_ref().map_or(0, Vec::len);
        match action {
            Action::NoticeNew if self.may_create => {
                self.form = Some(manage::new_notice_form());
                ScreenOutcome::none()
            }
            Action::Select => match self.notices.as_ref().and_then(|v| v.get(self.selected)) {
                Some((notice, _)) => push(Rankings::Notice(NoticeRankings::new(notice.id))),
                None => ScreenOutcome::message(Message::Warning("Nessun avviso".into())),
            },
            a => {
                step(&mut self.selected, n, a, 10);
                ScreenOutcome::none()
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Notices {
            notices,
            may_create,
            outcome,
        } = data
        {
            self.may_create = may_create;
            if let Some(Outcome { message, .. }) = outcome {
                // Created: the new notice is the first of the list. Refused: the dialog stays
                // as typed, with the reason on the message line.
                if !matches!(message, Message::Error(_)) {
                    self.form = None;
                    self.selected = 0;
                }
                self.selected = self.selected.min(notices.len().saturating_sub(1));
                self.notices = Some(notices);
                return ScreenOutcome::message(message);
            }
            self.selected = self.selected.min(notices.len().saturating_sub(1));
            self.notices = Some(notices);
        }
        ScreenOutcome::none()
    }
}

use super::Outcome;

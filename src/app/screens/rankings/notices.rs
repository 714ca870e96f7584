//! Avvisi e graduatorie: the notices the operator may read.

use super::{Data, NoticeRankings, Rankings, push, step};
use crate::app::Message;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::notices::Notice;

/// Avvisi e graduatorie: the notices the operator may read.
#[derive(Debug, Default)]
pub struct NoticeList {
    pub notices: Option<Vec<(Notice, &'static str)>>,
    pub selected: usize,
    pub(super) generation: u64,
}

impl NoticeList {
    pub(super) fn on_action(&mut self, action: Action) -> ScreenOutcome {
        let n = self.notices.as_ref().map_or(0, Vec::len);
        match action {
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
        if let Data::Notices(v) = data {
            self.selected = self.selected.min(v.len().saturating_sub(1));
            self.notices = Some(v);
        }
        ScreenOutcome::none()
    }
}

//! The rankings of a notice, one per owner and comune.

use super::{Data, RankingView, Rankings, WhatIf, push, ranking_rows, step};
use crate::app::Message;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::notices::Notice;
use crate::store::rankings::RankingInfo;

/// The rankings of a notice, one per owner and comune.
#[derive(Debug)]
pub struct NoticeRankings {
    pub notice_id: i64,
    pub notice: Option<Box<Notice>>,
    pub rankings: Option<Vec<RankingInfo>>,
    pub unverified: Option<String>,
    pub selected: usize,
    pub(super) generation: u64,
}

impl NoticeRankings {
    pub fn new(notice_id: i64) -> NoticeRankings {
        NoticeRankings {
            notice_id,
            notice: None,
            rankings: None,
            unverified: None,
            selected: 0,
            generation: 0,
        }
    }

    pub(super) fn on_action(&mut self, action: Action, size: (u16, u16)) -> ScreenOutcome {
        let n = self.rankings.as_ref().map_or(0, Vec::len);
        let chosen = self
            .rankings
            .as_ref()
            .and_then(|v| v.get(self.selected))
            .cloned();
        match (action, &self.notice) {
            (Action::Select, Some(notice)) => match chosen {
                Some(info) => push(Rankings::Ranking(RankingView::new(
                    notice,
                    info,
                    self.unverified.clone(),
                    ranking_rows(size.0, size.1),
                ))),
                None => ScreenOutcome::message(Message::Warning(
                    "Nessuna graduatoria: il capofila la calcola dopo la chiusura dell'avviso"
                        .into(),
                )),
            },
            (Action::WhatIf, Some(notice)) => push(Rankings::WhatIf(WhatIf::new(notice))),
            (a, _) => {
                step(&mut self.selected, n, a, 10);
                ScreenOutcome::none()
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        if let Data::Rankings {
            notice,
            rankings,
            unverified,
        } = data
        {
            self.selected = self.selected.min(rankings.len().saturating_sub(1));
            self.notice = Some(notice);
            self.rankings = Some(rankings);
            self.unverified = unverified;
        }
        ScreenOutcome::none()
    }
}

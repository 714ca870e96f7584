//! The rankings of a notice, one per owner and comune; the search of an ID domanda in all of
//! them; and, for the district's capofila, the changes to the notice and its rankings.

use super::{
    Act, Data, Outcome, RankingView, Rankings, WhatIf, act, manage, push, ranking_rows, step,
};
use crate::app::Message;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::app::screens::form::Form;
use crate::store::notices::Notice;
use crate::store::rankings::{Placement, RankingInfo};

/// Which dialog is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialog {
    Import,
    Correct,
    Find,
}

/// The rankings of a notice, one per owner and comune.
#[derive(Debug)]
pub struct NoticeRankings {
    pub notice_id: i64,
    pub notice: Option<Box<Notice>>,
    /// The notice's state today (APERTO, CHIUSO, …).
    pub state: &'static str,
    pub rankings: Option<Vec<RankingInfo>>,
    pub unverified: Option<String>,
    pub selected: usize,
    /// The operator may manage the notice.
    pub manage: bool,
    pub form: Option<(Dialog, Form)>,
    /// An action that asked for confirmation: a second press does it.
    pub confirm: Option<Action>,
    /// The problems of a refused file of applications, shown until dismissed.
    pub problems: Vec<String>,
    pub problems_scroll: usize,
    /// The applications found by ID domanda, while shown.
    pub found: Option<Vec<(RankingInfo, Placement)>>,
    pub found_selected: usize,
    /// The categories of the notice's rule set (code, name).
    pub conditions: Vec<(String, String)>,
    pub(super) generation: u64,
}

impl NoticeRankings {
    pub fn new(notice_id: i64) -> NoticeRankings {
        NoticeRankings {
            notice_id,
            notice: None,
            state: "",
            rankings: None,
            unverified: None,
            selected: 0,
            manage: false,
            form: None,
            confirm: None,
            problems: Vec::new(),
            problems_scroll: 0,
            found: None,
            found_selected: 0,
            conditions: Vec::new(),
            generation: 0,
        }
    }

    fn any_ranking(&self, state: &str) -> bool {
        self.rankings
            .as_ref()
            .is_some_and(|v| v.iter().any(|r| r.state == state))
    }

    /// The capofila's actions the notice allows now (the store checks again).
    fn management(&self) -> Vec<Action> {
        if !self.manage || self.notice.is_none() {
            return Vec::new();
        }
        let closed = self.state == "CHIUSO";
        let final_ = self.any_ranking("DEFINITIVA");
        let provisional = self.any_ranking("PROVVISORIA");
        let mut v = Vec::new();
        if !closed {
            v.push(Action::NoticeClose);
        }
        if !final_ {
            v.push(Action::ApplicationsImport);
        }
        if closed && !final_ {
            v.push(Action::RankingsCompute);
        }
        if provisional {
            v.push(Action::RankingsCorrect);
            v.push(Action::RankingsFinalize);
        }
        v
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.form.is_some() {
            return Form::actions();
        }
        if self.found.is_some() {
            return vec![Action::Up, Action::Down, Action::Select, Action::Back];
        }
        if !self.problems.is_empty() {
            return vec![Action::Up, Action::Down, Action::Back];
        }
        let has_rankings = self.rankings.as_ref().is_some_and(|r| !r.is_empty());
        // The capofila's actions first: the legend shows as many as fit, in this order.
        let mut v = vec![Action::Up, Action::Down, Action::Select];
        v.extend(self.management());
        if has_rankings {
            v.push(Action::Filter);
            v.push(Action::WhatIf);
        }
        v.push(Action::Refresh);
        v
    }

    pub fn consumes_back(&self) -> bool {
        self.form.is_some() || self.found.is_some() || !self.problems.is_empty()
    }

    fn on_form(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        let Some((dialog, f)) = &mut self.form else {
            return ScreenOutcome::none();
        };
        match action {
            Action::Back => {
                self.form = None;
                ScreenOutcome::none()
            }
            Action::Select => {
                let checked = match dialog {
                    Dialog::Import => manage::import(f, self.notice_id),
                    Dialog::Correct => manage::correct(f, self.notice_id),
                    Dialog::Find => {
                        let part = f.values()[0].to_string();
                        if part.is_empty() {
                            Err((0, "ID domanda: scrivere l'ID o una sua parte".into()))
                        } else {
                            self.generation = generation;
                            return ScreenOutcome::requests(vec![super::request(
                                generation,
                                super::Query::Find {
                                    notice_id: self.notice_id,
                                    part,
                                },
                            )]);
                        }
                    }
                };
                match checked {
                    Ok(a) => {
                        self.generation = generation;
                        let note = match &a {
                            Act::Import { file, .. } => {
                                Some(format!("Lettura e verifica di {}…", file.display()))
                            }
                            _ => None,
                        };
                        let mut out = act(generation, a);
                        out.message = note.map(Message::Info);
                        out
                    }
                    Err((i, m)) => {
                        f.refuse(i);
                        ScreenOutcome::message(Message::Error(m))
                    }
                }
            }
            a => {
                f.navigate(a);
                ScreenOutcome::none()
            }
        }
    }

    /// What pressing `action` a first time says; `None` when it acts at once.
    fn confirmation(&self, action: Action) -> Option<String> {
        let n = self.notice.as_ref()?;
        let apps = n.applications;
        Some(match action {
            Action::NoticeClose => format!(
                "Chiudere l'avviso {} prima del {}? Non si presentano più domande",
                n.id,
                n.closes_on.format("%d/%m/%Y")
            ),
            Action::RankingsCompute => {
                format!("Calcolare le graduatorie ({apps} domande)? Sostituisce quelle provvisorie")
            }
            Action::RankingsFinalize => {
                "Rendere definitive le graduatorie? Poi niente rettifiche né nuove domande".into()
            }
            _ => return None,
        })
    }

    pub(super) fn on_action(
        &mut self,
        action: Action,
        size: (u16, u16),
        generation: u64,
    ) -> ScreenOutcome {
        if self.form.is_some() {
            return self.on_form(action, generation);
        }
        let confirming = self.confirm.take();
        if let Some(found) = &self.found {
            return match action {
                Action::Back => {
                    self.found = None;
                    ScreenOutcome::none()
                }
                Action::Select => match (found.get(self.found_selected), &self.notice) {
                    (Some((info, p)), Some(notice)) => {
                        let mut view = RankingView::new(
                            notice,
                            info.clone(),
                            self.unverified.clone(),
                            ranking_rows(size.0, size.1),
                        );
                        view.open_at = Some(p.code.clone());
                        view.conditions = self.conditions.clone();
                        push(Rankings::Ranking(view))
                    }
                    _ => ScreenOutcome::none(),
                },
                a => {
                    step(&mut self.found_selected, found.len(), a, 10);
                    ScreenOutcome::none()
                }
            };
        }
        if !self.problems.is_empty() {
            match action {
                Action::Back => {
                    self.problems.clear();
                    self.problems_scroll = 0;
                }
                Action::Down => {
                    self.problems_scroll =
                        (self.problems_scroll + 1).min(self.problems.len().saturating_sub(1));
                }
                Action::Up => self.problems_scroll = self.problems_scroll.saturating_sub(1),
                _ => {}
            }
            return ScreenOutcome::none();
        }
        let n = self.rankings.as_ref().map_or(0, Vec::len);
        let chosen = self
            .rankings
            .as_ref()
            .and_then(|v| v.get(self.selected))
            .cloned();
        if self.management().contains(&action) {
            if confirming != Some(action)
                && let Some(question) = self.confirmation(action)
            {
                self.confirm = Some(action);
                return ScreenOutcome::message(Message::Warning(question));
            }
            let id = self.notice_id;
            let a = match action {
                Action::NoticeClose => Act::Close { notice_id: id },
                Action::RankingsCompute => Act::Compute { notice_id: id },
                Action::RankingsFinalize => Act::Finalize { notice_id: id },
                Action::ApplicationsImport => {
                    self.form = Some((Dialog::Import, manage::import_form()));
                    return ScreenOutcome::none();
                }
                Action::RankingsCorrect => {
                    self.form = Some((Dialog::Correct, manage::correct_form("")));
                    return ScreenOutcome::none();
                }
                _ => return ScreenOutcome::none(),
            };
            self.generation = generation;
            return act(generation, a);
        }
        match (action, &self.notice) {
            (Action::Select, Some(notice)) => match chosen {
                Some(info) => {
                    let mut view = RankingView::new(
                        notice,
                        info,
                        self.unverified.clone(),
                        ranking_rows(size.0, size.1),
                    );
                    view.conditions = self.conditions.clone();
                    push(Rankings::Ranking(view))
                }
                None => ScreenOutcome::message(Message::Warning(
                    "Nessuna graduatoria: il capofila la calcola dopo la chiusura dell'avviso"
                        .into(),
                )),
            },
            (Action::Filter, Some(_)) if n > 0 => {
                self.form = Some((Dialog::Find, manage::find_form()));
                ScreenOutcome::none()
            }
            (Action::WhatIf, Some(notice)) => push(Rankings::WhatIf(WhatIf::new(notice))),
            (a, _) => {
                step(&mut self.selected, n, a, 10);
                ScreenOutcome::none()
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::Rankings {
                notice,
                state,
                rankings,
                unverified,
                manage,
                outcome,
                conditions,
            } => {
                self.conditions = conditions;
                self.selected = self.selected.min(rankings.len().saturating_sub(1));
                self.notice = Some(notice);
                self.state = state;
                self.rankings = Some(rankings);
                self.unverified = unverified;
                self.manage = manage;
                let Some(Outcome { message, problems }) = outcome else {
                    return ScreenOutcome::none();
                };
                // Done: the dialog closes. Refused: it stays as typed, the reason below.
                if !matches!(message, Message::Error(_)) || !problems.is_empty() {
                    self.form = None;
                }
                self.problems = problems;
                self.problems_scroll = 0;
                ScreenOutcome::message(message)
            }
            Data::Found(found) => {
                if found.is_empty() {
                    return ScreenOutcome::message(Message::Warning(
                        "Nessuna domanda con questo ID nelle graduatorie che si possono consultare"
                            .into(),
                    ));
                }
                let message = Message::Info(format!(
                    "{}{}",
                    if found.len() == 1 {
                        "1 posizione trovata".to_string()
                    } else {
                        format!("{} posizioni trovate", found.len())
                    },
                    if found.len() >= FIND_LIMIT {
                        " (le prime: scrivere più caratteri dell'ID)"
                    } else {
                        ""
                    }
                ));
                self.form = None;
                self.found = Some(found);
                self.found_selected = 0;
                ScreenOutcome::message(message)
            }
            _ => ScreenOutcome::none(),
        }
    }
}

/// Placements shown at most by a search of an ID domanda.
pub const FIND_LIMIT: usize = 200;

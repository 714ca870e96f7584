//! One ranking, paged by position, with the jump to an ID domanda.

use super::{Data, ExplainView, Query, Rankings, Step, push, step};
use crate::app::Message;
use crate::app::field::TextField;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::store::notices::Notice;
use crate::store::rankings::{EntryRow, RankingInfo};

/// One ranking, a window of rows around the cursor read by position.
#[derive(Debug)]
pub struct RankingView {
    pub notice: Box<Notice>,
    pub info: RankingInfo,
    pub unverified: Option<String>,
    pub rows: Vec<EntryRow>,
    pub loaded: bool,
    /// Index into `rows`.
    pub selected: usize,
    /// Rows per window.
    pub limit: usize,
    pub jump: TextField,
    pub jump_focus: bool,
    /// Opened on an application found in the notice: its ID, until the first window comes.
    pub open_at: Option<String>,
    /// The categories of the notice's rule set (code, name): rows show names.
    pub conditions: Vec<(String, String)>,
    pub(super) generation: u64,
}

impl RankingView {
    pub fn new(
        notice: &Notice,
        info: RankingInfo,
        unverified: Option<String>,
        limit: usize,
    ) -> RankingView {
        RankingView {
            notice: Box::new(notice.clone()),
            info,
            unverified,
            rows: Vec::new(),
            loaded: false,
            selected: 0,
            limit,
            jump: TextField::new(20),
            jump_focus: false,
            open_at: None,
            conditions: Vec::new(),
            generation: 0,
        }
    }

    fn page(&self, after: Option<i64>, before: Option<i64>, select: i64) -> Step {
        Some(Ok(Query::Page {
            ranking_id: self.info.id,
            after,
            before,
            limit: self.limit,
            select: Some(select),
        }))
    }

    /// The names of the categories a row scored ("Anziani: …; …"); a code the rule set does
    /// not name stays as it is.
    pub fn category_names(&self, codes: &str) -> String {
        codes
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| {
                self.conditions
                    .iter()
                    .find(|(code, _)| code == c)
                    .map_or(c, |(_, name)| name.as_str())
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    pub(super) fn on_action(&mut self, action: Action) -> Step {
        if self.jump_focus {
            return match action {
                Action::Back => {
                    self.jump_focus = false;
                    None
                }
                Action::Select => Some(Ok(Query::Jump {
                    ranking_id: self.info.id,
                    code: self.jump.value().to_string(),
                    limit: self.limit,
                })),
                _ => None,
            };
        }
        let (Some(first), Some(last)) = (self.rows.first(), self.rows.last()) else {
            return None;
        };
        let (first, last) = (first.position, last.position);
        let entries = self.info.entries;
        let at = self.rows.get(self.selected).map_or(first, |r| r.position);
        match action {
            Action::Filter => {
                self.jump_focus = true;
                None
            }
            Action::Select => self.rows.get(self.selected).map(|r| {
                Err(push(Rankings::Explain(ExplainView::new(
                    self.notice.id,
                    &r.code,
                ))))
            }),
            Action::Down if at == last && last < entries => self.page(Some(last), None, last + 1),
            Action::Up if at == first && first > 1 => self.page(None, Some(first), first - 1),
            Action::PageDown if last < entries => self.page(Some(last), None, last + 1),
            Action::PageUp if first > 1 => {
                let to = (first - self.limit as i64).max(1);
                self.page(None, Some(first), to)
            }
            Action::First if first > 1 => self.page(None, None, 1),
            Action::Last if last < entries => self.page(None, Some(entries + 1), entries),
            a => {
                step(&mut self.selected, self.rows.len(), a, self.limit);
                None
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::Page {
                rows,
                select,
                entries,
            } => {
                self.selected = select
                    .and_then(|p| rows.iter().position(|r| r.position == p))
                    .unwrap_or(0);
                self.rows = rows;
                self.info.entries = entries;
                self.loaded = true;
                if let Some(code) = self.open_at.take() {
                    return ScreenOutcome::message(Message::Info(format!(
                        "Domanda {code} in posizione {}",
                        self.rows.get(self.selected).map_or(0, |r| r.position)
                    )));
                }
                if self.jump_focus {
                    // The jump went through: back to the table, on the row found.
                    self.jump_focus = false;
                    if let Some(r) = self.rows.get(self.selected) {
                        return ScreenOutcome::message(Message::Info(format!(
                            "Domanda {} in posizione {}",
                            r.code, r.position
                        )));
                    }
                }
                ScreenOutcome::none()
            }
            Data::NotFound(m) => ScreenOutcome::message(Message::Warning(m)),
            _ => ScreenOutcome::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn row(position: i64) -> EntryRow {
        EntryRow {
            position,
            application_id: position,
            code: format!("D-{position}"),
            isbar: 0,
            familiari: 0,
            abitative: 0,
            economica: 0,
            residenza_regione: 0,
            residenza_comune: 0,
            indigent: false,
            without_preferences: false,
            unit1: None,
            unit2: None,
            conditions: String::new(),
            isee_cents: 0,
            outcome: None,
        }
    }

    fn view(entries: i64) -> RankingView {
        let notice = Notice {
            id: 1,
            district_id: 1,
            district_code: "X".into(),
            district_name: "X".into(),
            title: "t".into(),
            opens_on: NaiveDate::MIN,
            closes_on: NaiveDate::MIN,
            rule_set_id: 1,
            rule_set: "r".into(),
            state: "CHIUSO".into(),
            created_at: String::new(),
            created_by: String::new(),
            closed_at: None,
            units: 0,
            applications: 0,
            version: 1,
        };
        let info = RankingInfo {
            id: 5,
            notice_id: 1,
            owner_id: 1,
            owner_name: "E".into(),
            istat_code: "0".into(),
            comune: "C".into(),
            state: "PROVVISORIA".into(),
            entries,
            computed_at: String::new(),
            provisional_on: String::new(),
            final_on: None,
            version: 1,
        };
        RankingView::new(&notice, info, None, 10)
    }

    #[test]
    fn moving_past_the_window_asks_the_next_one_by_position() {
        let mut v = view(25);
        v.on_data(Data::Page {
            rows: (1..=10).map(row).collect(),
            select: None,
            entries: 25,
        });
        // Inside the window: no query.
        assert!(v.on_action(Action::Down).is_none());
        assert_eq!(v.selected, 1);
        assert!(v.on_action(Action::Up).is_none());
        // At the top of the ranking Up asks nothing.
        assert!(v.on_action(Action::Up).is_none());
        let Some(Ok(Query::Page { before, select, .. })) = v.on_action(Action::Last) else {
            panic!("Last asks the last window");
        };
        assert_eq!((before, select), (Some(26), Some(25)));
        for _ in 0..9 {
            assert!(v.on_action(Action::Down).is_none());
        }
        assert_eq!(v.selected, 9);
        let Some(Ok(q)) = v.on_action(Action::Down) else {
            panic!("Down at the window's end asks the next window");
        };
        assert_eq!(
            q,
            Query::Page {
                ranking_id: 5,
                after: Some(10),
                before: None,
                limit: 10,
                select: Some(11)
            }
        );
        v.on_data(Data::Page {
            rows: (11..=20).map(row).collect(),
            select: Some(11),
            entries: 25,
        });
        assert_eq!(v.selected, 0);
        let Some(Ok(Query::Page { before, select, .. })) = v.on_action(Action::Up) else {
            panic!("Up at the window's start asks the previous window");
        };
        assert_eq!((before, select), (Some(11), Some(10)));
    }

    #[test]
    fn letters_go_into_the_jump_field() {
        let mut v = view(25);
        v.on_data(Data::Page {
            rows: (1..=10).map(row).collect(),
            select: None,
            entries: 25,
        });
        v.on_action(Action::Filter);
        assert!(v.jump_focus);
        let Some(Ok(Query::Jump { code, .. })) = v.on_action(Action::Select) else {
            panic!("Enter in the field jumps");
        };
        assert_eq!(code, "");
        v.on_data(Data::NotFound("x".into()));
        assert!(v.jump_focus, "a failed jump keeps the field");
        v.on_data(Data::Page {
            rows: (11..=20).map(row).collect(),
            select: Some(14),
            entries: 25,
        });
        assert!(!v.jump_focus);
        assert_eq!(v.rows[v.selected].position, 14);
    }
}

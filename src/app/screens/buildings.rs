//! Ricerca fabbricati: four filters (ente, comune, codice fabbricato, indirizzo), the list in
//! address order paged by key (the row before or after the page, never an offset), the count.
//! Select on a building opens Ricerca alloggi filtered by that building (its code and owner).

use super::{DataMsg, Request, Screen, ScreenOutcome, Search};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::{Message, Session};
use crate::domain::registry_search::{Field, Kind, Typed};
use crate::domain::unit_filter::FilterField;
use crate::store::registry_search::{BuildingCursor, BuildingRow};
use crate::store::search::Direction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Field(usize),
}

#[derive(Debug)]
pub struct Buildings {
    pub fields: Vec<TextField>,
    pub focus: Focus,
    /// The field a refusal named.
    pub invalid: Option<Field>,
    pub rows: Vec<BuildingRow>,
    pub selected: usize,
    pub page_size: usize,
    pub at_start: bool,
    pub at_end: bool,
    pub count: Option<i64>,
    pub loading: bool,
    /// The filter of the rows shown (paging keeps it while the form is edited).
    pub applied: Typed,
    generation: u64,
}

fn mk_fields() -> Vec<TextField> {
    Kind::Buildings
        .fields()
        .iter()
        .map(|f| TextField::new(f.max_chars()))
        .collect()
}

impl Buildings {
    pub fn new(page_size: usize) -> Buildings {
        Buildings {
            fields: mk_fields(),
            focus: Focus::Table,
            invalid: None,
            rows: Vec::new(),
            selected: 0,
            page_size: page_size.max(1),
            at_start: true,
            at_end: true,
            count: None,
            loading: true,
            applied: Typed::default(),
            generation: 0,
        }
    }

    pub fn input(&self) -> Typed {
        let mut t = Typed::default();
        for (f, v) in Kind::Buildings.fields().iter().zip(&self.fields) {
            t.set(*f, v.value());
        }
        t
    }

    pub fn focused_field(&self) -> Option<Field> {
        match self.focus {
            Focus::Field(i) => Kind::Buildings.fields().get(i).copied(),
            Focus::Table => None,
        }
    }

    fn request(
        &mut self,
        cursor: Option<BuildingCursor>,
        direction: Direction,
        with_count: bool,
        generation: u64,
    ) -> Vec<Request> {
        self.generation = generation;
        self.loading = true;
        if with_count {
            self.count = None;
        }
        vec![Request::Buildings {
            generation,
            typed: self.applied.clone(),
            cursor,
            direction,
            limit: self.page_size,
            with_count,
        }]
    }

    /// A new search from the first page with the form as it is now.
    fn restart(&mut self, generation: u64) -> Vec<Request> {
        self.applied = self.input();
        self.selected = 0;
        self.request(None, Direction::Forward, true, generation)
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.restart(generation)
    }

    pub fn resize(&mut self, page_size: usize, generation: u64) -> Vec<Request> {
        let page_size = page_size.max(1);
        if page_size == self.page_size {
            return Vec::new();
        }
        self.page_size = page_size;
        self.restart(generation)
    }

    pub fn in_text(&self) -> bool {
        matches!(self.focus, Focus::Field(_))
    }

    pub fn actions(&self) -> Vec<Action> {
        vec![
            Action::Filter,
            Action::Select,
            Action::ClearFilters,
            Action::Refresh,
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::First,
            Action::Last,
            Action::NextField,
            Action::PrevField,
        ]
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        let k = |a| keys.key(a);
        match self.focus {
            Focus::Field(_) => format!(
                "Scrivere il filtro, {} cerca; {} campo, {} ai risultati",
                k(Action::Select),
                k(Action::NextField),
                keys.plain(Action::Back)
            ),
            Focus::Table => format!(
                "{} mostra gli alloggi del fabbricato; {} filtri",
                k(Action::Select),
                keys.plain(Action::Filter)
            ),
        }
    }

    pub fn on_action(
        &mut self,
        action: Action,
        session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        let n = self.fields.len();
        match action {
            Action::Back => self.focus = Focus::Table,
            Action::Filter => {
                let at = self
                    .invalid
                    .and_then(|f| Kind::Buildings.fields().iter().position(|x| *x == f));
                self.focus = Focus::Field(at.unwrap_or(0));
            }
            Action::NextField | Action::PrevField => {
                self.focus = match (self.focus, action) {
                    (Focus::Table, Action::NextField) => Focus::Field(0),
                    (Focus::Table, _) => Focus::Field(n - 1),
                    (Focus::Field(i), Action::NextField) if i + 1 < n => Focus::Field(i + 1),
                    (Focus::Field(i), Action::PrevField) if i > 0 => Focus::Field(i - 1),
                    _ => Focus::Table,
                }
            }
            Action::ClearFilters => {
                self.fields = mk_fields();
                self.invalid = None;
                return ScreenOutcome::requests(self.restart(generation));
            }
            Action::Refresh => return ScreenOutcome::requests(self.restart(generation)),
            Action::Select => match self.focus {
                Focus::Field(_) => {
                    self.focus = Focus::Table;
                    return ScreenOutcome::requests(self.restart(generation));
                }
                Focus::Table => return self.open_units(session),
            },
            Action::Up | Action::Down => return self.move_by(action == Action::Down, generation),
            Action::PageUp => return self.turn_page(Direction::Backward, generation),
            Action::PageDown => return self.turn_page(Direction::Forward, generation),
            Action::First => {
                self.selected = 0;
                return ScreenOutcome::requests(self.request(
                    None,
                    Direction::Forward,
                    false,
                    generation,
                ));
            }
            Action::Last => {
                self.selected = usize::MAX;
                return ScreenOutcome::requests(self.request(
                    None,
                    Direction::Backward,
                    false,
                    generation,
                ));
            }
            _ => {}
        }
        ScreenOutcome::none()
    }

    /// Ricerca alloggi filtered by the selected building: its code and its owner (codes are
    /// unique per owner only).
    fn open_units(&self, session: &Session) -> ScreenOutcome {
        let Some(b) = self.rows.get(self.selected) else {
            return ScreenOutcome::message(Message::Warning("Nessun fabbricato selezionato".into()));
        };
        let mut s = Search::new(
            super::super::layout::table_rows(session.size.0, session.size.1),
            session.plan_year,
        );
        s.fields[Search::field_index(FilterField::BuildingCode)].set(&b.code);
        s.fields[Search::field_index(FilterField::Owner)].set(&b.owner_tax_code);
        ScreenOutcome::push(Screen::Search(Box::new(s)))
    }

    fn move_by(&mut self, down: bool, generation: u64) -> ScreenOutcome {
        self.focus = Focus::Table;
        if self.rows.is_empty() || self.loading {
            return ScreenOutcome::none();
        }
        if down {
            if self.selected + 1 < self.rows.len() {
                self.selected += 1;
            } else if !self.at_end {
                self.selected = 0;
                return self.turn_page(Direction::Forward, generation);
            }
        } else if self.selected > 0 {
            self.selected -= 1;
        } else if !self.at_start {
            self.selected = usize::MAX;
            return self.turn_page(Direction::Backward, generation);
        }
        ScreenOutcome::none()
    }

    fn turn_page(&mut self, direction: Direction, generation: u64) -> ScreenOutcome {
        if self.loading {
            return ScreenOutcome::none();
        }
        let (row, blocked) = match direction {
            Direction::Forward => (self.rows.last(), self.at_end),
            Direction::Backward => (self.rows.first(), self.at_start),
        };
        let Some(cursor) = row.map(BuildingRow::cursor).filter(|_| !blocked) else {
            self.selected = match direction {
                Direction::Forward => self.rows.len().saturating_sub(1),
                Direction::Backward => 0,
            };
            return ScreenOutcome::none();
        };
        ScreenOutcome::requests(self.request(Some(cursor), direction, false, generation))
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Focus::Field(i) => self.fields.get_mut(i),
            Focus::Table => None,
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Buildings {
                generation,
                page,
                count,
            } if generation == self.generation => {
                self.loading = false;
                self.invalid = None;
                self.at_start = page.at_start;
                self.at_end = page.at_end;
                self.selected = self.selected.min(page.rows.len().saturating_sub(1));
                self.rows = page.rows;
                if count.is_some() {
                    self.count = count;
                }
                ScreenOutcome::none()
            }
            DataMsg::RegistryRefused {
                generation,
                field,
                message,
            } if generation == self.generation => {
                self.loading = false;
                self.invalid = Some(field);
                self.rows.clear();
                self.count = None;
                ScreenOutcome::message(Message::Error(message))
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                self.loading = false;
                self.rows.clear();
                self.count = None;
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

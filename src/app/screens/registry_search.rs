//! Ricerca fabbricati and Ricerca inquilini: four filters each (ente, comune, then codice
//! fabbricato and indirizzo, or codice fiscale and cognome), the list paged by key (the row
//! before or after the page, never an offset), the count. Select on a building opens Ricerca
//! alloggi filtered by that building (its code and owner); on a tenant, the card of the
//! household's unit (where the helpdesk reveals personal data, audited).

use super::{DataMsg, Request, Screen, ScreenOutcome, Search};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::{Message, Session};
use crate::domain::registry_search::{Field, Kind, Typed};
use crate::domain::unit_filter::FilterField;
use crate::store::registry_search::{BuildingRow, TenantRow};
use crate::store::search::Direction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Field(usize),
}

/// The rows shown: buildings or tenants.
#[derive(Debug)]
pub enum Rows {
    Buildings(Vec<BuildingRow>),
    Tenants(Vec<TenantRow>),
}

impl Rows {
    pub fn len(&self) -> usize {
        match self {
            Rows::Buildings(r) => r.len(),
            Rows::Tenants(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn empty(kind: Kind) -> Rows {
        match kind {
            Kind::Buildings => Rows::Buildings(Vec::new()),
            Kind::Tenants => Rows::Tenants(Vec::new()),
        }
    }
}

#[derive(Debug)]
pub struct RegistrySearch {
    pub kind: Kind,
    pub fields: Vec<TextField>,
    pub focus: Focus,
    /// The field a refusal named.
    pub invalid: Option<Field>,
    pub rows: Rows,
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

fn mk_fields(kind: Kind) -> Vec<TextField> {
    kind.fields()
        .iter()
        .map(|f| TextField::new(f.max_chars()))
        .collect()
}

impl RegistrySearch {
    pub fn new(kind: Kind, page_size: usize) -> RegistrySearch {
        RegistrySearch {
            kind,
            fields: mk_fields(kind),
            focus: Focus::Table,
            invalid: None,
            rows: Rows::empty(kind),
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
        for (f, v) in self.kind.fields().iter().zip(&self.fields) {
            t.set(*f, v.value());
        }
        t
    }

    pub fn focused_field(&self) -> Option<Field> {
        match self.focus {
            Focus::Field(i) => self.kind.fields().get(i).copied(),
            Focus::Table => None,
        }
    }

    /// A page after (forward) or before the row `from` of the page shown (none: the first or
    /// the last page).
    fn request(
        &mut self,
        from: Option<usize>,
        direction: Direction,
        with_count: bool,
        generation: u64,
    ) -> Vec<Request> {
        self.generation = generation;
        self.loading = true;
        if with_count {
            self.count = None;
        }
        let (typed, limit) = (self.applied.clone(), self.page_size);
        vec![match &self.rows {
            Rows::Buildings(r) => Request::Buildings {
                generation,
                typed,
                cursor: from.and_then(|i| r.get(i)).map(BuildingRow::cursor),
                direction,
                limit,
                with_count,
            },
            Rows::Tenants(r) => Request::Tenants {
                generation,
                typed,
                after: from.and_then(|i| r.get(i)).map(|t| t.id),
                direction,
                limit,
                with_count,
            },
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
        let opens = match self.kind {
            Kind::Buildings => "mostra gli alloggi del fabbricato",
            Kind::Tenants => "apre l'alloggio del nucleo",
        };
        match self.focus {
            Focus::Field(_) => format!(
                "Scrivere il filtro, {} cerca; {} campo, {} ai risultati",
                k(Action::Select),
                k(Action::NextField),
                keys.plain(Action::Back)
            ),
            Focus::Table => format!(
                "{} {opens}; {} filtri",
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
                    .and_then(|f| self.kind.fields().iter().position(|x| *x == f));
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
                self.fields = mk_fields(self.kind);
                self.invalid = None;
                return ScreenOutcome::requests(self.restart(generation));
            }
            Action::Refresh => return ScreenOutcome::requests(self.restart(generation)),
            Action::Select => match self.focus {
                Focus::Field(_) => {
                    self.focus = Focus::Table;
                    return ScreenOutcome::requests(self.restart(generation));
                }
                Focus::Table => return self.open(session),
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

    /// The selected building's units, or the selected tenant's unit.
    fn open(&self, session: &Session) -> ScreenOutcome {
        let b = match &self.rows {
            Rows::Tenants(r) => {
                return match r.get(self.selected) {
                    Some(t) => ScreenOutcome::push(Screen::detail(t.unit_id)),
                    None => ScreenOutcome::message(Message::Warning(
                        "Nessun inquilino selezionato".into(),
                    )),
                };
            }
            Rows::Buildings(r) => match r.get(self.selected) {
                Some(b) => b,
                None => {
                    return ScreenOutcome::message(Message::Warning(
                        "Nessun fabbricato selezionato".into(),
                    ));
                }
            },
        };
        // Ricerca alloggi filtered by the building: its code and its owner (codes are unique
        // per owner only).
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
            Direction::Forward => (self.rows.len().checked_sub(1), self.at_end),
            Direction::Backward => ((!self.rows.is_empty()).then_some(0), self.at_start),
        };
        let Some(from) = row.filter(|_| !blocked) else {
            self.selected = match direction {
                Direction::Forward => self.rows.len().saturating_sub(1),
                Direction::Backward => 0,
            };
            return ScreenOutcome::none();
        };
        ScreenOutcome::requests(self.request(Some(from), direction, false, generation))
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match self.focus {
            Focus::Field(i) => self.fields.get_mut(i),
            Focus::Table => None,
        }
    }

    fn shown(&mut self, rows: Rows, at_start: bool, at_end: bool, count: Option<i64>) {
        self.loading = false;
        self.invalid = None;
        self.at_start = at_start;
        self.at_end = at_end;
        self.selected = self.selected.min(rows.len().saturating_sub(1));
        self.rows = rows;
        if count.is_some() {
            self.count = count;
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Buildings {
                generation,
                page,
                count,
            } if generation == self.generation => {
                self.shown(
                    Rows::Buildings(page.rows),
                    page.at_start,
                    page.at_end,
                    count,
                );
                ScreenOutcome::none()
            }
            DataMsg::Tenants {
                generation,
                page,
                count,
            } if generation == self.generation => {
                self.shown(Rows::Tenants(page.rows), page.at_start, page.at_end, count);
                ScreenOutcome::none()
            }
            DataMsg::RegistryRefused {
                generation,
                field,
                message,
            } if generation == self.generation => {
                self.loading = false;
                self.invalid = Some(field);
                self.rows = Rows::empty(self.kind);
                self.count = None;
                ScreenOutcome::message(Message::Error(message))
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                self.loading = false;
                self.rows = Rows::empty(self.kind);
                self.count = None;
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

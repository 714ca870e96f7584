//! Ricerca occupazioni: the filter form, the table paged by key (the id after the last row or
//! before the first, never an offset), the count, the lists of values.

use super::{Data, OccupationCard, Occupations, Query, push};
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::app::screens::ScreenOutcome;
use crate::app::{Message, Session};
use crate::domain::occupation::codes::{CodeList, CodeLists};
use crate::domain::occupation::filter::{Field, FilterText};
use crate::store::occupations::search::{Direction, OccupationRow};

/// The form's fields, in Tab order.
pub const FILTER_FIELDS: [Field; 8] = Field::ALL;

/// Fields with a list of values (F4).
pub fn has_list(field: Field) -> bool {
    matches!(
        field,
        Field::Owner | Field::Comune | Field::Kind | Field::Status
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Field(usize),
}

/// A list of values open on a field: (value written, label shown).
#[derive(Debug, Clone, PartialEq)]
pub struct Lov {
    pub field: Field,
    pub items: Vec<(String, String)>,
    pub selected: usize,
    pub loading: bool,
}

#[derive(Debug)]
pub struct OccupationSearch {
    pub fields: Vec<TextField>,
    pub focus: Focus,
    pub invalid: Option<Field>,
    pub rows: Vec<OccupationRow>,
    pub selected: usize,
    pub page_size: usize,
    pub at_start: bool,
    pub at_end: bool,
    pub count: Option<i64>,
    pub loading: bool,
    pub lov: Option<Lov>,
    pub codes: Option<CodeLists>,
    pub applied: FilterText,
    pub debounce_pending: bool,
    /// The operator may record occupations (Nuova occupazione).
    pub may_record: bool,
    pub(super) generation: u64,
}

fn mk_fields() -> Vec<TextField> {
    FILTER_FIELDS
        .iter()
        .map(|f| {
            TextField::new(match f {
                Field::Kind => 40,
                Field::Status => 10,
                Field::From | Field::To => 10,
                Field::TaxCode => 16,
                _ => 80,
            })
        })
        .collect()
}

impl OccupationSearch {
    pub fn new(page_size: usize, may_record: bool) -> OccupationSearch {
        OccupationSearch {
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
            lov: None,
            codes: None,
            applied: FilterText::default(),
            debounce_pending: false,
            may_record,
            generation: 0,
        }
    }

    pub fn input(&self) -> FilterText {
        let mut t = FilterText::default();
        for (f, v) in FILTER_FIELDS.iter().zip(&self.fields) {
            t.set(*f, Some(v.value()));
        }
        t
    }

    pub fn field_index(field: Field) -> usize {
        FILTER_FIELDS.iter().position(|f| *f == field).unwrap_or(0)
    }

    pub fn focused_field(&self) -> Option<Field> {
        match self.focus {
            Focus::Field(i) => FILTER_FIELDS.get(i).copied(),
            Focus::Table => None,
        }
    }

    /// The first queries: the code lists, then the first page.
    pub fn first_queries(&mut self) -> Vec<Query> {
        vec![Query::Codes, self.restart()]
    }

    /// A new search from the first page with the form as it is now.
    pub fn restart(&mut self) -> Query {
        self.applied = self.input();
        self.debounce_pending = false;
        self.selected = 0;
        self.page(None, Direction::Forward, true)
    }

    fn page(&mut self, cursor: Option<i64>, direction: Direction, with_count: bool) -> Query {
        self.loading = true;
        if with_count {
            self.count = None;
        }
        Query::Page {
            input: self.applied.clone(),
            cursor,
            direction,
            limit: self.page_size,
            with_count,
        }
    }

    pub(super) fn resize(&mut self, page_size: usize) -> Option<Query> {
        let page_size = page_size.max(1);
        if page_size == self.page_size || self.debounce_pending {
            self.page_size = page_size;
            return None;
        }
        self.page_size = page_size;
        let before_first = self.rows.first().map(|r| r.id - 1);
        Some(self.page(before_first, Direction::Forward, false))
    }

    pub fn in_text(&self) -> bool {
        self.lov.is_none() && matches!(self.focus, Focus::Field(_))
    }

    pub fn consumes_back(&self) -> bool {
        self.lov.is_some() || matches!(self.focus, Focus::Field(_))
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.lov.is_some() {
            return vec![Action::Up, Action::Down, Action::Select];
        }
        let mut v = vec![Action::Filter, Action::Select];
        if self.may_record {
            v.push(Action::OccupationNew);
        }
        v.extend([
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
        ]);
        if self.focused_field().is_some_and(has_list) {
            v.insert(1, Action::ListOfValues);
        }
        v
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        let k = |a| keys.key(a);
        let back = keys.plain(Action::Back);
        if let Some(l) = &self.lov {
            return format!(
                "{}: scegliere con {} e {}, {back} annulla",
                l.field.label(),
                keys.pair(Action::Up, Action::Down),
                k(Action::Select)
            );
        }
        match self.focus {
            Focus::Field(_) => format!(
                "Scrivere il filtro: la ricerca parte da sola; {} campo, {back} ai risultati",
                k(Action::NextField)
            ),
            Focus::Table if self.may_record => format!(
                "{} apre la scheda; {} filtri, {} nuova occupazione",
                k(Action::Select),
                keys.plain(Action::Filter),
                k(Action::OccupationNew)
            ),
            Focus::Table => format!(
                "{} apre la scheda dell'occupazione; {} filtri",
                k(Action::Select),
                keys.plain(Action::Filter)
            ),
        }
    }

    pub(super) fn on_action(
        &mut self,
        action: Action,
        session: &Session,
    ) -> (Vec<Query>, ScreenOutcome) {
        let none = || (Vec::new(), ScreenOutcome::none());
        if self.lov.is_some() {
            return self.on_lov_action(action);
        }
        match action {
            Action::Back => {
                self.focus = Focus::Table;
                none()
            }
            Action::Filter => {
                self.focus = Focus::Field(self.invalid.map_or(0, Self::field_index));
                none()
            }
            Action::NextField | Action::PrevField => {
                let n = FILTER_FIELDS.len();
                self.focus = match (self.focus, action) {
                    (Focus::Table, Action::NextField) => Focus::Field(0),
                    (Focus::Table, _) => Focus::Field(n - 1),
                    (Focus::Field(i), Action::NextField) if i + 1 < n => Focus::Field(i + 1),
                    (Focus::Field(i), Action::PrevField) if i > 0 => Focus::Field(i - 1),
                    _ => Focus::Table,
                };
                none()
            }
            Action::ListOfValues => match self.focused_field() {
                Some(f) if has_list(f) => self.open_lov(f),
                _ => (
                    Vec::new(),
                    ScreenOutcome::message(Message::Warning(
                        "Nessun elenco di valori per questo campo".into(),
                    )),
                ),
            },
            Action::ClearFilters => {
                self.fields = mk_fields();
                self.invalid = None;
                self.focus = Focus::Table;
                (vec![self.restart()], ScreenOutcome::none())
            }
            Action::Refresh => (vec![self.restart()], ScreenOutcome::none()),
            Action::Select => match self.focus {
                Focus::Field(_) => {
                    self.focus = Focus::Table;
                    (vec![self.restart()], ScreenOutcome::none())
                }
                Focus::Table => match self.rows.get(self.selected) {
                    Some(r) => (
                        Vec::new(),
                        push(Occupations::Card(Box::new(OccupationCard::open(
                            r.id,
                            self.codes.clone(),
                        )))),
                    ),
                    None => (
                        Vec::new(),
                        ScreenOutcome::message(Message::Warning(
                            "Nessuna occupazione selezionata".into(),
                        )),
                    ),
                },
            },
            Action::OccupationNew if self.may_record => (
                Vec::new(),
                push(Occupations::Card(Box::new(OccupationCard::new_record(
                    self.codes.clone(),
                    session,
                )))),
            ),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.turn_page(Direction::Backward),
            Action::PageDown => self.turn_page(Direction::Forward),
            Action::First => {
                self.selected = 0;
                (
                    vec![self.page(None, Direction::Forward, false)],
                    ScreenOutcome::none(),
                )
            }
            Action::Last => {
                self.selected = usize::MAX;
                (
                    vec![self.page(None, Direction::Backward, false)],
                    ScreenOutcome::none(),
                )
            }
            _ => none(),
        }
    }

    fn move_by(&mut self, delta: i64) -> (Vec<Query>, ScreenOutcome) {
        self.focus = Focus::Table;
        if self.rows.is_empty() || self.loading {
            return (Vec::new(), ScreenOutcome::none());
        }
        if delta > 0 {
            if self.selected + 1 < self.rows.len() {
                self.selected += 1;
            } else if !self.at_end {
                self.selected = 0;
                return self.turn_page(Direction::Forward);
            }
        } else if self.selected > 0 {
            self.selected -= 1;
        } else if !self.at_start {
            self.selected = usize::MAX;
            return self.turn_page(Direction::Backward);
        }
        (Vec::new(), ScreenOutcome::none())
    }

    fn turn_page(&mut self, direction: Direction) -> (Vec<Query>, ScreenOutcome) {
        if self.loading {
            return (Vec::new(), ScreenOutcome::none());
        }
        let (cursor, blocked) = match direction {
            Direction::Forward => (self.rows.last().map(|r| r.id), self.at_end),
            Direction::Backward => (self.rows.first().map(|r| r.id), self.at_start),
        };
        if blocked || cursor.is_none() {
            self.selected = match direction {
                Direction::Forward => self.rows.len().saturating_sub(1),
                Direction::Backward => 0,
            };
            return (Vec::new(), ScreenOutcome::none());
        }
        (
            vec![self.page(cursor, direction, false)],
            ScreenOutcome::none(),
        )
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        match (self.lov.is_some(), self.focus) {
            (false, Focus::Field(i)) => self.fields.get_mut(i),
            _ => None,
        }
    }

    pub fn edited(&mut self) -> ScreenOutcome {
        self.debounce_pending = true;
        ScreenOutcome {
            debounce: true,
            ..ScreenOutcome::default()
        }
    }

    fn open_lov(&mut self, field: Field) -> (Vec<Query>, ScreenOutcome) {
        let fixed: Option<Vec<(String, String)>> = match field {
            Field::Kind => self.codes.as_ref().map(|c| {
                c.entries(CodeList::OccupationType)
                    .iter()
                    .map(|e| (e.code.to_string(), format!("{:>2} {}", e.code, e.label)))
                    .collect()
            }),
            Field::Status => Some(vec![
                (
                    "IN CORSO".into(),
                    "IN CORSO  occupazioni non cessate".into(),
                ),
                ("CESSATA".into(), "CESSATA   occupazioni cessate".into()),
            ]),
            _ => None,
        };
        match fixed {
            Some(items) => {
                self.lov = Some(Lov {
                    field,
                    items,
                    selected: 0,
                    loading: false,
                });
                (Vec::new(), ScreenOutcome::none())
            }
            None => {
                let prefix = self.fields[Self::field_index(field)].value().to_string();
                self.lov = Some(Lov {
                    field,
                    items: Vec::new(),
                    selected: 0,
                    loading: true,
                });
                (vec![Query::Values { field, prefix }], ScreenOutcome::none())
            }
        }
    }

    fn on_lov_action(&mut self, action: Action) -> (Vec<Query>, ScreenOutcome) {
        let Some(lov) = self.lov.as_mut() else {
            return (Vec::new(), ScreenOutcome::none());
        };
        match action {
            Action::Up => lov.selected = lov.selected.saturating_sub(1),
            Action::Down => {
                lov.selected = (lov.selected + 1).min(lov.items.len().saturating_sub(1))
            }
            Action::PageUp => lov.selected = lov.selected.saturating_sub(10),
            Action::PageDown => {
                lov.selected = (lov.selected + 10).min(lov.items.len().saturating_sub(1))
            }
            Action::Back => self.lov = None,
            Action::Select => {
                let field = lov.field;
                if let Some((value, _)) = lov.items.get(lov.selected).cloned() {
                    self.fields[Self::field_index(field)].set(&value);
                    self.lov = None;
                    return (vec![self.restart()], ScreenOutcome::none());
                }
                self.lov = None;
            }
            _ => {}
        }
        (Vec::new(), ScreenOutcome::none())
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        match data {
            Data::Codes(c) => self.codes = Some(c),
            Data::Page {
                rows,
                at_start,
                at_end,
                direction: _,
                count,
            } => {
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
            Data::FilterRefused { field, message } => {
                self.loading = false;
                self.invalid = Some(field);
                self.rows.clear();
                self.count = None;
                return ScreenOutcome::message(Message::Error(format!(
                    "{}: {message}",
                    field.label()
                )));
            }
            Data::Values(items) => {
                if let Some(l) = self.lov.as_mut() {
                    l.items = items;
                    l.loading = false;
                }
            }
            _ => {}
        }
        ScreenOutcome::none()
    }
}

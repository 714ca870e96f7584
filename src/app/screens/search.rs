//! SCHEDA RICERCA ALLOGGI: the filter form, the result table paged by key, the count computed
//! in the background, lists of values, sorting, marking for the plan and the export of the
//! three detail lists.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::Message;
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::domain::registry::{ServiceType, UnitState};
use crate::domain::unit_filter::{FilterField, FilterText, Sort, SortKey};
use crate::store::search::{Cursor, Direction, UnitRow};
use std::path::PathBuf;

/// The form's fields, in order (Tab moves along it).
pub const FIELDS: [FilterField; 10] = [
    FilterField::UnitId,
    FilterField::BuildingCode,
    FilterField::Service,
    FilterField::Province,
    FilterField::Comune,
    FilterField::States,
    FilterField::InNotice,
    FilterField::Owner,
    FilterField::Text,
    FilterField::MarkedYear,
];

/// Fields with a list of values (F4).
pub fn has_list(field: FilterField) -> bool {
    matches!(
        field,
        FilterField::Service
            | FilterField::Province
            | FilterField::Comune
            | FilterField::States
            | FilterField::InNotice
            | FilterField::Owner
    )
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Table,
    Field(usize),
}

/// A list of values open on a field.
#[derive(Debug, Clone, PartialEq)]
pub struct Lov {
    pub field: FilterField,
    /// (value written in the field, label shown).
    pub items: Vec<(String, String)>,
    pub selected: usize,
    /// Multi-select (stato): which items are ticked.
    pub ticked: Option<Vec<bool>>,
    pub generation: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Export {
        path: TextField,
        year: TextField,
        on_year: bool,
    },
    Mark {
        year: TextField,
        /// The rows ticked in the table: only these are (un)marked; empty: the whole filter.
        only: Vec<i64>,
        undo: bool,
        /// The focus is on the "togli la marcatura" box (Space ticks it), not on the year.
        on_undo: bool,
    },
}

#[derive(Debug)]
pub struct Search {
    pub fields: Vec<TextField>,
    pub focus: Focus,
    /// The field the last error was about (marked with a glyph).
    pub invalid: Option<FilterField>,
    pub sort: Sort,
    pub rows: Vec<UnitRow>,
    pub selected: usize,
    /// Rows per page (the table's height).
    pub page_size: usize,
    pub at_start: bool,
    pub at_end: bool,
    /// Position of `rows[0]` among all matches, when known.
    pub base: Option<i64>,
    pub count: Option<i64>,
    pub loading: bool,
    pub lov: Option<Lov>,
    pub dialog: Option<Dialog>,
    /// Rows written and total, while an export runs.
    pub export: Option<(u64, u64)>,
    search_generation: u64,
    count_generation: u64,
    /// The input of the last search, for count, export and marking.
    pub applied: FilterText,
    /// A text change waits for the pause before searching.
    pub debounce_pending: bool,
    /// Default year for marking and export (the plan year being prepared).
    pub plan_year: i32,
    /// Units ticked in the table (Space): marking acts on them only. A new filter clears them.
    pub ticked: std::collections::BTreeSet<i64>,
}

fn mk_fields() -> Vec<TextField> {
    FIELDS
        .iter()
        .map(|f| {
            let t = TextField::new(match f {
                FilterField::UnitId => 12,
                FilterField::MarkedYear => 4,
                FilterField::Province => 2,
                FilterField::InNotice => 2,
                FilterField::Service => 5,
                _ => 80,
            });
            match f {
                FilterField::UnitId | FilterField::MarkedYear => t.numeric(),
                _ => t,
            }
        })
        .collect()
}

impl Search {
    pub fn new(page_size: usize, plan_year: i32) -> Search {
        Search {
            fields: mk_fields(),
            focus: Focus::Table,
            invalid: None,
            sort: Sort::default(),
            rows: Vec::new(),
            selected: 0,
            page_size: page_size.max(1),
            at_start: true,
            at_end: true,
            base: Some(0),
            count: None,
            loading: true,
            lov: None,
            dialog: None,
            export: None,
            search_generation: 0,
            count_generation: 0,
            applied: FilterText::default(),
            debounce_pending: false,
            plan_year,
            ticked: Default::default(),
        }
    }

    pub fn input(&self) -> FilterText {
        FilterText {
            values: FIELDS
                .iter()
                .zip(&self.fields)
                .map(|(f, t)| (*f, t.value().to_string()))
                .collect(),
        }
    }

    pub fn field_index(field: FilterField) -> usize {
        FIELDS.iter().position(|f| *f == field).unwrap_or(0)
    }

    pub fn focused_field(&self) -> Option<FilterField> {
        match self.focus {
            Focus::Field(i) => FIELDS.get(i).copied(),
            Focus::Table => None,
        }
    }

    pub fn in_text(&self) -> bool {
        self.lov.is_none()
            && match &self.dialog {
                Some(Dialog::Export { .. }) => true,
                Some(Dialog::Mark { on_undo, .. }) => !on_undo,
                None => matches!(self.focus, Focus::Field(_)),
            }
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.lov.is_some() {
            let mut v = vec![Action::Up, Action::Down, Action::Select];
            if self.lov.as_ref().is_some_and(|l| l.ticked.is_some()) {
                v.push(Action::Toggle);
            }
            return v;
        }
        if let Some(d) = &self.dialog {
            return match d {
                Dialog::Export { .. } => vec![Action::Select, Action::NextField, Action::PrevField],
                Dialog::Mark { on_undo: false, .. } => {
                    vec![Action::Select, Action::NextField, Action::PrevField]
                }
                Dialog::Mark { on_undo: true, .. } => vec![
                    Action::Select,
                    Action::Toggle,
                    Action::NextField,
                    Action::PrevField,
                ],
            };
        }
        let mut v = vec![
            Action::Filter,
            Action::Select,
            Action::Sort,
            Action::Export,
            Action::Mark,
            Action::ClearFilters,
            Action::Refresh,
            Action::Toggle,
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::First,
            Action::Last,
            Action::NextField,
            Action::PrevField,
        ];
        if self.focused_field().is_some_and(has_list) {
            v.insert(1, Action::ListOfValues);
        }
        v
    }

    /// Esc/F12 closes a list, a dialog or leaves a field before it leaves the screen.
    pub fn consumes_back(&self) -> bool {
        self.lov.is_some() || self.dialog.is_some() || matches!(self.focus, Focus::Field(_))
    }

    pub fn instruction(&self, keys: &Keymap) -> String {
        let k = |a| keys.key(a);
        let back = keys.plain(Action::Back);
        if let Some(l) = &self.lov {
            return if l.ticked.is_some() {
                format!(
                    "{}: {} seleziona, {} conferma, {back} annulla",
                    l.field.label(),
                    k(Action::Toggle),
                    k(Action::Select)
                )
            } else {
                format!(
                    "{}: scegliere con {} e {}, {back} annulla",
                    l.field.label(),
                    keys.pair(Action::Up, Action::Down),
                    k(Action::Select)
                )
            };
        }
        match (&self.dialog, self.focus) {
            (Some(Dialog::Export { .. }), _) => format!(
                "Esporta gli elenchi del filtro: {} cambia campo, {} avvia, {back} annulla",
                k(Action::NextField),
                k(Action::Select)
            ),
            (Some(Dialog::Mark { on_undo: false, .. }), _) => format!(
                "Marca per il piano: {} conferma, {} passa a togli la marcatura, {back} annulla",
                k(Action::Select),
                k(Action::NextField)
            ),
            (Some(Dialog::Mark { on_undo: true, .. }), _) => format!(
                "Marca per il piano: {} marca/smarca, {} conferma, {back} annulla",
                k(Action::Toggle),
                k(Action::Select)
            ),
            (None, Focus::Field(_)) => format!(
                "Scrivere il filtro: la ricerca parte da sola; {} campo, {back} ai risultati",
                k(Action::NextField)
            ),
            (None, Focus::Table) => format!(
                "{} apre l'alloggio; {} filtri, {} ordina, {} esporta gli elenchi del piano",
                k(Action::Select),
                keys.plain(Action::Filter),
                k(Action::Sort),
                k(Action::Export)
            ),
        }
    }

    fn search(
        &mut self,
        generation: u64,
        cursor: Option<Cursor>,
        direction: Direction,
        with_count: bool,
    ) -> Request {
        self.search_generation = generation;
        self.loading = true;
        if with_count {
            self.count_generation = generation;
            self.count = None;
        }
        Request::Search {
            generation,
            input: self.applied.clone(),
            sort: self.sort,
            cursor,
            direction,
            limit: self.page_size,
            with_count,
        }
    }

    /// A new search from the first page with the form as it is now.
    pub fn restart(&mut self, generation: u64) -> Request {
        let input = self.input();
        if input != self.applied {
            // Ticks belong to the filter they were made in.
            self.ticked.clear();
        }
        self.applied = input;
        self.debounce_pending = false;
        self.base = Some(0);
        self.search(generation, None, Direction::Forward, true)
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        vec![self.restart(generation)]
    }

    fn cursor_before_first(&self) -> Option<Cursor> {
        let first = self.rows.first()?;
        let c = first.cursor(self.sort.key);
        Some(Cursor {
            key: c.key,
            id: if self.sort.descending {
                c.id + 1
            } else {
                c.id - 1
            },
        })
    }

    /// The table's height changed: keep the first row, refetch a page of the new size.
    pub fn resize(&mut self, page_size: usize, generation: u64) -> Vec<Request> {
        let page_size = page_size.max(1);
        if page_size == self.page_size {
            return Vec::new();
        }
        self.page_size = page_size;
        if self.debounce_pending {
            return Vec::new();
        }
        let cursor = self.cursor_before_first();
        vec![self.search(generation, cursor, Direction::Forward, false)]
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if self.lov.is_some() {
            return self.on_lov_action(action, generation);
        }
        if self.dialog.is_some() {
            return self.on_dialog_action(action, generation);
        }
        match action {
            Action::Back => {
                self.focus = Focus::Table;
                ScreenOutcome::none()
            }
            Action::Filter => {
                self.focus = Focus::Field(match self.invalid {
                    Some(f) => Search::field_index(f),
                    None => 0,
                });
                ScreenOutcome::none()
            }
            Action::NextField | Action::PrevField => {
                let n = FIELDS.len();
                self.focus = match (self.focus, action) {
                    (Focus::Table, Action::NextField) => Focus::Field(0),
                    (Focus::Table, _) => Focus::Field(n - 1),
                    (Focus::Field(i), Action::NextField) if i + 1 < n => Focus::Field(i + 1),
                    (Focus::Field(i), Action::PrevField) if i > 0 => Focus::Field(i - 1),
                    _ => Focus::Table,
                };
                ScreenOutcome::none()
            }
            Action::ListOfValues => match self.focused_field() {
                Some(field) if has_list(field) => self.open_lov(field, generation),
                _ => ScreenOutcome::message(Message::Warning(
                    "Nessun elenco di valori per questo campo".into(),
                )),
            },
            Action::ClearFilters => {
                self.fields = mk_fields();
                self.invalid = None;
                // Cleared to write new ones: the cursor stays where it was (in the filters,
                // it does not jump to the results).
                ScreenOutcome::requests(vec![self.restart(generation)])
            }
            Action::Refresh => ScreenOutcome::requests(vec![self.restart(generation)]),
            Action::Sort => {
                let keys = SortKey::ALL;
                let i = keys.iter().position(|k| *k == self.sort.key).unwrap_or(0);
                self.sort = if !self.sort.descending {
                    Sort::new(self.sort.key, true)
                } else {
                    Sort::new(keys[(i + 1) % keys.len()], false)
                };
                let mut out = ScreenOutcome::requests(vec![self.restart_keep_count(generation)]);
                out.message = Some(Message::Info(format!(
                    "Ordinati per {} {}",
                    self.sort.key.label(),
                    if self.sort.descending {
                        "decrescente"
                    } else {
                        "crescente"
                    }
                )));
                out
            }
            Action::Select => match self.focus {
                Focus::Field(_) => {
                    self.focus = Focus::Table;
                    ScreenOutcome::requests(vec![self.restart(generation)])
                }
                Focus::Table => match self.rows.get(self.selected) {
                    Some(row) => ScreenOutcome::push(super::Screen::detail(row.id)),
                    None => ScreenOutcome::message(Message::Warning(
                        "Nessun alloggio selezionato".into(),
                    )),
                },
            },
            Action::Up => self.move_by(-1, generation),
            Action::Down => self.move_by(1, generation),
            Action::PageUp => self.turn_page(Direction::Backward, generation),
            Action::PageDown => self.turn_page(Direction::Forward, generation),
            Action::First => {
                self.base = Some(0);
                self.selected = 0;
                ScreenOutcome::requests(vec![self.search(
                    generation,
                    None,
                    Direction::Forward,
                    false,
                )])
            }
            Action::Last => {
                self.base = self.count.map(|c| (c - self.page_size as i64).max(0));
                self.selected = usize::MAX;
                ScreenOutcome::requests(vec![self.search(
                    generation,
                    None,
                    Direction::Backward,
                    false,
                )])
            }
            Action::Export => {
                self.dialog = Some(Dialog::Export {
                    path: TextField::with_value(200, &default_export_path()),
                    year: TextField::new(4).numeric(),
                    on_year: false,
                });
                ScreenOutcome::none()
            }
            Action::Toggle => {
                if self.focus == Focus::Table
                    && let Some(r) = self.rows.get(self.selected)
                    && !self.ticked.remove(&r.id)
                {
                    self.ticked.insert(r.id);
                }
                ScreenOutcome::none()
            }
            Action::Mark => {
                self.dialog = Some(Dialog::Mark {
                    year: TextField::with_value(4, &self.plan_year.to_string()).numeric(),
                    only: self.ticked.iter().copied().collect(),
                    undo: false,
                    on_undo: false,
                });
                ScreenOutcome::none()
            }
            _ => ScreenOutcome::none(),
        }
    }

    fn restart_keep_count(&mut self, generation: u64) -> Request {
        self.base = Some(0);
        self.selected = 0;
        self.search(generation, None, Direction::Forward, false)
    }

    fn move_by(&mut self, delta: i64, generation: u64) -> ScreenOutcome {
        if self.focus != Focus::Table {
            self.focus = Focus::Table;
        }
        if self.rows.is_empty() || self.loading {
            return ScreenOutcome::none();
        }
        if delta > 0 {
            if self.selected + 1 < self.rows.len() {
                self.selected += 1;
                ScreenOutcome::none()
            } else if !self.at_end {
                self.selected = 0;
                self.turn_page(Direction::Forward, generation)
            } else {
                ScreenOutcome::none()
            }
        } else if self.selected > 0 {
            self.selected -= 1;
            ScreenOutcome::none()
        } else if !self.at_start {
            self.selected = usize::MAX;
            self.turn_page(Direction::Backward, generation)
        } else {
            ScreenOutcome::none()
        }
    }

    fn turn_page(&mut self, direction: Direction, generation: u64) -> ScreenOutcome {
        if self.loading {
            return ScreenOutcome::none();
        }
        let (cursor, blocked) = match direction {
            Direction::Forward => (
                self.rows.last().map(|r| r.cursor(self.sort.key)),
                self.at_end,
            ),
            Direction::Backward => (
                self.rows.first().map(|r| r.cursor(self.sort.key)),
                self.at_start,
            ),
        };
        if blocked || cursor.is_none() {
            // Already on the first/last page: move the selection to its edge.
            self.selected = match direction {
                Direction::Forward => self.rows.len().saturating_sub(1),
                Direction::Backward => 0,
            };
            return ScreenOutcome::none();
        }
        self.base = match (self.base, direction) {
            (Some(b), Direction::Forward) => Some(b + self.rows.len() as i64),
            (Some(b), Direction::Backward) => Some((b - self.page_size as i64).max(0)),
            (None, _) => None,
        };
        ScreenOutcome::requests(vec![self.search(generation, cursor, direction, false)])
    }

    /// The text field with the focus: a dialog's, or the form's (not while a list is open).
    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        if self.lov.is_some() {
            return None;
        }
        match (&mut self.dialog, self.focus) {
            (
                Some(Dialog::Export {
                    path,
                    year,
                    on_year,
                }),
                _,
            ) => Some(if *on_year { year } else { path }),
            (Some(Dialog::Mark { on_undo: true, .. }), _) => None,
            (Some(Dialog::Mark { year, .. }), _) => Some(year),
            (None, Focus::Field(i)) => self.fields.get_mut(i),
            (None, Focus::Table) => None,
        }
    }

    /// A field changed: a filter waits for the typing pause before searching.
    pub fn edited(&mut self) -> ScreenOutcome {
        if self.dialog.is_some() {
            return ScreenOutcome::none();
        }
        self.debounce_pending = true;
        ScreenOutcome {
            debounce: true,
            ..ScreenOutcome::default()
        }
    }

    /// The typing pause is over: search with what the form says now.
    pub fn on_debounce(&mut self, generation: u64) -> ScreenOutcome {
        if !self.debounce_pending {
            return ScreenOutcome::none();
        }
        ScreenOutcome::requests(vec![self.restart(generation)])
    }

    fn open_lov(&mut self, field: FilterField, generation: u64) -> ScreenOutcome {
        let current = self.fields[Search::field_index(field)].value().to_string();
        let fixed: Option<Vec<(String, String)>> = match field {
            FilterField::Service => Some(
                ServiceType::ALL
                    .iter()
                    .map(|s| {
                        (
                            s.short().to_string(),
                            format!("{:<5} {}", s.short(), s.label()),
                        )
                    })
                    .collect(),
            ),
            FilterField::States => Some(
                UnitState::ALL
                    .iter()
                    .map(|s| (s.label().to_string(), s.label().to_string()))
                    .collect(),
            ),
            FilterField::InNotice => Some(vec![
                ("SI".into(), "SI  solo alloggi in avviso".into()),
                ("NO".into(), "NO  solo alloggi non in avviso".into()),
            ]),
            _ => None,
        };
        match fixed {
            Some(items) => {
                let ticked = (field == FilterField::States).then(|| {
                    let chosen =
                        crate::domain::unit_filter::parse_states(&current).unwrap_or_default();
                    UnitState::ALL.iter().map(|s| chosen.contains(s)).collect()
                });
                self.lov = Some(Lov {
                    field,
                    items,
                    selected: 0,
                    ticked,
                    generation,
                });
                ScreenOutcome::none()
            }
            None => {
                self.lov = Some(Lov {
                    field,
                    items: Vec::new(),
                    selected: 0,
                    ticked: None,
                    generation,
                });
                ScreenOutcome::requests(vec![Request::Lov {
                    generation,
                    field,
                    prefix: current,
                }])
            }
        }
    }

    fn on_lov_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        let Some(lov) = self.lov.as_mut() else {
            return ScreenOutcome::none();
        };
        match action {
            Action::Up => lov.selected = lov.selected.saturating_sub(1),
            Action::Down => {
                lov.selected = (lov.selected + 1).min(lov.items.len().saturating_sub(1))
            }
            Action::Toggle => {
                if let Some(x) = lov.ticked.as_mut().and_then(|t| t.get_mut(lov.selected)) {
                    *x = !*x;
                }
            }
            Action::Back => self.lov = None,
            Action::Select => {
                let value = match &lov.ticked {
                    Some(t) => lov
                        .items
                        .iter()
                        .zip(t)
                        .filter(|(_, on)| **on)
                        .map(|((v, _), _)| v.clone())
                        .collect::<Vec<_>>()
                        .join(","),
                    None => match lov.items.get(lov.selected) {
                        Some((v, _)) => v.clone(),
                        None => {
                            self.lov = None;
                            return ScreenOutcome::none();
                        }
                    },
                };
                let field = lov.field;
                self.lov = None;
                self.fields[Search::field_index(field)].set(&value);
                return ScreenOutcome::requests(vec![self.restart(generation)]);
            }
            _ => {}
        }
        ScreenOutcome::none()
    }

    fn on_dialog_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        let Some(dialog) = self.dialog.as_mut() else {
            return ScreenOutcome::none();
        };
        match (dialog, action) {
            (_, Action::Back) => {
                self.dialog = None;
                ScreenOutcome::none()
            }
            (Dialog::Export { on_year, .. }, Action::NextField | Action::PrevField) => {
                *on_year = !*on_year;
                ScreenOutcome::none()
            }
            (Dialog::Mark { undo, .. }, Action::Toggle) => {
                *undo = !*undo;
                ScreenOutcome::none()
            }
            (Dialog::Export { path, year, .. }, Action::Select) => {
                let path_text = path.value().trim().to_string();
                if path_text.is_empty() {
                    return ScreenOutcome::message(Message::Error(
                        "File: indicare dove salvare l'esportazione".into(),
                    ));
                }
                let only_marked = match parse_year(year.value()) {
                    Ok(y) => y,
                    Err(m) => return ScreenOutcome::message(Message::Error(m)),
                };
                let mut path = PathBuf::from(&path_text);
                if path.extension().is_none() {
                    path.set_extension("xlsx");
                }
                self.dialog = None;
                self.export = Some((0, 0));
                ScreenOutcome {
                    message: Some(Message::Info(format!(
                        "Esportazione in corso in {}…",
                        path.display()
                    ))),
                    requests: vec![Request::Export {
                        generation,
                        input: self.applied.clone(),
                        only_marked,
                        path,
                    }],
                    ..ScreenOutcome::default()
                }
            }
            (Dialog::Mark { on_undo, .. }, Action::NextField | Action::PrevField) => {
                *on_undo = !*on_undo;
                ScreenOutcome::none()
            }
            (
                Dialog::Mark {
                    year, undo, only, ..
                },
                Action::Select,
            ) => {
                let y = match parse_year(year.value()) {
                    Ok(Some(y)) => y,
                    Ok(None) => {
                        return ScreenOutcome::message(Message::Error(
                            "Anno: indicare l'anno del piano".into(),
                        ));
                    }
                    Err(m) => return ScreenOutcome::message(Message::Error(m)),
                };
                let undo = *undo;
                let only = (!only.is_empty()).then(|| std::mem::take(only));
                // The ticks served this marking: the next one starts from none.
                if only.is_some() {
                    self.ticked.clear();
                }
                self.dialog = None;
                ScreenOutcome::requests(vec![Request::Mark {
                    generation,
                    input: self.applied.clone(),
                    year: y,
                    undo,
                    only,
                }])
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg, keys: &Keymap) -> ScreenOutcome {
        match data {
            DataMsg::Page {
                generation,
                rows,
                at_start,
                at_end,
                direction,
            } if generation == self.search_generation => {
                self.loading = false;
                self.invalid = None;
                let n = rows.len();
                let _ = direction;
                self.rows = rows;
                self.at_start = at_start;
                self.at_end = at_end;
                if self.at_start {
                    self.base = Some(0);
                }
                if let (true, Some(c)) = (self.at_end, self.count) {
                    self.base = Some((c - n as i64).max(0));
                }
                self.selected = self.selected.min(n.saturating_sub(1));
                ScreenOutcome::none()
            }
            DataMsg::Count { generation, count } if generation == self.count_generation => {
                self.count = Some(count);
                if self.at_end {
                    self.base = Some((count - self.rows.len() as i64).max(0));
                }
                ScreenOutcome::none()
            }
            DataMsg::FilterRefused {
                generation,
                field,
                message,
            } if generation == self.search_generation => {
                self.loading = false;
                self.invalid = Some(field);
                self.focus = Focus::Field(Search::field_index(field));
                self.rows.clear();
                self.count = None;
                // Where the field has a list of values, say which key opens it.
                let hint = if has_list(field) {
                    format!(" ({} per l'elenco)", keys.key(Action::ListOfValues))
                } else {
                    String::new()
                };
                ScreenOutcome::message(Message::Error(format!(
                    "{}: {message}{hint}",
                    field.label()
                )))
            }
            DataMsg::Lov { generation, items } => {
                if let Some(l) = self.lov.as_mut().filter(|l| l.generation == generation) {
                    if items.is_empty() {
                        self.lov = None;
                        return ScreenOutcome::message(Message::Warning(
                            "Nessun valore trovato".into(),
                        ));
                    }
                    l.items = items;
                    l.selected = 0;
                }
                ScreenOutcome::none()
            }
            DataMsg::ExportProgress { done, total, .. } => {
                self.export = Some((done, total));
                ScreenOutcome::none()
            }
            DataMsg::Done {
                message, refresh, ..
            } => {
                self.export = None;
                let mut out = ScreenOutcome::message(message);
                out.refresh = refresh;
                out
            }
            DataMsg::Failed {
                generation,
                message,
            } => {
                self.export = None;
                if generation == self.search_generation {
                    self.loading = false;
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

fn parse_year(text: &str) -> Result<Option<i32>, String> {
    crate::domain::unit_filter::parse_year(text).map_err(|e| e.to_string())
}

/// Where an export goes unless the operator says otherwise: the current directory.
fn default_export_path() -> String {
    format!(
        "elenchi-alloggi-{}.xlsx",
        chrono::Local::now().format("%Y%m%d-%H%M")
    )
}

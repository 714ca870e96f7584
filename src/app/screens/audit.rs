//! Registro operazioni (the audit trail), for the Regione and the helpdesk: newest first, with
//! filters (operator, action, entity, period), paged by record number; Enter shows a record's
//! data before and after; a key verifies the hash chain and names the first broken record.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::Message;
use crate::app::field::TextField;
use crate::app::form::{Form, FormOutcome};
use crate::app::keymap::Action;
use crate::store::audit::Record;

/// Records read per page.
pub const PAGE: i64 = 200;

/// The filters as typed (the service reads the dates).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    pub operator: String,
    pub action: String,
    pub entity: String,
    pub from: String,
    pub to: String,
}

#[derive(Debug)]
pub struct Audit {
    pub filters: Form,
    pub editing: bool,
    pub query: AuditQuery,
    pub rows: Option<Vec<Record>>,
    /// More rows may follow (the last page was full).
    pub more: bool,
    pub selected: usize,
    /// The record shown whole, and the first line shown.
    pub open: Option<usize>,
    pub scroll: usize,
    generation: u64,
}

impl Default for Audit {
    fn default() -> Audit {
        Audit::new()
    }
}

impl Audit {
    pub fn new() -> Audit {
        Audit {
            filters: Form::new("Filtri")
                .text("Operatore", 40, "")
                .text("Azione (es. operatore, plan.approve)", 40, "")
                .text("Oggetto (operator, unit, plan, district…)", 40, "")
                .text("Dal (GG/MM/AAAA)", 10, "")
                .text("Al (GG/MM/AAAA, incluso)", 10, ""),
            editing: false,
            query: AuditQuery::default(),
            rows: None,
            more: false,
            selected: 0,
            open: None,
            scroll: 0,
            generation: 0,
        }
    }

    fn load(&mut self, generation: u64, before: Option<i64>) -> Vec<Request> {
        self.generation = generation;
        vec![Request::Audit {
            generation,
            query: self.query.clone(),
            before,
        }]
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.load(generation, None)
    }

    pub fn in_text(&self) -> bool {
        self.editing && self.filters.in_text()
    }

    pub fn consumes_back(&self) -> bool {
        self.editing || self.open.is_some()
    }

    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        if self.editing {
            self.filters.focused_text_mut()
        } else {
            None
        }
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.editing {
            return self.filters.actions();
        }
        let mut v = vec![Action::Up, Action::Down, Action::PageDown, Action::PageUp];
        if self.open.is_none() {
            v.extend([Action::Select, Action::Filter]);
        }
        v.extend([Action::AuditVerify, Action::Refresh]);
        v
    }

    pub fn current(&self) -> Option<&Record> {
        let i = self.open.unwrap_or(self.selected);
        self.rows.as_ref().and_then(|r| r.get(i))
    }

    fn move_by(&mut self, delta: isize, generation: u64) -> ScreenOutcome {
        if self.open.is_some() {
            self.scroll = self.scroll.saturating_add_signed(delta);
            return ScreenOutcome::none();
        }
        let n = self.rows.as_ref().map_or(0, Vec::len);
        let target = self.selected.saturating_add_signed(delta);
        self.selected = target.min(n.saturating_sub(1));
        // Past the last row read: the next page, by record number.
        if target >= n && self.more {
            let last = self.rows.as_ref().and_then(|r| r.last()).map(|r| r.id);
            return ScreenOutcome::requests(self.load(generation, last));
        }
        ScreenOutcome::none()
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if self.editing {
            return match self.filters.on_action(action) {
                FormOutcome::Cancel => {
                    self.editing = false;
                    ScreenOutcome::none()
                }
                FormOutcome::Submit => {
                    self.editing = false;
                    let f = &self.filters;
                    self.query = AuditQuery {
                        operator: f.value(0).trim().into(),
                        action: f.value(1).trim().into(),
                        entity: f.value(2).trim().into(),
                        from: f.value(3).trim().into(),
                        to: f.value(4).trim().into(),
                    };
                    self.rows = None;
                    self.selected = 0;
                    ScreenOutcome::requests(self.load(generation, None))
                }
                FormOutcome::Nothing => ScreenOutcome::none(),
            };
        }
        match action {
            Action::Up => self.move_by(-1, generation),
            Action::Down => self.move_by(1, generation),
            Action::PageUp => self.move_by(-10, generation),
            Action::PageDown => self.move_by(10, generation),
            Action::Select if self.rows.as_ref().is_some_and(|r| !r.is_empty()) => {
                self.open = Some(self.selected);
                self.scroll = 0;
                ScreenOutcome::none()
            }
            Action::Back => {
                self.open = None;
                ScreenOutcome::none()
            }
            Action::Filter => {
                self.editing = true;
                ScreenOutcome::none()
            }
            Action::Refresh => {
                self.rows = None;
                self.selected = 0;
                ScreenOutcome::requests(self.load(generation, None))
            }
            Action::AuditVerify => {
                self.generation = generation;
                ScreenOutcome {
                    message: Some(Message::Info("Verifica della catena in corso…".into())),
                    requests: vec![Request::AuditVerify { generation }],
                    ..ScreenOutcome::default()
                }
            }
            _ => ScreenOutcome::none(),
        }
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Audit {
                generation,
                rows,
                appended,
            } if generation == self.generation => {
                self.more = rows.len() as i64 >= PAGE;
                match (&mut self.rows, appended) {
                    (Some(have), true) => have.extend(rows),
                    _ => self.rows = Some(rows),
                }
                ScreenOutcome::none()
            }
            DataMsg::AuditVerified {
                generation,
                message,
            } if generation == self.generation => ScreenOutcome::message(message),
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                if message.contains("Dal") || message.contains("--from") {
                    self.filters.refuse(&[3], message.clone());
                } else if message.contains("Al") || message.contains("--to") {
                    self.filters.refuse(&[4], message.clone());
                }
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

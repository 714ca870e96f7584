//! The istruttoria of a unit for a household: where it stands, why this household, and the
//! steps it allows — each opened as a small dialog that says what it will do, with its fields
//! (a date, a reason, the act's number), confirmed with Enter.

use super::{Data, Next, Query, step};
use crate::app::Message;
use crate::app::field::TextField;
use crate::app::keymap::Action;
use crate::app::screens::ScreenOutcome;
use crate::domain::assignment::{Stage, Step};
use crate::store::assignments::{AssignmentRow, DocumentCheck, StepRequest};
use chrono::NaiveDate;

/// A step as the screen offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Offer,
    Accept,
    Refuse,
    NoAnswer,
    MissingRequirement,
    MissingCondition,
    Cancel,
    Assign,
    Lease,
}

impl StepKind {
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Offer => "Offri l'alloggio al nucleo",
            StepKind::Accept => "Il nucleo accetta",
            StepKind::Refuse => "Il nucleo rifiuta",
            StepKind::NoAnswer => "Nessuna risposta entro il termine",
            StepKind::MissingRequirement => "Verifica documenti: requisito di accesso mancante",
            StepKind::MissingCondition => {
                "Verifica documenti: condizione di punteggio non documentata"
            }
            StepKind::Cancel => "Annulla l'istruttoria",
            StepKind::Assign => "Provvedimento di assegnazione",
            StepKind::Lease => "Contratto di locazione firmato",
        }
    }

    /// What confirming it does, in one sentence.
    pub fn consequence(self) -> &'static str {
        match self {
            StepKind::Offer => {
                "L'alloggio è offerto al nucleo, che risponde entro la data indicata; l'unità passa IN ASSEGNAZIONE."
            }
            StepKind::Accept => {
                "Il nucleo accetta l'alloggio: segue il provvedimento di assegnazione."
            }
            StepKind::Refuse => {
                "Rifiuto: se le regole lo prevedono la domanda esce dalle graduatorie; l'unità torna LIBERO e si propone al nucleo successivo."
            }
            StepKind::NoAnswer => {
                "Mancata risposta entro il termine: vale come rifiuto; l'unità torna LIBERO."
            }
            StepKind::MissingRequirement => {
                "Requisito di accesso mancante: la domanda esce dalle graduatorie e l'unità è proposta subito alla domanda successiva."
            }
            StepKind::MissingCondition => {
                "La condizione è tolta, l'ISBAR ricalcolato e la domanda spostata in graduatoria; l'unità è proposta di nuovo sul nuovo ordine."
            }
            StepKind::Cancel => {
                "L'istruttoria è annullata: la domanda resta in graduatoria e l'unità torna da assegnare."
            }
            StepKind::Assign => {
                "Provvedimento di assegnazione: la domanda risulta ASSEGNATA in graduatoria; il contratto può seguire."
            }
            StepKind::Lease => {
                "Contratto firmato: l'unità passa OCCUPATO ed esce dalle unità da assegnare."
            }
        }
    }

    /// The steps an istruttoria allows now.
    pub fn allowed(a: &AssignmentRow, today: NaiveDate) -> Vec<StepKind> {
        use StepKind::*;
        let checks = [MissingRequirement, MissingCondition, Cancel];
        let late = a
            .answer_by
            .as_deref()
            .and_then(|d| d.parse::<NaiveDate>().ok())
            .is_some_and(|d| today > d);
        match a.stage {
            Stage::Proposta => [Offer].into_iter().chain(checks).collect(),
            Stage::Offerta => {
                let mut v = vec![Accept, Refuse];
                if late {
                    v.push(NoAnswer);
                }
                v.extend(checks);
                v
            }
            Stage::Accettata => [Assign].into_iter().chain(checks).collect(),
            Stage::Assegnata if a.lease_date.is_none() => vec![Lease],
            _ => Vec::new(),
        }
    }
}

/// A step being confirmed, with its fields.
#[derive(Debug)]
pub struct Dialog {
    pub kind: StepKind,
    pub labels: Vec<&'static str>,
    pub fields: Vec<TextField>,
    pub focus: usize,
    /// The field a refused confirmation points at (marked with a glyph).
    pub bad: Option<usize>,
}

fn filled(max: usize, value: &str) -> TextField {
    TextField::with_value(max, value)
}

fn date_text(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// A date as typed: GG/MM/AAAA or AAAA-MM-GG.
fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .ok()
}

impl Dialog {
    fn new(kind: StepKind, answer_by: NaiveDate, today: NaiveDate) -> Dialog {
        let (labels, fields): (Vec<&'static str>, Vec<TextField>) = match kind {
            StepKind::Offer => (
                vec!["Risposta entro (GG/MM/AAAA)"],
                vec![filled(10, &date_text(answer_by))],
            ),
            StepKind::Accept | StepKind::NoAnswer => (Vec::new(), Vec::new()),
            StepKind::Refuse => (vec!["Motivo (facoltativo)"], vec![TextField::new(200)]),
            StepKind::MissingRequirement => (
                vec!["Requisito (ISEE, PATRIMONIO, RESIDENZA…)", "Motivo"],
                vec![TextField::new(30), TextField::new(200)],
            ),
            StepKind::MissingCondition => (
                vec!["Codice della condizione", "Motivo"],
                vec![TextField::new(40), TextField::new(200)],
            ),
            StepKind::Cancel => (vec!["Motivo"], vec![TextField::new(200)]),
            StepKind::Assign => (
                vec![
                    "Numero del provvedimento",
                    "Data del provvedimento (GG/MM/AAAA)",
                    "Data del contratto (facoltativa)",
                ],
                vec![
                    TextField::new(40),
                    filled(10, &date_text(today)),
                    TextField::new(10),
                ],
            ),
            StepKind::Lease => (
                vec!["Data del contratto (GG/MM/AAAA)"],
                vec![filled(10, &date_text(today))],
            ),
        };
        Dialog {
            kind,
            labels,
            fields,
            focus: 0,
            bad: None,
        }
    }

    pub fn focused_mut(&mut self) -> Option<&mut TextField> {
        self.fields.get_mut(self.focus)
    }

    fn value(&self, i: usize) -> &str {
        self.fields.get(i).map_or("", |f| f.value().trim())
    }

    fn date(&self, i: usize) -> Result<NaiveDate, (usize, String)> {
        parse_date(self.value(i)).ok_or_else(|| {
            (
                i,
                format!(
                    "{}: '{}' non è una data (GG/MM/AAAA)",
                    self.labels[i],
                    self.value(i)
                ),
            )
        })
    }

    fn required(&self, i: usize) -> Result<String, (usize, String)> {
        let v = self.value(i);
        if v.is_empty() {
            return Err((i, format!("{}: campo obbligatorio", self.labels[i])));
        }
        Ok(v.to_string())
    }

    /// The query that confirms the step, or the field at fault and why.
    fn query(&self, a: &AssignmentRow) -> Result<Query, (usize, String)> {
        let step = |step: Step, reason: Option<String>| {
            Query::Step(StepRequest {
                assignment_id: a.id,
                version: Some(a.version),
                step,
                reason,
            })
        };
        let optional = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Ok(match self.kind {
            StepKind::Offer => step(
                Step::Offer {
                    answer_by: self.date(0)?,
                },
                None,
            ),
            StepKind::Accept => step(Step::Accept, None),
            StepKind::Refuse => step(Step::Refuse, optional(self.value(0))),
            StepKind::NoAnswer => step(Step::NoAnswer, None),
            StepKind::Cancel => step(Step::Cancel, Some(self.required(0)?)),
            StepKind::MissingRequirement => Query::Check {
                id: a.id,
                version: a.version,
                check: DocumentCheck::MissingRequirement {
                    requirement: self.required(0)?,
                    reason: self.required(1)?,
                },
            },
            StepKind::MissingCondition => Query::Check {
                id: a.id,
                version: a.version,
                check: DocumentCheck::MissingCondition {
                    code: self.required(0)?,
                    reason: self.required(1)?,
                },
            },
            StepKind::Assign => {
                let number = self.required(0)?;
                let date = self.date(1)?;
                let lease = match self.value(2) {
                    "" => None,
                    _ => Some(self.date(2)?),
                };
                step(
                    Step::Assign {
                        number,
                        date,
                        lease,
                    },
                    None,
                )
            }
            StepKind::Lease => step(
                Step::Lease {
                    date: self.date(0)?,
                },
                None,
            ),
        })
    }
}

#[derive(Debug)]
pub struct CaseScreen {
    pub id: i64,
    pub row: Option<Box<AssignmentRow>>,
    pub answer_by: Option<NaiveDate>,
    pub may_assign: bool,
    pub selected: usize,
    pub dialog: Option<Dialog>,
    /// A step is being written.
    pub waiting: bool,
    pub(super) generation: u64,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

impl CaseScreen {
    pub fn new(id: i64) -> CaseScreen {
        CaseScreen {
            id,
            row: None,
            answer_by: None,
            may_assign: false,
            selected: 0,
            dialog: None,
            waiting: false,
            generation: 0,
        }
    }

    /// The steps offered now (none without the right to assign).
    pub fn steps(&self) -> Vec<StepKind> {
        match (&self.row, self.may_assign) {
            (Some(a), true) => StepKind::allowed(a, today()),
            _ => Vec::new(),
        }
    }

    pub(super) fn on_action(&mut self, action: Action) -> Next {
        if let Some(d) = &mut self.dialog {
            return match action {
                Action::Back => {
                    self.dialog = None;
                    None
                }
                Action::NextField if !d.fields.is_empty() => {
                    d.focus = (d.focus + 1) % d.fields.len();
                    None
                }
                Action::PrevField if !d.fields.is_empty() => {
                    d.focus = (d.focus + d.fields.len() - 1) % d.fields.len();
                    None
                }
                Action::Select if !self.waiting => {
                    let a = self.row.as_ref()?;
                    match d.query(a) {
                        Ok(q) => {
                            d.bad = None;
                            self.waiting = true;
                            Some(Ok(q))
                        }
                        Err((i, m)) => {
                            d.bad = Some(i);
                            d.focus = i;
                            Some(Err(ScreenOutcome::message(Message::Error(m))))
                        }
                    }
                }
                _ => None,
            };
        }
        let steps = self.steps();
        match action {
            Action::Select => {
                let kind = *steps.get(self.selected)?;
                self.dialog = Some(Dialog::new(
                    kind,
                    self.answer_by.unwrap_or_else(today),
                    today(),
                ));
                None
            }
            a => {
                step(&mut self.selected, steps.len(), a, 5);
                None
            }
        }
    }

    pub(super) fn on_data(&mut self, data: Data) -> ScreenOutcome {
        let Data::Case {
            row,
            answer_by,
            may_assign,
            message,
        } = data
        else {
            return ScreenOutcome::none();
        };
        self.waiting = false;
        // A check that proposed the next household moves to the new istruttoria.
        self.id = row.id;
        self.row = Some(row);
        self.answer_by = Some(answer_by);
        self.may_assign = may_assign;
        // A refused step keeps its dialog and what was typed in it (the istruttoria shown as it
        // is now, the reason on the message line); a step done closes it.
        let refused = matches!(message, Some(Message::Error(_)));
        let still_allowed = self
            .dialog
            .as_ref()
            .is_some_and(|d| self.steps().contains(&d.kind));
        if !(refused && still_allowed) {
            self.dialog = None;
        }
        self.selected = self.selected.min(self.steps().len().saturating_sub(1));
        match message {
            Some(m) => ScreenOutcome::message(m),
            None => ScreenOutcome::none(),
        }
    }
}

//! Comunicazione annuale: an owner operator's communications (one per plan whose district holds
//! its owner) and the SCHEMA COMUNICAZIONE ANNUALE form. The form is validated here with the
//! domain rules before sending, so the cursor can jump to the bad field; the store validates
//! again and guards the save with the version read.

use super::{DataMsg, Request, ScreenOutcome};
use crate::app::Message;
use crate::app::field::TextField;
use crate::app::keymap::{Action, Keymap};
use crate::domain::access::{OperatorScope, Service};
use crate::domain::communication::{self, Counts, Field, Form, FormInput};
use crate::store::communications::{Filing, Saved};

/// Whether the operator files communications: the PROGRAMMAZIONE service on some owner.
pub fn files_communications(scope: &OperatorScope) -> bool {
    scope.grants.iter().any(|(_, s)| *s == Service::Planning)
}

/// Form keys: they change data, but need the PROGRAMMAZIONE service, not ANAGRAFE.
pub fn is_communication_action(action: Action) -> bool {
    matches!(
        action,
        Action::CommunicationFile | Action::CommunicationDraft
    )
}

/// One communication with what its form needs (read by the service).
pub use crate::service::communications::CommunicationRow;

/// Fields in form order; those the owner does not fill under the plan's rule set are dropped.
const FIELDS: [Field; 14] = [
    Field::Carenze,
    Field::Nuove,
    Field::Turnover,
    Field::Privati,
    Field::Sat,
    Field::Assegnate,
    Field::IndigentExcess,
    Field::Elderly,
    Field::SingleParent,
    Field::Disabled,
    Field::NewFamily,
    Field::Police,
    Field::OtherName,
    Field::Other,
];

fn is_count(f: Field) -> bool {
    f.is_count()
}

/// Short labels that fit 80 columns; the full ones are in the domain (and the messages).
pub fn short(f: Field) -> (&'static str, &'static str) {
    match f {
        Field::Carenze => ("b", "In carenza manutentiva, stato di fatto"),
        Field::Nuove => ("c+d", "Nuova edif./ristrutt./recupero/riqual."),
        Field::Turnover => ("e", "Libere e che si libereranno (turn-over)"),
        Field::Privati => ("f", "Conferite da privati"),
        Field::Sat => ("j", "Servizi abitativi transitori (SAT)"),
        Field::Assegnate => ("k", "Assegnate l'anno precedente"),
        Field::IndigentExcess => ("h", "Soglia % eccedente il 20% indigenti"),
        Field::Elderly => ("c-bis", "Anziani %"),
        Field::SingleParent => ("c-bis", "Famiglie monoparentali %"),
        Field::Disabled => ("c-bis", "Disabili %"),
        Field::NewFamily => ("c-bis", "Famiglie di nuova formazione %"),
        Field::Police => ("d-bis", "Forze di Polizia %"),
        Field::OtherName => ("d", "Altra categoria (nome)"),
        Field::Other => ("d", "Altra categoria %"),
    }
}

/// The values a stored form shows in its fields.
fn value_of(form: &Form, f: Field) -> String {
    let n = &form.counts;
    let s = &form.shares;
    // The label already says "%": the box holds the number as the operator types it.
    let pct = |p: Option<communication::Pct>| {
        p.map(|p| p.to_string().trim_end_matches('%').to_string())
            .unwrap_or_default()
    };
    match f {
        Field::Carenze => n.carenze.to_string(),
        Field::Nuove => n.nuove.to_string(),
        Field::Turnover => n.turnover.to_string(),
        Field::Privati => n.privati.to_string(),
        Field::Sat => n.sat.to_string(),
        Field::Assegnate => n.assegnate.to_string(),
        Field::IndigentExcess => pct(s.indigent_excess),
        Field::Elderly => pct(s.elderly),
        Field::SingleParent => pct(s.single_parent),
        Field::Disabled => pct(s.disabled),
        Field::NewFamily => pct(s.new_family),
        Field::Police => pct(s.police),
        Field::OtherName => s.other_name.clone().unwrap_or_default(),
        Field::Other => pct(s.other),
    }
}

#[derive(Debug)]
pub struct CommunicationForm {
    pub row: CommunicationRow,
    pub fields: Vec<(Field, TextField)>,
    pub focus: usize,
    /// The fields the last check refused, with why, in form order: each is marked with ✖.
    pub errors: Vec<(Field, String)>,
    /// The receipt of the filing made in this form.
    pub receipt: Option<Filing>,
    /// The values as read or last saved: anything else on screen is unsaved.
    saved: Vec<String>,
}

impl CommunicationForm {
    pub fn new(row: CommunicationRow) -> CommunicationForm {
        // A draft wins over the last filing: it is what the operator was working on (the
        // form says which of the two it shows).
        let stored = row
            .communication
            .draft
            .clone()
            .or_else(|| row.communication.filing.as_ref().map(|f| f.form.clone()));
        let fields: Vec<(Field, TextField)> = FIELDS
            .iter()
            .filter(|f| f.filled_by(row.kind, row.rules))
            .map(|&f| {
                let v = match &stored {
                    Some(form) => value_of(form, f),
                    None if is_count(f) => "0".into(),
                    None => String::new(),
                };
                let field = if f == Field::OtherName {
                    TextField::with_value(40, &v)
                } else {
                    TextField::with_value(8, &v).numeric()
                };
                (f, field)
            })
            .collect();
        let saved = fields.iter().map(|(_, t)| t.value().to_string()).collect();
        CommunicationForm {
            row,
            fields,
            focus: 0,
            errors: Vec::new(),
            receipt: None,
            saved,
        }
    }

    fn values(&self) -> Vec<String> {
        self.fields
            .iter()
            .map(|(_, t)| t.value().to_string())
            .collect()
    }

    /// Whether what is on screen differs from what was read or last saved.
    pub fn unsaved(&self) -> bool {
        self.values() != self.saved
    }

    /// Why `f` was refused by the last check, if it was.
    pub fn error(&self, f: Field) -> Option<&str> {
        self.errors
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, m)| m.as_str())
    }

    fn text(&self, f: Field) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| *k == f)
            .map(|(_, t)| t.value().trim())
    }

    fn count(&self, f: Field) -> Result<i64, communication::FieldError> {
        let t = self.text(f).unwrap_or("0");
        if t.is_empty() {
            return Ok(0);
        }
        t.parse().map_err(|_| communication::FieldError {
            field: f,
            message: format!("'{t}': indicare un numero intero maggiore o uguale a 0"),
        })
    }

    /// g: b + c+d + e + f of what is typed; a value the form refuses (not a number, below 0,
    /// too large) counts as 0, so the total never shows what cannot be filed.
    pub fn total(&self) -> i64 {
        [
            Field::Carenze,
            Field::Nuove,
            Field::Turnover,
            Field::Privati,
        ]
        .iter()
        .filter(|f| self.error(**f).is_none())
        .map(|f| {
            self.count(*f)
                .unwrap_or(0)
                .clamp(0, communication::MAX_COUNT)
        })
        .sum()
    }

    /// What is typed, as the domain takes it, and every count that is not a whole number
    /// (taken as 0 in the input, so the other rules are still checked).
    fn read(&self) -> (FormInput, Vec<communication::FieldError>) {
        let opt = |f: Field| self.text(f).filter(|s| !s.is_empty()).map(str::to_string);
        let mut bad = Vec::new();
        let mut count = |f: Field| {
            self.count(f).unwrap_or_else(|e| {
                bad.push(e);
                0
            })
        };
        let counts = Counts {
            carenze: count(Field::Carenze),
            nuove: count(Field::Nuove),
            turnover: count(Field::Turnover),
            privati: count(Field::Privati),
            sat: count(Field::Sat),
            assegnate: count(Field::Assegnate),
        };
        let input = FormInput {
            counts,
            indigent_excess: opt(Field::IndigentExcess),
            elderly: opt(Field::Elderly),
            single_parent: opt(Field::SingleParent),
            disabled: opt(Field::Disabled),
            new_family: opt(Field::NewFamily),
            police: opt(Field::Police),
            other_name: opt(Field::OtherName),
            other: opt(Field::Other),
        };
        (input, bad)
    }

    /// What is typed, as the domain takes it; unreadable numbers are refused here.
    pub fn input(&self) -> Result<FormInput, communication::FieldError> {
        let (input, mut bad) = self.read();
        if bad.is_empty() {
            Ok(input)
        } else {
            Err(bad.remove(0))
        }
    }

    /// Checks every field with the plan year's rules and marks the refused ones; a field
    /// refused as typed is not checked again against the rules that need its value.
    fn check(&mut self) -> Option<FormInput> {
        let (input, mut errors) = self.read();
        let valid = match communication::validate(&input, self.row.kind, self.row.rules) {
            Ok(_) => errors.is_empty(),
            Err(more) => {
                for e in more {
                    if !errors.iter().any(|x| x.field == e.field) {
                        errors.push(e);
                    }
                }
                false
            }
        };
        // In form order, the first message of each field.
        self.errors = self
            .fields
            .iter()
            .filter_map(|(f, _)| {
                errors
                    .iter()
                    .find(|e| e.field == *f)
                    .map(|e| (*f, e.message.clone()))
            })
            .collect();
        valid.then_some(input)
    }

    /// The message for a refused field: the short label, so the rule cited still fits.
    fn refusal(&self, f: Field) -> Option<String> {
        let m = self.error(f)?;
        let (code, label) = short(f);
        Some(format!("{label} ({code}): {m}"))
    }

    /// Validates with the plan year's rules; on refusal the focus goes to the first bad field.
    fn checked(&mut self) -> Result<FormInput, String> {
        if let Some(input) = self.check() {
            return Ok(input);
        }
        let first = self.errors.first().map(|(f, _)| *f);
        self.focus = self
            .fields
            .iter()
            .position(|(f, _)| Some(*f) == first)
            .unwrap_or(0);
        let others = self.errors.len().saturating_sub(1);
        let m = first.and_then(|f| self.refusal(f)).unwrap_or_default();
        Err(match others {
            0 => m,
            1 => format!("{m} (e un altro campo segnato ✖)"),
            n => format!("{m} (e altri {n} campi segnati ✖)"),
        })
    }

    /// The focus leaves the field it is on: every field is checked again, and the message
    /// line says what is wrong with the field just left, else with the first one refused.
    fn left(&mut self) -> Option<Message> {
        let left = self.fields.get(self.focus).map(|(f, _)| *f);
        self.check();
        left.and_then(|f| self.refusal(f))
            .or_else(|| self.errors.first().and_then(|(f, _)| self.refusal(*f)))
            .map(Message::Error)
    }

    /// Fills b, c+d and e with the registry counts marked for the plan year (SFITTO PER
    /// CARENZE MANUTENTIVE, SFITTO PER RISTRUTTURAZIONE, LIBERO); the operator then confirms
    /// or corrects them.
    fn prefill(&mut self) {
        let p = self.row.prefill;
        for (f, t) in &mut self.fields {
            match f {
                Field::Carenze => t.set(&p.carenze.to_string()),
                Field::Nuove => t.set(&p.ristrutturazione.to_string()),
                Field::Turnover => t.set(&p.libero.to_string()),
                _ => {}
            }
        }
    }
}

#[derive(Debug, Default)]
pub struct CommunicationsScreen {
    pub rows: Option<Vec<CommunicationRow>>,
    pub selected: usize,
    pub form: Option<CommunicationForm>,
    generation: u64,
}

impl CommunicationsScreen {
    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        vec![Request::Communications { generation }]
    }

    pub fn in_form(&self) -> bool {
        self.form.is_some()
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.form.is_some() {
            let mut v = vec![Action::CommunicationFile, Action::CommunicationDraft];
            if self
                .form
                .as_ref()
                .is_some_and(|f| f.row.communication.filing.is_some())
            {
                v.push(Action::Export);
            }
            v.extend([
                Action::CommunicationPrefill,
                Action::Refresh,
                Action::Back,
                Action::NextField,
                Action::PrevField,
                Action::Up,
                Action::Down,
            ]);
            v
        } else {
            let mut v = vec![Action::Up, Action::Down, Action::Select];
            if self
                .selected_row()
                .is_some_and(|r| r.communication.filing.is_some())
            {
                v.push(Action::Export);
            }
            v.push(Action::Refresh);
            v
        }
    }

    fn selected_row(&self) -> Option<&CommunicationRow> {
        self.rows.as_ref().and_then(|r| r.get(self.selected))
    }

    /// Writes the receipt of the transmission in force to the current directory.
    fn receipt(&mut self, row: &CommunicationRow, generation: u64) -> ScreenOutcome {
        let Some(f) = &row.communication.filing else {
            return ScreenOutcome::message(Message::Warning(
                "Comunicazione non trasmessa: non c'è ricevuta".into(),
            ));
        };
        let name = format!("ricevuta_{}.xlsx", f.transmission_id);
        let path = std::path::absolute(&name).unwrap_or_else(|_| name.into());
        self.generation = generation;
        ScreenOutcome::requests(vec![Request::CommunicationReceipt {
            generation,
            plan_id: row.plan.id,
            owner_id: row.communication.owner_id,
            path,
        }])
    }

    /// Whether the form holds edits not yet saved (leaving it asks first).
    pub fn unsaved(&self) -> bool {
        self.form.as_ref().is_some_and(CommunicationForm::unsaved)
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if let Some(form) = &mut self.form {
            let n = form.fields.len();
            match action {
                Action::Back => {
                    // Back on the list, which is read again: it shows what is stored now.
                    self.form = None;
                    return ScreenOutcome::requests(self.opened(generation));
                }
                Action::Refresh => {
                    // Back to the values stored (after a refused save: the other session's).
                    let focus = form.focus;
                    *form = CommunicationForm::new(form.row.clone());
                    form.focus = focus.min(form.fields.len().saturating_sub(1));
                    return ScreenOutcome::message(Message::Info(format!(
                        "Valori salvati riletti (versione {})",
                        form.row.communication.version
                    )));
                }
                Action::NextField | Action::Down | Action::PrevField | Action::Up => {
                    let message = form.left();
                    form.focus = match action {
                        Action::NextField | Action::Down => (form.focus + 1) % n,
                        _ => (form.focus + n - 1) % n,
                    };
                    return match message {
                        Some(m) => ScreenOutcome::message(m),
                        None => ScreenOutcome {
                            clear_message: true,
                            ..ScreenOutcome::default()
                        },
                    };
                }
                Action::Export => {
                    let row = form.row.clone();
                    return self.receipt(&row, generation);
                }
                Action::CommunicationPrefill => {
                    form.prefill();
                    return ScreenOutcome::message(Message::Info(
                        "Campi b ed e riempiti dal registro: confermarli o correggerli".into(),
                    ));
                }
                Action::CommunicationFile | Action::CommunicationDraft => {
                    return match form.checked() {
                        Ok(input) => {
                            self.generation = generation;
                            ScreenOutcome::requests(vec![Request::CommunicationSave {
                                generation,
                                plan_id: form.row.plan.id,
                                owner_id: form.row.communication.owner_id,
                                input: Box::new(input),
                                version: form.row.communication.version,
                                draft: action == Action::CommunicationDraft,
                            }])
                        }
                        Err(m) => ScreenOutcome::message(Message::Error(m)),
                    };
                }
                _ => {}
            }
            return ScreenOutcome::none();
        }
        let n = self.rows.as_ref().map_or(0, Vec::len);
        match action {
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Refresh => return ScreenOutcome::requests(self.opened(generation)),
            Action::Export => {
                if let Some(row) = self.selected_row().cloned() {
                    return self.receipt(&row, generation);
                }
            }
            Action::Select => match self.rows.as_ref().and_then(|r| r.get(self.selected)) {
                Some(row) => self.form = Some(CommunicationForm::new(row.clone())),
                None => {
                    return ScreenOutcome::message(Message::Warning(
                        "Nessuna comunicazione".into(),
                    ));
                }
            },
            _ => {}
        }
        ScreenOutcome::none()
    }

    /// The form's field with the focus.
    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        let form = self.form.as_mut()?;
        form.fields.get_mut(form.focus).map(|(_, t)| t)
    }

    pub fn on_data(&mut self, data: DataMsg, keys: &Keymap) -> ScreenOutcome {
        match data {
            DataMsg::Communications { generation, rows } if generation == self.generation => {
                self.selected = self.selected.min(rows.len().saturating_sub(1));
                self.rows = Some(rows);
                ScreenOutcome::none()
            }
            DataMsg::CommunicationSaved {
                generation,
                saved,
                row,
            } if generation == self.generation => {
                let message = saved_message(&saved);
                if let Some(form) = &mut self.form {
                    // The next save goes with the version just written; what is on screen
                    // is now what is stored.
                    form.row = *row;
                    form.saved = form.values();
                    if saved.receipt.is_some() {
                        form.receipt = saved.receipt.clone();
                    }
                }
                ScreenOutcome::message(Message::Info(message))
            }
            DataMsg::CommunicationStale {
                generation,
                message,
                row,
            } if generation == self.generation => {
                let Some(form) = &mut self.form else {
                    return ScreenOutcome::message(Message::Error(message));
                };
                // Keep what the operator typed; the next save goes against the version now
                // stored, so it overwrites knowingly, never silently. Refresh shows the stored one.
                let version = row.communication.version;
                let by = row.communication.updated_by.clone().unwrap_or_default();
                form.row = *row;
                tracing::info!("stale save refused: {message}");
                ScreenOutcome::message(Message::Error(format!(
                    "Modificata da un'altra sessione: {} mostra i valori salvati, un nuovo salvataggio scrive quelli a video (versione {version} di {by})",
                    keys.key(Action::Refresh)
                )))
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => ScreenOutcome::message(Message::Error(message)),
            _ => ScreenOutcome::none(),
        }
    }
}

/// Date and time of receipt in the operator's time zone.
pub fn received(at: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(at) {
        Ok(t) => t
            .with_timezone(&chrono::Local)
            .format("%d/%m/%Y alle %H:%M:%S")
            .to_string(),
        Err(_) => at.to_string(),
    }
}

fn saved_message(s: &Saved) -> String {
    match &s.receipt {
        Some(f) => format!(
            "Trasmessa: ID di trasmissione telematica {}, ricevuta il {}",
            f.transmission_id,
            received(&f.received_at)
        ),
        None => format!(
            "Bozza salvata (stato {}, versione {}): non ancora trasmessa",
            s.state, s.version
        ),
    }
}

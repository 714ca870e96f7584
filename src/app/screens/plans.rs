//! Programmazione: the plan list of the operator's district (all districts for the Regione and
//! the helpdesk) and the plan card (SCHEDA PROGRAMMAZIONE ANNUALE) with the capofila's overview
//! of the owners and the lifecycle actions.

use super::{DataMsg, Request, Screen, ScreenOutcome};
use crate::app::field::TextField;
use crate::app::keymap::Action;
use crate::app::{Message, Session};
use crate::domain::access::{self, OperatorScope};
use crate::domain::plan::{CardField, PlanAction, PlanState};
use crate::export::plan_export::PlanFile;
use crate::store::plans::Plan;
use chrono::NaiveDate;

/// A date as typed: GG/MM/AAAA (as the platform writes it) or AAAA-MM-GG.
fn parse_date(s: &str) -> Option<NaiveDate> {
    crate::domain::dates::parse(s, crate::domain::dates::ADMIN_YEARS).ok()
}

/// Whether the operator may open the plan list at all (`casa plan list` checks the same).
pub fn may_see_plans(scope: &OperatorScope) -> bool {
    scope.check(access::Action::ReadPlans).is_ok()
}

/// Plan lifecycle keys and Nuovo piano: they change data, but need the capofila's role, not
/// the ANAGRAFE service, so the registry filter of the legend does not apply to them.
pub fn is_plan_action(action: Action) -> bool {
    matches!(
        action,
        Action::PlanNew
            | Action::PlanDates
            | Action::PlanOpen
            | Action::PlanClose
            | Action::PlanApprove
            | Action::PlanCancel
            | Action::PlanReopen
    )
}

fn plan_action(action: Action) -> Option<PlanAction> {
    match action {
        Action::PlanOpen => Some(PlanAction::Open),
        Action::PlanClose => Some(PlanAction::Close),
        Action::PlanApprove => Some(PlanAction::Approve),
        Action::PlanCancel => Some(PlanAction::Cancel),
        _ => None,
    }
}

/// Everything the plan card shows (read by the service).
pub use crate::service::plans::PlanCard;

/// The "Nuovo piano" dialog: Anno di riferimento, Inizio, Fine.
#[derive(Debug)]
pub struct NewPlan {
    pub fields: [TextField; 3],
    pub focus: usize,
}

impl NewPlan {
    pub const LABELS: [&'static str; 3] = [
        "Anno di riferimento",
        "Data inizio comunicazione (GG/MM/AAAA)",
        "Data fine comunicazione (GG/MM/AAAA)",
    ];

    fn new() -> NewPlan {
        NewPlan {
            fields: [
                TextField::new(4).numeric(),
                TextField::new(10).date(),
                TextField::new(10).date(),
            ],
            focus: 0,
        }
    }

    /// The request, or the message naming the field at fault.
    #[cfg(test)]
    fn request(&self, generation: u64) -> Result<Request, String> {
        self.check(generation).map_err(|(_, m)| m)
    }

    /// The request, or the index of the first field at fault and why.
    fn check(&self, generation: u64) -> Result<Request, (usize, String)> {
        let [year, start, end] = &self.fields;
        let year = year.value().trim().parse::<i32>().map_err(|_| {
            (
                0,
                format!(
                    "Anno di riferimento: '{}' non è un anno",
                    year.value().trim()
                ),
            )
        })?;
        let date = |i: usize, label: &str, f: &TextField| {
            parse_date(f.value()).ok_or_else(|| {
                (
                    i,
                    format!(
                        "{label}: '{}' non è una data (GG/MM/AAAA)",
                        f.value().trim()
                    ),
                )
            })
        };
        let (start, end) = (date(1, "Inizio", start)?, date(2, "Fine", end)?);
        // The card's own rules here too, so the cursor lands on the field at fault.
        crate::domain::plan::check_card_fields(year, start, end).map_err(|(f, e)| {
            let at = match f {
                CardField::Year => 0,
                CardField::Start => 1,
                CardField::End => 2,
            };
            (at, e.to_string())
        })?;
        Ok(Request::PlanCreate {
            generation,
            year,
            start,
            end,
        })
    }

    fn typed(&self) -> bool {
        self.fields.iter().any(|f| !f.value().trim().is_empty())
    }
}

#[derive(Debug, Default)]
pub struct PlanList {
    pub plans: Option<Vec<(Plan, PlanState)>>,
    pub selected: usize,
    /// The operator is a capofila (from the worker, which knows the scope).
    pub may_create: bool,
    /// While open, keys are typed into it; it stays open until the plan is created.
    pub new_plan: Option<NewPlan>,
    generation: u64,
}

impl PlanList {
    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        vec![Request::Plans { generation }]
    }

    /// Nuovo piano is offered to the capofila; the store refuses a second plan for the same
    /// district and year with its own message.
    fn offers_new(&self) -> bool {
        self.may_create && self.plans.is_some()
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.new_plan.is_some() {
            return vec![
                Action::Select,
                Action::NextField,
                Action::PrevField,
                Action::Back,
            ];
        }
        let mut v = vec![Action::Up, Action::Down, Action::Select];
        if self.offers_new() {
            v.push(Action::PlanNew);
        }
        v.push(Action::Refresh);
        v
    }

    /// The dialog's field with the focus.
    pub fn focused_text_mut(&mut self) -> Option<&mut TextField> {
        self.new_plan.as_mut().map(|d| &mut d.fields[d.focus])
    }

    /// Whether the Nuovo piano dialog holds something typed.
    pub fn unsaved(&self) -> bool {
        self.new_plan.as_ref().is_some_and(NewPlan::typed)
    }

    pub fn on_action(&mut self, action: Action, generation: u64) -> ScreenOutcome {
        if let Some(d) = &mut self.new_plan {
            match action {
                Action::Back => self.new_plan = None,
                Action::NextField => d.focus = (d.focus + 1) % d.fields.len(),
                Action::PrevField => d.focus = (d.focus + d.fields.len() - 1) % d.fields.len(),
                Action::Select => {
                    return match d.check(generation) {
                        // The dialog closes when the plan is created: a refusal by the store
                        // leaves what was typed in place.
                        Ok(r) => {
                            self.generation = generation;
                            ScreenOutcome::requests(vec![r])
                        }
                        Err((field, m)) => {
                            // The cursor goes to the field at fault; what was typed stays.
                            d.focus = field;
                            ScreenOutcome::message(Message::Error(m))
                        }
                    };
                }
                _ => {}
            }
            return ScreenOutcome::none();
        }
        let n = self.plans.as_ref().map_or(0, Vec::len);
        match action {
            Action::PlanNew if self.offers_new() => {
                self.new_plan = Some(NewPlan::new());
            }
            Action::Up => self.selected = self.selected.saturating_sub(1),
            Action::Down => self.selected = (self.selected + 1).min(n.saturating_sub(1)),
            Action::Refresh => return ScreenOutcome::requests(self.opened(generation)),
            Action::Select => {
                return match self.plans.as_ref().and_then(|p| p.get(self.selected)) {
                    Some((p, _)) => {
                        ScreenOutcome::push(Screen::PlanCard(Box::new(PlanCardScreen::new(p.id))))
                    }
                    None => ScreenOutcome::message(Message::Warning("Nessun piano".into())),
                };
            }
            _ => {}
        }
        ScreenOutcome::none()
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::Plans {
                generation,
                plans,
                may_create,
                message,
            } if generation == self.generation => {
                self.selected = self.selected.min(plans.len().saturating_sub(1));
                self.plans = Some(plans);
                self.may_create = may_create;
                if message.is_some() {
                    // The creation went through.
                    self.new_plan = None;
                }
                message.map_or_else(ScreenOutcome::none, ScreenOutcome::message)
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => ScreenOutcome::message(Message::Error(message)),
            _ => ScreenOutcome::none(),
        }
    }
}

/// What closing, approving or cancelling will do, with how many owners have not filed.
fn confirmation(action: Action, card: &PlanCard) -> String {
    use crate::domain::communication::CommunicationState;
    use crate::domain::format::count;
    let total = card.owners.len() as i64;
    let missing = card
        .owners
        .iter()
        .filter(|o| o.state != CommunicationState::Filed)
        .count() as i64;
    let missing = if missing == 0 {
        format!("tutti gli enti ({total}) hanno trasmesso")
    } else {
        format!(
            "{} su {total} non {} trasmesso",
            count(missing, "ente", "enti"),
            if missing == 1 { "ha" } else { "hanno" }
        )
    };
    let again = "premere di nuovo il tasto per confermare";
    match action {
        Action::PlanClose => format!(
            "Chiudere la finestra? {missing}: dopo non potranno più trasmettere (salvo Riapri); {again}"
        ),
        Action::PlanApprove => format!(
            "Approvare il piano {}? È definitivo; {missing}; {again}",
            card.plan.year
        ),
        _ => format!("Annullare il piano? L'annullamento è definitivo; {missing}; {again}"),
    }
}

#[derive(Debug)]
pub struct PlanCardScreen {
    pub plan_id: i64,
    pub card: Option<Box<PlanCard>>,
    pub scroll: u16,
    /// The last useful scroll position, as the last frame drawn found it (the card's length
    /// depends on the terminal's width): scrolling stops there.
    pub max_scroll: std::cell::Cell<u16>,
    /// Riapri asks for the new end date here; while it is open, keys are typed into it.
    pub reopen: Option<TextField>,
    /// The window dates being changed (Salva), while open.
    pub dates: Option<super::form::Form>,
    /// Where to write the report or the export (asked, the current directory by default).
    pub save_as: Option<(PlanFile, super::form::Form)>,
    /// Closing, approving and cancelling cannot be undone by the operator (Riapri aside): the
    /// first press says what will happen, the same key again does it.
    confirm: Option<Action>,
    /// Riapri was sent: its field stays until the store takes the date.
    reopen_sent: bool,
    generation: u64,
}

impl PlanCardScreen {
    pub fn new(plan_id: i64) -> PlanCardScreen {
        PlanCardScreen {
            plan_id,
            card: None,
            scroll: 0,
            max_scroll: std::cell::Cell::new(u16::MAX),
            reopen: None,
            dates: None,
            save_as: None,
            confirm: None,
            reopen_sent: false,
            generation: 0,
        }
    }

    fn scroll_to(&mut self, at: u16) {
        self.scroll = at.min(self.max_scroll.get());
    }

    pub fn opened(&mut self, generation: u64) -> Vec<Request> {
        self.generation = generation;
        vec![Request::PlanCard {
            generation,
            plan_id: self.plan_id,
        }]
    }

    pub fn actions(&self) -> Vec<Action> {
        if self.reopen.is_some() {
            return vec![Action::Select, Action::Back];
        }
        if self.dates.is_some() || self.save_as.is_some() {
            return super::form::Form::actions();
        }
        // Matched by `code()`: Riapri's end date is only known once typed.
        let mut v: Vec<Action> = [
            (PlanAction::Open, Action::PlanOpen),
            (PlanAction::Close, Action::PlanClose),
            (
                PlanAction::Reopen {
                    end: NaiveDate::MIN,
                },
                Action::PlanReopen,
            ),
            (PlanAction::Approve, Action::PlanApprove),
            (PlanAction::Cancel, Action::PlanCancel),
        ]
        .into_iter()
        .filter(|(p, _)| {
            self.card
                .as_ref()
                .is_some_and(|c| c.allowed.iter().any(|a| a.code() == p.code()))
        })
        .map(|(_, a)| a)
        .collect();
        // Salva: the capofila changes the window dates while the plan is a draft or open.
        if let Some(c) = &self.card
            && !c.allowed.is_empty()
            && matches!(c.state, PlanState::Draft | PlanState::Open)
        {
            v.push(Action::PlanDates);
        }
        // A draft has no communications yet: the report waits for the window to open.
        if let Some(c) = &self.card {
            if c.may_report && c.state != PlanState::Draft {
                v.push(Action::PlanReport);
            }
            if c.may_export && c.state == PlanState::Approved {
                v.push(Action::Export);
            }
        }
        v.extend([
            Action::Up,
            Action::Down,
            Action::PageUp,
            Action::PageDown,
            Action::First,
            Action::Last,
            Action::Refresh,
        ]);
        v
    }

    pub fn on_action(
        &mut self,
        action: Action,
        _session: &Session,
        generation: u64,
    ) -> ScreenOutcome {
        let confirmed = self.confirm.take() == Some(action);
        if let Some((what, f)) = &mut self.save_as {
            match action {
                Action::Back => self.save_as = None,
                Action::Select => {
                    let typed = f.values()[0].to_string();
                    if typed.is_empty() {
                        f.refuse(0);
                        return ScreenOutcome::message(Message::Error(
                            "File: indicare dove salvare".into(),
                        ));
                    }
                    let path = std::path::absolute(&typed).unwrap_or_else(|_| typed.into());
                    let what = *what;
                    self.save_as = None;
                    self.generation = generation;
                    return ScreenOutcome {
                        message: Some(Message::Info(format!("Scrittura di {}…", path.display()))),
                        requests: vec![Request::PlanFile {
                            generation,
                            plan_id: self.plan_id,
                            what,
                            path,
                        }],
                        ..ScreenOutcome::default()
                    };
                }
                a => {
                    f.navigate(a);
                }
            }
            return ScreenOutcome::none();
        }
        if let Some(f) = &mut self.dates {
            match action {
                Action::Back => self.dates = None,
                Action::Select => {
                    let v: Vec<String> = f.values().into_iter().map(String::from).collect();
                    let start = parse_date(&v[0]);
                    let end = parse_date(&v[1]);
                    let (Some(start), Some(end)) = (start, end) else {
                        let i = usize::from(start.is_some());
                        f.refuse(i);
                        return ScreenOutcome::message(Message::Error(format!(
                            "{}: '{}' non è una data (GG/MM/AAAA)",
                            f.labels[i], v[i]
                        )));
                    };
                    let Some(card) = &self.card else {
                        return ScreenOutcome::none();
                    };
                    // The form stays until the store accepts: a refusal keeps what was typed.
                    self.generation = generation;
                    return ScreenOutcome::requests(vec![Request::PlanDates {
                        generation,
                        plan_id: self.plan_id,
                        start,
                        end,
                        version: card.plan.version,
                    }]);
                }
                a => {
                    f.navigate(a);
                }
            }
            return ScreenOutcome::none();
        }
        if let Some(field) = &self.reopen {
            return match action {
                Action::Back => {
                    self.reopen = None;
                    ScreenOutcome::none()
                }
                Action::Select => match crate::domain::dates::parse(
                    field.value(),
                    crate::domain::dates::ADMIN_YEARS,
                )
                .and_then(|end| match &self.card {
                    Some(card) => crate::domain::plan::check_window_end(card.plan.year, end)
                        .map(|()| end)
                        .map_err(|e| e.to_string()),
                    None => Ok(end),
                }) {
                    // A refused date stays in the field, with the reason.
                    Err(reason) => ScreenOutcome::message(Message::Error(reason)),
                    Ok(end) => {
                        self.reopen_sent = true;
                        self.generation = generation;
                        ScreenOutcome::requests(vec![Request::PlanAct {
                            generation,
                            plan_id: self.plan_id,
                            action: PlanAction::Reopen { end },
                            version: self.card.as_ref().map(|c| c.plan.version),
                        }])
                    }
                },
                _ => ScreenOutcome::none(),
            };
        }
        match action {
            Action::PlanReopen => {
                self.reopen = Some(TextField::new(10).date());
                return ScreenOutcome::none();
            }
            Action::PlanDates => {
                if let Some(c) = &self.card {
                    let it = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
                    self.dates = Some(super::form::Form::new(
                        "DATE DELLA FINESTRA DI COMUNICAZIONE",
                        &[
                            ("Data inizio comunicazione", 10, &it(c.plan.window_start)),
                            ("Data fine comunicazione", 10, &it(c.plan.window_end)),
                        ],
                    ));
                }
                return ScreenOutcome::none();
            }
            Action::Down => self.scroll_to(self.scroll.saturating_add(1)),
            Action::Up => self.scroll_to(self.scroll.saturating_sub(1)),
            Action::PageDown => self.scroll_to(self.scroll.saturating_add(10)),
            Action::PageUp => self.scroll_to(self.scroll.saturating_sub(10)),
            Action::First => self.scroll_to(0),
            Action::Last => self.scroll_to(u16::MAX),
            Action::Refresh => return ScreenOutcome::requests(self.opened(generation)),
            Action::PlanReport | Action::Export => {
                let Some(card) = &self.card else {
                    return ScreenOutcome::none();
                };
                let (what, suffix) = if action == Action::Export {
                    (PlanFile::Export, "esportazione")
                } else {
                    (PlanFile::Report, "report")
                };
                // In the current directory, named so that plans and files do not collide.
                let name = format!(
                    "piano_{}_{}_{}.xlsx",
                    card.plan.district_code, card.plan.year, suffix
                );
                let path = std::path::absolute(&name).unwrap_or_else(|_| name.into());
                // Asked first: the directory casa was started in by default; an existing
                // file is kept (the new one gets the next free name).
                self.save_as = Some((
                    what,
                    super::form::Form::new(
                        "SALVA COME",
                        &[("File (.xlsx)", 255, &path.display().to_string())],
                    ),
                ));
                return ScreenOutcome::none();
            }
            Action::PlanClose | Action::PlanApprove | Action::PlanCancel if !confirmed => {
                let Some(card) = &self.card else {
                    return ScreenOutcome::none();
                };
                self.confirm = Some(action);
                return ScreenOutcome::message(Message::Warning(confirmation(action, card)));
            }
            a => {
                if let Some(action) = plan_action(a) {
                    self.generation = generation;
                    return ScreenOutcome::requests(vec![Request::PlanAct {
                        generation,
                        plan_id: self.plan_id,
                        action,
                        version: self.card.as_ref().map(|c| c.plan.version),
                    }]);
                }
            }
        }
        ScreenOutcome::none()
    }

    pub fn on_data(&mut self, data: DataMsg) -> ScreenOutcome {
        match data {
            DataMsg::PlanCard {
                generation,
                card,
                message,
            } if generation == self.generation => {
                self.card = Some(card);
                // Saved: the dates form closes; refused: it stays as typed.
                if !matches!(message, Some(Message::Error(_))) {
                    self.dates = None;
                }
                // Riapri done: the field goes; refused: it stays with the date typed.
                if std::mem::take(&mut self.reopen_sent)
                    && !matches!(message, Some(Message::Error(_)))
                {
                    self.reopen = None;
                }
                message.map_or_else(ScreenOutcome::none, ScreenOutcome::message)
            }
            DataMsg::Failed {
                generation,
                message,
            } if generation == self.generation => {
                self.reopen_sent = false;
                ScreenOutcome::message(Message::Error(message))
            }
            _ => ScreenOutcome::none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialog(year: &str, start: &str, end: &str) -> NewPlan {
        let mut d = NewPlan::new();
        for (f, v) in d.fields.iter_mut().zip([year, start, end]) {
            f.set(v);
        }
        d
    }

    #[test]
    fn new_plan_errors_name_the_field() {
        let err = |d: NewPlan| d.request(1).unwrap_err();
        assert!(err(dialog("20x6", "01/09/2026", "30/09/2026")).starts_with("Anno di riferimento"));
        assert!(err(dialog("2027", "31/02/2026", "30/09/2026")).starts_with("Inizio"));
        assert!(err(dialog("2027", "01/09/2026", "")).starts_with("Fine"));
        assert!(matches!(
            dialog("2027", "01/09/2026", "2026-09-30").request(1),
            Ok(Request::PlanCreate { year: 2027, .. })
        ));
    }

    #[test]
    fn nuovo_piano_only_for_a_capofila_without_a_plan_in_progress() {
        let mut l = PlanList {
            plans: Some(Vec::new()),
            ..PlanList::default()
        };
        assert!(!l.actions().contains(&Action::PlanNew));
        l.may_create = true;
        assert!(l.actions().contains(&Action::PlanNew));
        l.on_action(Action::PlanNew, 1);
        assert!(l.new_plan.is_some());
        assert!(l.actions().contains(&Action::NextField));
    }
}

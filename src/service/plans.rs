//! Plans (SCHEDA PROGRAMMAZIONE ANNUALE): the list an operator sees, the card with the owners'
//! certifications and communications and the actions the operator may take on it, the
//! lifecycle, revisions, and the plan's report and export files.

use super::{Denied, Refused, Service};
use crate::domain::access::Action;
use crate::domain::plan::{self, PlanAction, PlanState};
use crate::export::plan_export::{self, PlanFile};
use crate::store::communications::{self, Communication};
use crate::store::plans::{self, Changed, Plan, StateChange};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;

/// Everything the plan card shows.
#[derive(Debug, Clone)]
pub struct PlanCard {
    pub plan: Plan,
    /// The state as the dates make it (an open window past its end is closed).
    pub state: PlanState,
    pub history: Vec<StateChange>,
    /// Every owner of the district with its certification and communication.
    pub owners: Vec<Communication>,
    /// Late dates: shown, never blocking.
    pub warnings: Vec<String>,
    /// The actions the lifecycle allows today and the operator may do (capofila only).
    pub allowed: Vec<PlanAction>,
    /// Whether the operator may write the plan's report (whoever reads plans: the
    /// communications it lists are readable one by one anyway).
    pub may_report: bool,
    /// Whether the operator may write the plan's export.
    pub may_export: bool,
}

/// The plans listed, with whether the operator may create its district's plans.
#[derive(Debug, Clone)]
pub struct PlanList {
    /// Each plan with its state as of the day asked.
    pub plans: Vec<(Plan, PlanState)>,
    /// The operator is the capofila of a district: it may create its plans.
    pub may_create: bool,
}

impl Service {
    /// The plans an operator lists: every plan for the Regione and the helpdesk; otherwise its
    /// district's (a capofila) and those its owners file into. Any district's plans can still
    /// be asked for by `district` (plans are public acts), and every plan is readable by id.
    pub fn plans(
        &self,
        district: Option<i64>,
        year: Option<i32>,
        today: NaiveDate,
    ) -> Result<PlanList> {
        let scope = self.session.scope();
        self.session.check(Action::ReadPlans)?;
        let conn = self.store.conn();
        let found = if district.is_none() && !scope.sees_everything() {
            let owners: Vec<i64> = scope.grants.iter().map(|(o, _)| *o).collect();
            plans::list_concerning(conn, scope.district_id, &owners)?
                .into_iter()
                .filter(|p| year.is_none_or(|y| p.year == y))
                .collect()
        } else {
            plans::list(conn, district, year)?
        };
        let may_create = scope.district_id.is_some_and(|district_id| {
            self.session
                .check(Action::ManagePlan { district_id })
                .is_ok()
        });
        Ok(PlanList {
            plans: found
                .into_iter()
                .map(|p| {
                    let state = p.effective_state(today);
                    (p, state)
                })
                .collect(),
            may_create,
        })
    }

    /// The plan card of `plan_id` as of `today`.
    pub fn plan_card(&self, plan_id: i64, today: NaiveDate) -> Result<PlanCard> {
        self.session.check(Action::ReadPlans)?;
        let conn = self.store.conn();
        let plan = plans::get(conn, plan_id)?;
        let history = plans::history(conn, plan_id)?;
        let owners = communications::list(conn, &plan, None)?;
        let mut warnings: Vec<String> = plan::late_start_warning(plan.year, plan.window_start)
            .into_iter()
            .chain(plan::late_end_warning(plan.year, plan.window_end))
            .collect();
        if let Some(h) = history.iter().rev().find(|h| h.action == "approva")
            && let Some(on) = h.at.get(..10).and_then(|d| d.parse::<NaiveDate>().ok())
            && let Some(w) = plan::late_approval_warning(plan.year, on, true)
        {
            warnings.push(w);
        }
        let window = plan.window();
        let district_id = plan.district_id;
        let manages = self
            .session
            .check(Action::ManagePlan { district_id })
            .is_ok();
        let may_report = self.session.check(Action::ReadPlans).is_ok();
        let may_export = self
            .session
            .check(Action::ExportPlan { district_id })
            .is_ok();
        let allowed = if manages {
            // Riapri is checked with today as the new end: any later date is then allowed too.
            [
                PlanAction::Open,
                PlanAction::Close,
                PlanAction::Reopen { end: today },
                PlanAction::Approve,
                PlanAction::Cancel,
            ]
            .into_iter()
            .filter(|a| window.apply(*a, today).is_ok())
            .collect()
        } else {
            Vec::new()
        };
        Ok(PlanCard {
            state: plan.effective_state(today),
            plan,
            history,
            owners,
            warnings,
            allowed,
            may_report,
            may_export,
        })
    }

    /// Writes the report (any state: whoever reads plans, Comuni and ALER included) or the
    /// export (approved plans only: the capofila of its district, the Regione and the
    /// helpdesk) of a plan. Returns the plan and its communications.
    pub fn write_plan_file(
        &self,
        plan_id: i64,
        what: PlanFile,
        out: &crate::output_file::Target,
        today: NaiveDate,
    ) -> Result<(Plan, Vec<Communication>)> {
        let conn = self.store.conn();
        let plan = plans::get(conn, plan_id)?;
        match what {
            PlanFile::Report => self.session.check(Action::ReadPlans)?,
            PlanFile::Export => self.session.check(Action::ExportPlan {
                district_id: plan.district_id,
            })?,
        }
        let communications = communications::list(conn, &plan, None)?;
        match what {
            PlanFile::Report => crate::export::plan_report::write(&plan, &communications, out)?,
            PlanFile::Export => {
                let state = plan.effective_state(today);
                if state != PlanState::Approved {
                    return Err(Refused(format!(
                        "Il piano {plan_id} è in stato {}: si esportano solo i piani APPROVATO",
                        state.db()
                    ))
                    .into());
                }
                plan_export::write(&self.store, &plan, &communications, out)?;
            }
        }
        Ok((plan, communications))
    }

    /// Creates the plan card (BOZZA) of a district for a year.
    pub fn create_plan(
        &mut self,
        district_id: i64,
        year: i32,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Changed> {
        self.session
            .check_write(Action::ManagePlan { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?
            .create_plan(&actor, district_id, year, start, end)
    }

    /// Creates a plan of the operator's own district (the capofila's "Nuovo piano").
    pub fn create_own_plan(
        &mut self,
        year: i32,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Changed> {
        let Some(district_id) = self.session.scope().district_id else {
            return Err(anyhow!(Denied(
                "solo il capofila di un ambito crea i suoi piani".into()
            )));
        };
        self.create_plan(district_id, year, start, end)
    }

    /// A lifecycle action on `today`; `expected_version` is the version the caller read (the
    /// card on screen, `plan show`): refused if another session changed the plan since.
    pub fn plan_action(
        &mut self,
        plan_id: i64,
        action: PlanAction,
        expected_version: Option<i64>,
        today: NaiveDate,
    ) -> Result<Changed> {
        let district_id = plans::get(self.store.conn(), plan_id)?.district_id;
        self.session
            .check_write(Action::ManagePlan { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?
            .plan_action(&actor, plan_id, action, expected_version, today)
    }

    /// A new revision (BOZZA) of an approved plan, superseding it.
    pub fn revise_plan(
        &mut self,
        plan_id: i64,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Changed> {
        let district_id = plans::get(self.store.conn(), plan_id)?.district_id;
        self.session
            .check_write(Action::ManagePlan { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?.revise_plan(&actor, plan_id, start, end)
    }
}

impl Service {
    /// The plan card's Salva: new window dates for a plan in BOZZA or APERTO (its district's
    /// capofila), refused if another session changed the plan since `expected_version`.
    pub fn set_plan_window(
        &mut self,
        plan_id: i64,
        start: NaiveDate,
        end: NaiveDate,
        expected_version: i64,
        today: NaiveDate,
    ) -> Result<Changed> {
        let district_id = plans::get(self.store.conn(), plan_id)?.district_id;
        self.session
            .check_write(Action::ManagePlan { district_id })?;
        let actor = self.session.username().to_string();
        self.writable()?
            .set_plan_window(&actor, plan_id, start, end, expected_version, today)
    }
}

//! SCHEMA COMUNICAZIONE ANNUALE: owners' communications for a plan. Every operator who reads
//! plans reads their communications (they are the plan's numbers); an owner's operators with
//! the PROGRAMMAZIONE service file them.

use super::{InvalidInput, Refused, Service};
use crate::domain::access::{Action, Service as Grant};
use crate::domain::communication::FormInput;
use crate::domain::registry::OwnerKind;
use crate::rules::RuleSet;
use crate::store::communications::{self, Communication, Filing, Prefill, Save, SaveMode, Saved};
use crate::store::{owners, plans};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;

/// One communication with what its form needs: the owner's kind, the rules of the plan year
/// and the registry counts marked for it.
#[derive(Debug, Clone)]
pub struct CommunicationRow {
    pub plan: plans::Plan,
    pub communication: Communication,
    pub kind: OwnerKind,
    pub rules: &'static RuleSet,
    pub prefill: Prefill,
}

/// How a save from a form ended.
#[derive(Debug)]
pub enum FormSave {
    /// Saved: what the store answered and the communication reread (the next save goes with
    /// its new version).
    Saved {
        saved: Box<Saved>,
        row: Box<CommunicationRow>,
    },
    /// Refused because another session saved after the form was read: the refusal and the
    /// communication as stored now (the form keeps what was typed).
    Stale {
        message: String,
        row: Box<CommunicationRow>,
    },
}

impl Service {
    /// The communications the operator files: one per plan for each owner it has the
    /// PROGRAMMAZIONE service on.
    pub fn own_communications(&self) -> Result<Vec<CommunicationRow>> {
        self.session.check(Action::ReadPlans)?;
        let conn = self.store.conn();
        let mut owner_ids: Vec<i64> = self
            .session
            .scope()
            .grants
            .iter()
            .filter(|(_, s)| *s == Grant::Planning)
            .map(|(o, _)| *o)
            .collect();
        owner_ids.dedup();
        let mut rows = Vec::new();
        // A cancelled plan takes no communication: it is not offered for filing (its filings
        // stay readable with `casa comm show`).
        let live = plans::list(conn, None, None)?
            .into_iter()
            .filter(|p| p.state != crate::domain::plan::PlanState::Cancelled);
        for plan in live {
            for &owner_id in &owner_ids {
                let Some(communication) = communications::list(conn, &plan, Some(owner_id))?
                    .into_iter()
                    .next()
                else {
                    continue;
                };
                let Some(owner) = owners::owner_by_id(conn, owner_id)? else {
                    continue;
                };
                rows.push(CommunicationRow {
                    rules: communications::rules_of(&plan)?,
                    prefill: communications::prefill(conn, &plan, owner_id)?,
                    kind: owner.kind,
                    plan: plan.clone(),
                    communication,
                });
            }
        }
        Ok(rows)
    }

    /// The communications of a plan, or of one owner of it (refused when the owner has none).
    pub fn communications(
        &self,
        plan_id: i64,
        owner_id: Option<i64>,
    ) -> Result<(plans::Plan, Vec<Communication>)> {
        self.session.check(Action::ReadPlans)?;
        let conn = self.store.conn();
        let plan = plans::get(conn, plan_id)?;
        let found = communications::list(conn, &plan, owner_id)?;
        if owner_id.is_some() && found.is_empty() {
            return Err(anyhow!(InvalidInput(format!(
                "l'ente non ha una comunicazione nel piano {plan_id}"
            ))));
        }
        Ok((plan, found))
    }

    /// The registry's counts of an owner's units marked for the plan year.
    pub fn communication_prefill(&self, plan: &plans::Plan, owner_id: i64) -> Result<Prefill> {
        self.session.check(Action::ReadPlans)?;
        communications::prefill(self.store.conn(), plan, owner_id)
    }

    /// Every filing of a plan (or of one owner), superseded ones included.
    pub fn filings(&self, plan_id: i64, owner_id: Option<i64>) -> Result<Vec<Filing>> {
        self.session.check(Action::ReadPlans)?;
        let conn = self.store.conn();
        plans::get(conn, plan_id)?;
        communications::history(conn, plan_id, owner_id)
    }

    /// Writes the receipt of the transmission in force of an owner's communication (xlsx):
    /// for whoever reads the plan's communications (the owner sends it to the capofila).
    /// Returns the filing written.
    pub fn write_receipt(
        &self,
        plan_id: i64,
        owner_id: i64,
        out: &crate::output_file::Target,
    ) -> Result<Filing> {
        let (plan, found) = self.communications(plan_id, Some(owner_id))?;
        let filing = found
            .into_iter()
            .next()
            .and_then(|c| c.filing)
            .ok_or_else(|| {
                anyhow!(InvalidInput(format!(
                    "la comunicazione dell'ente per il piano {plan_id} non è stata trasmessa: non c'è ricevuta"
                )))
            })?;
        crate::export::receipt::write(&plan, &filing, out)?;
        Ok(filing)
    }

    /// Saves (a draft) or files an owner's communication for a plan on `today`, refused if
    /// another session saved after `expected_version` was read.
    pub fn save_communication(
        &mut self,
        plan_id: i64,
        owner_id: i64,
        input: &FormInput,
        expected_version: Option<i64>,
        draft: bool,
        today: NaiveDate,
    ) -> Result<Saved> {
        self.session
            .check_write(Action::FileCommunication { owner_id })?;
        let actor = self.session.username().to_string();
        let save = Save {
            plan_id,
            owner_id,
            input,
            expected_version,
            mode: if draft {
                SaveMode::Draft
            } else {
                SaveMode::File
            },
            today,
        };
        self.writable()?.save_communication(&actor, save)
    }

    /// A save from the form read at `version`: the communication reread after it, or, when
    /// another session saved meanwhile, the refusal with the communication as stored now.
    pub fn save_communication_form(
        &mut self,
        plan_id: i64,
        owner_id: i64,
        input: &FormInput,
        version: i64,
        draft: bool,
        today: NaiveDate,
    ) -> Result<FormSave> {
        let reread = |svc: &Service| -> Result<Option<CommunicationRow>> {
            Ok(svc
                .own_communications()?
                .into_iter()
                .find(|r| r.plan.id == plan_id && r.communication.owner_id == owner_id))
        };
        match self.save_communication(plan_id, owner_id, input, Some(version), draft, today) {
            Ok(saved) => {
                let row =
                    reread(self)?.ok_or_else(|| anyhow!("comunicazione non più leggibile"))?;
                Ok(FormSave::Saved {
                    saved: Box::new(saved),
                    row: Box::new(row),
                })
            }
            Err(e) => {
                // Stale when the stored version is no longer the one the form was read at.
                let current = reread(self)
                    .ok()
                    .flatten()
                    .filter(|r| r.communication.version != version);
                match current {
                    Some(row) if e.downcast_ref::<Refused>().is_some() => Ok(FormSave::Stale {
                        message: super::messages::failure(&e),
                        row: Box::new(row),
                    }),
                    _ => Err(e),
                }
            }
        }
    }
}

//! Assegnazione: the quota ledgers an operator reads, the units to assign, the assignments of
//! a year, proposals, the steps of the istruttoria, document checks, the what-if replay and
//! the export. Who may do what is `domain::access`'s rule: the owner's operators with the
//! AVVISI service assign that owner's units; the capofila reads every ledger of its district,
//! the Regione and the helpdesk every ledger of the region.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::rules::RuleSet;
use crate::store::assignments::{
    self, AssignmentRow, AvailableUnit, Checked, DocumentCheck, LedgerKey, LedgerView, ListFilter,
    Proposed, StepDone, StepRequest, WhatIf,
};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;

impl Service {
    fn ledger_action(&self, owner_id: i64, istat: &str) -> Result<Action> {
        Ok(Action::ReadLedger {
            district_id: assignments::district_of(self.store.conn(), istat)?,
            owner_id,
        })
    }

    /// Refused unless the operator reads the ledger of `owner_id` in comune `istat`.
    fn check_ledger(&self, owner_id: i64, istat: &str) -> Result<()> {
        self.session.check(Action::ReadAssignments)?;
        let a = self.ledger_action(owner_id, istat)?;
        self.session.check(a)?;
        Ok(())
    }

    /// Refused unless the operator assigns the units of `owner_id` (and may write).
    fn check_assign(&self, owner_id: i64) -> Result<()> {
        self.session.check_write(Action::Assign { owner_id })?;
        Ok(())
    }

    /// A comune by name or ISTAT code, as an option of the command line.
    pub fn find_comune(&self, option: &str, query: &str) -> Result<(String, String)> {
        assignments::find_comune(self.store.conn(), query)
            .map_err(|e| anyhow!(InvalidInput(format!("{option}: {e}"))))
    }

    /// The ledgers of `year` the operator reads (of one owner, of one comune, if given).
    pub fn assignment_ledgers(
        &self,
        year: i32,
        owner: Option<i64>,
        istat: Option<&str>,
    ) -> Result<Vec<LedgerView>> {
        self.session.check(Action::ReadAssignments)?;
        let conn = self.store.conn();
        let scope = self.session.scope();
        let districts = assignments::districts_of_comuni(conn)?;
        let keep = |o: i64, c: &str| {
            owner.is_none_or(|x| x == o)
                && istat.is_none_or(|x| x == c)
                && scope
                    .check(Action::ReadLedger {
                        district_id: districts.get(c).copied(),
                        owner_id: o,
                    })
                    .is_ok()
        };
        assignments::ledgers_of_year(conn, year, &keep)
    }

    /// One ledger.
    pub fn assignment_ledger(&self, key: &LedgerKey) -> Result<LedgerView> {
        self.check_ledger(key.owner_id, &key.istat)?;
        assignments::ledger(self.store.conn(), key)
    }

    /// The units of a ledger still to assign (waiting or in an istruttoria), `limit` after
    /// availability `after`.
    pub fn assignment_units(
        &self,
        key: &LedgerKey,
        after: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AvailableUnit>> {
        self.check_ledger(key.owner_id, &key.istat)?;
        assignments::available_units(self.store.conn(), key, after, limit.clamp(1, 1000))
    }

    /// One assignment with its explanation.
    pub fn assignment(&self, id: i64) -> Result<AssignmentRow> {
        let a = assignments::assignment(self.store.conn(), id)?;
        self.check_ledger(a.owner_id, &a.istat)?;
        Ok(a)
    }

    /// The assignments of a year the operator reads.
    pub fn assignments(&self, filter: &ListFilter) -> Result<Vec<AssignmentRow>> {
        self.session.check(Action::ReadAssignments)?;
        let conn = self.store.conn();
        let districts = assignments::districts_of_comuni(conn)?;
        let scope = self.session.scope();
        Ok(assignments::list(conn, filter)?
            .into_iter()
            .filter(|a| {
                scope
                    .check(Action::ReadLedger {
                        district_id: districts.get(&a.istat).copied(),
                        owner_id: a.owner_id,
                    })
                    .is_ok()
            })
            .collect())
    }

    /// The owner of a unit (the interface asks whether the operator may assign it).
    pub fn assignment_units_owner(&self, unit_id: i64) -> Result<i64> {
        Ok(assignments::unit_owner(self.store.conn(), unit_id)?.0)
    }

    /// What a proposal for `unit_id` would be, nothing written.
    pub fn preview_assignment(&self, unit_id: i64) -> Result<Proposed> {
        let (owner, istat) = assignments::unit_owner(self.store.conn(), unit_id)?;
        self.check_ledger(owner, &istat)?;
        assignments::preview(self.store.conn(), unit_id)
    }

    /// Proposes a household for `unit_id` (art. 13 and 15).
    pub fn propose_assignment(&mut self, unit_id: i64, today: NaiveDate) -> Result<Proposed> {
        let (owner, _) = assignments::unit_owner(self.store.conn(), unit_id)?;
        self.check_assign(owner)?;
        let actor = self.session.username().to_string();
        self.writable()?.propose_assignment(&actor, unit_id, today)
    }

    /// The oldest unit of the owner in the comune still waiting for a proposal.
    pub fn next_waiting_unit(&self, owner_id: i64, istat: &str) -> Result<i64> {
        self.check_ledger(owner_id, istat)?;
        assignments::next_waiting(self.store.conn(), owner_id, istat)?.ok_or_else(|| {
            anyhow!(InvalidInput(
                "nessuna unità dell'ente in questo comune attende una proposta".into()
            ))
        })
    }

    /// Proposes for the oldest unit of the owner in the comune still waiting.
    pub fn propose_next(
        &mut self,
        owner_id: i64,
        istat: &str,
        today: NaiveDate,
    ) -> Result<Proposed> {
        self.check_assign(owner_id)?;
        let unit = self.next_waiting_unit(owner_id, istat)?;
        self.propose_assignment(unit, today)
    }

    /// The default deadline of an offer made today.
    pub fn offer_deadline(&self, id: i64, today: NaiveDate) -> Result<NaiveDate> {
        self.assignment(id)?;
        assignments::offer_deadline(self.store.conn(), id, today)
    }

    /// One step of an istruttoria.
    pub fn assignment_step(&mut self, req: &StepRequest, today: NaiveDate) -> Result<StepDone> {
        let a = assignments::assignment(self.store.conn(), req.assignment_id)?;
        self.check_assign(a.owner_id)?;
        let actor = self.session.username().to_string();
        self.writable()?.assignment_step(&actor, req, today)
    }

    /// A document check of an istruttoria.
    pub fn assignment_check(
        &mut self,
        id: i64,
        version: Option<i64>,
        check: &DocumentCheck,
        today: NaiveDate,
    ) -> Result<Checked> {
        let a = assignments::assignment(self.store.conn(), id)?;
        self.check_assign(a.owner_id)?;
        let actor = self.session.username().to_string();
        self.writable()?
            .assignment_check(&actor, id, version, check, today)
    }

    /// The year of a ledger replayed under another rule set and/or letter h; nothing saved.
    pub fn assignment_what_if(
        &self,
        key: &LedgerKey,
        other: Option<&RuleSet>,
        h: Option<u64>,
    ) -> Result<WhatIf> {
        self.check_ledger(key.owner_id, &key.istat)?;
        if h.is_some_and(|h| h > 8_000) {
            return Err(anyhow!(InvalidInput(
                "soglia eccedente per indigenti: al più 80% (20% + 80% = 100%)".into()
            )));
        }
        assignments::what_if(self.store.conn(), key, other, h)
    }

    /// Writes the ledgers and the assignments of `year` the operator reads to `out` (of one
    /// owner if given): (ledgers, assignments).
    pub fn export_assignments(
        &self,
        year: i32,
        owner: Option<i64>,
        out: &crate::output_file::Target,
    ) -> Result<(usize, usize)> {
        let ledgers = self.assignment_ledgers(year, owner, None)?;
        let rows = self.assignments(&ListFilter {
            year,
            owner_id: owner,
            istat: None,
            stages: Vec::new(),
        })?;
        let mut notes = vec![format!(
            "Quote di assegnazione {year} (art. 13 c.3 e art. 15 r.r. 4/2017), ricalcolate dalle assegnazioni il {}",
            super::today().format("%d/%m/%Y")
        )];
        if let Some(u) = ledgers.first().and_then(|l| l.unverified.clone()) {
            notes.push(u);
        }
        crate::export::assignments::write(out, year, &notes, &ledgers, &rows)?;
        Ok((ledgers.len(), rows.len()))
    }
}

impl Service {
    /// Whether the session may assign `owner_id`'s units (the interface offers the steps only
    /// then; the calls check again).
    pub fn may_assign(&self, owner_id: i64) -> bool {
        self.session
            .check_write(Action::Assign { owner_id })
            .is_ok()
    }

    /// The stored rule sets with assignment parameters (for the what-if).
    pub fn assignment_rule_sets(&self) -> Result<Vec<crate::store::rule_sets::Stored>> {
        self.session.check(Action::ReadAssignments)?;
        let conn = self.store.conn();
        let mut out = Vec::new();
        for s in crate::store::rule_sets::list(conn)? {
            if assignments::rule_set(conn, s.id).is_ok_and(|r| r.ranking.is_some()) {
                out.push(s);
            }
        }
        Ok(out)
    }

    /// The what-if with a stored rule set by id (the interface's choice).
    pub fn assignment_what_if_stored(
        &self,
        key: &LedgerKey,
        rule_set_id: Option<i64>,
        h: Option<u64>,
    ) -> Result<WhatIf> {
        let other = match rule_set_id {
            Some(id) => Some(assignments::rule_set(self.store.conn(), id)?),
            None => None,
        };
        self.assignment_what_if(key, other.as_deref(), h)
    }
}

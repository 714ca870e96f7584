//! The Assegnazione area's requests: each the matching service call, its answer as a message.

use super::Jobs;
use crate::app::Message;
use crate::app::screens::assignments::{Data, Query};
use crate::app::screens::{DataMsg, Request};
use crate::domain::assignment::Stage;
use crate::service::{Refused, messages, today};
use crate::store::assignments::{Checked, StepDone};

impl Jobs {
    pub(super) fn assignments(&mut self, request: Request) {
        let Request::Assignments { generation, query } = request else {
            return;
        };
        // A refused step reloads the istruttoria: it may have changed under the operator,
        // who then sees its current state next to the reason.
        let case = match &query {
            Query::Step(r) => Some(r.assignment_id),
            Query::Check { id, .. } => Some(*id),
            _ => None,
        };
        match self.answer(query) {
            Ok(data) => self.send(DataMsg::Assignments {
                generation,
                data: Box::new(data),
            }),
            Err(e) if case.is_some() && e.downcast_ref::<Refused>().is_some() => {
                let message = Some(Message::Error(messages::failure(&e)));
                match self.case(case.unwrap_or_default(), message) {
                    Ok(data) => self.send(DataMsg::Assignments {
                        generation,
                        data: Box::new(data),
                    }),
                    Err(e) => self.failed(generation, e),
                }
            }
            Err(e) => self.failed(generation, e),
        }
    }

    fn case(&self, id: i64, message: Option<Message>) -> anyhow::Result<Data> {
        let svc = &self.service;
        let row = svc.assignment(id)?;
        Ok(Data::Case {
            answer_by: svc.offer_deadline(id, today())?,
            may_assign: svc.may_assign(row.owner_id),
            row: Box::new(row),
            message,
        })
    }

    fn answer(&mut self, query: Query) -> anyhow::Result<Data> {
        Ok(match query {
            Query::Ledgers { year } => {
                Data::Ledgers(self.service.assignment_ledgers(year, None, None)?)
            }
            Query::Ledger { key, after, limit } => {
                let svc = &self.service;
                Data::Ledger {
                    view: Box::new(svc.assignment_ledger(&key)?),
                    units: svc.assignment_units(&key, after, limit)?,
                    after,
                    may_assign: svc.may_assign(key.owner_id),
                }
            }
            Query::Preview { unit_id } => {
                let svc = &self.service;
                let proposed = svc.preview_assignment(unit_id)?;
                let owner = svc.assignment_units_owner(unit_id)?;
                Data::Preview {
                    proposed: Box::new(proposed),
                    may_assign: svc.may_assign(owner),
                }
            }
            Query::Propose { unit_id } => {
                Data::Proposed(Box::new(self.service.propose_assignment(unit_id, today())?))
            }
            Query::Case { id } => self.case(id, None)?,
            Query::Step(r) => {
                let done = self.service.assignment_step(&r, today())?;
                let text = step_text(&done);
                self.case(done.assignment.id, Some(Message::Info(text)))?
            }
            Query::Check { id, version, check } => {
                let c = self
                    .service
                    .assignment_check(id, Some(version), &check, today())?;
                let text = check_text(&c);
                let next = c.next.as_ref().and_then(|p| p.assignment_id).unwrap_or(id);
                self.case(next, Some(Message::Info(text)))?
            }
            Query::RuleSets => Data::RuleSets(self.service.assignment_rule_sets()?),
            Query::WhatIf {
                key,
                rule_set_id,
                h,
            } => Data::WhatIf(Box::new(self.service.assignment_what_if_stored(
                &key,
                rule_set_id,
                h,
            )?)),
            Query::Export { year, path } => {
                // A file of the same name is kept: the new one gets the next free name.
                let path = crate::output_file::free_name(&path);
                let target = crate::output_file::Target::new(&path, false);
                let (ledgers, rows) = self.service.export_assignments(year, None, &target)?;
                Data::Exported {
                    path,
                    ledgers,
                    rows,
                }
            }
        })
    }
}

/// What a step did, for the message line.
fn step_text(d: &StepDone) -> String {
    let a = &d.assignment;
    let mut t = match a.stage {
        Stage::Offerta => format!(
            "Offerta registrata: risposta entro {}",
            a.answer_by
                .as_deref()
                .map(crate::app::screens::assignments::it_date)
                .unwrap_or_default()
        ),
        Stage::Accettata => "Accettazione registrata: segue il provvedimento".into(),
        Stage::Assegnata if a.lease_date.is_some() => "Contratto registrato: unità OCCUPATO".into(),
        Stage::Assegnata => format!(
            "Provvedimento n. {} registrato: domanda ASSEGNATA",
            a.act_number.as_deref().unwrap_or_default()
        ),
        s => format!("Istruttoria {}", s.db()),
    };
    if d.removed {
        t.push_str(&format!("; la domanda {} esce dalle graduatorie", a.code));
    }
    if let Some(s) = d.unit_state
        && a.lease_date.is_none()
    {
        t.push_str(&format!("; unità {s}"));
    }
    t
}

fn check_text(c: &Checked) -> String {
    let a = &c.cancelled.assignment;
    let mut t = format!("Istruttoria {} annullata", a.id);
    for m in &c.moved {
        t.push_str(&format!(
            "; {} ISBAR {} → {}, posizione {} → {}",
            m.comune,
            crate::domain::isbar::points(m.isbar_before),
            crate::domain::isbar::points(m.isbar_after),
            m.before,
            m.after
        ));
    }
    match c.next.as_ref().and_then(|p| p.decision.proposal()) {
        Some(p) => t.push_str(&format!("; proposta la domanda {}", p.applicant.code)),
        None => t.push_str("; nessuna domanda da proporre"),
    }
    t
}

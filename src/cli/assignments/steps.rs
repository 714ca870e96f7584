//! The changes of `casa assignments`: a proposal, a step of the istruttoria, a document
//! check.

use super::key;
use crate::cli::output::Format;
use crate::cli::{Global, InvalidInput, open};
use crate::domain::assignment::Step;
use crate::service::{Need, Service, today};
use crate::store::assignments::{DocumentCheck, Proposed, StepDone, StepRequest};
use anyhow::{Result, anyhow};

fn print_proposal(p: &Proposed, format: Format) -> Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(p)?);
        return Ok(());
    }
    match p.assignment_id {
        Some(id) => say!("Assegnazione {id} proposta per l'unità {}", p.unit_id),
        None if p.decision.proposal().is_some() => {
            say!("Proposta per l'unità {} (nulla è stato salvato)", p.unit_id)
        }
        None => say!("Nessuna proposta per l'unità {}", p.unit_id),
    }
    for l in p.decision.explanation() {
        say!("  {l}");
    }
    if let Some(l) = crate::domain::assignment::proposal::owner_choice_line(&p.owner_choice)
        && p.assignment_id.is_none()
    {
        say!("  {l}");
    }
    say!("{}", p.headline);
    Ok(())
}

pub(super) fn propose(
    g: &Global,
    unit: Option<i64>,
    owner: Option<&str>,
    comune: Option<&str>,
    dry_run: bool,
    format: Format,
) -> Result<()> {
    let mut svc = open(g, if dry_run { Need::Read } else { Need::Write })?;
    let p = match (unit, owner, comune) {
        (Some(u), _, _) if dry_run => svc.preview_assignment(u)?,
        (Some(u), _, _) => svc.propose_assignment(u, today())?,
        (None, Some(o), Some(c)) => {
            let k = key(&svc, o, c, None)?;
            if dry_run {
                let u = svc.next_waiting_unit(k.owner_id, &k.istat)?;
                svc.preview_assignment(u)?
            } else {
                svc.propose_next(k.owner_id, &k.istat, today())?
            }
        }
        _ => {
            return Err(anyhow!(InvalidInput(
                "indicare --unit, oppure --owner e --comune".into()
            )));
        }
    };
    print_proposal(&p, format)?;
    if p.decision.proposal().is_none() {
        return Err(anyhow!(InvalidInput(format!(
            "nessuna domanda da proporre per l'unità {}",
            p.unit_id
        ))));
    }
    Ok(())
}

fn print_step(d: &StepDone) {
    let a = &d.assignment;
    match (&a.lease_date, d.before == a.stage) {
        (Some(l), true) => say!(
            "Assegnazione {}: contratto di locazione del {l} registrato (versione {})",
            a.id,
            a.version
        ),
        _ => say!(
            "Assegnazione {}: {} → {} (versione {})",
            a.id,
            d.before,
            a.stage,
            a.version
        ),
    }
    if let Some(s) = d.unit_state {
        say!("Unità {}: {s}", a.unit_id);
    }
    if d.removed {
        say!(
            "La domanda {} esce dalle graduatorie: {}",
            a.code,
            a.outcome_reason.as_deref().unwrap_or_default()
        );
    }
}

pub(super) fn step(
    svc: &mut Service,
    id: i64,
    version: Option<i64>,
    step: Step,
    reason: Option<String>,
) -> Result<()> {
    let d = svc.assignment_step(
        &StepRequest {
            assignment_id: id,
            version,
            step,
            reason,
        },
        today(),
    )?;
    print_step(&d);
    Ok(())
}

pub(super) fn cancel(
    g: &Global,
    id: i64,
    reason: String,
    requirement: Option<String>,
    condition: Option<String>,
    version: Option<i64>,
) -> Result<()> {
    let mut svc = open(g, Need::Write)?;
    let check = match (requirement, condition) {
        (Some(r), _) => DocumentCheck::MissingRequirement {
            requirement: r,
            reason,
        },
        (None, Some(c)) => DocumentCheck::MissingCondition { code: c, reason },
        (None, None) => {
            return step(&mut svc, id, version, Step::Cancel, Some(reason));
        }
    };
    let c = svc.assignment_check(id, version, &check, today())?;
    print_step(&c.cancelled);
    for m in &c.moved {
        say!(
            "  {}: ISBAR {} → {}, posizione {} → {}",
            m.comune,
            crate::domain::isbar::points(m.isbar_before),
            crate::domain::isbar::points(m.isbar_after),
            m.before,
            m.after
        );
    }
    if let Some(p) = &c.next {
        print_proposal(p, Format::Table)?;
    }
    Ok(())
}

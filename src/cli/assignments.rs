//! `casa assignments …`: the quota ledger, proposals, the steps of the istruttoria, document
//! checks, the list and the export of a year, the what-if replay. Every command goes through
//! the service, which checks who may do what.

use crate::cli::output::{Format, Listing};
use crate::cli::plan::parse_date;
use crate::cli::{Global, InvalidInput, open};
use crate::domain::assignment::{Line, Stage, Step};
use crate::domain::communication::Pct;
use crate::service::{Need, Service, today};
use crate::store::assignments::{
    AssignmentRow, DocumentCheck, LedgerKey, LedgerView, ListFilter, Proposed, StepDone,
    StepRequest,
};
use anyhow::{Result, anyhow};
use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AssignmentsCommand {
    /// The quota ledger: per owner and comune, the units available in the year, each line's
    /// quota (indigents, the plan's reserves), used, in progress, owed, and what the next unit
    /// goes to
    Ledger {
        #[arg(long)]
        year: Option<i32>,
        /// Owner: name, codice fiscale, ISTAT code or ALER code
        #[arg(long)]
        owner: Option<String>,
        /// Comune: name or ISTAT code
        #[arg(long)]
        comune: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Propose a household for a unit (art. 13 and 15), with the reasons; with --owner and
    /// --comune, the oldest unit still waiting
    Propose {
        /// ID alloggio
        #[arg(long, conflicts_with_all = ["owner", "comune"])]
        unit: Option<i64>,
        #[arg(long, requires = "comune")]
        owner: Option<String>,
        #[arg(long, requires = "owner")]
        comune: Option<String>,
        /// Show what would be proposed, write nothing
        #[arg(long)]
        dry_run: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One assignment with its explanation
    Show {
        assignment: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Offer the unit to the household proposed; it answers by the deadline (default: the
    /// rule set's days)
    #[command(disable_version_flag = true)]
    Offer {
        assignment: i64,
        /// Answer by (GG/MM/AAAA or AAAA-MM-GG)
        #[arg(long)]
        answer_by: Option<String>,
        /// Version read with `show`: refused if someone changed the assignment meanwhile
        #[arg(long = "version", id = "expected_version", value_name = "V")]
        version: Option<i64>,
    },
    /// The household accepts the unit
    #[command(disable_version_flag = true)]
    Accept {
        assignment: i64,
        #[arg(long = "version", id = "expected_version", value_name = "V")]
        version: Option<i64>,
    },
    /// The household refuses (or, with --no-answer, did not answer by the deadline): the
    /// application leaves the rankings when the rule set says so, the unit is free again
    #[command(disable_version_flag = true)]
    Refuse {
        assignment: i64,
        #[arg(long)]
        no_answer: bool,
        #[arg(long)]
        reason: Option<String>,
        #[arg(long = "version", id = "expected_version", value_name = "V")]
        version: Option<i64>,
    },
    /// Stop an istruttoria: withdrawn (--reason), or after a document check: an access
    /// requirement missing (the application leaves the rankings) or a scoring condition not
    /// documented (the ISBAR is recomputed and the application re-ranked); then the next
    /// household is proposed
    #[command(disable_version_flag = true)]
    Cancel {
        assignment: i64,
        #[arg(long)]
        reason: String,
        /// Access requirement missing (e.g. ISEE, PATRIMONIO, RESIDENZA)
        #[arg(long, conflicts_with = "missing_condition")]
        missing_requirement: Option<String>,
        /// Scoring condition not documented (its code, e.g. RILASCIO_ALLOGGIO)
        #[arg(long)]
        missing_condition: Option<String>,
        #[arg(long = "version", id = "expected_version", value_name = "V")]
        version: Option<i64>,
    },
    /// The assignment act (provvedimento): number and date; with --lease-date, the lease too
    /// (one step)
    #[command(disable_version_flag = true)]
    Assign {
        assignment: i64,
        /// Number of the provvedimento
        #[arg(long)]
        act: String,
        #[arg(long)]
        act_date: String,
        /// Date of the lease: the unit becomes OCCUPATO
        #[arg(long)]
        lease_date: Option<String>,
        #[arg(long = "version", id = "expected_version", value_name = "V")]
        version: Option<i64>,
    },
    /// The lease is signed: the unit becomes OCCUPATO
    #[command(disable_version_flag = true)]
    Lease {
        assignment: i64,
        #[arg(long)]
        date: String,
        #[arg(long = "version", id = "expected_version", value_name = "V")]
        version: Option<i64>,
    },
    /// The assignments of a year (ID domanda only, never names)
    List {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        comune: Option<String>,
        /// Only this stage (PROPOSTA, OFFERTA, ACCETTATA, ASSEGNATA, RIFIUTATA, "SENZA
        /// RISPOSTA", ANNULLATA)
        #[arg(long)]
        stage: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The ledger and the assignments of a year (xlsx), as an owner reports them to the Region
    Export {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long)]
        owner: Option<String>,
        #[arg(long)]
        out: PathBuf,
    },
    /// What-if: the year's assignments of an owner in a comune replayed under another rule set
    /// or another letter h; who would have been assigned differently (nothing is saved)
    WhatIf {
        #[arg(long)]
        owner: String,
        #[arg(long)]
        comune: String,
        #[arg(long)]
        year: Option<i32>,
        /// Stored rule set: id or citation
        #[arg(long, conflicts_with = "rules_file")]
        rules: Option<String>,
        /// A rule-set file not loaded
        #[arg(long)]
        rules_file: Option<PathBuf>,
        /// Letter h: % above the 20% for indigents
        #[arg(long)]
        indigenti_pct: Option<String>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

pub fn run(g: &Global, cmd: AssignmentsCommand) -> Result<()> {
    match cmd {
        AssignmentsCommand::Ledger {
            year,
            owner,
            comune,
            format,
        } => ledger(g, year, owner.as_deref(), comune.as_deref(), format),
        AssignmentsCommand::Propose {
            unit,
            owner,
            comune,
            dry_run,
            format,
        } => propose(
            g,
            unit,
            owner.as_deref(),
            comune.as_deref(),
            dry_run,
            format,
        ),
        AssignmentsCommand::Show { assignment, format } => show(g, assignment, format),
        AssignmentsCommand::Offer {
            assignment,
            answer_by,
            version,
        } => {
            let mut svc = open(g, Need::Write)?;
            let answer_by = match answer_by {
                Some(d) => date("--answer-by", &d)?,
                None => svc.offer_deadline(assignment, today())?,
            };
            step(
                &mut svc,
                assignment,
                version,
                Step::Offer { answer_by },
                None,
            )
        }
        AssignmentsCommand::Accept {
            assignment,
            version,
        } => step(
            &mut open(g, Need::Write)?,
            assignment,
            version,
            Step::Accept,
            None,
        ),
        AssignmentsCommand::Refuse {
            assignment,
            no_answer,
            reason,
            version,
        } => step(
            &mut open(g, Need::Write)?,
            assignment,
            version,
            if no_answer {
                Step::NoAnswer
            } else {
                Step::Refuse
            },
            reason,
        ),
        AssignmentsCommand::Cancel {
            assignment,
            reason,
            missing_requirement,
            missing_condition,
            version,
        } => cancel(
            g,
            assignment,
            reason,
            missing_requirement,
            missing_condition,
            version,
        ),
        AssignmentsCommand::Assign {
            assignment,
            act,
            act_date,
            lease_date,
            version,
        } => {
            let mut svc = open(g, Need::Write)?;
            let act_date = date("--act-date", &act_date)?;
            let lease = lease_date.map(|d| date("--lease-date", &d)).transpose()?;
            step(
                &mut svc,
                assignment,
                version,
                Step::Assign {
                    number: act,
                    date: act_date,
                    lease,
                },
                None,
            )
        }
        AssignmentsCommand::Lease {
            assignment,
            date: d,
            version,
        } => {
            let d = date("--date", &d)?;
            step(
                &mut open(g, Need::Write)?,
                assignment,
                version,
                Step::Lease { date: d },
                None,
            )
        }
        AssignmentsCommand::List {
            year,
            owner,
            comune,
            stage,
            format,
        } => list(
            g,
            year,
            owner.as_deref(),
            comune.as_deref(),
            stage.as_deref(),
            format,
        ),
        AssignmentsCommand::Export { year, owner, out } => {
            let svc = open(g, Need::Read)?;
            let owner = owner_id(&svc, owner.as_deref())?;
            let year = year.unwrap_or_else(|| today().year());
            let (l, a) = svc.export_assignments(year, owner, &out)?;
            println!(
                "Quote {year}: {l} registri, {a} assegnazioni in {}",
                out.display()
            );
            Ok(())
        }
        AssignmentsCommand::WhatIf {
            owner,
            comune,
            year,
            rules,
            rules_file,
            indigenti_pct,
            format,
        } => what_if(
            g,
            &owner,
            &comune,
            year,
            rules.as_deref(),
            rules_file.as_deref(),
            indigenti_pct.as_deref(),
            format,
        ),
    }
}

fn date(option: &str, s: &str) -> Result<NaiveDate> {
    parse_date(option, s)
}

fn owner_id(svc: &Service, owner: Option<&str>) -> Result<Option<i64>> {
    owner
        .map(|o| svc.find_owner("--owner", o).map(|o| o.id))
        .transpose()
}

fn key(svc: &Service, owner: &str, comune: &str, year: Option<i32>) -> Result<LedgerKey> {
    Ok(LedgerKey {
        owner_id: svc.find_owner("--owner", owner)?.id,
        istat: svc.find_comune("--comune", comune)?.0,
        year: year.unwrap_or_else(|| today().year()),
    })
}

#[derive(Serialize)]
struct LedgerLine<'a> {
    ente: &'a str,
    ente_id: i64,
    comune: &'a str,
    istat: &'a str,
    anno: i32,
    disponibili: u64,
    previste_dal_piano: Option<u64>,
    in_attesa: u64,
    linea: String,
    percentuale: Option<f64>,
    quota: Option<u64>,
    usate: u64,
    in_corso: u64,
    dovute: Option<u64>,
    prossima_unita: &'static str,
    regole: &'a str,
    fonte: &'a str,
}

fn ledger(
    g: &Global,
    year: Option<i32>,
    owner: Option<&str>,
    comune: Option<&str>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let owner = owner_id(&svc, owner)?;
    let istat = comune
        .map(|c| svc.find_comune("--comune", c).map(|c| c.0))
        .transpose()?;
    let year = year.unwrap_or_else(|| today().year());
    // One ledger named: refused when the operator may not read it.
    let views = match (owner, &istat) {
        (Some(owner_id), Some(istat)) => vec![svc.assignment_ledger(&LedgerKey {
            owner_id,
            istat: istat.clone(),
            year,
        })?],
        _ => svc.assignment_ledgers(year, owner, istat.as_deref())?,
    };
    if views.is_empty() {
        eprintln!(
            "Nessuna unità disponibile nel {year} per questi filtri tra i registri che l'operatore può consultare"
        );
    }
    let items: Vec<LedgerLine> = views.iter().flat_map(lines).collect();
    if format == Format::Table && !views.is_empty() {
        for v in &views {
            println!("{}", v.headline());
        }
        if let Some(u) = views[0].unverified.as_deref() {
            eprintln!("{u}");
        }
        println!();
    }
    let rows = items
        .iter()
        .map(|l| {
            vec![
                l.ente.to_string(),
                l.comune.to_string(),
                l.disponibili.to_string(),
                l.linea.clone(),
                l.percentuale
                    .map(|p| Pct((p * 100.0).round() as u32).to_string())
                    .unwrap_or_default(),
                l.quota.map(|q| q.to_string()).unwrap_or_default(),
                l.usate.to_string(),
                l.in_corso.to_string(),
                l.dovute.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "Ente",
            "Comune",
            "Disponibili",
            "Linea",
            "%",
            "Quota",
            "Usate",
            "In corso",
            "Dovute",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

fn lines(v: &LedgerView) -> Vec<LedgerLine<'_>> {
    let next = match v.next_line() {
        Line::Indigenti => "indigenti",
        Line::Riserva(_) => "riserva",
        Line::Graduatoria => "graduatoria",
    };
    v.ledger
        .lines
        .iter()
        .map(|s| LedgerLine {
            ente: &v.owner_name,
            ente_id: v.key.owner_id,
            comune: &v.comune,
            istat: &v.key.istat,
            anno: v.key.year,
            disponibili: v.ledger.base,
            previste_dal_piano: v.ledger.shares.forecast,
            in_attesa: v.waiting,
            linea: s.label(v.ledger.shares.other_name.as_deref()),
            percentuale: s.pct.map(|p| p as f64 / 100.0),
            quota: (s.line != Line::Graduatoria).then_some(s.quota),
            usate: s.used,
            in_corso: s.in_progress,
            dovute: (s.line != Line::Graduatoria).then_some(s.owed()),
            prossima_unita: next,
            regole: &v.rule_set,
            fonte: &v.ledger.shares.source,
        })
        .collect()
}

fn print_proposal(p: &Proposed, format: Format) -> Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(p)?);
        return Ok(());
    }
    match p.assignment_id {
        Some(id) => println!("Assegnazione {id} proposta per l'unità {}", p.unit_id),
        None if p.decision.proposal().is_some() => {
            println!("Proposta per l'unità {} (nulla è stato salvato)", p.unit_id)
        }
        None => println!("Nessuna proposta per l'unità {}", p.unit_id),
    }
    for l in p.decision.explanation() {
        println!("  {l}");
    }
    if let Some(l) = crate::domain::assignment::proposal::owner_choice_line(&p.owner_choice)
        && p.assignment_id.is_none()
    {
        println!("  {l}");
    }
    println!("{}", p.headline);
    Ok(())
}

fn propose(
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

#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    a: &'a AssignmentRow,
}

fn print_assignment(a: &AssignmentRow) {
    println!(
        "Assegnazione {} · unità {} ({}, {}) · {} · anno {}",
        a.id, a.unit_id, a.address, a.comune, a.owner_name, a.year
    );
    println!(
        "Domanda {} · {} · stato {} · versione {}",
        a.code,
        a.line.label(),
        a.stage,
        a.version
    );
    let dates = [
        ("proposta", Some(&a.proposed_on)),
        ("offerta", a.offered_on.as_ref()),
        ("risposta entro", a.answer_by.as_ref()),
        ("esito", a.outcome_on.as_ref()),
        ("provvedimento", a.act_date.as_ref()),
        ("contratto", a.lease_date.as_ref()),
    ];
    let d: Vec<String> = dates
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k} {v}")))
        .collect();
    println!("{}", d.join(" · "));
    if let Some(n) = &a.act_number {
        println!("Provvedimento n. {n}");
    }
    if let Some(r) = &a.outcome_reason {
        println!("Motivo: {r}");
    }
    for l in &a.explanation {
        println!("  {l}");
    }
}

fn show(g: &Global, id: i64, format: Format) -> Result<()> {
    let a = open(g, Need::Read)?.assignment(id)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&Shown { a: &a })?);
    } else {
        print_assignment(&a);
    }
    Ok(())
}

fn print_step(d: &StepDone) {
    let a = &d.assignment;
    match (&a.lease_date, d.before == a.stage) {
        (Some(l), true) => println!(
            "Assegnazione {}: contratto di locazione del {l} registrato (versione {})",
            a.id, a.version
        ),
        _ => println!(
            "Assegnazione {}: {} → {} (versione {})",
            a.id, d.before, a.stage, a.version
        ),
    }
    if let Some(s) = d.unit_state {
        println!("Unità {}: {s}", a.unit_id);
    }
    if d.removed {
        println!(
            "La domanda {} esce dalle graduatorie: {}",
            a.code,
            a.outcome_reason.as_deref().unwrap_or_default()
        );
    }
}

fn step(
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

fn cancel(
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
        println!(
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

#[derive(Serialize)]
struct Listed<'a> {
    id: i64,
    id_alloggio: i64,
    codice_ui: &'a str,
    ente: &'a str,
    comune: &'a str,
    anno: i32,
    id_domanda: &'a str,
    linea: &'static str,
    stato: &'static str,
    proposta: &'a str,
    offerta: Option<&'a str>,
    risposta_entro: Option<&'a str>,
    esito: Option<&'a str>,
    motivo: Option<&'a str>,
    provvedimento: Option<&'a str>,
    data_provvedimento: Option<&'a str>,
    contratto: Option<&'a str>,
    versione: i64,
}

fn list(
    g: &Global,
    year: Option<i32>,
    owner: Option<&str>,
    comune: Option<&str>,
    stage: Option<&str>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let stages = match stage {
        Some(s) => vec![
            Stage::from_db(&s.trim().to_uppercase().replace('_', " ")).ok_or_else(|| {
                anyhow!(InvalidInput(format!(
                    "--stage: '{s}' non è uno stato (ammessi: {})",
                    Stage::ALL.map(|s| s.db()).join(", ")
                )))
            })?,
        ],
        None => Vec::new(),
    };
    let filter = ListFilter {
        year: year.unwrap_or_else(|| today().year()),
        owner_id: owner_id(&svc, owner)?,
        istat: comune
            .map(|c| svc.find_comune("--comune", c).map(|c| c.0))
            .transpose()?,
        stages,
    };
    let all = svc.assignments(&filter)?;
    let items: Vec<Listed> = all
        .iter()
        .map(|a| Listed {
            id: a.id,
            id_alloggio: a.unit_id,
            codice_ui: &a.unit_code,
            ente: &a.owner_name,
            comune: &a.comune,
            anno: a.year,
            id_domanda: &a.code,
            linea: a.line.label(),
            stato: a.stage.db(),
            proposta: &a.proposed_on,
            offerta: a.offered_on.as_deref(),
            risposta_entro: a.answer_by.as_deref(),
            esito: a.outcome_on.as_deref(),
            motivo: a.outcome_reason.as_deref(),
            provvedimento: a.act_number.as_deref(),
            data_provvedimento: a.act_date.as_deref(),
            contratto: a.lease_date.as_deref(),
            versione: a.version,
        })
        .collect();
    let rows = items
        .iter()
        .map(|l| {
            vec![
                l.id.to_string(),
                l.id_alloggio.to_string(),
                l.comune.to_string(),
                l.id_domanda.to_string(),
                l.linea.to_string(),
                l.stato.to_string(),
                l.provvedimento.unwrap_or_default().to_string(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "N.",
            "ID alloggio",
            "Comune",
            "ID domanda",
            "Linea",
            "Stato",
            "Provvedimento",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

#[allow(clippy::too_many_arguments)]
fn what_if(
    g: &Global,
    owner: &str,
    comune: &str,
    year: Option<i32>,
    rules: Option<&str>,
    rules_file: Option<&std::path::Path>,
    h: Option<&str>,
    format: Format,
) -> Result<()> {
    let svc = open(g, Need::Read)?;
    let k = key(&svc, owner, comune, year)?;
    let other = match (rules, rules_file) {
        (Some(r), _) => Some(svc.rule_set(r)?.1),
        (None, Some(f)) => {
            let text = std::fs::read_to_string(f)
                .map_err(|e| anyhow!(InvalidInput(format!("{}: {e}", f.display()))))?;
            Some(svc.rule_set_file(&f.display().to_string(), &text)?.1)
        }
        (None, None) => None,
    };
    let h = h
        .map(|t| {
            Pct::parse(t, 2)
                .map(|p| u64::from(p.0))
                .map_err(|e| anyhow!(InvalidInput(format!("--indigenti-pct: {e}"))))
        })
        .transpose()?;
    if other.is_none() && h.is_none() {
        return Err(anyhow!(InvalidInput(
            "indicare --rules, --rules-file o --indigenti-pct: con cosa confrontare".into()
        )));
    }
    let w = svc.assignment_what_if(&k, other.as_ref(), h)?;
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&w)?);
        return Ok(());
    }
    println!(
        "{} · {} {}: regole {} → {}, soglia eccedente indigenti {} → {} (nulla viene salvato)",
        w.owner_name,
        w.comune,
        w.key.year,
        w.rules_actual,
        w.rules_other,
        Pct(w.h_actual as u32),
        Pct(w.h_other as u32)
    );
    for l in &w.replay.actual.lines {
        let r = w.replay.replay.line(l.line);
        println!(
            "  {}: assegnate {} → {}, quota {} → {}",
            l.line.label(),
            l.used,
            r.used,
            l.quota,
            r.quota
        );
    }
    println!(
        "{} unità su {} cambierebbero nucleo o linea",
        w.replay.changed(),
        w.replay.rows.len()
    );
    let rows = w
        .replay
        .rows
        .iter()
        .filter(|r| r.differs())
        .map(|r| {
            vec![
                r.unit_id.to_string(),
                r.actual_code.clone(),
                r.actual_line.short().to_string(),
                r.replay_code.clone().unwrap_or_else(|| "nessuno".into()),
                r.replay_line.map(|l| l.short()).unwrap_or("-").to_string(),
            ]
        })
        .collect::<Vec<_>>();
    if !rows.is_empty() {
        let mut out = std::io::stdout().lock();
        crate::cli::output::write_table(
            &mut out,
            &[
                "ID alloggio",
                "Assegnata a",
                "Linea",
                "Con le altre regole",
                "Linea",
            ],
            &rows,
        )?;
    }
    Ok(())
}

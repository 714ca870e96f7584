//! `casa assignments …`: the quota ledger, proposals, the steps of the istruttoria, document
//! checks, the list and the export of a year, the what-if replay. Every command goes through
//! the service, which checks who may do what.

/// `println!` for lines that quote data (names, addresses, reasons, explanations): control
/// characters shown as visible escapes, never obeyed by the terminal.
macro_rules! say {
    ($($t:tt)+) => {
        println!("{}", $crate::safe_text::clean(&format!($($t)+)))
    };
}

/// `eprintln!` as `say!`.
macro_rules! warn {
    ($($t:tt)+) => {
        eprintln!("{}", $crate::safe_text::clean(&format!($($t)+)))
    };
}

mod reads;
mod steps;

use crate::cli::output::Format;
use crate::cli::plan::parse_date;
use crate::cli::{Global, open};
use crate::domain::assignment::Step;
use crate::service::{Need, Service, today};
use crate::store::assignments::LedgerKey;
use anyhow::Result;
use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use reads::{ledger, list, show, what_if};
use std::path::PathBuf;
use steps::{cancel, propose, step};

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
        /// Output file (.xlsx; - for standard output)
        #[arg(long)]
        out: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
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
        AssignmentsCommand::Export {
            year,
            owner,
            out,
            force,
        } => {
            // The destination is checked before anything is read.
            let out = crate::output_file::Target::new(&out, force);
            out.ensure_usable(&crate::output_file::XLSX)?;
            let svc = open(g, Need::Read)?;
            let owner = owner_id(&svc, owner.as_deref())?;
            let year = year.unwrap_or_else(|| today().year());
            let (l, a) = svc.export_assignments(year, owner, &out)?;
            out.announce(&format!(
                "Quote {year}: {l} registri, {a} assegnazioni in {}",
                out.shown()
            ));
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

pub(super) fn date(option: &str, s: &str) -> Result<NaiveDate> {
    parse_date(option, s)
}

pub(super) fn owner_id(svc: &Service, owner: Option<&str>) -> Result<Option<i64>> {
    owner
        .map(|o| svc.find_owner("--owner", o).map(|o| o.id))
        .transpose()
}

pub(super) fn key(
    svc: &Service,
    owner: &str,
    comune: &str,
    year: Option<i32>,
) -> Result<LedgerKey> {
    Ok(LedgerKey {
        owner_id: svc.find_owner("--owner", owner)?.id,
        istat: svc.find_comune("--comune", comune)?.0,
        year: year.unwrap_or_else(|| today().year()),
    })
}

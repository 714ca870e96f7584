//! `casa rankings …`, `casa notice …`, `casa applications …` and `casa isbar …`: notices,
//! their applications, the rankings computed from them, what-if comparisons and
//! explanations. One module per command group; `casa rankings` itself is split into its
//! reads (`show`) and the use cases that change rankings (`manage`).

pub mod applications;
pub mod isbar;
mod manage;
pub mod notice;
mod show;

use crate::cli::Global;
use crate::cli::output::Format;
use crate::store::rankings::Correction;
use anyhow::Result;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum RankingsCommand {
    /// Compute every ranking of a closed notice (provisional), one per owner per comune
    Compute {
        #[arg(long)]
        notice: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The ranked applications: owner, comune, position, ID domanda, ISBAR, sub-scores, ISEE,
    /// indigent flag (no names or codici fiscali)
    Show {
        #[arg(long)]
        notice: i64,
        /// Only the rankings of this owner (name, codice fiscale or ISTAT code)
        #[arg(long)]
        owner: Option<String>,
        /// Only the rankings of this comune (name or ISTAT code)
        #[arg(long)]
        comune: Option<String>,
        /// At most N rows per ranking
        #[arg(long)]
        limit: Option<usize>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The applications left out, each failed requirement with its reason; with
    /// --preferences, the preferred units not kept (art. 9 c.2, adequacy, number) and why
    Excluded {
        #[arg(long)]
        notice: i64,
        /// List the dropped preferences instead
        #[arg(long)]
        preferences: bool,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Export the rankings (xlsx): the published form (position, ID domanda, ISBAR, indigent,
    /// ID alloggio 1 and 2) or, with --internal, with the sub-scores
    Export {
        #[arg(long)]
        notice: i64,
        /// Output file (.xlsx; - for standard output)
        #[arg(long)]
        out: PathBuf,
        /// Replace FILE if it exists
        #[arg(long)]
        force: bool,
        #[arg(long)]
        internal: bool,
    },
    /// What-if: recompute under another rule set (stored, or a file not loaded) and show who
    /// moves and by how much; nothing is changed
    Compare {
        #[arg(long)]
        notice: i64,
        /// Stored rule set: id or citation
        #[arg(long, conflicts_with = "rules_file")]
        rules: Option<String>,
        /// A rule-set file not loaded
        #[arg(long)]
        rules_file: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Correction (rettifica) for a disability recognised later: recompute and re-rank
    Correct {
        #[arg(long)]
        notice: i64,
        /// ID domanda
        #[arg(long)]
        application: String,
        /// Codice fiscale of the member
        #[arg(long)]
        member: String,
        /// Disability percentage recognised (0-100)
        #[arg(long)]
        disability_pct: u8,
        /// With indennità di accompagnamento
        #[arg(long)]
        attendance: bool,
    },
    /// Make the provisional rankings final (after the corrections window)
    Finalize {
        #[arg(long)]
        notice: i64,
    },
}

pub fn run(g: &Global, cmd: RankingsCommand) -> Result<()> {
    match cmd {
        RankingsCommand::Compute { notice, format } => manage::compute(g, notice, format),
        RankingsCommand::Show {
            notice,
            owner,
            comune,
            limit,
            format,
        } => show::show(
            g,
            notice,
            owner.as_deref(),
            comune.as_deref(),
            limit,
            format,
        ),
        RankingsCommand::Excluded {
            notice,
            preferences,
            format,
        } => show::excluded(g, notice, preferences, format),
        RankingsCommand::Export {
            notice,
            out,
            force,
            internal,
        } => show::export(
            g,
            notice,
            &crate::output_file::Target::new(&out, force),
            internal,
        ),
        RankingsCommand::Compare {
            notice,
            rules,
            rules_file,
            format,
        } => show::compare(g, notice, rules.as_deref(), rules_file.as_deref(), format),
        RankingsCommand::Correct {
            notice,
            application,
            member,
            disability_pct,
            attendance,
        } => manage::correct(
            g,
            &Correction {
                notice_id: notice,
                code: &application,
                tax_code: &member,
                disability_pct,
                attendance,
            },
        ),
        RankingsCommand::Finalize { notice } => manage::finalize(g, notice),
    }
}

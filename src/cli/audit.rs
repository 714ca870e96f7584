//! `casa audit list|show|verify|checkpoint`: the audit trail for the Regione and the helpdesk.

use super::output::{Format, Listing};
use super::registrations::read_text;
use super::{Global, InvalidInput, open};
use crate::service::Need;
use crate::service::audit::{Checkpoint, period_bound};
use crate::store::audit::{Filter, Record, Verification};
use anyhow::{Result, anyhow, bail};
use clap::Subcommand;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Records, newest first, with filters (Regione and helpdesk)
    List {
        /// Only this operator's records (the global --operator is who asks)
        #[arg(long = "user", visible_alias = "utente", value_name = "USERNAME")]
        user: Option<String>,
        /// Only records about this kind of entity (operator, unit, plan, district, …)
        #[arg(long)]
        entity: Option<String>,
        /// Only records about this entity (with --entity)
        #[arg(long, requires = "entity")]
        entity_id: Option<String>,
        /// An action (plan.approve) or a group of actions (operatore: every operatore.…)
        #[arg(long)]
        action: Option<String>,
        /// From this day (GG/MM/AAAA or AAAA-MM-GG, local time) or instant (RFC 3339)
        #[arg(long, value_name = "DATA")]
        from: Option<String>,
        /// Up to this day included (GG/MM/AAAA or AAAA-MM-GG) or instant (RFC 3339, excluded)
        #[arg(long, value_name = "DATA")]
        to: Option<String>,
        /// Only records older than this number (next page: the last number shown)
        #[arg(long, value_name = "N")]
        before: Option<i64>,
        /// Records at most (default 100)
        #[arg(long, default_value_t = 100)]
        limit: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// One record with the data before and after
    Show {
        id: i64,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Verify the hash chain: the first deleted, edited or reordered record, by number; with a
    /// checkpoint, also records deleted after it was taken (exit 1 when the chain is broken)
    Verify {
        /// A checkpoint written by `casa audit checkpoint` (- for standard input)
        #[arg(long, value_name = "FILE")]
        checkpoint: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Write a checkpoint (newest record's number and hash) to keep elsewhere
    Checkpoint {
        /// Where to write it, a .json file (default - : standard output)
        #[arg(long, default_value = "-", value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing FILE
        #[arg(long)]
        force: bool,
    },
}

pub fn run(g: &Global, cmd: AuditCommand) -> Result<()> {
    match cmd {
        AuditCommand::List {
            user,
            entity,
            entity_id,
            action,
            from,
            to,
            before,
            limit,
            format,
        } => {
            let filter = Filter {
                operator: user,
                entity,
                entity_id,
                action,
                from: period_bound("--from", from.as_deref().unwrap_or(""), false)?,
                to: period_bound("--to", to.as_deref().unwrap_or(""), true)?,
            };
            if limit < 1 {
                bail!(InvalidInput("--limit: almeno 1".into()));
            }
            let rows = open(g, Need::Read)?.audit_records(&filter, before, limit)?;
            list(&rows, format)
        }
        AuditCommand::Show { id, format } => {
            let r = open(g, Need::Read)?.audit_record(id)?;
            show(&r, format)
        }
        AuditCommand::Verify { checkpoint, format } => {
            let cp = match &checkpoint {
                Some(p) => Some(Checkpoint::parse(&read_text(p, "punto di controllo")?)?),
                None => None,
            };
            let v = open(g, Need::Read)?.verify_audit(cp.as_ref())?;
            report(&v, cp.as_ref(), format)?;
            match v.problem {
                Some(p) => Err(anyhow!("registro audit non integro: {p}")),
                None => Ok(()),
            }
        }
        AuditCommand::Checkpoint { out, force } => {
            // Written like every file casa writes (crate::output_file): `-` is standard output,
            // a .json name, no overwrite without --force, complete or not at all.
            let target = crate::output_file::Target::new(&out, force);
            target.ensure_usable(&crate::output_file::JSON)?;
            let cp = open(g, Need::Read)?.audit_checkpoint()?;
            let text = serde_json::to_string_pretty(&cp)? + "\n";
            let mut file = target.create(&crate::output_file::JSON)?;
            file.file().write_all(text.as_bytes())?;
            file.commit()?;
            if !target.is_stdout() {
                println!(
                    "Punto di controllo scritto in {}: record {}, hash {}.",
                    target.shown(),
                    cp.record,
                    cp.hash
                );
            }
            Ok(())
        }
    }
}

/// The origin as people read it.
pub fn origin_label(origin: &str) -> String {
    if let Some(login) = origin.strip_prefix("locale ") {
        format!("locale ({login})")
    } else if let Some(rest) = origin.strip_prefix("ssh ") {
        match rest.split_once(' ') {
            Some((key, client)) => format!("ssh {key} da {client}"),
            None => format!("ssh {rest}"),
        }
    } else if origin.is_empty() {
        "—".into()
    } else {
        origin.to_string()
    }
}

fn list(rows: &[Record], format: Format) -> Result<()> {
    let table = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.at.clone(),
                r.operator.clone(),
                r.action.clone(),
                format!(
                    "{}{}",
                    r.entity,
                    r.entity_id
                        .as_deref()
                        .map(|i| format!(" {i}"))
                        .unwrap_or_default()
                ),
                origin_label(&r.origin),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "N.",
            "DATA",
            "OPERATORE",
            "AZIONE",
            "OGGETTO",
            "PROVENIENZA",
        ],
        rows: table,
        items: rows,
    }
    .print(format)
}

fn show(r: &Record, format: Format) -> Result<()> {
    if format != Format::Table {
        return list(std::slice::from_ref(r), format);
    }
    let line = |k: &str, v: &str| println!("{k:<14}{v}");
    line("Record n.", &r.id.to_string());
    line("Data", &r.at);
    line("Operatore", &r.operator);
    line("Provenienza", &origin_label(&r.origin));
    line("Azione", &r.action);
    line("Oggetto", &r.entity);
    line("Identificativo", r.entity_id.as_deref().unwrap_or("—"));
    let pretty = |v: &Option<String>| {
        v.as_deref()
            .map(|t| {
                serde_json::from_str::<serde_json::Value>(t)
                    .and_then(|j| serde_json::to_string_pretty(&j))
                    .unwrap_or_else(|_| t.to_string())
            })
            .unwrap_or_else(|| "—".into())
    };
    println!("Prima:\n{}", pretty(&r.before));
    println!("Dopo:\n{}", pretty(&r.after));
    Ok(())
}

fn report(v: &Verification, cp: Option<&Checkpoint>, format: Format) -> Result<()> {
    if format == Format::Json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    if format == Format::Csv {
        let mut w = csv::Writer::from_writer(std::io::stdout());
        w.write_record([
            "integro",
            "record_verificati",
            "record_problema",
            "problema",
        ])?;
        w.write_record([
            v.is_whole().to_string(),
            v.checked.to_string(),
            v.problem_record.map(|r| r.to_string()).unwrap_or_default(),
            v.problem.clone().unwrap_or_default(),
        ])?;
        w.flush()?;
        return Ok(());
    }
    match (&v.problem, &v.head) {
        (Some(p), _) => {
            println!("Registro audit NON integro.");
            println!("Primo problema: {p}");
            println!("Record verificati prima del problema: {}", v.checked);
        }
        (None, Some(h)) => {
            println!(
                "Registro audit integro: {} record, catena di hash verificata.",
                v.checked
            );
            if let Some(c) = cp {
                println!(
                    "Coerente con il punto di controllo del {} (record {}).",
                    c.taken_at, c.record
                );
            }
            println!("Ultimo record: {} (hash {}).", h.id, h.hash);
        }
        (None, None) => println!("Registro audit vuoto."),
    }
    Ok(())
}

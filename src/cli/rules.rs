//! `casa rules`: the rule sets (legal parameters) stored and shipped; check and load a file.

use super::output::{Format, Listing};
use super::{Global, InvalidInput, open};
use crate::rules::{self, RuleSet};
use crate::service::Need;
use anyhow::{Result, anyhow};
use clap::Subcommand;
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Rule sets stored in the database and shipped with casa, by effective date
    List {
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Every parameter of a rule set with its source and whether it is verified
    Show {
        /// Id, citation ("R.R. 2/2025") or citation and version ("R.R. 2/2025 v2")
        rule_set: String,
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Check a rule-set file without storing it
    Check { file: PathBuf },
    /// Check a rule-set file and store it (Regione); a stored rule set never changes
    Load { file: PathBuf },
}

pub fn run(g: &Global, cmd: RulesCommand) -> Result<()> {
    match cmd {
        RulesCommand::List { format } => list(g, format),
        RulesCommand::Show { rule_set, format } => show(g, &rule_set, format),
        RulesCommand::Check { file } => check(&file).map(|s| {
            println!(
                "{}: valido — {} ({}), {}in vigore dal {}{}",
                file.display(),
                s.name,
                s.cite,
                s.published
                    .as_ref()
                    .map(|p| format!("pubblicato il {}, ", p.value.format("%d/%m/%Y")))
                    .unwrap_or_default(),
                s.effective_from.format("%d/%m/%Y"),
                if s.ranking.is_some() {
                    ""
                } else {
                    "; senza parametri delle graduatorie (solo programmazione)"
                }
            );
            let unverified = s.unverified_count();
            if unverified > 0 {
                println!(
                    "{unverified} valori non verificati su {} parametri (vedere `casa rules show`)",
                    s.parameters.len()
                );
            }
        }),
        RulesCommand::Load { file } => load(g, &file),
    }
}

fn read(file: &Path) -> Result<String> {
    crate::bounded::read_text(
        file,
        crate::bounded::limits::RULE_SET_BYTES,
        "file delle regole",
    )
    .map_err(|e| anyhow!(InvalidInput(e.0)))
}

fn check(file: &Path) -> Result<RuleSet> {
    let text = read(file)?;
    rules::parse(&file.display().to_string(), &text).map_err(|e| anyhow!(InvalidInput(e.0)))
}

fn load(g: &Global, file: &Path) -> Result<()> {
    let text = read(file)?;
    let name = file.display().to_string();
    rules::parse(&name, &text).map_err(|e| anyhow!(InvalidInput(e.0)))?;
    let loaded = open(g, Need::Write)?.load_rule_set(&name, &text)?;
    let s = &loaded.rule_set;
    if loaded.new {
        println!(
            "Memorizzato {} (id {}, versione {}), in vigore dal {}",
            s.label(),
            s.id,
            s.version,
            s.effective_from
        );
    } else {
        println!(
            "Già memorizzato come {} (id {}): nulla è cambiato",
            s.label(),
            s.id
        );
    }
    Ok(())
}

#[derive(Serialize)]
struct Row {
    id: Option<i64>,
    cite: String,
    version: Option<i64>,
    name: String,
    published: Option<String>,
    effective_from: String,
    stored: bool,
    builtin: bool,
    rankings: bool,
    unverified: usize,
    file: String,
}

fn list(g: &Global, format: Format) -> Result<()> {
    let stored = open(g, Need::Read)?.stored_rule_sets()?;
    let mut items = Vec::new();
    for (s, set) in &stored {
        items.push(Row {
            id: Some(s.id),
            cite: s.label(),
            version: Some(s.version),
            name: s.name.clone(),
            published: set.published.as_ref().map(|p| p.value.to_string()),
            effective_from: s.effective_from.clone(),
            stored: true,
            builtin: s.builtin,
            rankings: set.ranking.is_some(),
            unverified: set.unverified_count(),
            file: s.file_name.clone(),
        });
    }
    // Shipped rule sets not stored yet (they are stored the first time a notice needs them).
    for set in rules::builtin().map_err(|e| anyhow!(e.0))? {
        if !stored.iter().any(|(s, _)| s.cite == set.cite && s.builtin) {
            items.push(Row {
                id: None,
                cite: set.cite.clone(),
                version: None,
                name: set.name.clone(),
                published: set.published.as_ref().map(|p| p.value.to_string()),
                effective_from: set.effective_from.to_string(),
                stored: false,
                builtin: true,
                rankings: set.ranking.is_some(),
                unverified: set.unverified_count(),
                file: set.file.clone(),
            });
        }
    }
    items.sort_by(|a, b| a.effective_from.cmp(&b.effective_from));
    let rows = items
        .iter()
        .map(|r| {
            vec![
                r.id.map(|i| i.to_string()).unwrap_or_else(|| "-".into()),
                r.cite.clone(),
                r.published.clone().unwrap_or_else(|| "-".into()),
                r.effective_from.clone(),
                if r.rankings { "SI" } else { "NO" }.into(),
                r.unverified.to_string(),
                if r.stored {
                    if r.builtin { "incluso" } else { "caricato" }
                } else {
                    "incluso, non ancora memorizzato"
                }
                .into(),
                r.name.clone(),
            ]
        })
        .collect();
    Listing {
        headers: &[
            "ID",
            "REGOLE",
            "PUBBLICATO",
            "IN VIGORE DAL",
            "GRADUATORIE",
            "NON VERIFICATI",
            "ORIGINE",
            "NOME",
        ],
        rows,
        items: &items,
    }
    .print(format)
}

fn show(g: &Global, what: &str, format: Format) -> Result<()> {
    // A stored rule set, or a shipped one not stored yet.
    let found = open(g, Need::Read)?.rule_set_text(what)?;
    let (label, name, text) = (found.label, found.name, found.text);
    let params = rules::params::parameters(&text);
    if format == Format::Table {
        println!("{label} — {name}");
        if let Ok(set) = rules::parse(&label, &text) {
            let date = |d: chrono::NaiveDate| d.format("%d/%m/%Y").to_string();
            if let Some(p) = &set.published {
                println!("Pubblicato sul BURL il {} ({})", date(p.value), p.source);
            }
            println!(
                "In vigore dal {} ({}{})",
                date(set.effective_from),
                set.effective_from_source.source,
                if set.effective_from_source.verified {
                    ""
                } else {
                    " — valore non verificato"
                }
            );
        }
        let unverified = params.iter().filter(|p| !p.verified).count();
        println!(
            "{} parametri, {unverified} non verificati (NO nella colonna VERIFICATO)",
            params.len()
        );
        println!();
    }
    let rows = params
        .iter()
        .map(|p| {
            vec![
                p.key.clone(),
                p.value.clone(),
                if p.verified { "SI" } else { "NO" }.into(),
                p.source.clone(),
            ]
        })
        .collect();
    Listing {
        headers: &["PARAMETRO", "VALORE", "VERIFICATO", "FONTE"],
        rows,
        items: &params,
    }
    .print(format)
}

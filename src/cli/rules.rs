//! `casa rules`: the rule sets (legal parameters) stored and shipped; check and load a file.

use super::output::{Format, Listing};
use super::plan::refused_as_invalid;
use super::{Global, InvalidInput, require_writable, session};
use crate::rules::{self, RuleSet};
use crate::store::{Access, rule_sets};
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
    let r = match cmd {
        RulesCommand::List { format } => list(g, format),
        RulesCommand::Show { rule_set, format } => show(g, &rule_set, format),
        RulesCommand::Check { file } => check(&file).map(|s| {
            println!(
                "{}: valido — {} ({}), in vigore dal {}{}",
                file.display(),
                s.name,
                s.cite,
                s.effective_from.format("%d/%m/%Y"),
                if s.ranking.is_some() {
                    ""
                } else {
                    "; senza parametri delle graduatorie (solo programmazione)"
                }
            );
            let unverified = s.ranking.as_ref().map_or(0, |r| r.unverified.len());
            if unverified > 0 {
                println!("{unverified} valori non verificati (vedere `casa rules show`)");
            }
        }),
        RulesCommand::Load { file } => load(g, &file),
    };
    r.map_err(refused_as_invalid)
}

fn read(file: &Path) -> Result<String> {
    std::fs::read_to_string(file).map_err(|e| {
        anyhow!(InvalidInput(format!(
            "{}: file non leggibile ({e})",
            file.display()
        )))
    })
}

fn check(file: &Path) -> Result<RuleSet> {
    let text = read(file)?;
    rules::parse(&file.display().to_string(), &text).map_err(|e| anyhow!(InvalidInput(e.0)))
}

fn load(g: &Global, file: &Path) -> Result<()> {
    let text = read(file)?;
    let name = file.display().to_string();
    rules::parse(&name, &text).map_err(|e| anyhow!(InvalidInput(e.0)))?;
    let (mut store, scope) = session(g, Access::ReadWrite)?;
    require_writable(&store)?;
    let loaded = store.load_rule_set(&scope, &name, &text)?;
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
    effective_from: String,
    stored: bool,
    builtin: bool,
    rankings: bool,
    unverified: usize,
    file: String,
}

fn list(g: &Global, format: Format) -> Result<()> {
    let (store, _scope) = session(g, Access::ReadOnly)?;
    let stored = rule_sets::list(store.conn())?;
    let mut items = Vec::new();
    for s in &stored {
        let (_, set) = rule_sets::load_parsed(store.conn(), s.id)?;
        items.push(Row {
            id: Some(s.id),
            cite: s.label(),
            version: Some(s.version),
            name: s.name.clone(),
            effective_from: s.effective_from.clone(),
            stored: true,
            builtin: s.builtin,
            rankings: set.ranking.is_some(),
            unverified: set.ranking.as_ref().map_or(0, |r| r.unverified.len()),
            file: s.file_name.clone(),
        });
    }
    // Shipped rule sets not stored yet (they are stored the first time a notice needs them).
    for set in rules::builtin().map_err(|e| anyhow!(e.0))? {
        if !stored.iter().any(|s| s.cite == set.cite && s.builtin) {
            items.push(Row {
                id: None,
                cite: set.cite.clone(),
                version: None,
                name: set.name.clone(),
                effective_from: set.effective_from.to_string(),
                stored: false,
                builtin: true,
                rankings: set.ranking.is_some(),
                unverified: set.ranking.as_ref().map_or(0, |r| r.unverified.len()),
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

#[derive(Serialize)]
struct Param {
    key: String,
    value: String,
    verified: bool,
    source: String,
}

/// Every parameter of the file, as (dotted key, value, verified, source), from its TOML.
fn params_of(text: &str) -> Vec<Param> {
    let mut out = Vec::new();
    let Ok(doc) = text.parse::<toml::Table>() else {
        return out;
    };
    fn walk(prefix: &str, v: &toml::Value, out: &mut Vec<Param>) {
        match v {
            toml::Value::Table(t) if t.contains_key("value") && t.contains_key("verified") => {
                out.push(Param {
                    key: prefix.to_string(),
                    value: match &t["value"] {
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                    verified: t["verified"].as_bool().unwrap_or(false),
                    source: t
                        .get("source")
                        .and_then(|s| s.as_str())
                        .unwrap_or_default()
                        .to_string(),
                });
            }
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let key = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(&key, v, out);
                }
            }
            toml::Value::Array(items) => {
                for item in items {
                    // Conditions: name them by their code.
                    let code = item
                        .get("code")
                        .and_then(|c| c.as_str())
                        .map(str::to_string);
                    match code {
                        Some(c) => walk(&format!("{prefix}.{c}"), item, out),
                        None => walk(prefix, item, out),
                    }
                }
            }
            _ => {}
        }
    }
    walk("", &toml::Value::Table(doc), &mut out);
    out
}

fn show(g: &Global, what: &str, format: Format) -> Result<()> {
    let (store, _scope) = session(g, Access::ReadOnly)?;
    // A stored rule set, or a shipped one not stored yet.
    let (label, name, text) = match rule_sets::find(store.conn(), what) {
        Ok(s) => {
            let text: String =
                store
                    .conn()
                    .query_row("SELECT text FROM rule_set WHERE id = ?1", [s.id], |r| {
                        r.get(0)
                    })?;
            (s.label(), s.name, text)
        }
        Err(e) => match rules::builtin()
            .map_err(|e| anyhow!(e.0))?
            .iter()
            .find(|s| s.cite == what.trim())
        {
            Some(s) => (s.cite.clone(), s.name.clone(), s.text.clone()),
            None => return Err(e),
        },
    };
    let params = params_of(&text);
    if format == Format::Table {
        println!("{label} — {name}");
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

//! What-if: a notice's rankings recomputed under another rule set, against the stored ones.

use super::{Context, all_entries, list};
use crate::domain::ranking::{self, Movement, RankingKey};
use crate::rules::RuleSet;
use crate::store::certification::Refused;
use crate::store::{applications, notices, rule_sets};
use anyhow::Result;
use rusqlite::Connection;
use serde::Serialize;
use std::collections::HashMap;

/// One ranking compared under another rule set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Comparison {
    pub owner_id: i64,
    pub owner_name: String,
    pub istat_code: String,
    pub comune: String,
    pub before: usize,
    pub after: usize,
    pub movements: Vec<Movement>,
}

/// What-if: the notice's rankings recomputed under `other` against the stored ones; who moves
/// and by how much. Nothing is written.
pub fn compare(
    conn: &Connection,
    notice_id: i64,
    other: (rule_sets::Stored, RuleSet),
) -> Result<(String, Vec<Comparison>)> {
    let notice = notices::get(conn, notice_id)?;
    let label = other.0.label();
    let ctx = Context::with_rules(conn, notice, other.0, other.1)?;
    let apps = applications::load_all(conn, notice_id)?;
    let computed = ctx.compute(conn, &apps)?;
    let stored = list(conn, notice_id)?;
    if stored.is_empty() {
        return Err(Refused(format!(
            "l'avviso {notice_id} non ha graduatorie calcolate: eseguire prima `casa rankings compute`"
        ))
        .into());
    }
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut comuni: HashMap<String, String> = HashMap::new();
    let mut keys: Vec<RankingKey> = computed.rankings.keys().cloned().collect();
    for r in &stored {
        names.insert(r.owner_id, r.owner_name.clone());
        comuni.insert(r.istat_code.clone(), r.comune.clone());
        keys.push(RankingKey {
            owner_id: r.owner_id,
            istat: r.istat_code.clone(),
        });
    }
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let before: Vec<String> = match stored
            .iter()
            .find(|r| r.owner_id == k.owner_id && r.istat_code == k.istat)
        {
            Some(r) => all_entries(conn, r.id)?
                .into_iter()
                .map(|e| e.code)
                .collect(),
            None => Vec::new(),
        };
        let after: Vec<String> = computed
            .rankings
            .get(&k)
            .map(|v| v.iter().map(|e| e.candidate.code.clone()).collect())
            .unwrap_or_default();
        let owner_name = match names.get(&k.owner_id) {
            Some(n) => n.clone(),
            None => conn.query_row("SELECT name FROM owner WHERE id = ?1", [k.owner_id], |r| {
                r.get(0)
            })?,
        };
        let comune = match comuni.get(&k.istat) {
            Some(n) => n.clone(),
            None => conn.query_row(
                "SELECT name FROM municipality WHERE istat_code = ?1",
                [&k.istat],
                |r| r.get(0),
            )?,
        };
        out.push(Comparison {
            owner_id: k.owner_id,
            owner_name,
            istat_code: k.istat.clone(),
            comune,
            before: before.len(),
            after: after.len(),
            movements: ranking::movements(&before, &after),
        });
    }
    Ok((label, out))
}

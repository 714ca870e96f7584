//! The quota ledger, recomputed from the rows: the units available in the year (base), the
//! assignments by line and stage, and the shares of the owner's plan for the year.

use super::{ranking_rules, rules_of_year};
use crate::domain::assignment::{Ledger, Line, PlanShares, Stage};
use crate::domain::communication::{Pct, Shares};
use crate::store::certification::Refused;
use anyhow::{Result, anyhow};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One ledger: an owner in a comune for a calendar year.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct LedgerKey {
    pub owner_id: i64,
    pub istat: String,
    pub year: i32,
}

/// A ledger with what a screen shows around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerView {
    pub key: LedgerKey,
    pub owner_name: String,
    pub owner_kind: String,
    pub comune: String,
    /// The rule set of the year ("R.R. 6/2021").
    pub rule_set: String,
    /// Unverified assignment parameters of that rule set, named; `None` if none.
    pub unverified: Option<String>,
    pub ledger: Ledger,
    /// Units available and still without an istruttoria.
    pub waiting: u64,
}

impl LedgerView {
    /// What the next unit without an istruttoria goes to (it is already counted), or — when
    /// none is waiting — the next unit that becomes available.
    pub fn next_line(&self) -> Line {
        if self.waiting > 0 {
            self.ledger
                .owed_lines()
                .next()
                .map_or(Line::Graduatoria, |s| s.line)
        } else {
            self.ledger.next_unit()
        }
    }

    /// The ledger's top line in Italian.
    pub fn headline(&self) -> String {
        let next = match self.next_line() {
            Line::Indigenti => "a un nucleo indigente".to_string(),
            Line::Riserva(_) => format!(
                "alla {}",
                self.ledger
                    .line(self.next_line())
                    .label(self.ledger.shares.other_name.as_deref())
                    .to_lowercase()
            ),
            Line::Graduatoria => "in ordine di graduatoria".to_string(),
        };
        let i = self.ledger.line(Line::Indigenti);
        format!(
            "{} · {} {}: {} unità disponibili; quota indigenti: {} di {} usate; prossima unità {next}",
            self.owner_name,
            self.comune,
            self.key.year,
            self.ledger.base,
            i.used + i.in_progress,
            i.quota
        )
    }
}

/// Counts of the year by ledger, read from the two covering indexes.
#[derive(Default, Clone)]
struct Counts {
    base: u64,
    open: u64,
    /// Istruttorie holding a unit (open, or assigned and not yet leased).
    holding: u64,
    lines: Vec<(Line, Stage, u64)>,
}

fn shares_row(r: &Row, first: usize) -> rusqlite::Result<Shares> {
    let p = |i: usize| -> rusqlite::Result<Option<Pct>> {
        Ok(r.get::<_, Option<u32>>(first + i)?.map(Pct))
    };
    Ok(Shares {
        indigent_excess: p(0)?,
        elderly: p(1)?,
        single_parent: p(2)?,
        disabled: p(3)?,
        new_family: p(4)?,
        police: p(5)?,
        other_name: r.get(first + 6)?,
        other: p(7)?,
    })
}

const SHARE_COLS: &str = "f.indigent_excess, f.elderly, f.single_parent, f.disabled,
    f.new_family, f.police, f.other_name, f.other";

fn source_text(year: i32, district: &str, revision: i64, state: &str, tx: &str) -> String {
    let rev = if revision > 1 {
        format!(" (revisione {revision})")
    } else {
        String::new()
    };
    let state = if state == "APPROVATO" {
        String::new()
    } else {
        format!(", piano in stato {state}")
    };
    format!("piano {year} dell'ambito {district}{rev}, comunicazione {tx}{state}")
}

/// The shares the owner's plan sets for `year` in the district of comune `istat`: its
/// transmitted communication of the latest revision of the plan that is not cancelled.
pub fn plan_shares(conn: &Connection, owner_id: i64, istat: &str, year: i32) -> Result<PlanShares> {
    let found = conn
        .prepare_cached(&format!(
            "SELECT p.revision, p.state, d.code, f.transmission_id, f.total, {SHARE_COLS}
                   FROM district_municipality dm
                   JOIN plan p ON p.district_id = dm.district_id AND p.year = ?2
                              AND p.state <> 'ANNULLATO'
                   JOIN district d ON d.id = p.district_id
                   JOIN communication c ON c.plan_id = p.id AND c.owner_id = ?3
                   JOIN communication_filing f ON f.communication_id = c.id
                                              AND f.superseded_by IS NULL
                  WHERE dm.istat_code = ?1
                  ORDER BY p.revision DESC, f.id DESC LIMIT 1"
        ))?
        .query_row(params![istat, year, owner_id], |r| {
            let source = source_text(
                year,
                &r.get::<_, String>(2)?,
                r.get(0)?,
                &r.get::<_, String>(1)?,
                &r.get::<_, String>(3)?,
            );
            Ok(PlanShares::from_form(
                &shares_row(r, 5)?,
                Some(r.get(4)?),
                source,
            ))
        })
        .optional()?;
    Ok(found.unwrap_or_else(|| PlanShares {
        source: format!(
            "nessuna comunicazione trasmessa per il piano {year}: solo la quota indigenti di legge"
        ),
        ..PlanShares::default()
    }))
}

fn line_of(s: &str) -> Line {
    Line::from_db(s).unwrap_or(Line::Graduatoria)
}

fn counts_of(
    conn: &Connection,
    year: i32,
    only: Option<(i64, &str)>,
) -> Result<BTreeMap<(i64, String), Counts>> {
    let mut out: BTreeMap<(i64, String), Counts> = BTreeMap::new();
    let (filter, owner, istat) = match only {
        Some((o, i)) => ("AND owner_id = ?2 AND istat_code = ?3", o, i.to_string()),
        None => ("AND ?2 = ?2 AND ?3 = ?3", 0, String::new()),
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT owner_id, istat_code,
                sum(closed IS NULL OR closed = 'ASSEGNATA'), sum(closed IS NULL)
           FROM availability INDEXED BY availability_ledger
          WHERE year = ?1 {filter}
          GROUP BY owner_id, istat_code"
    ))?;
    let mut rows = stmt.query(params![year, owner, istat])?;
    while let Some(r) = rows.next()? {
        let c = out.entry((r.get(0)?, r.get(1)?)).or_default();
        c.base = r.get::<_, i64>(2)?.max(0) as u64;
        c.open = r.get::<_, i64>(3)?.max(0) as u64;
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT owner_id, istat_code, line, stage, lease_date IS NULL, count(*)
           FROM assignment INDEXED BY assignment_ledger
          WHERE year = ?1 {filter}
            AND stage IN ('PROPOSTA', 'OFFERTA', 'ACCETTATA', 'ASSEGNATA')
          GROUP BY owner_id, istat_code, line, stage, lease_date IS NULL"
    ))?;
    let mut rows = stmt.query(params![year, owner, istat])?;
    while let Some(r) = rows.next()? {
        let stage = Stage::from_db(&r.get::<_, String>(3)?).unwrap_or(Stage::Annullata);
        let unleased: bool = r.get(4)?;
        let n = r.get::<_, i64>(5)?.max(0) as u64;
        let c = out.entry((r.get(0)?, r.get(1)?)).or_default();
        c.lines.push((line_of(&r.get::<_, String>(2)?), stage, n));
        if stage.is_open() || (stage == Stage::Assegnata && unleased) {
            c.holding += n;
        }
    }
    Ok(out)
}

fn build(
    rules: &crate::rules::quotas::QuotaRules,
    shares: &PlanShares,
    c: &Counts,
) -> (Ledger, u64) {
    let counted = c
        .lines
        .iter()
        .filter_map(|(l, s, n)| s.count().map(|k| (*l, k, *n)))
        .flat_map(|(l, k, n)| std::iter::repeat_n((l, k), n as usize));
    let ledger = Ledger::from_scratch(rules, shares, c.base, counted);
    (ledger, c.open.saturating_sub(c.holding))
}

fn unverified_line(set: &crate::rules::RuleSet) -> Option<String> {
    let q = &set.ranking.as_ref()?.quotas;
    if q.unverified.is_empty() {
        return None;
    }
    let names: Vec<&str> = q
        .unverified
        .iter()
        .map(|u| u.name.trim_start_matches("quotas."))
        .collect();
    Some(format!(
        "Regole di assegnazione con valori non verificati ({}): {}",
        set.cite,
        names.join(", ")
    ))
}

/// The ledger of one owner in one comune for `year`.
pub fn ledger(conn: &Connection, key: &LedgerKey) -> Result<LedgerView> {
    let (_, set) = rules_of_year(conn, key.year)?;
    let rules = &ranking_rules(&set)?.quotas;
    let (owner_name, owner_kind): (String, String) = conn
        .prepare_cached("SELECT o.name, k.label FROM owner o JOIN owner_kind k ON k.code = o.kind WHERE o.id = ?1")?.query_row(
            [key.owner_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or_else(|| anyhow!(Refused(format!("ente {} sconosciuto", key.owner_id))))?;
    let comune: String = conn
        .prepare_cached("SELECT name FROM municipality WHERE istat_code = ?1")?
        .query_row([&key.istat], |r| r.get(0))
        .optional()?
        .ok_or_else(|| anyhow!(Refused(format!("comune {} sconosciuto", key.istat))))?;
    let counts = counts_of(conn, key.year, Some((key.owner_id, &key.istat)))?;
    let c = counts
        .get(&(key.owner_id, key.istat.clone()))
        .cloned()
        .unwrap_or_default();
    let shares = plan_shares(conn, key.owner_id, &key.istat, key.year)?;
    let (ledger, waiting) = build(rules, &shares, &c);
    Ok(LedgerView {
        key: key.clone(),
        owner_name,
        owner_kind,
        comune,
        rule_set: set.cite.clone(),
        unverified: unverified_line(&set),
        ledger,
        waiting,
    })
}

/// Every ledger of `year` (the whole region), recomputed from scratch: one grouped read of the
/// availabilities, one of the assignments, the year's transmitted communications.
/// `owners` and `comuni` keep only those (a capofila's district, an owner's operator).
pub fn ledgers_of_year(
    conn: &Connection,
    year: i32,
    keep: &dyn Fn(i64, &str) -> bool,
) -> Result<Vec<LedgerView>> {
    let (_, set) = rules_of_year(conn, year)?;
    let rules = &ranking_rules(&set)?.quotas;
    let unverified = unverified_line(&set);
    let counts = counts_of(conn, year, None)?;
    // Names.
    let mut owners: HashMap<i64, (String, String)> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, o.name, k.label FROM owner o JOIN owner_kind k ON k.code = o.kind",
    )?;
    for r in stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))? {
        let (id, v) = r?;
        owners.insert(id, v);
    }
    let mut comuni: HashMap<String, (String, Option<i64>)> = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT m.istat_code, m.name, dm.district_id FROM municipality m
           LEFT JOIN district_municipality dm ON dm.istat_code = m.istat_code",
    )?;
    for r in stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))? {
        let (k, v) = r?;
        comuni.insert(k, v);
    }
    // The year's communications in force, by district and owner (latest revision first).
    let mut shares: HashMap<(i64, i64), PlanShares> = HashMap::new();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT p.district_id, c.owner_id, p.revision, p.state, d.code, f.transmission_id,
                f.total, {SHARE_COLS}
           FROM plan p INDEXED BY plan_year
           JOIN district d ON d.id = p.district_id
           JOIN communication c ON c.plan_id = p.id
           JOIN communication_filing f ON f.communication_id = c.id AND f.superseded_by IS NULL
          WHERE p.year = ?1 AND p.state <> 'ANNULLATO'
          ORDER BY p.revision DESC, f.id DESC"
    ))?;
    let mut rows = stmt.query([year])?;
    while let Some(r) = rows.next()? {
        let key = (r.get(0)?, r.get(1)?);
        if shares.contains_key(&key) {
            continue;
        }
        let source = source_text(
            year,
            &r.get::<_, String>(4)?,
            r.get(2)?,
            &r.get::<_, String>(3)?,
            &r.get::<_, String>(5)?,
        );
        shares.insert(
            key,
            PlanShares::from_form(&shares_row(r, 7)?, Some(r.get(6)?), source),
        );
    }
    let none = PlanShares {
        source: format!(
            "nessuna comunicazione trasmessa per il piano {year}: solo la quota indigenti di legge"
        ),
        ..PlanShares::default()
    };
    let mut out = Vec::with_capacity(counts.len());
    for ((owner_id, istat), c) in counts {
        if !keep(owner_id, &istat) {
            continue;
        }
        let (comune, district) = comuni.get(&istat).cloned().unwrap_or((istat.clone(), None));
        let s = district
            .and_then(|d| shares.get(&(d, owner_id)))
            .unwrap_or(&none);
        let (ledger, waiting) = build(rules, s, &c);
        let (owner_name, owner_kind) = owners
            .get(&owner_id)
            .cloned()
            .unwrap_or_else(|| (format!("ente {owner_id}"), String::new()));
        out.push(LedgerView {
            key: LedgerKey {
                owner_id,
                istat,
                year,
            },
            owner_name,
            owner_kind,
            comune,
            rule_set: set.cite.clone(),
            unverified: unverified.clone(),
            ledger,
            waiting,
        });
    }
    out.sort_by(|a, b| {
        (a.owner_name.as_str(), a.comune.as_str()).cmp(&(b.owner_name.as_str(), b.comune.as_str()))
    });
    Ok(out)
}

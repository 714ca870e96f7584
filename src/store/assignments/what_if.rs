//! What-if: a year's assignments of one owner in one comune replayed under another rule set
//! or another plan letter h (domain::assignment::replay). Read only: nothing is saved.

use super::candidates::applicant_cols;
use super::ledger::{LedgerKey, ledger, plan_shares};
use super::{ranking_rules, rules_of_year};
use crate::domain::assignment::replay::{self, Given, Pool, Replay};
use crate::domain::assignment::{Line, UnitOnOffer};
use crate::rules::RuleSet;
use anyhow::Result;
use rusqlite::{Connection, params};
use serde::Serialize;
use std::collections::BTreeSet;

/// The replay and what it was run with.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WhatIf {
    pub key: LedgerKey,
    pub owner_name: String,
    pub comune: String,
    pub rules_actual: String,
    pub rules_other: String,
    /// Letter h, hundredths of a percent.
    pub h_actual: u64,
    pub h_other: u64,
    pub replay: Replay,
}

/// Replays the year of `key` under `other` (the year's rule set when `None`) and letter h
/// `h` (the plan's when `None`).
pub fn what_if(
    conn: &Connection,
    key: &LedgerKey,
    other: Option<&RuleSet>,
    h: Option<u64>,
) -> Result<WhatIf> {
    let view = ledger(conn, key)?;
    let (_, actual_set) = rules_of_year(conn, key.year)?;
    let set = other.unwrap_or(&actual_set);
    let rules = ranking_rules(set)?;
    let shares = plan_shares(conn, key.owner_id, &key.istat, key.year)?;
    let h_actual = shares.indigent_excess;
    let shares = shares.with_indigent_excess(h.unwrap_or(h_actual));
    let mut stmt = conn.prepare_cached(
        "SELECT s.unit_id, s.istat_code, m.name, u.floor_area, s.ranking_id, s.base_at, a.code,
                s.line
           FROM assignment s INDEXED BY assignment_ledger
           JOIN unit u ON u.id = s.unit_id
           JOIN municipality m ON m.istat_code = s.istat_code
           JOIN application a ON a.id = s.application_id
          WHERE s.year = ?1 AND s.owner_id = ?2 AND s.istat_code = ?3
            AND s.stage IN ('ACCETTATA', 'ASSEGNATA')
          ORDER BY s.id",
    )?;
    let given = stmt
        .query_map(params![key.year, key.owner_id, key.istat], |r| {
            let line: String = r.get(7)?;
            Ok(Given {
                unit: UnitOnOffer {
                    unit_id: r.get(0)?,
                    owner_id: key.owner_id,
                    istat: r.get(1)?,
                    comune: r.get(2)?,
                    area_m2: r.get(3)?,
                },
                ranking_id: r.get(4)?,
                base_at: r.get::<_, i64>(5)?.max(0) as u64,
                code: r.get(6)?,
                line: Line::from_db(&line).unwrap_or(Line::Graduatoria),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut pool = Pool::default();
    let rankings: BTreeSet<i64> = given.iter().map(|g| g.ranking_id).collect();
    let units: BTreeSet<i64> = given.iter().map(|g| g.unit.unit_id).collect();
    for rid in rankings {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {}, e.unit1, e.unit2,
                    (SELECT o.state FROM application_outcome o
                      WHERE o.application_id = e.application_id)
               FROM ranking_entry e JOIN application a ON a.id = e.application_id
              WHERE e.ranking_id = ?1 ORDER BY e.position",
            applicant_cols()
        ))?;
        let mut rows = stmt.query([rid])?;
        let mut list = Vec::new();
        while let Some(r) = rows.next()? {
            let a = super::candidates::applicant(r, rid, &key.istat, &rules.quotas, false)?;
            for u in [r.get::<_, Option<i64>>(10)?, r.get::<_, Option<i64>>(11)?]
                .into_iter()
                .flatten()
            {
                if units.contains(&u) {
                    pool.choices.insert((a.application_id, u));
                }
            }
            if r.get::<_, Option<String>>(12)?.as_deref() == Some("RIMOSSA") {
                pool.removed.insert(a.application_id);
            }
            list.push(a);
        }
        pool.rankings.insert(rid, list);
    }
    let h_other = shares.indigent_excess;
    let replay = replay::replay(
        &given,
        &pool,
        rules,
        &shares,
        view.ledger.base,
        view.ledger.clone(),
    );
    Ok(WhatIf {
        key: key.clone(),
        owner_name: view.owner_name,
        comune: view.comune,
        rules_actual: actual_set.cite.clone(),
        rules_other: set.cite.clone(),
        h_actual,
        h_other,
        replay,
    })
}

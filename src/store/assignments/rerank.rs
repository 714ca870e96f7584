//! One application's score recomputed and its place in each ranking it is in moved, without
//! rewriting the ranking: only the positions between the old place and the new shift by one.

use crate::domain::application::Application;
use crate::domain::isbar;
use crate::domain::ranking::{self, Candidate};
use crate::rules::ranking::RankingRules;
use anyhow::Result;
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, params};
use serde::Serialize;
use std::cmp::Ordering;

/// Where the application moved in one ranking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub ranking_id: i64,
    pub comune: String,
    pub isbar_before: i64,
    pub isbar_after: i64,
    pub before: i64,
    pub after: i64,
}

fn candidates(conn: &Connection, ranking_id: i64) -> Result<Vec<(i64, Candidate)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.position, e.application_id, a.code, a.submitted_at, e.isbar, e.familiari,
                e.abitative, e.economica, e.residenza_regione, e.residenza_comune,
                a.years_region, ifnull(e.years_comune, a.years_comune), e.indigent
           FROM ranking_entry e JOIN application a ON a.id = e.application_id
          WHERE e.ranking_id = ?1 ORDER BY e.position",
    )?;
    let rows = stmt.query_map([ranking_id], |r| {
        let submitted: String = r.get(3)?;
        let submitted_at =
            NaiveDateTime::parse_from_str(&submitted, "%Y-%m-%dT%H:%M:%S").map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?;
        Ok((
            r.get(0)?,
            Candidate {
                application_id: r.get(1)?,
                code: r.get(2)?,
                submitted_at,
                total: r.get(4)?,
                groups: [r.get(5)?, r.get(6)?, r.get(7)?, r.get(8)?, r.get(9)?],
                years_region: r.get(10)?,
                years_comune: r.get(11)?,
                indigent: r.get(12)?,
                conditions: 0,
            },
        ))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Recomputes `app`'s score (rules of its notice, ages on `opens_on`) in every ranking it is
/// in and moves it there.
pub fn rerank(
    conn: &Connection,
    app_id: i64,
    app: &Application,
    rules: &RankingRules,
    opens_on: NaiveDate,
) -> Result<Vec<Moved>> {
    let mut stmt = conn.prepare_cached(
        "SELECT e.ranking_id, r.istat_code, m.name, e.position, e.isbar
           FROM ranking_entry e INDEXED BY ranking_entry_application
           JOIN ranking r ON r.id = e.ranking_id
           JOIN municipality m ON m.istat_code = r.istat_code
          WHERE e.application_id = ?1",
    )?;
    let places: Vec<(i64, String, String, i64, i64)> = stmt
        .query_map([app_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Vec::new();
    for (ranking_id, istat, comune, before, isbar_before) in places {
        let new = ranking::candidate_in(app_id, app, rules, opens_on, &istat);
        let groups = new.groups;
        let codes = isbar::condition_codes(rules, new.conditions).join(",");
        // The new place: one after every other candidate that still comes first.
        let others = candidates(conn, ranking_id)?;
        let ahead = others
            .iter()
            .filter(|(_, c)| c.application_id != app_id)
            .filter(|(_, c)| ranking::compare(c, &new, &rules.tie_break) == Ordering::Less)
            .count() as i64;
        let after = ahead + 1;
        conn.execute(
            "UPDATE ranking_entry SET position = 0 WHERE ranking_id = ?1 AND position = ?2",
            params![ranking_id, before],
        )?;
        // Shift the positions between the two places by one, through negative values so that
        // no two rows share a position on the way.
        if after < before {
            conn.execute(
                "UPDATE ranking_entry SET position = -(position + 1)
                  WHERE ranking_id = ?1 AND position BETWEEN ?2 AND ?3",
                params![ranking_id, after, before - 1],
            )?;
        } else if after > before {
            conn.execute(
                "UPDATE ranking_entry SET position = -(position - 1)
                  WHERE ranking_id = ?1 AND position BETWEEN ?2 AND ?3",
                params![ranking_id, before + 1, after],
            )?;
        }
        conn.execute(
            "UPDATE ranking_entry SET position = -position WHERE ranking_id = ?1 AND position < 0",
            [ranking_id],
        )?;
        conn.execute(
            "UPDATE ranking_entry SET position = ?2, isbar = ?3, familiari = ?4, abitative = ?5,
                    economica = ?6, residenza_regione = ?7, residenza_comune = ?8,
                    conditions = ?9, years_comune = ?10
              WHERE ranking_id = ?1 AND position = 0",
            params![
                ranking_id,
                after,
                new.total,
                groups[0],
                groups[1],
                groups[2],
                groups[3],
                groups[4],
                codes,
                new.years_comune
            ],
        )?;
        conn.execute(
            "UPDATE ranking SET version = version + 1 WHERE id = ?1",
            [ranking_id],
        )?;
        out.push(Moved {
            ranking_id,
            comune,
            isbar_before,
            isbar_after: new.total,
            before,
            after,
        });
    }
    Ok(out)
}

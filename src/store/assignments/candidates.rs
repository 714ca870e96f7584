//! The candidates of a proposal, in ranking order and read only as far as the decision needs:
//! the households that chose the unit (first or second choice, from the two preference
//! indexes; thousands for a unit on offer in a large notice) merged with those ranked without
//! preferences. Each source is read by key (position) in small growing batches; applications
//! already assigned, removed or in another istruttoria are left out by the query.

use crate::domain::assignment::{Applicant, categories_of};
use crate::rules::quotas::QuotaRules;
use anyhow::Result;
use rusqlite::{Connection, Row, params};
use std::collections::VecDeque;

const COLS: &str = "e.position, e.application_id, a.code, e.isbar, e.indigent,
    e.without_preferences, e.conditions, a.residence_istat, a.declared,
    (SELECT count(*) FROM application_member m WHERE m.application_id = e.application_id)";

/// The columns `applicant` reads (0–9).
pub fn applicant_cols() -> &'static str {
    COLS
}

const FREE: &str = "NOT EXISTS (SELECT 1 FROM application_outcome o
                                  WHERE o.application_id = e.application_id)";

pub fn applicant(
    r: &Row,
    ranking_id: i64,
    istat: &str,
    rules: &QuotaRules,
    chose: bool,
) -> rusqlite::Result<Applicant> {
    let conditions: String = r.get(6)?;
    let residence: Option<String> = r.get(7)?;
    let declared: String = r.get(8)?;
    Ok(Applicant {
        position: r.get(0)?,
        application_id: r.get(1)?,
        code: r.get(2)?,
        isbar: r.get(3)?,
        indigent: r.get(4)?,
        without_preferences: r.get(5)?,
        categories: categories_of(rules, &conditions, &declared),
        resident: residence.as_deref() == Some(istat),
        members: r.get::<_, i64>(9)?.clamp(0, 1000) as u32,
        chose,
        ranking_id,
    })
}

/// Where a stream's households come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Chose the unit first.
    First,
    /// Chose it second.
    Second,
    /// Ranked without preferences.
    Free,
}

/// The households of one source, in ranking order (only the indigent ones when `indigent`),
/// read in batches of growing size after the last position read.
pub struct Stream<'c> {
    conn: &'c Connection,
    source: Source,
    ranking_id: i64,
    unit_id: i64,
    istat: String,
    rules: &'c QuotaRules,
    indigent: bool,
    after: i64,
    batch: i64,
    buf: VecDeque<Applicant>,
    done: bool,
    /// Rows read, for the benchmark and the tests.
    pub read: usize,
}

impl<'c> Stream<'c> {
    pub fn new(
        conn: &'c Connection,
        source: Source,
        ranking_id: i64,
        unit_id: i64,
        istat: &str,
        rules: &'c QuotaRules,
        indigent: bool,
    ) -> Stream<'c> {
        Stream {
            conn,
            source,
            ranking_id,
            unit_id,
            istat: istat.to_string(),
            rules,
            indigent,
            after: 0,
            batch: 8,
            buf: VecDeque::new(),
            done: false,
            read: 0,
        }
    }

    fn sql(&self) -> String {
        let indigent = if self.indigent {
            " AND e.indigent = 1"
        } else {
            ""
        };
        let (index, which) = match (self.source, self.indigent) {
            (Source::First, _) => ("ranking_entry_unit1", "e.unit1 = ?4 AND e.ranking_id = ?1"),
            // A household that named the unit twice is read once, as a first choice.
            (Source::Second, _) => (
                "ranking_entry_unit2",
                "e.unit2 = ?4 AND e.ranking_id = ?1 AND e.unit1 IS NOT ?4",
            ),
            // The unit (?4) is bound for every source, so it is named here too.
            (Source::Free, true) => (
                "ranking_entry_free_indigent",
                "e.ranking_id = ?1 AND e.without_preferences = 1 AND ?4 = ?4",
            ),
            (Source::Free, false) => (
                "ranking_entry_free",
                "e.ranking_id = ?1 AND e.without_preferences = 1 AND ?4 = ?4",
            ),
        };
        format!(
            "SELECT {COLS} FROM ranking_entry e INDEXED BY {index}
               JOIN application a ON a.id = e.application_id
              WHERE {which}{indigent} AND e.position > ?2 AND {FREE}
              ORDER BY e.position LIMIT ?3"
        )
    }

    fn fill(&mut self) -> Result<()> {
        let sql = self.sql();
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (rid, istat, rules) = (self.ranking_id, self.istat.clone(), self.rules);
        let chose = self.source != Source::Free;
        let rows = stmt
            .query_map(
                params![self.ranking_id, self.after, self.batch, self.unit_id],
                |r| applicant(r, rid, &istat, rules, chose),
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if (rows.len() as i64) < self.batch {
            self.done = true;
        }
        if let Some(last) = rows.last() {
            self.after = last.position;
        }
        self.read += rows.len();
        self.buf.extend(rows);
        // Small batches: the decision is usually taken within the first few rows.
        self.batch = (self.batch * 4).min(64);
        Ok(())
    }
}

impl Iterator for Stream<'_> {
    type Item = Result<Applicant>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buf.is_empty()
            && !self.done
            && let Err(e) = self.fill()
        {
            self.done = true;
            return Some(Err(e));
        }
        self.buf.pop_front().map(Ok)
    }
}

/// Two streams in ranking order merged into one.
pub struct Merge<A: Iterator<Item = Result<Applicant>>, B: Iterator<Item = Result<Applicant>>> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A, B> Merge<A, B>
where
    A: Iterator<Item = Result<Applicant>>,
    B: Iterator<Item = Result<Applicant>>,
{
    pub fn new(a: A, b: B) -> Merge<A, B> {
        Merge {
            a: a.peekable(),
            b: b.peekable(),
        }
    }
}

impl<A, B> Iterator for Merge<A, B>
where
    A: Iterator<Item = Result<Applicant>>,
    B: Iterator<Item = Result<Applicant>>,
{
    type Item = Result<Applicant>;

    fn next(&mut self) -> Option<Self::Item> {
        // An error goes first, so that it stops the decision.
        let take_a = match (self.a.peek(), self.b.peek()) {
            (Some(Err(_)), _) => true,
            (_, Some(Err(_))) => false,
            (Some(Ok(x)), Some(Ok(y))) => x.position < y.position,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if take_a { self.a.next() } else { self.b.next() }
    }
}

/// Every candidate of `unit_id` in `ranking_id` (only the indigent ones when `indigent`), in
/// ranking order: the households that chose it first or second, and those without
/// preferences.
pub fn candidates<'c>(
    conn: &'c Connection,
    ranking_id: i64,
    unit_id: i64,
    istat: &str,
    rules: &'c QuotaRules,
    indigent: bool,
) -> impl Iterator<Item = Result<Applicant>> + 'c {
    let s = |source| Stream::new(conn, source, ranking_id, unit_id, istat, rules, indigent);
    Merge::new(
        Merge::new(s(Source::First), s(Source::Second)),
        s(Source::Free),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Random rankings with households that chose the unit first, second or both, others
    /// without preferences, some already taken: the merged streams give exactly the free
    /// households that may take the unit, each once, in ranking order.
    #[test]
    fn the_streams_merged_equal_a_plain_reading_of_the_ranking() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        for sql in crate::store::MIGRATIONS {
            conn.execute_batch(sql).unwrap();
        }
        let set = crate::rules::for_plan(2026).unwrap();
        let rules = &set.ranking().unwrap().quotas;
        for seed in 0..40u64 {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            conn.execute_batch(
                "DELETE FROM ranking_entry; DELETE FROM application;
                 DELETE FROM application_outcome;",
            )
            .unwrap();
            let (ranking, unit) = (7, 100);
            let n = rng.random_range(0..300);
            // (position, indigent, free) of every household that may take the unit.
            let mut expected: Vec<(i64, bool)> = Vec::new();
            for pos in 1..=n {
                let id = 1000 + pos;
                let indigent = rng.random_bool(0.3);
                let pick = |rng: &mut rand_chacha::ChaCha8Rng| match rng.random_range(0..4) {
                    0 => Some(unit),
                    1 => None,
                    _ => Some(rng.random_range(101..104)),
                };
                let without = rng.random_bool(0.4);
                let (u1, u2) = if without {
                    (None, None)
                } else {
                    (pick(&mut rng), pick(&mut rng))
                };
                let taken = rng.random_bool(0.2);
                // Another ranking's entries on the same unit never show.
                let rid = if rng.random_bool(0.1) { 8 } else { ranking };
                conn.execute(
                    "INSERT INTO application (id, notice_id, code, submitted_at, isee_cents,
                         assets_cents, resides_lombardy, works_lombardy, years_region,
                         years_comune, imported_at, residence_istat)
                     VALUES (?1, 1, 'D' || ?1, '2026-01-01T00:00:00', 0, 0, 1, 1, 5, 5, '', '015146')",
                    [id],
                )
                .unwrap();
                conn.execute(
                    "INSERT INTO ranking_entry (ranking_id, position, application_id, isbar,
                         familiari, abitative, economica, residenza_regione, residenza_comune,
                         indigent, without_preferences, unit1, unit2)
                     VALUES (?1, ?2, ?3, 100, 0, 0, 0, 0, 0, ?4, ?5, ?6, ?7)",
                    params![rid, pos, id, indigent, without, u1, u2],
                )
                .unwrap();
                if taken {
                    conn.execute(
                        "INSERT INTO application_outcome (application_id, state, at, by_operator)
                         VALUES (?1, 'RIMOSSA', '', 't')",
                        [id],
                    )
                    .unwrap();
                }
                let may = without || u1 == Some(unit) || u2 == Some(unit);
                if rid == ranking && !taken && may {
                    expected.push((pos, indigent));
                }
            }
            for indigent in [false, true] {
                let got: Vec<i64> = candidates(&conn, ranking, unit, "015146", rules, indigent)
                    .map(|a| a.unwrap().position)
                    .collect();
                let want: Vec<i64> = expected
                    .iter()
                    .filter(|(_, ind)| !indigent || *ind)
                    .map(|(p, _)| *p)
                    .collect();
                assert_eq!(got, want, "seed {seed}, indigent only {indigent}");
            }
        }
    }
}

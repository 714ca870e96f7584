//! The candidates of a proposal, in ranking order and read only as far as the decision needs:
//! the households that chose the unit (a few, from the two preference indexes) merged with
//! those ranked without preferences (read by key in growing batches). Applications already
//! assigned, removed or in another istruttoria are left out by the query.

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

/// The free households of `ranking_id` that chose `unit_id`, in ranking order.
pub fn choosers(
    conn: &Connection,
    ranking_id: i64,
    unit_id: i64,
    istat: &str,
    rules: &QuotaRules,
) -> Result<Vec<Applicant>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM ranking_entry e INDEXED BY ranking_entry_unit1
           JOIN application a ON a.id = e.application_id
          WHERE e.unit1 = ?2 AND e.ranking_id = ?1 AND {FREE}
         UNION ALL
         SELECT {COLS} FROM ranking_entry e INDEXED BY ranking_entry_unit2
           JOIN application a ON a.id = e.application_id
          WHERE e.unit2 = ?2 AND e.ranking_id = ?1 AND e.unit1 IS NOT ?2 AND {FREE}"
    ))?;
    let mut out = stmt
        .query_map(params![ranking_id, unit_id], |r| {
            applicant(r, ranking_id, istat, rules, true)
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    out.sort_by_key(|a| a.position);
    Ok(out)
}

/// The free households of a ranking ranked without preferences (only the indigent ones when
/// `indigent`), in ranking order, read in batches of growing size.
pub struct Free<'c> {
    conn: &'c Connection,
    ranking_id: i64,
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

impl<'c> Free<'c> {
    pub fn new(
        conn: &'c Connection,
        ranking_id: i64,
        istat: &str,
        rules: &'c QuotaRules,
        indigent: bool,
    ) -> Free<'c> {
        Free {
            conn,
            ranking_id,
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

    fn fill(&mut self) -> Result<()> {
        let sql = if self.indigent {
            format!(
                "SELECT {COLS} FROM ranking_entry e INDEXED BY ranking_entry_free_indigent
                   JOIN application a ON a.id = e.application_id
                  WHERE e.ranking_id = ?1 AND e.without_preferences = 1 AND e.indigent = 1
                    AND e.position > ?2 AND {FREE}
                  ORDER BY e.position LIMIT ?3"
            )
        } else {
            format!(
                "SELECT {COLS} FROM ranking_entry e INDEXED BY ranking_entry_free
                   JOIN application a ON a.id = e.application_id
                  WHERE e.ranking_id = ?1 AND e.without_preferences = 1
                    AND e.position > ?2 AND {FREE}
                  ORDER BY e.position LIMIT ?3"
            )
        };
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let (rid, istat, rules) = (self.ranking_id, self.istat.clone(), self.rules);
        let rows = stmt
            .query_map(params![self.ranking_id, self.after, self.batch], |r| {
                applicant(r, rid, &istat, rules, false)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if (rows.len() as i64) < self.batch {
            self.done = true;
        }
        if let Some(last) = rows.last() {
            self.after = last.position;
        }
        self.read += rows.len();
        self.buf.extend(rows);
        // Small batches: the decision is usually taken within the first few rows returned.
        self.batch = (self.batch * 4).min(64);
        Ok(())
    }
}

impl Iterator for Free<'_> {
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
pub struct Merge<I: Iterator<Item = Result<Applicant>>> {
    few: std::iter::Peekable<std::vec::IntoIter<Applicant>>,
    many: std::iter::Peekable<I>,
}

impl<I: Iterator<Item = Result<Applicant>>> Merge<I> {
    pub fn new(few: Vec<Applicant>, many: I) -> Merge<I> {
        Merge {
            few: few.into_iter().peekable(),
            many: many.peekable(),
        }
    }
}

impl<I: Iterator<Item = Result<Applicant>>> Iterator for Merge<I> {
    type Item = Result<Applicant>;

    fn next(&mut self) -> Option<Self::Item> {
        let take_few = match (self.few.peek(), self.many.peek()) {
            (Some(_), None) => true,
            (None, _) => false,
            (Some(a), Some(Ok(b))) => a.position < b.position,
            (Some(_), Some(Err(_))) => false,
        };
        if take_few {
            self.few.next().map(Ok)
        } else {
            self.many.next()
        }
    }
}

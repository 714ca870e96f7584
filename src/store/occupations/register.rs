//! The register as the five-year check reads it.
//!
//! For a computation: every occupation that may count for a submission in [`from`, `to`] —
//! started by `to`, not ended before `from` minus the look-back — with the codici fiscali it
//! names, read once through the end-date and start-date indexes into a map, so that each member
//! costs one lookup. For one application: each member looked up in the codice fiscale indexes.

use crate::domain::occupation::check::{Register, Span};
use crate::rules::ranking::OccupationLookback;
use anyhow::Result;
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use std::collections::HashMap;

fn parse(d: &str) -> rusqlite::Result<NaiveDate> {
    d.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("data '{d}' non valida").into(),
        )
    })
}

/// The occupations that may count for submissions between `from` and `to` (inclusive).
pub fn for_window(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    lookback: &OccupationLookback,
) -> Result<Register> {
    let earliest = crate::domain::occupation::check::window_start(from, lookback);
    let mut spans: HashMap<i64, (Span, Vec<String>)> = HashMap::new();
    // Open ones, then those ended on or after the window's first day (the domain decides the
    // boundary); both read through an index.
    let mut stmt = conn.prepare_cached(
        "SELECT o.id, ow.name, o.code, o.started_on, o.ended_on, o.tax_code
         FROM occupation o INDEXED BY occupation_ended JOIN owner ow ON ow.id = o.owner_id
         WHERE o.ended = 0 AND o.started_on <= ?1
         UNION ALL
         SELECT o.id, ow.name, o.code, o.started_on, o.ended_on, o.tax_code
         FROM occupation o INDEXED BY occupation_ended_on JOIN owner ow ON ow.id = o.owner_id
         WHERE o.ended_on >= ?2 AND o.started_on <= ?1",
    )?;
    let rows = stmt.query_map(params![to.to_string(), earliest.to_string()], |r| {
        let started: String = r.get(3)?;
        let ended: Option<String> = r.get(4)?;
        Ok((
            r.get::<_, i64>(0)?,
            Span {
                reference: super::reference(&r.get::<_, String>(1)?, &r.get::<_, String>(2)?),
                started_on: parse(&started)?,
                ended_on: ended.as_deref().map(parse).transpose()?,
            },
            r.get::<_, Option<String>>(5)?,
        ))
    })?;
    for row in rows {
        let (id, span, cf) = row?;
        spans.insert(id, (span, cf.into_iter().collect()));
    }
    if spans.is_empty() {
        return Ok(Register::default());
    }
    // The members of those occupations: read in occupation order through the primary key.
    let mut ids: Vec<i64> = spans.keys().copied().collect();
    ids.sort_unstable();
    let mut stmt = conn.prepare_cached(
        "SELECT occupation_id, tax_code FROM occupation_member
         WHERE occupation_id >= ?1 AND occupation_id <= ?2",
    )?;
    for row in stmt.query_map(params![ids[0], ids[ids.len() - 1]], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
    })? {
        let (id, cf) = row?;
        if let Some((_, cfs)) = spans.get_mut(&id) {
            cfs.push(cf);
        }
    }
    let mut register = Register::default();
    for id in ids {
        if let Some((span, cfs)) = spans.remove(&id) {
            register.add(span, cfs.iter().map(String::as_str));
        }
    }
    Ok(register)
}

/// The occupations naming any of `tax_codes`, each looked up in the codice fiscale indexes
/// (one application's check).
pub fn for_tax_codes<'a>(
    conn: &Connection,
    tax_codes: impl IntoIterator<Item = &'a str>,
) -> Result<Register> {
    let mut by_occupant = conn.prepare_cached(
        "SELECT o.id FROM occupation o INDEXED BY occupation_tax_code
         WHERE o.tax_code = ?1 AND o.tax_code IS NOT NULL",
    )?;
    let mut by_member = conn.prepare_cached(
        "SELECT occupation_id FROM occupation_member INDEXED BY occupation_member_tax_code
         WHERE tax_code = ?1",
    )?;
    let mut found: HashMap<i64, Vec<String>> = HashMap::new();
    for cf in tax_codes {
        for id in by_occupant.query_map([cf], |r| r.get::<_, i64>(0))? {
            found.entry(id?).or_default().push(cf.to_string());
        }
        for id in by_member.query_map([cf], |r| r.get::<_, i64>(0))? {
            found.entry(id?).or_default().push(cf.to_string());
        }
    }
    let mut register = Register::default();
    let mut ids: Vec<i64> = found.keys().copied().collect();
    ids.sort_unstable();
    let mut span = conn.prepare_cached(
        "SELECT ow.name, o.code, o.started_on, o.ended_on
         FROM occupation o JOIN owner ow ON ow.id = o.owner_id WHERE o.id = ?1",
    )?;
    for id in ids {
        let s = span.query_row([id], |r| {
            let started: String = r.get(2)?;
            let ended: Option<String> = r.get(3)?;
            Ok(Span {
                reference: super::reference(&r.get::<_, String>(0)?, &r.get::<_, String>(1)?),
                started_on: parse(&started)?,
                ended_on: ended.as_deref().map(parse).transpose()?,
            })
        })?;
        register.add(s, found[&id].iter().map(String::as_str));
    }
    Ok(register)
}

/// An application whose household is in the register, with the reason it will be refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hit {
    /// ID domanda.
    pub code: String,
    pub reason: String,
}

/// The five-year check of `apps` as the notice's rule set makes it, each member looked up in
/// the codice fiscale indexes: for the report of an application import (the exclusion itself
/// is decided when the rankings are computed, against the register as it is then).
pub fn check_applications(
    conn: &Connection,
    rules: &crate::rules::ranking::RankingRules,
    cite: &str,
    apps: &[crate::domain::application::Application],
) -> Result<Vec<Hit>> {
    let mut out = Vec::new();
    for a in apps {
        let register = for_tax_codes(conn, a.members.iter().map(|m| m.tax_code.as_str()))?;
        if let Some(f) = crate::domain::occupation::check::failure(
            a,
            &register,
            &rules.occupation_lookback,
            cite,
        ) {
            out.push(Hit {
                code: a.code.clone(),
                reason: f.reason,
            });
        }
    }
    Ok(out)
}

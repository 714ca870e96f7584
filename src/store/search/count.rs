//! Counting the matches of a filter: from the tally when the filter only uses tallied columns
//! (a few thousand rows to add up instead of up to a million index entries), otherwise from the
//! small set the id, building code or text leaves.

use super::cache;
use super::plan::Query;
use super::sql::{self, Consumed, Sql};
use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

pub fn count(conn: &Connection, q: &Query) -> Result<i64> {
    let mut s = Sql::default();
    if let (Some(text), true) = (&q.text, q.unit_id.is_some() || q.building_code.is_some()) {
        // The conditions below check the text against its stored matches.
        cache::validate(conn)?;
        cache::text_hits(conn, text)?;
    }
    if q.tally_only()
        && let Some(n) = one_dimension(conn, q)?
    {
        return Ok(n);
    }
    if q.tally_only() {
        s.push("SELECT ifnull(sum(t.n), 0) FROM unit_tally t WHERE 1");
        sql::dims(&mut s, q, &[], "t.");
    } else if let Some(id) = q.unit_id {
        s.push("SELECT count(*) FROM unit u WHERE u.id = ");
        s.bind(Value::Integer(id));
        sql::conditions(
            &mut s,
            q,
            Consumed {
                unit_id: true,
                ..Default::default()
            },
        );
    } else if let Some(code) = &q.building_code {
        s.push(
            "SELECT count(*) FROM unit u INDEXED BY unit_building WHERE u.building_id IN \
             (SELECT b.id FROM building b WHERE b.code = ",
        );
        s.bind(Value::Text(code.clone()));
        s.push(" COLLATE NOCASE)");
        sql::conditions(
            &mut s,
            q,
            Consumed {
                buildings: true,
                ..Default::default()
            },
        );
    } else if let Some(text) = &q.text {
        cache::validate(conn)?;
        let hits = cache::text_hits(conn, text)?;
        let bare = Query {
            text: None,
            ..q.clone()
        };
        if bare == Query::bare() {
            return Ok(hits.n);
        }
        if hits.wide {
            // The matches' copy of the filter columns: no unit to read.
            s.push("SELECT count(*) FROM temp.search_hit_rows h WHERE 1");
            sql::dims(&mut s, q, &[], "+h.");
        } else {
            s.push(
                "SELECT count(*) FROM temp.search_hits h CROSS JOIN unit u ON u.id = h.id WHERE 1",
            );
            sql::conditions(
                &mut s,
                q,
                Consumed {
                    text: true,
                    ..Default::default()
                },
            );
        }
    }
    let mut stmt = conn.prepare_cached(&s.text)?;
    Ok(stmt.query_row(rusqlite::params_from_iter(s.params.iter()), |r| r.get(0))?)
}

/// The count of a query constrained on one filter dimension at most (no filter, one state,
/// several states, one comune, an operator's owners…), from the totals per value: a few rows
/// instead of adding up the tally. None when several dimensions combine.
fn one_dimension(conn: &Connection, q: &Query) -> Result<Option<i64>> {
    let mut dims: Vec<(cache::Dim, Vec<String>)> = Vec::new();
    if let Some(o) = &q.owners {
        dims.push((cache::Dim::Owner, o.iter().map(i64::to_string).collect()));
    }
    if let Some(i) = &q.istat {
        dims.push((cache::Dim::Istat, vec![i.clone()]));
    }
    if let Some(p) = &q.province {
        dims.push((cache::Dim::Province, vec![p.clone()]));
    }
    if !q.states.is_empty() {
        dims.push((
            cache::Dim::State,
            q.states.iter().map(i64::to_string).collect(),
        ));
    }
    if let Some(s) = q.service {
        dims.push((cache::Dim::Service, vec![s.to_string()]));
    }
    if let Some(n) = q.in_notice {
        dims.push((
            cache::Dim::Notice,
            vec![if n { "1" } else { "0" }.to_string()],
        ));
    }
    if let Some(y) = q.plan_year {
        dims.push((cache::Dim::Plan, vec![y.to_string()]));
    }
    Ok(match dims.as_slice() {
        [] => Some(cache::all_units(conn)?),
        [(dim, values)] => {
            let mut values = values.clone();
            values.sort();
            values.dedup();
            Some(cache::dim_total(conn, *dim, &values)?)
        }
        _ => None,
    })
}

impl Query {
    /// A query with no condition at all.
    pub fn bare() -> Query {
        Query {
            unit_id: None,
            building_code: None,
            owners: None,
            istat: None,
            province: None,
            states: vec![],
            service: None,
            in_notice: None,
            plan_year: None,
            text: None,
        }
    }
}

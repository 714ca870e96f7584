//! Ricerca occupazioni: the occupations of a filter an operator sees, a page at a time in id
//! order, paged by key (the id after or before the cursor, never OFFSET), and their count.
//! Every filter has an index that SQLite can lead with; tests/query_plans_occupations.rs
//! explains each statement.

use crate::domain::occupation::filter::{OccupationFilter, Status, Visibility};
use anyhow::Result;
use rusqlite::types::Value;
use rusqlite::{Connection, params_from_iter};
use serde::Serialize;

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OccupationRow {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub code: String,
    pub istat_code: String,
    pub comune: String,
    pub unit_code: String,
    pub unit_id: Option<i64>,
    pub address: String,
    /// Surname and name (masked for the helpdesk).
    pub occupant: String,
    pub started_on: String,
    pub ended_on: Option<String>,
    pub kind: i64,
    pub version: i64,
}

impl OccupationRow {
    pub fn mask_personal_data(&mut self) {
        self.occupant = "***".into();
    }
}

/// Which way a page goes from its cursor (the unit search's).
pub use crate::store::search::Direction;

/// The FTS5 query of a free text: one quoted phrase (substring under the trigram tokenizer),
/// on the codes and the address only when personal data are masked.
fn match_expr(text: &str, masked: bool) -> String {
    let phrase = format!("\"{}\"", text.replace('"', "\"\""));
    if masked {
        format!("{{codici indirizzo}} : {phrase}")
    } else {
        phrase
    }
}

/// The WHERE clause of `filter` and `vis` (without the cursor), with its parameters.
fn conditions(filter: &OccupationFilter, vis: &Visibility, masked: bool) -> (String, Vec<Value>) {
    let mut sql = String::from("1");
    let mut args: Vec<Value> = Vec::new();
    let mut add = |clause: &str, values: Vec<Value>| {
        sql.push_str(" AND ");
        sql.push_str(clause);
        args.extend(values);
    };
    if let Some(o) = filter.owner_id {
        add("o.owner_id = ?", vec![o.into()]);
    }
    if let Some(c) = &filter.istat {
        add("o.istat_code = ?", vec![c.clone().into()]);
    }
    if let Some(k) = filter.kind {
        add("o.kind = ?", vec![k.into()]);
    }
    if let Some(s) = filter.status {
        add("o.ended = ?", vec![i64::from(s == Status::Closed).into()]);
    }
    if let Some(to) = filter.to {
        add("o.started_on <= ?", vec![to.to_string().into()]);
    }
    if let Some(from) = filter.from {
        add(
            "coalesce(o.ended_on, '9999-12-31') >= ?",
            vec![from.to_string().into()],
        );
    }
    if let Some(cf) = &filter.tax_code {
        add(
            "(o.tax_code = ? OR o.id IN (SELECT occupation_id FROM occupation_member
                 INDEXED BY occupation_member_tax_code WHERE tax_code = ?))",
            vec![cf.clone().into(), cf.clone().into()],
        );
    }
    if let Some(t) = &filter.text {
        add(
            "o.id IN (SELECT rowid FROM occupation_text WHERE occupation_text MATCH ?)",
            vec![match_expr(t, masked).into()],
        );
    }
    if let Visibility::Scoped { owners, comuni } = vis {
        // The operator's owners and territory, each through its index (a filter of its own
        // leads when there is one).
        let marks = |n: usize| vec!["?"; n].join(", ");
        let mut parts = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if !owners.is_empty() {
            parts.push(format!(
                "SELECT id FROM occupation INDEXED BY occupation_owner WHERE owner_id IN ({})",
                marks(owners.len())
            ));
            values.extend(owners.iter().map(|o| Value::from(*o)));
        }
        if !comuni.is_empty() {
            parts.push(format!(
                "SELECT id FROM occupation INDEXED BY occupation_istat WHERE istat_code IN ({})",
                marks(comuni.len())
            ));
            values.extend(comuni.iter().map(|c| Value::from(c.clone())));
        }
        if parts.is_empty() {
            add("0", Vec::new());
        } else {
            add(&format!("o.id IN ({})", parts.join(" UNION ")), values);
        }
    }
    (sql, args)
}

/// The index a page or a count leads with: the most selective filter that has one of its own
/// (the codice fiscale and the text find their rows through their own lookups, and a scoped
/// operator's owners and comuni through both indexes), so that no filter reads the register
/// whole.
fn lead(filter: &OccupationFilter) -> &'static str {
    if filter.tax_code.is_some() || filter.text.is_some() {
        ""
    } else if filter.owner_id.is_some() {
        " INDEXED BY occupation_owner"
    } else if filter.istat.is_some() {
        " INDEXED BY occupation_istat"
    } else if filter.kind.is_some() {
        " INDEXED BY occupation_kind"
    } else if filter.status.is_some() {
        " INDEXED BY occupation_ended"
    } else if filter.to.is_some() {
        " INDEXED BY occupation_started"
    } else if filter.from.is_some() {
        " INDEXED BY occupation_until"
    } else {
        ""
    }
}

const ROW: &str = "SELECT o.id, o.owner_id, ow.name, o.code, o.istat_code, m.name, o.unit_code,
    o.unit_id, ifnull(pc.label || ' ', '') || o.address || ' ' || o.street_number,
    o.surname || ' ' || o.name, o.started_on, o.ended_on, o.kind, o.version
    FROM occupation o JOIN owner ow ON ow.id = o.owner_id
    JOIN municipality m ON m.istat_code = o.istat_code
    LEFT JOIN occupation_code pc ON pc.list = 'prefisso_indirizzo' AND pc.code = o.address_prefix";

/// Up to `limit` rows after (forward) or before (backward) the id `cursor`, in id order.
pub fn page(
    conn: &Connection,
    filter: &OccupationFilter,
    vis: &Visibility,
    masked: bool,
    cursor: Option<i64>,
    direction: Direction,
    limit: usize,
) -> Result<Vec<OccupationRow>> {
    let (cond, mut args) = conditions(filter, vis, masked);
    let (cmp, order) = match direction {
        Direction::Forward => (">", "ASC"),
        Direction::Backward => ("<", "DESC"),
    };
    // Without a cursor, from the first id (or the last): the page is always a range of the
    // primary key read in order, stopping at the limit.
    let from = cursor.unwrap_or(match direction {
        Direction::Forward => 0,
        Direction::Backward => i64::MAX,
    });
    args.push(from.into());
    let cursor_clause = format!(" AND o.id {cmp} ?");
    args.push((limit as i64).into());
    let sql = format!(
        "{} WHERE {cond}{cursor_clause} ORDER BY o.id {order} LIMIT ?",
        ROW.replace(
            "FROM occupation o",
            &format!("FROM occupation o{}", lead(filter))
        )
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt
        .query_map(params_from_iter(args), |r| {
            Ok(OccupationRow {
                id: r.get(0)?,
                owner_id: r.get(1)?,
                owner_name: r.get(2)?,
                code: r.get(3)?,
                istat_code: r.get(4)?,
                comune: r.get(5)?,
                unit_code: r.get(6)?,
                unit_id: r.get(7)?,
                address: r.get(8)?,
                occupant: r.get(9)?,
                started_on: r.get(10)?,
                ended_on: r.get(11)?,
                kind: r.get(12)?,
                version: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if direction == Direction::Backward {
        rows.reverse();
    }
    if masked {
        rows.iter_mut().for_each(OccupationRow::mask_personal_data);
    }
    Ok(rows)
}

/// How many occupations of `filter` the operator sees.
pub fn count(
    conn: &Connection,
    filter: &OccupationFilter,
    vis: &Visibility,
    masked: bool,
) -> Result<i64> {
    let (cond, args) = conditions(filter, vis, masked);
    let sql = format!(
        "SELECT count(*) FROM occupation o{} WHERE {cond}",
        lead(filter)
    );
    Ok(conn
        .prepare_cached(&sql)?
        .query_row(params_from_iter(args), |r| r.get(0))?)
}

/// The ISTAT codes of the owners that are Comuni among `owners` (a Comune's operators see the
/// occupations on its territory).
pub fn comuni_of(conn: &Connection, owners: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT istat_code FROM owner WHERE id = ?1 AND kind = 1")?;
    let mut out = Vec::new();
    for o in owners {
        if let Some(c) = stmt
            .query_map([o], |r| r.get::<_, Option<String>>(0))?
            .next()
            .transpose()?
            .flatten()
        {
            out.push((*o, c));
        }
    }
    Ok(out)
}

/// The whole filter of `text`: the local parts, then the owner (codice fiscale, ISTAT code,
/// ALER code or name, as the unit search takes it) and the comune (ISTAT code or name).
pub fn resolve_filter(
    conn: &Connection,
    text: &crate::domain::occupation::filter::FilterText,
) -> Result<OccupationFilter> {
    use crate::domain::occupation::filter::{Field, FieldError, parse_local};
    let mut f = parse_local(text, &super::codes(conn)?)?;
    let owner = text.get(Field::Owner).trim();
    if !owner.is_empty() {
        let found = crate::store::owners::find_owner(conn, owner).map_err(|e| FieldError {
            field: Field::Owner,
            message: e.to_string(),
        })?;
        f.owner_id = Some(found.id);
    }
    let comune = text.get(Field::Comune);
    if let Some(q) = crate::domain::unit_filter::parse_comune(comune).map_err(|e| FieldError {
        field: Field::Comune,
        message: e.message,
    })? {
        let c = crate::store::search::resolve_comune(conn, &q).map_err(|e| FieldError {
            field: Field::Comune,
            message: e.message,
        })?;
        f.istat = Some(c.istat);
    }
    Ok(f)
}

//! Keyset paging: each lane returns the first `limit` (sort key, id) pairs after the cursor from
//! its index, the lanes are merged, and the rows of the page are fetched by id.

use super::cache::{self, Dim};
use super::plan::{self, Driver, Plan, Query, index_for, key_column};
use super::rows::{self, UnitRow};
use super::sql::{self, Consumed, Sql};
use super::{Cursor, Direction};
use crate::domain::unit_filter::{Sort, SortKey};
use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;
use std::cmp::Ordering;

/// Which way one statement reads its index.
#[derive(Debug, Clone, Copy)]
struct Scan {
    key: SortKey,
    /// Reading towards smaller keys.
    descending: bool,
}

impl Scan {
    fn new(sort: Sort, direction: Direction) -> Scan {
        Scan {
            key: sort.key,
            descending: sort.descending ^ (direction == Direction::Backward),
        }
    }

    fn dir(self) -> &'static str {
        if self.descending { "DESC" } else { "ASC" }
    }

    fn op(self) -> &'static str {
        if self.descending { "<" } else { ">" }
    }

    /// The cursor to start from: the given one, or one before every row.
    fn start(self, cursor: Option<Cursor>) -> Cursor {
        cursor.unwrap_or(if self.descending {
            Cursor {
                key: f64::INFINITY,
                id: i64::MAX,
            }
        } else {
            Cursor {
                key: f64::NEG_INFINITY,
                id: i64::MIN,
            }
        })
    }

    /// Order of two (key, id) pairs in reading order.
    fn cmp(self, a: &(f64, i64), b: &(f64, i64)) -> Ordering {
        let o = a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
        if self.descending { o.reverse() } else { o }
    }

    /// Whether `p` comes after the cursor in reading order.
    fn after(self, p: &(f64, i64), c: Cursor) -> bool {
        let pair = match self.key {
            SortKey::Id => (0.0, p.1),
            _ => *p,
        };
        let cur = match self.key {
            SortKey::Id => (0.0, c.id),
            _ => (c.key, c.id),
        };
        self.cmp(&pair, &cur) == Ordering::Greater
    }
}

/// The sort key's column on the table aliased `alias` (`u`, or `h` for the text matches).
fn key_col(key: SortKey, alias: &str) -> Option<String> {
    key_column(key).map(|c| c.replacen("u.", &format!("{alias}."), 1))
}

/// The SELECT list: the id and the sort key (0 for the id sort), or every column of a
/// `UnitRow` followed by the key.
fn select_list(key: SortKey, id_col: &str, full_rows: bool) -> String {
    let alias = id_col.split('.').next().unwrap_or("u");
    let key_col = key_col(key, alias).unwrap_or_else(|| "0.0".into());
    if full_rows {
        format!("SELECT {}, {key_col} FROM ", rows::COLUMNS)
    } else {
        format!("SELECT {id_col}, {key_col} FROM ")
    }
}

/// The joins the full rows need, after the driver's table.
fn joins(full_rows: bool) -> &'static str {
    if full_rows { rows::JOINS } else { "" }
}

/// `AND (key, id) > (…)` (or on the id alone) for a lane read in index order.
fn keyset(sql: &mut Sql, scan: Scan, cursor: Cursor, id_col: &str, key_constant: bool) {
    let alias = id_col.split('.').next().unwrap_or("u");
    match key_col(scan.key, alias).filter(|_| !key_constant) {
        Some(col) => {
            sql.push(&format!(" AND ({col}, {id_col}) {} (", scan.op()));
            sql.bind(Value::Real(cursor.key));
            sql.push(", ");
            sql.bind(Value::Integer(cursor.id));
            sql.push(")");
        }
        None => {
            sql.push(&format!(" AND {id_col} {} ", scan.op()));
            sql.bind(Value::Integer(cursor.id));
        }
    }
}

fn order_by(sql: &mut Sql, scan: Scan, id_col: &str, key_constant: bool, limit: usize) {
    let dir = scan.dir();
    let alias = id_col.split('.').next().unwrap_or("u");
    match key_col(scan.key, alias).filter(|_| !key_constant) {
        Some(col) => sql.push(&format!(" ORDER BY {col} {dir}, {id_col} {dir}")),
        None => sql.push(&format!(" ORDER BY {id_col} {dir}")),
    }
    sql.push(" LIMIT ");
    sql.bind(Value::Integer(limit as i64));
}

/// The statements a page runs, and whether their pairs still need sorting in memory (sets of
/// bounded size) and cursor filtering.
struct Statements {
    sqls: Vec<Sql>,
    in_memory: bool,
    /// The one statement selects whole rows (then the key is after the row's columns).
    full_rows: bool,
    /// At most this many rows may come back (else the plan is given up: see `collect_pairs`).
    cap: Option<usize>,
}

/// For a lane whose key is constant (one state, one comune): where it stands to the cursor.
fn constant_lane_position(scan: Scan, dims: &[Dim], lane: &[Value], cursor: Cursor) -> Ordering {
    let state = dims
        .iter()
        .zip(lane)
        .find(|(d, _)| **d == Dim::State)
        .map(|(_, v)| v);
    let lane_key = match (scan.key, state) {
        (SortKey::State, Some(Value::Integer(s))) => *s as f64,
        // One comune: every row has the cursor's comune.
        _ => return Ordering::Equal,
    };
    let o = lane_key.total_cmp(&cursor.key);
    if scan.descending { o.reverse() } else { o }
}

/// The fixed-comune refinement: with one comune in the filter, the comune sort key is
/// constant, so lanes take `comune_sort = rank` as an equality and read in id order (otherwise
/// a lane led by state, say, would walk every comune alphabetically before the one asked).
#[derive(Debug, Clone, Copy)]
struct Fixed {
    comune_rank: Option<i64>,
    /// For a text streamed in id order under an owner restriction: the lowest and highest id
    /// of those owners' units, so that the text index is read from there (units are often
    /// numbered owner by owner: ALER Milano's start at a sixth of the table).
    id_range: Option<(i64, i64)>,
}

fn statements(
    q: &Query,
    plan: &Plan,
    scan: Scan,
    cursor: Option<Cursor>,
    limit: usize,
    fixed: Fixed,
) -> Statements {
    let start = scan.start(cursor);
    // One statement read in index order can return the rows themselves.
    let single_lane = match &plan.driver {
        Driver::Text { .. } | Driver::TextStream => true,
        Driver::Index { lanes, .. } => lanes.len() <= 1,
        _ => false,
    };
    match &plan.driver {
        Driver::Empty => Statements {
            sqls: vec![],
            in_memory: true,
            full_rows: false,
            cap: None,
        },
        Driver::Unit(id) => {
            let mut s = Sql::default();
            s.push(&select_list(scan.key, "u.id", false));
            s.push("unit u WHERE u.id = ");
            s.bind(Value::Integer(*id));
            sql::conditions(&mut s, q, consumed(plan));
            Statements {
                sqls: vec![s],
                in_memory: true,
                full_rows: false,
                cap: None,
            }
        }
        Driver::Buildings => {
            let mut s = Sql::default();
            s.push(&select_list(scan.key, "u.id", false));
            s.push(
                "unit u INDEXED BY unit_building WHERE u.building_id IN \
                 (SELECT b.id FROM building b WHERE b.code = ",
            );
            s.bind(Value::Text(q.building_code.clone().unwrap_or_default()));
            s.push(" COLLATE NOCASE)");
            sql::conditions(&mut s, q, consumed(plan));
            Statements {
                sqls: vec![s],
                in_memory: true,
                full_rows: false,
                cap: None,
            }
        }
        Driver::Text { wide: false } => {
            // Many matches, id order: their ids in order, each unit read for the other filters.
            let mut s = Sql::default();
            s.push(&select_list(scan.key, "h.id", true));
            s.push("temp.search_hits h CROSS JOIN unit u ON u.id = h.id");
            s.push(joins(true));
            s.push(" WHERE 1");
            keyset(&mut s, scan, start, "h.id", false);
            sql::conditions(&mut s, q, consumed(plan));
            order_by(&mut s, scan, "h.id", false, limit);
            Statements {
                sqls: vec![s],
                in_memory: false,
                full_rows: true,
                cap: None,
            }
        }
        Driver::TextStream => {
            // The text index returns ids in ascending order: the page stops after `limit` rows.
            let start = match fixed.id_range {
                Some((lo, _)) if !scan.descending => Cursor {
                    key: start.key,
                    id: start.id.max(lo - 1),
                },
                Some((_, hi)) if scan.descending => Cursor {
                    key: start.key,
                    id: start.id.min(hi + 1),
                },
                _ => start,
            };
            let mut s = Sql::default();
            s.push(&select_list(scan.key, "u.id", true));
            s.push("unit_text t CROSS JOIN unit u ON u.id = t.rowid");
            s.push(joins(true));
            s.push(" WHERE t.unit_text MATCH ");
            s.bind(Value::Text(cache::fts_phrase(
                q.text.as_deref().unwrap_or_default(),
            )));
            keyset(&mut s, scan, start, "t.rowid", false);
            sql::conditions(&mut s, q, consumed(plan));
            order_by(&mut s, scan, "t.rowid", false, limit);
            Statements {
                sqls: vec![s],
                in_memory: false,
                full_rows: true,
                cap: None,
            }
        }
        Driver::TextScan => {
            // Every match's key, sorted in memory (bounded: see `scan_cap`).
            let mut s = Sql::default();
            s.push(&select_list(scan.key, "u.id", false));
            s.push("unit_text t CROSS JOIN unit u ON u.id = t.rowid WHERE t.unit_text MATCH ");
            s.bind(Value::Text(cache::fts_phrase(
                q.text.as_deref().unwrap_or_default(),
            )));
            sql::conditions(&mut s, q, consumed(plan));
            Statements {
                sqls: vec![s],
                in_memory: true,
                full_rows: false,
                cap: None,
            }
        }
        Driver::Text { wide: true } => {
            // The matches' own copy of keys and filter columns, read in the sort's order.
            let rank = fixed.comune_rank.filter(|_| scan.key == SortKey::Comune);
            let index = match scan.key {
                SortKey::Id => "NOT INDEXED".to_string(),
                SortKey::Comune => "INDEXED BY search_hit_rows_comune".to_string(),
                SortKey::State => "INDEXED BY search_hit_rows_state".to_string(),
                SortKey::Area => "INDEXED BY search_hit_rows_area".to_string(),
            };
            let mut s = Sql::default();
            s.push(&select_list(scan.key, "h.id", true));
            s.push(&format!(
                "temp.search_hit_rows h {index} CROSS JOIN unit u ON u.id = h.id"
            ));
            s.push(joins(true));
            s.push(" WHERE 1");
            if let Some(r) = rank {
                s.push(" AND h.comune_sort = ");
                s.bind(Value::Integer(r));
            }
            keyset(&mut s, scan, start, "h.id", rank.is_some());
            sql::dims(&mut s, q, &[], "+h.");
            order_by(&mut s, scan, "h.id", rank.is_some(), limit);
            Statements {
                sqls: vec![s],
                in_memory: false,
                full_rows: true,
                cap: None,
            }
        }
        Driver::Index { dims, lanes } => {
            let (index, mut key_constant) = index_for(dims, scan.key).unwrap_or((None, false));
            let rank = fixed.comune_rank.filter(|_| scan.key == SortKey::Comune);
            if rank.is_some() {
                key_constant = true;
            }
            let from = match index {
                Some(name) => format!("unit u INDEXED BY {name}{} WHERE 1", joins(single_lane)),
                None => format!("unit u NOT INDEXED{} WHERE 1", joins(single_lane)),
            };
            let no_lanes = [Vec::new()];
            let lanes: &[Vec<Value>] = if lanes.is_empty() { &no_lanes } else { lanes };
            let mut sqls = Vec::new();
            for lane in lanes {
                let mut lane_cursor = Some(start);
                if key_constant {
                    match constant_lane_position(scan, dims, lane, start) {
                        Ordering::Less => continue,
                        Ordering::Greater => lane_cursor = None,
                        Ordering::Equal => {}
                    }
                }
                let mut s = Sql::default();
                s.push(&select_list(scan.key, "u.id", single_lane));
                s.push(&from);
                for (d, v) in dims.iter().zip(lane) {
                    lane_condition(&mut s, *d, v);
                }
                if let (Some(r), false) = (rank, dims.contains(&Dim::Istat)) {
                    s.push(" AND u.comune_sort = ");
                    s.bind(Value::Integer(r));
                }
                let c = lane_cursor.unwrap_or_else(|| scan.start(None));
                keyset(&mut s, scan, c, "u.id", key_constant);
                sql::conditions(&mut s, q, consumed(plan));
                order_by(&mut s, scan, "u.id", key_constant, limit);
                sqls.push(s);
            }
            Statements {
                sqls,
                in_memory: false,
                full_rows: single_lane,
                cap: None,
            }
        }
    }
}

fn lane_condition(s: &mut Sql, dim: Dim, v: &Value) {
    let col = match dim {
        Dim::Owner => "u.owner_id",
        Dim::Istat => "u.istat_code",
        Dim::Province => "u.province",
        Dim::State => "u.state",
        Dim::Plan => "u.plan_year",
        Dim::Service => "u.service",
        Dim::Notice => {
            // A literal: the partial indexes are WHERE in_notice = 1.
            s.push(" AND u.in_notice = 1");
            return;
        }
    };
    s.push(&format!(" AND {col} = "));
    s.bind(v.clone());
}

fn consumed(plan: &Plan) -> Consumed {
    match &plan.driver {
        Driver::Unit(_) => Consumed {
            unit_id: true,
            ..Default::default()
        },
        Driver::Buildings => Consumed {
            buildings: true,
            ..Default::default()
        },
        Driver::Empty => Consumed::default(),
        Driver::Text { .. } | Driver::TextStream | Driver::TextScan => Consumed {
            text: true,
            ..Default::default()
        },
        Driver::Index { dims, .. } => Consumed {
            dims: dims.clone(),
            ..Default::default()
        },
    }
}

/// What a page runs: None when the plan proves it empty.
fn prepare(
    conn: &Connection,
    q: &Query,
    sort: Sort,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
) -> Result<(Scan, Statements)> {
    if q.text.is_some() {
        // Only a text keeps scratch data (its matches) on the connection.
        cache::validate(conn)?;
    }
    let scan = Scan::new(sort, direction);
    let plan = plan::choose(conn, q, sort.key, limit)?;
    let fixed = Fixed {
        comune_rank: match (&q.istat, sort.key) {
            (Some(istat), SortKey::Comune) => Some(comune_rank(conn, istat)?),
            _ => None,
        },
        id_range: match (&plan.driver, &q.owners) {
            (Driver::TextStream, Some(owners)) => owners_id_range(conn, owners)?,
            _ => None,
        },
    };
    let mut st = statements(q, &plan, scan, cursor, limit, fixed);
    if plan.driver == Driver::TextScan {
        st.cap = Some(cache::WIDE_CAP as usize);
    }
    Ok((scan, st))
}

/// Runs the statements, collecting (key, id) pairs (the key at column `key_at`). None when a
/// capped statement returned more rows than its cap: the caller stores the text's matches
/// (`cache::text_hits`) and plans again.
fn collect_pairs(
    conn: &Connection,
    st: &Statements,
    key_at: usize,
) -> Result<Option<Vec<(f64, i64)>>> {
    let mut pairs: Vec<(f64, i64)> = Vec::new();
    for s in &st.sqls {
        let mut stmt = conn.prepare_cached(&s.text)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(s.params.iter()))?;
        while let Some(r) = rows.next()? {
            if st.cap.is_some_and(|cap| pairs.len() >= cap) {
                return Ok(None);
            }
            pairs.push((r.get::<_, f64>(key_at)?, r.get::<_, i64>(0)?));
        }
    }
    Ok(Some(pairs))
}

/// What `prepare_and_collect` returns: the pairs are empty when the one statement selects
/// whole rows (`page` runs it itself).
type Collected = (Scan, Statements, Vec<(f64, i64)>);

/// `prepare` and `collect_pairs`, storing the text's matches and planning again when a scan
/// of them would exceed its cap.
fn prepare_and_collect(
    conn: &Connection,
    q: &Query,
    sort: Sort,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
    ids_only: bool,
) -> Result<Collected> {
    let (scan, st) = prepare(conn, q, sort, cursor, direction, limit)?;
    if st.full_rows && !ids_only {
        return Ok((scan, st, Vec::new()));
    }
    let key_at = if st.full_rows { rows::COLUMN_COUNT } else { 1 };
    if let Some(pairs) = collect_pairs(conn, &st, key_at)? {
        return Ok((scan, st, pairs));
    }
    if let Some(t) = &q.text {
        cache::text_hits(conn, t)?;
    }
    let (scan, st) = prepare(conn, q, sort, cursor, direction, limit)?;
    if st.full_rows && !ids_only {
        return Ok((scan, st, Vec::new()));
    }
    let key_at = if st.full_rows { rows::COLUMN_COUNT } else { 1 };
    let pairs = collect_pairs(conn, &st, key_at)?
        .ok_or_else(|| anyhow::anyhow!("ricerca testuale: piano non valido"))?;
    Ok((scan, st, pairs))
}

/// The lowest and highest id among the units of `owners` (None: they have none).
fn owners_id_range(conn: &Connection, owners: &[i64]) -> Result<Option<(i64, i64)>> {
    use rusqlite::OptionalExtension;
    let mut range: Option<(i64, i64)> = None;
    for o in owners {
        let end = |dir: &str| -> Result<Option<i64>> {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT id FROM unit INDEXED BY unit_owner_id WHERE owner_id = +?1 \
                     ORDER BY id {dir} LIMIT 1"
                ))?
                .query_row([o], |r| r.get(0))
                .optional()?)
        };
        if let (Some(lo), Some(hi)) = (end("ASC")?, end("DESC")?) {
            range = Some(range.map_or((lo, hi), |(a, b)| (a.min(lo), b.max(hi))));
        }
    }
    Ok(range)
}

fn comune_rank(conn: &Connection, istat: &str) -> Result<i64> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .prepare_cached("SELECT sort_rank FROM municipality WHERE istat_code = ?1")?
        .query_row([istat], |r| r.get(0))
        .optional()?
        .unwrap_or(-1))
}

/// Sorts, cuts and orders for display the (key, id) pairs the statements returned.
fn finish(
    scan: Scan,
    st: &Statements,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
    mut pairs: Vec<(f64, i64)>,
) -> Vec<i64> {
    if st.in_memory {
        let start = scan.start(cursor);
        pairs.retain(|p| scan.after(p, start));
    }
    if st.sqls.len() > 1 || st.in_memory {
        if pairs.len() > limit {
            // Only the first `limit` need ordering (a text's matches can be 100,000).
            pairs.select_nth_unstable_by(limit, |a, b| scan.cmp(a, b));
            pairs.truncate(limit);
        }
        pairs.sort_by(|a, b| scan.cmp(a, b));
    }
    pairs.truncate(limit);
    if direction == Direction::Backward {
        pairs.reverse();
    }
    pairs.into_iter().map(|(_, id)| id).collect()
}

/// The ids of one page in display order (ascending in the sort, whatever the direction).
pub fn page_ids(
    conn: &Connection,
    q: &Query,
    sort: Sort,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
) -> Result<Vec<i64>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let (scan, st, pairs) = prepare_and_collect(conn, q, sort, cursor, direction, limit, true)?;
    Ok(finish(scan, &st, cursor, direction, limit, pairs))
}

/// One page of rows in display order.
pub fn page(
    conn: &Connection,
    q: &Query,
    sort: Sort,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
) -> Result<Vec<UnitRow>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let (scan, st, pairs) = prepare_and_collect(conn, q, sort, cursor, direction, limit, false)?;
    if st.full_rows {
        let Some(s) = st.sqls.first() else {
            return Ok(Vec::new());
        };
        let mut stmt = conn.prepare_cached(&s.text)?;
        let mut out = stmt
            .query_map(rusqlite::params_from_iter(s.params.iter()), rows::unit_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        if direction == Direction::Backward {
            out.reverse();
        }
        return Ok(out);
    }
    let ids = finish(scan, &st, cursor, direction, limit, pairs);
    rows::fetch(conn, &ids)
}

/// The statements a first page of this query runs, with their EXPLAIN QUERY PLAN lines (for
/// the query-plan tests).
pub fn explain(
    conn: &Connection,
    q: &Query,
    sort: Sort,
    limit: usize,
) -> Result<Vec<(String, Vec<String>)>> {
    let (_, st) = prepare(conn, q, sort, None, Direction::Forward, limit)?;
    let mut out = Vec::new();
    for s in &st.sqls {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {}", s.text))?;
        let lines = stmt
            .query_map(rusqlite::params_from_iter(s.params.iter()), |r| {
                r.get::<_, String>(3)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        out.push((s.text.clone(), lines));
    }
    Ok(out)
}

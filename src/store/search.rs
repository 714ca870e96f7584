//! The unit search (SCHEDA RICERCA ALLOGGI) over up to millions of units: keyset pages in any
//! sort, counts, the unit detail and the lists of values of the form.
//!
//! How a query is answered (see `plan`): the most selective filter that has an index leads
//! (or a pair such as owner + state), read in the order of the sort from the cursor on, one
//! lane per value (several owners, several states), merged; the page's rows are then read by
//! id. The search never uses OFFSET and never sorts all the matches, so the cost of a page does
//! not grow with its position or the number of matches. The exceptions are bounded: an ID
//! alloggio or a codice fabbricato (a handful of units, sorted in memory), and a free text,
//! whose matches are first looked up in the trigram index and copied to a small indexed
//! TEMP table (see `cache`). `tests/query_plans.rs` checks the plan of every filter the screen
//! offers; `benches/search.rs` measures them on a million units.

mod cache;
mod comuni;
mod count;
mod detail;
mod page;
mod plan;
mod rows;
mod sql;
mod sync;

pub use comuni::{
    ComuneRef, OwnerChoice, ProvinceRef, check_province, comuni_matching, owners_matching,
    provinces, resolve_comune,
};
pub use detail::{Body, BuildingInfo, Household, Tenant, UnitDetail, unit_detail, unit_owner};
pub use rows::{UnitRow, by_id as row_by_id};
pub use sync::{
    SuspendedSync, fill_dim_totals, rank_comuni, rebuild_derived, rebuild_text_index, suspend_sync,
};

use crate::domain::unit_filter::{
    self as uf, FilterError, FilterField, FilterText, Sort, SortKey, UnitFilter, Visibility,
};
use anyhow::Result;
use plan::Query;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// Parses what was typed in the form (or given as options) and resolves names against the
/// database — comune by name or ISTAT code, owner by codice fiscale, code or name — naming the
/// field of any problem. The screen and the command line build their filters here.
pub fn resolve_filter(conn: &Connection, text: &FilterText) -> Result<UnitFilter, FilterError> {
    text.check()?;
    let mut f = UnitFilter {
        unit_id: uf::parse_unit_id(text.get(FilterField::UnitId))?,
        building_code: uf::parse_building_code(text.get(FilterField::BuildingCode))?,
        service: uf::parse_service(text.get(FilterField::Service))?,
        province: uf::parse_province(text.get(FilterField::Province))?,
        istat: None,
        states: uf::parse_states(text.get(FilterField::States))?,
        in_notice: uf::parse_in_notice(text.get(FilterField::InNotice))?,
        owner_id: None,
        text: uf::parse_text(text.get(FilterField::Text))?,
        marked_for_year: uf::parse_year(text.get(FilterField::MarkedYear))?,
    };
    if let Some(p) = &f.province {
        check_province(conn, p)?;
    }
    if let Some(q) = uf::parse_comune(text.get(FilterField::Comune))? {
        f.istat = Some(resolve_comune(conn, &q)?.istat);
    }
    let owner = text.get(FilterField::Owner).trim();
    if !owner.is_empty() {
        let found = crate::store::owners::find_owner(conn, owner).map_err(|e| FilterError {
            field: FilterField::Owner,
            message: e.to_string(),
        })?;
        f.owner_id = Some(found.id);
    }
    Ok(f)
}

/// Where a page starts: the sort value and id of the row just before it (exclusive). Take it
/// from a row with `UnitRow::cursor`, or from an id with `cursor_for`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key: comune rank, state code or surface (0 for the id sort).
    pub key: f64,
    pub id: i64,
}

/// Forward: the rows after the cursor. Backward: the rows before it (the previous page), still
/// returned in display order. Without a cursor: the first page, or the last one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Direction {
    #[default]
    Forward,
    Backward,
}

/// One page of at most `limit` units matching `filter` that the operator may see, in the order
/// of `sort`. A filter the parsers would refuse is refused here too (`FilterError`).
pub fn page(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
    sort: Sort,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
) -> Result<Vec<UnitRow>> {
    filter.validate()?;
    let Some(q) = Query::new(filter, visibility) else {
        return Ok(Vec::new());
    };
    page::page(conn, &q, sort, cursor, direction, limit)
}

/// The ids of a page (what `page` returns, without fetching the rows).
pub fn page_ids(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
    sort: Sort,
    cursor: Option<Cursor>,
    direction: Direction,
    limit: usize,
) -> Result<Vec<i64>> {
    filter.validate()?;
    let Some(q) = Query::new(filter, visibility) else {
        return Ok(Vec::new());
    };
    page::page_ids(conn, &q, sort, cursor, direction, limit)
}

/// How many units match `filter` among those the operator may see.
pub fn count(conn: &Connection, filter: &UnitFilter, visibility: &Visibility) -> Result<i64> {
    filter.validate()?;
    let Some(q) = Query::new(filter, visibility) else {
        return Ok(0);
    };
    count::count(conn, &q)
}

/// The cursor just after the unit `id` in `key` order (for `--after ID`); None if no such unit.
pub fn cursor_for(conn: &Connection, id: i64, key: SortKey) -> Result<Option<Cursor>> {
    let col = match key {
        SortKey::Id => "0.0",
        SortKey::Comune => "comune_sort",
        SortKey::State => "state",
        SortKey::Area => "area_sort",
    };
    Ok(conn
        .prepare_cached(&format!("SELECT {col} FROM unit WHERE id = ?1"))?
        .query_row([id], |r| r.get::<_, f64>(0))
        .optional()?
        .map(|k| Cursor { key: k, id }))
}

/// Calls `each` with consecutive pages of `chunk` rows until the matches end or `each` returns
/// false: the streaming read of exports and of `casa units search` without a limit.
pub fn for_each_page(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
    sort: Sort,
    chunk: usize,
    mut each: impl FnMut(Vec<UnitRow>) -> Result<bool>,
) -> Result<()> {
    let mut cursor = None;
    loop {
        let rows = page(
            conn,
            filter,
            visibility,
            sort,
            cursor,
            Direction::Forward,
            chunk,
        )?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        cursor = Some(last.cursor(sort.key));
        let full = rows.len() == chunk;
        if !each(rows)? || !full {
            return Ok(());
        }
    }
}

/// As `for_each_page`, for the export: ids by key, then the rows without joins (`rows::Names`).
/// The rows are the same as `page` gives, building code aside (not exported).
pub fn for_each_list_page(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
    sort: Sort,
    chunk: usize,
    mut each: impl FnMut(Vec<UnitRow>) -> Result<bool>,
) -> Result<()> {
    let names = rows::Names::load(conn)?;
    let mut cursor = None;
    loop {
        let ids = page_ids(
            conn,
            filter,
            visibility,
            sort,
            cursor,
            Direction::Forward,
            chunk,
        )?;
        let full = ids.len() == chunk;
        let rows = rows::fetch_for_list(conn, &ids, &names)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        cursor = Some(last.cursor(sort.key));
        if !each(rows)? || !full {
            return Ok(());
        }
    }
}

/// Every matching id, ascending (for marking units).
pub fn all_ids(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
) -> Result<Vec<i64>> {
    let sort = Sort::default();
    let mut out = Vec::new();
    let mut cursor = None;
    loop {
        let ids = page_ids(
            conn,
            filter,
            visibility,
            sort,
            cursor,
            Direction::Forward,
            5_000,
        )?;
        let Some(last) = ids.last() else {
            return Ok(out);
        };
        cursor = Some(Cursor {
            key: 0.0,
            id: *last,
        });
        let done = ids.len() < 5_000;
        out.extend(ids);
        if done {
            return Ok(out);
        }
    }
}

/// The owners of the matching units with how many each (for permission checks on marking).
pub fn owners_of(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
) -> Result<Vec<(i64, i64)>> {
    filter.validate()?;
    let Some(q) = Query::new(filter, visibility) else {
        return Ok(Vec::new());
    };
    if q.tally_only() {
        let mut s = sql::Sql::default();
        s.push("SELECT t.owner_id, sum(t.n) FROM unit_tally t WHERE 1");
        sql::dims(&mut s, &q, &[], "t.");
        s.push(" GROUP BY t.owner_id HAVING sum(t.n) > 0 ORDER BY t.owner_id");
        let mut stmt = conn.prepare_cached(&s.text)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(s.params.iter()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
        return Ok(rows.collect::<rusqlite::Result<_>>()?);
    }
    let ids = all_ids(conn, filter, visibility)?;
    let mut counts = std::collections::BTreeMap::new();
    let mut stmt = conn.prepare_cached("SELECT owner_id FROM unit WHERE id = ?1")?;
    for id in ids {
        let owner: i64 = stmt.query_row([id], |r| r.get(0))?;
        *counts.entry(owner).or_insert(0) += 1;
    }
    Ok(counts.into_iter().collect())
}

/// The statements the first page of this filter runs, each with its EXPLAIN QUERY PLAN lines.
pub fn explain_page(
    conn: &Connection,
    filter: &UnitFilter,
    visibility: &Visibility,
    sort: Sort,
    limit: usize,
) -> Result<Vec<(String, Vec<String>)>> {
    filter.validate()?;
    let Some(q) = Query::new(filter, visibility) else {
        return Ok(Vec::new());
    };
    page::explain(conn, &q, sort, limit)
}

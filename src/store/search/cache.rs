//! Per-connection scratch data of the search, in TEMP tables (also writable on read-only
//! connections): the matches of the current free text, dropped as soon as the database
//! changes, from this connection or any other. Made only when a search has a text: the number
//! of units per value of each filter dimension (to pick the most selective index) is stored
//! with the data (`unit_dim_total`), so a new connection's first page needs no scratch table.
//!
//! Text matches are kept twice: their ids (`search_hits`), and, when they are not too many, a
//! copy of their sort keys and filter columns with an index per sort (`search_hit_rows`), so
//! that paging through a text's matches in any order reads that small table in order.

use anyhow::Result;
use rusqlite::{Connection, OptionalExtension, params};

const SETUP: &str = "
    CREATE TEMP TABLE IF NOT EXISTS search_cache_meta (
        id INTEGER PRIMARY KEY CHECK (id = 1), data_version INTEGER NOT NULL, changes INTEGER NOT NULL);
    INSERT OR IGNORE INTO temp.search_cache_meta VALUES (1, -1, -1);
    CREATE TEMP TABLE IF NOT EXISTS search_hits_text (
        id INTEGER PRIMARY KEY CHECK (id = 1), text TEXT NOT NULL, n INTEGER NOT NULL,
        wide INTEGER NOT NULL);
    CREATE TEMP TABLE IF NOT EXISTS search_text_seen (
        id INTEGER PRIMARY KEY CHECK (id = 1), text TEXT NOT NULL);
    CREATE TEMP TABLE IF NOT EXISTS search_hits (id INTEGER PRIMARY KEY);
    CREATE TEMP TABLE IF NOT EXISTS search_hit_rows (
        id INTEGER PRIMARY KEY, comune_sort INTEGER, state INTEGER, area_sort REAL,
        owner_id INTEGER, istat_code TEXT, province TEXT, service INTEGER, in_notice INTEGER,
        plan_year INTEGER);
    CREATE INDEX IF NOT EXISTS temp.search_hit_rows_comune ON search_hit_rows(comune_sort, id);
    CREATE INDEX IF NOT EXISTS temp.search_hit_rows_state ON search_hit_rows(state, id);
    CREATE INDEX IF NOT EXISTS temp.search_hit_rows_area ON search_hit_rows(area_sort, id);";

/// Up to this many matches get `search_hit_rows` (about 1 µs each to build), unless they are
/// more than a quarter of all units: then walking the sort index and checking `search_hits`
/// finds a page as quickly.
pub const WIDE_CAP: i64 = 100_000;

/// A filter dimension whose per-value totals are cached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Owner,
    Istat,
    Province,
    State,
    Notice,
    Plan,
    /// Destinazione d'uso: only ever leads together with province and state (migration 4).
    Service,
}

impl Dim {
    fn tag(self) -> &'static str {
        match self {
            Dim::Owner => "O",
            Dim::Istat => "C",
            Dim::Province => "P",
            Dim::State => "T",
            Dim::Notice => "N",
            Dim::Plan => "Y",
            Dim::Service => "S",
        }
    }
}

fn current_token(conn: &Connection) -> Result<(i64, i64)> {
    let dv: i64 = conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))?;
    Ok((dv, conn.total_changes() as i64))
}

/// Records that the caches match the database as it is now. The UPDATE itself is one change,
/// counted in advance.
fn stamp(conn: &Connection) -> Result<()> {
    let (dv, changes) = current_token(conn)?;
    conn.prepare_cached("UPDATE temp.search_cache_meta SET data_version = ?1, changes = ?2")?
        .execute(params![dv, changes + 1])?;
    Ok(())
}

/// Creates the scratch tables on first use and empties them when the database has changed.
pub fn validate(conn: &Connection) -> Result<()> {
    let stored: Option<(i64, i64)> =
        match conn.prepare_cached("SELECT data_version, changes FROM temp.search_cache_meta") {
            Ok(mut stmt) => stmt
                .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?,
            Err(_) => {
                conn.execute_batch(SETUP)?;
                None
            }
        };
    if stored != Some(current_token(conn)?) {
        conn.execute_batch(
            "DELETE FROM temp.search_hits;
             DELETE FROM temp.search_hit_rows; DELETE FROM temp.search_hits_text;
             DELETE FROM temp.search_text_seen;",
        )?;
        stamp(conn)?;
    }
    Ok(())
}

/// Units with `dim` equal to any of `values`, from the totals per filter value the tally's
/// triggers keep (`unit_dim_total`): one row per value, no scratch table needed, so a new
/// connection's first page costs no more than the next.
pub fn dim_total(conn: &Connection, dim: Dim, values: &[String]) -> Result<i64> {
    let mut stmt =
        conn.prepare_cached("SELECT n FROM unit_dim_total WHERE dim = ?1 AND value = ?2")?;
    let mut total = 0;
    for v in values {
        let v = match dim {
            // The filter asks "in avviso" or not; the totals are per 0/1.
            Dim::Notice if v != "1" => "0",
            _ => v.as_str(),
        };
        total += stmt
            .query_row(params![dim.tag(), v], |r| r.get::<_, i64>(0))
            .optional()?
            .unwrap_or(0);
    }
    Ok(total)
}

/// All units (from the totals per filter value).
pub fn all_units(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT n FROM unit_dim_total WHERE dim = '*' AND value = ''")?
        .query_row([], |r| r.get::<_, i64>(0))
        .optional()?
        .unwrap_or(0))
}

/// The FTS5 query for a free text: one phrase, matched as a substring by the trigram index.
pub fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// The matches of a free text, as `text_hits` leaves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextHits {
    pub n: i64,
    /// `search_hit_rows` holds them too.
    pub wide: bool,
}

/// The matches of `text` if `text_hits` has already stored them (after `validate`).
pub fn text_cached(conn: &Connection, text: &str) -> Result<Option<TextHits>> {
    Ok(conn
        .prepare_cached("SELECT n, wide FROM temp.search_hits_text WHERE text = ?1")?
        .query_row([text], |r| {
            Ok(TextHits {
                n: r.get(0)?,
                wide: r.get(1)?,
            })
        })
        .optional()?)
}

/// Records that a page of `text` was answered without storing its matches, and says whether
/// it had been already (then the caller stores them: the text is being paged or re-sorted,
/// not typed). Only the last such text is remembered.
pub fn seen_before(conn: &Connection, text: &str) -> Result<bool> {
    let seen: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM temp.search_text_seen WHERE text = ?1)")?
        .query_row([text], |r| r.get(0))?;
    if !seen {
        conn.prepare_cached(
            "INSERT OR REPLACE INTO temp.search_text_seen (id, text) VALUES (1, ?1)",
        )?
        .execute([text])?;
        stamp(conn)?;
    }
    Ok(seen)
}

/// Fills temp.search_hits (and, for up to `WIDE_CAP` matches, temp.search_hit_rows) with the
/// units whose text matches (after `validate`). Reused while the text and the database stay
/// the same.
pub fn text_hits(conn: &Connection, text: &str) -> Result<TextHits> {
    if let Some(h) = text_cached(conn, text)? {
        return Ok(h);
    }
    conn.execute_batch(
        "DELETE FROM temp.search_hits; DELETE FROM temp.search_hit_rows;
         DELETE FROM temp.search_hits_text;",
    )?;
    let n = conn
        .prepare_cached(
            "INSERT INTO temp.search_hits (id) SELECT rowid FROM unit_text WHERE unit_text MATCH ?1",
        )?
        .execute([fts_phrase(text)])? as i64;
    let wide = n <= WIDE_CAP && n * 4 <= all_units(conn)?;
    if wide {
        conn.prepare_cached(
            "INSERT INTO temp.search_hit_rows
             SELECT u.id, u.comune_sort, u.state, u.area_sort, u.owner_id, u.istat_code,
                    u.province, u.service, u.in_notice, u.plan_year
             FROM temp.search_hits h CROSS JOIN unit u ON u.id = h.id",
        )?
        .execute([])?;
    }
    conn.prepare_cached(
        "INSERT INTO temp.search_hits_text (id, text, n, wide) VALUES (1, ?1, ?2, ?3)",
    )?
    .execute(params![text, n, wide])?;
    stamp(conn)?;
    Ok(TextHits { n, wide })
}

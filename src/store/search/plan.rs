//! From a filter to SQL: which index drives the query (the most selective filter that has one,
//! or a pair such as owner + state), the lanes it is read in (one per value, or pair of values),
//! and the remaining conditions. Selectivity comes from the tally (`cache::dim_total`).
//!
//! Every lane reads one index in the order of the sort and stops after a page, so that no query
//! ever sorts its matches or walks the whole table. Statements bind values as `+?N`: with
//! SQLite's STAT4 statistics a plain `?N` compared to an indexed column makes SQLite re-plan the
//! statement at every new binding (about 7 µs each), and the index is chosen here anyway.

use super::cache::{self, Dim};
use super::sql::{self, Sql};
use crate::domain::unit_filter::{SortKey, UnitFilter, Visibility};
use anyhow::Result;
use rusqlite::Connection;
use rusqlite::types::Value;

/// The filter resolved against what the operator may see, in database terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub unit_id: Option<i64>,
    pub building_code: Option<String>,
    /// None: any owner.
    pub owners: Option<Vec<i64>>,
    pub istat: Option<String>,
    pub province: Option<String>,
    /// State codes; empty: any.
    pub states: Vec<i64>,
    pub service: Option<i64>,
    pub in_notice: Option<bool>,
    pub plan_year: Option<i32>,
    pub text: Option<String>,
}

impl Query {
    /// None when the operator may see nothing the filter asks for.
    pub fn new(filter: &UnitFilter, visibility: &Visibility) -> Option<Query> {
        let owners = visibility.owners_for(filter);
        if owners.as_ref().is_some_and(Vec::is_empty) {
            return None;
        }
        Some(Query {
            unit_id: filter.unit_id,
            building_code: filter.building_code.clone(),
            owners,
            istat: filter.istat.clone(),
            province: filter.province.clone(),
            states: filter.states.iter().map(|s| s.code()).collect(),
            service: filter.service.map(|s| s.code()),
            in_notice: filter.in_notice,
            plan_year: filter.marked_for_year,
            text: filter.text.clone(),
        })
    }

    /// Whether the tally alone can count this query.
    pub fn tally_only(&self) -> bool {
        self.unit_id.is_none() && self.building_code.is_none() && self.text.is_none()
    }
}

/// What reads the units first.
#[derive(Debug, Clone, PartialEq)]
pub enum Driver {
    /// Nothing can match (the tally says so).
    Empty,
    /// One unit by id.
    Unit(i64),
    /// The units of the buildings with a code: few, sorted in memory.
    Buildings,
    /// The units matching the free text: from temp.search_hit_rows in any order (`wide`), or
    /// from temp.search_hits in id order.
    Text { wide: bool },
    /// A text not stored yet, in id order: read straight from the text index (which returns
    /// ids in ascending order) joined to the units, stopping after a page.
    TextStream,
    /// A text not stored yet, in another order: every match's (key, id) read from the text
    /// index and the units, sorted in memory (at most `cache::WIDE_CAP`, else it is stored).
    TextScan,
    /// An index led by `dims` (none: by the sort key alone; two: a composite such as
    /// (owner, state)), one lane per combination of their values.
    Index {
        dims: Vec<Dim>,
        lanes: Vec<Vec<Value>>,
    },
}

/// The plan of one page query.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub driver: Driver,
    /// Units the driver reads at most (an estimate for index drivers).
    pub estimate: i64,
}

/// The SQL column holding the sort key (None: the id itself).
pub fn key_column(key: SortKey) -> Option<&'static str> {
    match key {
        SortKey::Id => None,
        SortKey::Comune => Some("u.comune_sort"),
        SortKey::State => Some("u.state"),
        SortKey::Area => Some("u.area_sort"),
    }
}

/// The index that serves (leading filters, sort key), and whether the key is constant within
/// one lane (then the lane is read in id order). None: no such index.
pub fn index_for(dims: &[Dim], key: SortKey) -> Option<(Option<&'static str>, bool)> {
    use SortKey::*;
    let found = match (dims, key) {
        ([], Id) => (None, false),
        ([], Comune) => (Some("unit_comune"), false),
        ([], State) => (Some("unit_state_id"), false),
        ([], Area) => (Some("unit_area"), false),
        ([Dim::Owner], Id) => (Some("unit_owner_id"), false),
        ([Dim::Owner], Comune) => (Some("unit_owner_comune"), false),
        ([Dim::Owner], State) => (Some("unit_owner_state"), false),
        ([Dim::Owner], Area) => (Some("unit_owner_area"), false),
        ([Dim::Istat], Id) => (Some("unit_istat_id"), false),
        ([Dim::Istat], Comune) => (Some("unit_istat_id"), true),
        ([Dim::Istat], State) => (Some("unit_istat_state"), false),
        ([Dim::Istat], Area) => (Some("unit_istat_area"), false),
        ([Dim::Province], Id) => (Some("unit_province_id"), false),
        ([Dim::Province], Comune) => (Some("unit_province_comune"), false),
        ([Dim::Province], State) => (Some("unit_province_state"), false),
        ([Dim::Province], Area) => (Some("unit_province_area"), false),
        ([Dim::State], Id) => (Some("unit_state_id"), false),
        ([Dim::State], Comune) => (Some("unit_state_comune"), false),
        ([Dim::State], State) => (Some("unit_state_id"), true),
        ([Dim::State], Area) => (Some("unit_state_area"), false),
        ([Dim::Notice], Id) => (Some("unit_notice_id"), false),
        ([Dim::Notice], Comune) => (Some("unit_notice_comune"), false),
        ([Dim::Notice], State) => (Some("unit_notice_state"), false),
        ([Dim::Notice], Area) => (Some("unit_notice_area"), false),
        ([Dim::Plan], Id) => (Some("unit_plan_id"), false),
        ([Dim::Plan], Comune) => (Some("unit_plan_comune"), false),
        ([Dim::Plan], State) => (Some("unit_plan_state"), false),
        ([Dim::Plan], Area) => (Some("unit_plan_area"), false),
        // Composites: both values fixed per lane, the rows in id order. They matter when ids
        // follow another column (units imported owner by owner, comune by comune): a lane led
        // by the state alone would then walk every other owner's units before the first match.
        ([Dim::Owner, Dim::State], Id) => (Some("unit_owner_state"), false),
        ([Dim::Owner, Dim::State], State) => (Some("unit_owner_state"), true),
        ([Dim::Istat, Dim::State], Id) => (Some("unit_istat_state"), false),
        ([Dim::Istat, Dim::State], State | Comune) => (Some("unit_istat_state"), true),
        ([Dim::Province, Dim::State], Id) => (Some("unit_province_state"), false),
        ([Dim::Province, Dim::State], State) => (Some("unit_province_state"), true),
        ([Dim::Owner, Dim::Notice], Id) => (Some("unit_notice_owner"), false),
        ([Dim::Owner, Dim::Notice], State) => (Some("unit_notice_owner_state"), false),
        ([Dim::Owner, Dim::Plan], Id) => (Some("unit_plan_owner"), false),
        // Migration 4: the three equalities lead, each lane is a pure range in sort order.
        ([Dim::Province, Dim::Service, Dim::State], Id) => {
            (Some("unit_prov_service_state_id"), false)
        }
        ([Dim::Province, Dim::Service, Dim::State], State) => {
            (Some("unit_prov_service_state_id"), true)
        }
        ([Dim::Province, Dim::Service, Dim::State], Comune) => {
            (Some("unit_prov_service_state_comune"), false)
        }
        ([Dim::Province, Dim::Service, Dim::State], Area) => {
            (Some("unit_prov_service_state_area"), false)
        }
        _ => return None,
    };
    Some(found)
}

/// Cost of one extra lane, in units read: a statement run costs about as much as reading a
/// few hundred index entries.
const LANE_COST: i64 = 200;

/// Composite lanes beyond this many (owners × states) cost more than they save.
const MAX_COMPOSITE_LANES: usize = 16;

/// Pages of at most this many rows may read a text not stored yet from the text index
/// (`Driver::TextStream`, `Driver::TextScan`); longer reads (exports, marking) store it.
pub const STREAM_MAX_LIMIT: usize = 200;

/// A text is read straight from its index in id order when the other filters keep at least
/// 1/STREAM_DENSITY of the units: a page then reads about 20 × this many matches at most
/// (unless the text and the filters are anti-correlated; the cost is bounded by the matches).
const STREAM_DENSITY: i64 = 16;

/// Chooses the driver (after `cache::validate`). Text matches are computed here when the filter
/// has text, since their number decides; a text typed anew is first answered from the text
/// index directly (see `text_unstored`), and stored when it is paged or re-sorted.
pub fn choose(conn: &Connection, q: &Query, key: SortKey, limit: usize) -> Result<Plan> {
    if let (Some(t), true) = (&q.text, q.unit_id.is_some() || q.building_code.is_some()) {
        // Those drivers check the text against the stored matches.
        cache::text_hits(conn, t)?;
    }
    if let Some(id) = q.unit_id {
        return Ok(Plan {
            driver: Driver::Unit(id),
            estimate: 1,
        });
    }
    if q.building_code.is_some() {
        // Codes identify one building per owner: a handful of buildings, a few hundred units.
        return Ok(Plan {
            driver: Driver::Buildings,
            estimate: 0,
        });
    }
    if q.tally_only() && tally_constraints(q) >= 2 && !tally_has_any(conn, q)? {
        // Each filter alone matches units, together none (ALER Milano in provincia di
        // Sondrio): every index would be walked to its end for nothing.
        return Ok(Plan {
            driver: Driver::Empty,
            estimate: 0,
        });
    }
    // Only dimensions present in the filter are candidates; with one candidate there is
    // nothing to estimate.
    let mut dims: Vec<(Dim, Vec<Value>, Vec<String>)> = Vec::new();
    if let Some(owners) = &q.owners {
        dims.push((
            Dim::Owner,
            owners.iter().map(|o| Value::Integer(*o)).collect(),
            owners.iter().map(i64::to_string).collect(),
        ));
    }
    if let Some(i) = &q.istat {
        dims.push((Dim::Istat, vec![Value::Text(i.clone())], vec![i.clone()]));
    }
    if let Some(p) = &q.province {
        dims.push((Dim::Province, vec![Value::Text(p.clone())], vec![p.clone()]));
    }
    if !q.states.is_empty() {
        dims.push((
            Dim::State,
            q.states.iter().map(|s| Value::Integer(*s)).collect(),
            q.states.iter().map(i64::to_string).collect(),
        ));
    }
    if q.in_notice == Some(true) {
        dims.push((Dim::Notice, vec![Value::Integer(1)], vec!["1".into()]));
    }
    if let Some(y) = q.plan_year {
        dims.push((
            Dim::Plan,
            vec![Value::Integer(y as i64)],
            vec![y.to_string()],
        ));
    }
    let text_hits = match &q.text {
        Some(t) => match cache::text_cached(conn, t)? {
            Some(h) => Some(h),
            None => {
                if let Some(plan) = text_unstored(conn, t, &dims, key, limit)? {
                    return Ok(plan);
                }
                Some(cache::text_hits(conn, t)?)
            }
        },
        None => None,
    };
    let estimating = dims.len() + usize::from(text_hits.is_some()) > 1;
    let mut candidates: Vec<(i64, Plan)> = Vec::new();
    let mut estimates: Vec<(Dim, i64)> = Vec::new();
    for (dim, lanes, keys) in &dims {
        let estimate = if estimating {
            cache::dim_total(conn, *dim, keys)?
        } else {
            0
        };
        estimates.push((*dim, estimate));
        candidates.push((
            estimate + LANE_COST * lanes.len() as i64,
            Plan {
                driver: Driver::Index {
                    dims: vec![*dim],
                    lanes: lanes.iter().map(|v| vec![v.clone()]).collect(),
                },
                estimate,
            },
        ));
    }
    // A composite reads only the units matching both of its columns: never more than either.
    for (a, a_lanes, _) in &dims {
        for (b, b_lanes, _) in &dims {
            let pair = [*a, *b];
            let lanes = a_lanes.len() * b_lanes.len();
            if a == b || lanes > MAX_COMPOSITE_LANES || index_for(&pair, key).is_none() {
                continue;
            }
            let est = |d: Dim| {
                estimates
                    .iter()
                    .find(|(x, _)| *x == d)
                    .map_or(0, |(_, e)| *e)
            };
            // Halved: a composite beats either column alone. On a tie the pair whose larger
            // column is smaller wins (comune + state before owner + state).
            let estimate = est(*a).min(est(*b)) / 2 + est(*a).max(est(*b)) / 64;
            let lanes: Vec<Vec<Value>> = a_lanes
                .iter()
                .flat_map(|x| b_lanes.iter().map(move |y| vec![x.clone(), y.clone()]))
                .collect();
            candidates.push((
                estimate + LANE_COST * lanes.len() as i64,
                Plan {
                    driver: Driver::Index {
                        dims: pair.to_vec(),
                        lanes,
                    },
                    estimate,
                },
            ));
        }
    }
    // Province + service + states: a covering index per sort (migration 4) reads only matching
    // entries, so it beats the pairs built on two of its columns (estimate halved once more).
    if let (Some(p), Some(service), false) = (&q.province, q.service, q.states.is_empty()) {
        let triple = [Dim::Province, Dim::Service, Dim::State];
        let est = |d: Dim| {
            estimates
                .iter()
                .find(|(x, _)| *x == d)
                .map_or(0, |(_, e)| *e)
        };
        let (a, b) = (est(Dim::Province), est(Dim::State));
        let estimate = (a.min(b) / 2 + a.max(b) / 64) / 2;
        if q.states.len() <= MAX_COMPOSITE_LANES && index_for(&triple, key).is_some() {
            let lanes: Vec<Vec<Value>> = q
                .states
                .iter()
                .map(|s| {
                    vec![
                        Value::Text(p.clone()),
                        Value::Integer(service),
                        Value::Integer(*s),
                    ]
                })
                .collect();
            candidates.push((
                estimate + LANE_COST * lanes.len() as i64,
                Plan {
                    driver: Driver::Index {
                        dims: triple.to_vec(),
                        lanes,
                    },
                    estimate,
                },
            ));
        }
    }
    if let Some(hits) = text_hits
        && (hits.wide || key == SortKey::Id)
    {
        candidates.push((
            hits.n,
            Plan {
                driver: Driver::Text { wide: hits.wide },
                estimate: hits.n,
            },
        ));
    }
    let unfiltered = |all: i64| {
        (
            all,
            Plan {
                driver: Driver::Index {
                    dims: vec![],
                    lanes: vec![],
                },
                estimate: all,
            },
        )
    };
    if candidates.is_empty() {
        // Nothing to choose from: the estimate is not needed.
        return Ok(unfiltered(0).1);
    }
    if text_hits.is_some_and(|h| !h.wide) && key != SortKey::Id {
        // A text matching most units: walking the sort index unfiltered is as good as any.
        candidates.push(unfiltered(cache::all_units(conn)?));
    }
    // Stable: on equal cost the first pushed wins (owner, comune, province, state, …).
    candidates.sort_by_key(|(cost, _)| *cost);
    Ok(candidates.swap_remove(0).1)
}

/// The plan for a text whose matches are not stored: streamed from the text index in id order
/// when the other filters are not selective, else scanned and sorted in memory the first time
/// the text is asked for (a text being typed). None: store the matches (`cache::text_hits`),
/// for long reads and for a text asked for again (its next pages, another sort).
fn text_unstored(
    conn: &Connection,
    text: &str,
    dims: &[(Dim, Vec<Value>, Vec<String>)],
    key: SortKey,
    limit: usize,
) -> Result<Option<Plan>> {
    if limit > STREAM_MAX_LIMIT {
        return Ok(None);
    }
    if key == SortKey::Id {
        let all = cache::all_units(conn)?;
        let mut dense = true;
        for (dim, _, keys) in dims {
            if cache::dim_total(conn, *dim, keys)? * STREAM_DENSITY < all {
                dense = false;
                break;
            }
        }
        if dense {
            return Ok(Some(Plan {
                driver: Driver::TextStream,
                estimate: 0,
            }));
        }
    }
    if cache::seen_before(conn, text)? {
        return Ok(None);
    }
    Ok(Some(Plan {
        driver: Driver::TextScan,
        estimate: cache::WIDE_CAP,
    }))
}

/// How many tallied columns the query constrains.
fn tally_constraints(q: &Query) -> usize {
    usize::from(q.owners.is_some())
        + usize::from(q.istat.is_some())
        + usize::from(q.province.is_some())
        + usize::from(!q.states.is_empty())
        + usize::from(q.service.is_some())
        + usize::from(q.in_notice.is_some())
        + usize::from(q.plan_year.is_some())
}

/// Whether any tally row matches (stops at the first one).
fn tally_has_any(conn: &Connection, q: &Query) -> Result<bool> {
    let mut s = Sql::default();
    s.push("SELECT EXISTS (SELECT 1 FROM unit_tally t WHERE t.n > 0");
    sql::dims(&mut s, q, &[], "t.");
    s.push(")");
    let mut stmt = conn.prepare_cached(&s.text)?;
    Ok(stmt.query_row(rusqlite::params_from_iter(s.params.iter()), |r| r.get(0))?)
}

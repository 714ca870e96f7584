//! Marking the units of a search as included in the plan of a year (and undoing it): the units
//! the owner puts in its detail lists (LIBERO, SFITTO PER CARENZE MANUTENTIVE, SFITTO PER
//! RISTRUTTURAZIONE).

use super::audit::{self, Entry};
use super::search;
use super::{Store, now};
use crate::domain::registry::UnitState;
use crate::domain::unit_filter::{FilterError, FilterField, UnitFilter, Visibility, YEARS};
use anyhow::Result;
use rusqlite::params;
use serde::Serialize;
use serde_json::json;

/// Audit records list the ids up to this many; beyond, the filter and the id range.
const AUDIT_MAX_IDS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarkOutcome {
    pub year: i32,
    /// Units matching the filter (in the plan's states).
    pub matched: usize,
    /// Units whose mark changed.
    pub changed: usize,
}

/// The filter restricted to the states of the plan's detail lists; refused when it asks only
/// for other states.
pub fn plan_states_filter(filter: &UnitFilter) -> Result<UnitFilter, FilterError> {
    let states: Vec<UnitState> = if filter.states.is_empty() {
        UnitState::PLAN_LISTS.to_vec()
    } else {
        filter
            .states
            .iter()
            .copied()
            .filter(|s| UnitState::PLAN_LISTS.contains(s))
            .collect()
    };
    if states.is_empty() {
        return Err(FilterError {
            field: FilterField::States,
            message: "nel piano vanno solo alloggi LIBERO, SFITTO PER CARENZE MANUTENTIVE o SFITTO PER RISTRUTTURAZIONE".into(),
        });
    }
    Ok(UnitFilter {
        states,
        ..filter.clone()
    })
}

/// A marking to do: the units of `filter` the operator sees, for the plan of `year` (`undo`:
/// the mark is removed).
#[derive(Debug, Clone, Copy)]
pub struct Marking<'a> {
    pub filter: &'a UnitFilter,
    pub visibility: &'a Visibility,
    pub year: i32,
    pub undo: bool,
    /// Only these units of the filter (rows the operator ticked); None: all of the filter.
    pub only: Option<&'a [i64]>,
}

/// An owner whose units a marking would change, and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TouchedOwner {
    pub id: i64,
    pub name: String,
    pub units: i64,
}

impl Store {
    /// Marks the units of `filter` (in the plan's states) for the plan of `year`; `undo` clears
    /// the mark of those marked for `year`. One transaction, one audit record. `authorize` is
    /// asked, inside the transaction, about the owners whose units would change: its refusal
    /// refuses the whole marking.
    pub fn mark_for_plan(
        &mut self,
        actor: &str,
        m: &Marking<'_>,
        authorize: &dyn Fn(&[TouchedOwner]) -> Result<()>,
    ) -> Result<MarkOutcome> {
        let Marking {
            filter,
            visibility,
            year,
            undo,
            only,
        } = *m;
        if !YEARS.contains(&year) {
            return Err(FilterError {
                field: FilterField::MarkedYear,
                message: format!("{year} non è un anno valido"),
            }
            .into());
        }
        let mut target = plan_states_filter(filter)?;
        if undo {
            target.marked_for_year = Some(year);
        }
        let tx = self.write()?;
        // Ticked rows: each one through the filter by its id (the primary key), so a unit
        // outside the filter, the plan states or the operator's view is left alone.
        let singles: Option<Vec<UnitFilter>> = only.map(|ids| {
            let mut ids = ids.to_vec();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter()
                // A filter on one id already: a ticked row can only be that one.
                .filter(|id| target.unit_id.is_none_or(|u| u == *id))
                .map(|id| UnitFilter {
                    unit_id: Some(id),
                    ..target.clone()
                })
                .collect()
        });
        let owners = match &singles {
            None => search::owners_of(&tx, &target, visibility)?,
            Some(filters) => {
                let mut by_owner: std::collections::BTreeMap<i64, i64> = Default::default();
                for f in filters {
                    for (o, n) in search::owners_of(&tx, f, visibility)? {
                        *by_owner.entry(o).or_default() += n;
                    }
                }
                by_owner.into_iter().collect()
            }
        };
        // Decided inside the write lock, on the owners the change would touch now.
        let mut named = Vec::with_capacity(owners.len());
        for (o, n) in &owners {
            let name: String = tx
                .query_row("SELECT name FROM owner WHERE id = ?1", [o], |r| r.get(0))
                .unwrap_or_else(|_| format!("ente {o}"));
            named.push(TouchedOwner {
                id: *o,
                name,
                units: *n,
            });
        }
        authorize(&named)?;
        if owners.is_empty() {
            // Nothing matches: nothing to change, nothing to record.
            tx.commit()?;
            return Ok(MarkOutcome {
                year,
                matched: 0,
                changed: 0,
            });
        }
        let ids = match &singles {
            None => search::all_ids(&tx, &target, visibility)?,
            Some(filters) => {
                let mut ids = Vec::with_capacity(filters.len());
                for f in filters {
                    ids.extend(search::all_ids(&tx, f, visibility)?);
                }
                ids
            }
        };
        let stamp = now();
        let mut changed = 0;
        {
            let mut stmt = tx.prepare(
                "UPDATE unit SET plan_year = ?2, version = version + 1, updated_at = ?3
                 WHERE id = ?1 AND plan_year IS NOT ?2",
            )?;
            let value = if undo { None } else { Some(year) };
            for id in &ids {
                changed += stmt.execute(params![id, value, stamp])?;
            }
        }
        let mut after = json!({
            "anno": year,
            "filtro": filter.describe(),
            "selezionati": only.map(<[i64]>::len),
            "alloggi": ids.len(),
            "modificati": changed,
        });
        if ids.len() <= AUDIT_MAX_IDS {
            after["id"] = json!(ids);
        } else {
            after["id_primo"] = json!(ids.first());
            after["id_ultimo"] = json!(ids.last());
        }
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: if undo {
                    "alloggi.smarca_piano"
                } else {
                    "alloggi.marca_piano"
                },
                entity: "unit",
                entity_id: None,
                before: None,
                after: Some(after),
            },
        )?;
        tx.commit()?;
        Ok(MarkOutcome {
            year,
            matched: ids.len(),
            changed,
        })
    }
}

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
        let owners = search::owners_of(&tx, &target, visibility)?;
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
        let ids = search::all_ids(&tx, &target, visibility)?;
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

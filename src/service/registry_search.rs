//! Ricerca fabbricati: the one call both front ends make. It resolves what was typed (owner,
//! comune), decides what the operator sees — its owners' buildings for a scoped operator, as
//! the unit search; every building for the Regione and the helpdesk (a building holds no
//! personal data) — and pages by key.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::registry_search::{Field, FieldError, Typed, parse_prefix, prefix_range};
use crate::domain::unit_filter::{Visibility, parse_building_code, parse_comune};
use crate::store::registry_search::{self as rs, BuildingCursor, BuildingFilter, BuildingRow};
use crate::store::search::{Direction, resolve_comune};
use anyhow::{Result, anyhow};

/// A page of buildings, with whether it is the first and the last.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BuildingPage {
    pub rows: Vec<BuildingRow>,
    pub at_start: bool,
    pub at_end: bool,
}

fn refused(field: Field, message: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(FieldError {
        field,
        message: message.to_string(),
    })
}

impl Service {
    /// The filter of `typed` with what the operator sees. An owner it may not see is refused
    /// as the unit search refuses it.
    fn building_filter(&self, typed: &Typed) -> Result<BuildingFilter> {
        typed.check()?;
        let conn = self.store.conn();
        let mut f = BuildingFilter::default();
        let owner = typed.get(Field::Owner).trim();
        let owner_id = if owner.is_empty() {
            None
        } else {
            let found = crate::store::owners::find_owner(conn, owner)
                .map_err(|e| refused(Field::Owner, e))?;
            self.session.check(Action::ViewOwner { owner_id: found.id })?;
            Some(found.id)
        };
        f.owners = match (Visibility::for_scope(self.session.scope()), owner_id) {
            (Visibility::All, o) => o.map(|o| vec![o]),
            (Visibility::Owners(list), None) => Some(list),
            (Visibility::Owners(list), Some(o)) => {
                Some(list.into_iter().filter(|x| *x == o).collect())
            }
        };
        if let Some(q) =
            parse_comune(typed.get(Field::Comune)).map_err(|e| refused(Field::Comune, e.message))?
        {
            f.istat = Some(
                resolve_comune(conn, &q)
                    .map_err(|e| refused(Field::Comune, e.message))?
                    .istat,
            );
        }
        f.code = parse_building_code(typed.get(Field::Code))
            .map_err(|e| refused(Field::Code, e.message))?;
        f.address = parse_prefix(typed.get(Field::Address)).map(|p| prefix_range(&p));
        Ok(f)
    }

    /// A page of the buildings of `typed` the operator sees, in address order, after
    /// (forward) or before (backward) `cursor`. A backward page shorter than `limit` becomes
    /// the first page.
    pub fn building_page(
        &self,
        typed: &Typed,
        cursor: Option<&BuildingCursor>,
        direction: Direction,
        limit: usize,
    ) -> Result<BuildingPage> {
        if limit == 0 || limit > 100_000 {
            return Err(anyhow!(InvalidInput(
                "righe per pagina: da 1 a 100000".into()
            )));
        }
        let f = self.building_filter(typed)?;
        let conn = self.store.conn();
        let forward = direction == Direction::Forward;
        let mut rows = rs::building_page(conn, &f, cursor, forward, limit + 1)?;
        let more = rows.len() > limit;
        if forward {
            rows.truncate(limit);
            return Ok(BuildingPage {
                rows,
                at_start: cursor.is_none(),
                at_end: !more,
            });
        }
        if more {
            rows.remove(0);
            return Ok(BuildingPage {
                rows,
                at_start: false,
                at_end: cursor.is_none(),
            });
        }
        let mut first = rs::building_page(conn, &f, None, true, limit + 1)?;
        let more = first.len() > limit;
        first.truncate(limit);
        Ok(BuildingPage {
            rows: first,
            at_start: true,
            at_end: !more,
        })
    }

    /// Where a page after the building `id` starts (`--after ID`): refused when the building
    /// does not exist or the operator does not see it.
    pub fn building_cursor(&self, id: i64) -> Result<BuildingCursor> {
        let missing = || anyhow!(InvalidInput(format!("fabbricato {id} non trovato")));
        let (owner_id, cursor) = rs::building_cursor(self.store.conn(), id)?.ok_or_else(missing)?;
        if !Visibility::for_scope(self.session.scope()).allows(owner_id) {
            return Err(missing());
        }
        Ok(cursor)
    }

    /// How many buildings of `typed` the operator sees.
    pub fn building_count(&self, typed: &Typed) -> Result<i64> {
        let f = self.building_filter(typed)?;
        rs::building_count(self.store.conn(), &f)
    }
}

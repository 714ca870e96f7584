//! Ricerca fabbricati: the one call both front ends make. It resolves what was typed (owner,
//! comune), decides what the operator sees — its owners' buildings for a scoped operator, as
//! the unit search; every building for the Regione and the helpdesk (a building holds no
//! personal data) — and pages by key.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::registry_search::{
    Field, FieldError, Typed, parse_prefix, parse_tax_code, prefix_range,
};
use crate::domain::unit_filter::{Visibility, parse_building_code, parse_comune};
use crate::store::registry_search::{
    self as rs, BuildingCursor, BuildingFilter, BuildingRow, TenantCursor, TenantFilter, TenantRow,
};
use crate::store::search::{Direction, resolve_comune};
use anyhow::{Result, anyhow};

/// A page of tenants, with whether it is the first and the last.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TenantPage {
    pub rows: Vec<TenantRow>,
    pub at_start: bool,
    pub at_end: bool,
}

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
    /// The owners a search may return (`None`: any), from the typed owner and what the
    /// operator sees. An owner it may not see is refused as the unit search refuses it.
    fn scoped_owners(&self, typed: &Typed) -> Result<Option<Vec<i64>>> {
        let owner = typed.get(Field::Owner).trim();
        let owner_id = if owner.is_empty() {
            None
        } else {
            let found = crate::store::owners::find_owner(self.store.conn(), owner)
                .map_err(|e| refused(Field::Owner, e))?;
            self.session
                .check(Action::ViewOwner { owner_id: found.id })?;
            Some(found.id)
        };
        Ok(
            match (Visibility::for_scope(self.session.scope()), owner_id) {
                (Visibility::All, o) => o.map(|o| vec![o]),
                (Visibility::Owners(list), None) => Some(list),
                (Visibility::Owners(list), Some(o)) => {
                    Some(list.into_iter().filter(|x| *x == o).collect())
                }
            },
        )
    }

    /// The ISTAT code of the typed comune (name or code).
    fn typed_comune(&self, typed: &Typed) -> Result<Option<String>> {
        let Some(q) = parse_comune(typed.get(Field::Comune))
            .map_err(|e| refused(Field::Comune, e.message))?
        else {
            return Ok(None);
        };
        Ok(Some(
            resolve_comune(self.store.conn(), &q)
                .map_err(|e| refused(Field::Comune, e.message))?
                .istat,
        ))
    }

    fn building_filter(&self, typed: &Typed) -> Result<BuildingFilter> {
        typed.check()?;
        Ok(BuildingFilter {
            owners: self.scoped_owners(typed)?,
            istat: self.typed_comune(typed)?,
            code: parse_building_code(typed.get(Field::Code))
                .map_err(|e| refused(Field::Code, e.message))?,
            address: parse_prefix(typed.get(Field::Address)).map(|p| prefix_range(&p)),
        })
    }

    fn tenant_filter(&self, typed: &Typed) -> Result<TenantFilter> {
        typed.check()?;
        Ok(TenantFilter {
            owners: self.scoped_owners(typed)?,
            istat: self.typed_comune(typed)?,
            tax_code: parse_tax_code(typed.get(Field::TaxCode))?,
            surname: parse_prefix(typed.get(Field::Surname)).map(|p| prefix_range(&p)),
        })
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

    /// A page of the tenants of `typed` the operator sees, in surname order: a scoped
    /// operator its owners' tenants, the Regione every one, the helpdesk every one with
    /// surname, name and codice fiscale masked (the unit card reveals them, audited). The
    /// page starts after (or ends before) the tenant `after` (its id: a masked row's surname
    /// is no cursor).
    pub fn tenant_page(
        &self,
        typed: &Typed,
        after: Option<i64>,
        direction: Direction,
        limit: usize,
    ) -> Result<TenantPage> {
        if limit == 0 || limit > 100_000 {
            return Err(anyhow!(InvalidInput(
                "righe per pagina: da 1 a 100000".into()
            )));
        }
        let f = self.tenant_filter(typed)?;
        let cursor = after.map(|id| self.tenant_cursor(id)).transpose()?;
        let cursor = cursor.as_ref();
        let conn = self.store.conn();
        let forward = direction == Direction::Forward;
        let mut rows = rs::tenant_page(conn, &f, cursor, forward, limit + 1)?;
        let more = rows.len() > limit;
        let (mut rows, at_start, at_end) = if forward {
            rows.truncate(limit);
            (rows, cursor.is_none(), !more)
        } else if more {
            rows.remove(0);
            (rows, false, cursor.is_none())
        } else {
            let mut first = rs::tenant_page(conn, &f, None, true, limit + 1)?;
            let more = first.len() > limit;
            first.truncate(limit);
            (first, true, !more)
        };
        if self.session.scope().sees_personal_data_masked() {
            rows.iter_mut().for_each(TenantRow::mask_personal_data);
        }
        Ok(TenantPage {
            rows,
            at_start,
            at_end,
        })
    }

    /// How many tenants of `typed` the operator sees.
    pub fn tenant_count(&self, typed: &Typed) -> Result<i64> {
        let f = self.tenant_filter(typed)?;
        rs::tenant_count(self.store.conn(), &f)
    }

    /// Where a page after the tenant `id` starts.
    fn tenant_cursor(&self, id: i64) -> Result<TenantCursor> {
        let missing = || anyhow!(InvalidInput(format!("inquilino {id} non trovato")));
        let (owner_id, cursor) = rs::tenant_cursor(self.store.conn(), id)?.ok_or_else(missing)?;
        if !Visibility::for_scope(self.session.scope()).allows(owner_id) {
            return Err(missing());
        }
        Ok(cursor)
    }
}

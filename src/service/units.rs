//! The housing registry as an operator reads and changes it: the unit search (pages, counts,
//! lists of values), a unit's detail with personal data masked for the helpdesk and the
//! audited reveal, the plan's detail lists, marking units for a plan, and unit imports.

use super::{Denied, InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::unit_filter::{FilterField, FilterText, Sort, SortKey, UnitFilter, Visibility};
use crate::export::unit_lists::{self, ListsRequest, ListsSummary};
use crate::import::{self, Checked, Options};
use crate::store::plan_marks::{MarkOutcome, Marking, TouchedOwner};
use crate::store::search::{self, Cursor, Direction, UnitDetail, UnitRow};
use crate::store::units::Applied;
use anyhow::{Result, anyhow};
use std::path::Path;
use std::sync::atomic::AtomicBool;

/// Entries at most in a list of values.
const VALUES_MAX: usize = 300;

/// A page of the search, with whether it is the first and the last.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<UnitRow>,
    pub at_start: bool,
    pub at_end: bool,
}

/// The file of the plan's detail lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListsFile {
    /// One .xlsx with a sheet per list.
    Xlsx,
    /// One CSV, the lists one after the other.
    Csv,
}

/// What to export: the units of `filter` the operator sees, in the three plan states.
#[derive(Debug, Clone, PartialEq)]
pub struct Export {
    pub filter: UnitFilter,
    /// Only the units marked for the plan of this year.
    pub only_marked: Option<i32>,
    pub sort: Sort,
}

impl Service {
    /// What the operator sees of the registry.
    fn visibility(&self) -> Visibility {
        Visibility::for_scope(self.session.scope())
    }

    /// The filter of the search form (or of the options): values parsed, comune and owner
    /// resolved. A value the parsers refuse is a `FilterError` naming the field; an owner the
    /// operator may not see is refused (not allowed).
    pub fn unit_filter(&self, text: &FilterText) -> Result<UnitFilter> {
        let f = search::resolve_filter(self.store.conn(), text)?;
        if let Some(owner_id) = f.owner_id {
            self.session.check(Action::ViewOwner { owner_id })?;
        }
        Ok(f)
    }

    /// A page of the units of `filter` the operator sees, in `sort` order, after (forward) or
    /// before (backward) `cursor`. One row more than shown is read to know whether it is the
    /// last; a backward page shorter than `limit` becomes the first page.
    pub fn unit_page(
        &self,
        filter: &UnitFilter,
        sort: Sort,
        cursor: Option<Cursor>,
        direction: Direction,
        limit: usize,
    ) -> Result<Page> {
        let conn = self.store.conn();
        let vis = self.visibility();
        let mut rows = search::page(conn, filter, &vis, sort, cursor, direction, limit + 1)?;
        let more = rows.len() > limit;
        match direction {
            Direction::Forward => {
                rows.truncate(limit);
                Ok(Page {
                    rows,
                    at_start: cursor.is_none(),
                    at_end: !more,
                })
            }
            Direction::Backward if more => {
                rows.remove(0);
                Ok(Page {
                    rows,
                    at_start: false,
                    at_end: cursor.is_none(),
                })
            }
            Direction::Backward => {
                // Fewer rows than a page before the cursor: show the first page instead.
                let mut first = search::page(
                    conn,
                    filter,
                    &vis,
                    sort,
                    None,
                    Direction::Forward,
                    limit + 1,
                )?;
                let more = first.len() > limit;
                first.truncate(limit);
                Ok(Page {
                    rows: first,
                    at_start: true,
                    at_end: !more,
                })
            }
        }
    }

    /// Where a page after the unit `id` starts in `key` order (`--after ID`); refused when no
    /// such unit exists.
    pub fn unit_cursor(&self, id: i64, key: SortKey) -> Result<Cursor> {
        search::cursor_for(self.store.conn(), id, key)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("alloggio {id} non trovato"))))
    }

    /// How many units of `filter` the operator sees.
    pub fn unit_count(&self, filter: &UnitFilter) -> Result<i64> {
        search::count(self.store.conn(), filter, &self.visibility())
    }

    /// The list of values of a search field (F4): (value, label), at most 300; fields without
    /// a list give none. Owners are only those the operator sees.
    pub fn filter_values(&self, field: FilterField, prefix: &str) -> Result<Vec<(String, String)>> {
        let conn = self.store.conn();
        Ok(match field {
            FilterField::Province => search::provinces(conn)?
                .into_iter()
                .map(|p| (p.sigla.clone(), format!("{}  {}", p.sigla, p.name)))
                .collect(),
            FilterField::Comune => search::comuni_matching(conn, prefix, VALUES_MAX)?
                .into_iter()
                .map(|c| {
                    (
                        c.istat.clone(),
                        format!("{}  {} ({})", c.istat, c.name, c.province),
                    )
                })
                .collect(),
            FilterField::Owner => {
                search::owners_matching(conn, prefix, &self.visibility(), VALUES_MAX)?
                    .into_iter()
                    .map(|o| (o.tax_code.clone(), format!("{}  {}", o.tax_code, o.name)))
                    .collect()
            }
            _ => Vec::new(),
        })
    }

    /// A unit with its building, owner, households and tenants. The helpdesk sees personal
    /// data masked unless it asks to `reveal` them, and every reveal leaves an audit record.
    pub fn unit(&self, id: i64, reveal: bool) -> Result<UnitDetail> {
        let mut d = search::unit_detail(self.store.conn(), id)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("alloggio {id} non trovato"))))?;
        self.session.check(Action::ViewOwner {
            owner_id: d.owner.id,
        })?;
        if self.session.scope().sees_personal_data_masked() {
            if reveal {
                self.record_reveal(id)?;
            } else {
                d.mask_personal_data();
            }
        }
        Ok(d)
    }

    /// The audit record of a reveal. A helpdesk session is read-only; the one thing it writes is
    /// this record, on a short-lived connection of its own. Refused in a session the user asked
    /// to be read-only, where nothing may be written.
    fn record_reveal(&self, unit_id: i64) -> Result<()> {
        self.session.check(Action::RevealPersonalData)?;
        if self.session.asked_read_only() {
            return Err(anyhow!(Denied(
                "mostrare i dati personali va registrato nel registro audit: non è possibile in una sessione in sola lettura"
                    .into()
            )));
        }
        self.side_store()?
            .record_personal_data_view(self.session.username(), unit_id)
    }

    /// Writes the plan's three detail lists of `export` to `out`, reporting progress and
    /// stopping (the partial file removed) when `cancel` is set.
    pub fn export_unit_lists(
        &self,
        export: &Export,
        file: ListsFile,
        out: &crate::output_file::Target,
        progress: &mut dyn FnMut(u64, u64),
        cancel: &AtomicBool,
    ) -> Result<ListsSummary> {
        let req = ListsRequest {
            filter: export.filter.clone(),
            visibility: self.visibility(),
            only_marked: export.only_marked,
            sort: export.sort,
        };
        match file {
            ListsFile::Xlsx => unit_lists::write_xlsx(&self.store, &req, out, progress, cancel),
            ListsFile::Csv => unit_lists::write_csv_file(&self.store, &req, out, progress, cancel),
        }
    }

    /// Marks the units of `filter` (in the plan's states) for the plan of `year`, or removes
    /// the mark (`undo`): refused as a whole when some belong to an owner whose registry the
    /// operator may not edit.
    pub fn mark_units(
        &mut self,
        filter: &UnitFilter,
        year: i32,
        undo: bool,
        only: Option<&[i64]>,
    ) -> Result<MarkOutcome> {
        self.session.require_writable()?;
        let visibility = self.visibility();
        let session = self.session.clone();
        let authorize = |owners: &[TouchedOwner]| -> Result<()> {
            let refused: Vec<&TouchedOwner> = owners
                .iter()
                .filter(|o| {
                    session
                        .check(Action::EditRegistry { owner_id: o.id })
                        .is_err()
                })
                .collect();
            if refused.is_empty() {
                return Ok(());
            }
            let mut names: Vec<String> = refused
                .iter()
                .take(5)
                .map(|o| {
                    let what = if o.units == 1 { "alloggio" } else { "alloggi" };
                    format!("{} ({} {what})", o.name, o.units)
                })
                .collect();
            if refused.len() > 5 {
                names.push(format!("e altri {} enti", refused.len() - 5));
            }
            Err(anyhow!(Denied(format!(
                "l'operatore {} non può modificare l'anagrafe di: {}; restringere il filtro (--owner)",
                session.username(),
                names.join(", ")
            ))))
        };
        let marking = Marking {
            filter,
            visibility: &visibility,
            year,
            undo,
            only,
        };
        let actor = self.session.username().to_string();
        self.writable()?.mark_for_plan(&actor, &marking, &authorize)
    }

    /// Refuses an import before the file is read when the session may not change the registry
    /// at all (the helpdesk, `--read-only`).
    pub fn may_import_units(&self) -> Result<()> {
        if self.session.scope().is_read_only() {
            // Worded like every other refusal of the helpdesk.
            self.session.check(Action::EditRegistry { owner_id: 0 })?;
        }
        if self.session.asked_read_only() {
            return Err(anyhow!(Denied(
                "sessione in sola lettura: l'importazione modificherebbe dati (usare --dry-run per la sola verifica)"
                    .into()
            )));
        }
        Ok(())
    }

    /// Reads and checks a whole unit file as this operator would import it; writes nothing.
    pub fn check_unit_import(&self, file: &Path, opts: &Options) -> Result<Checked> {
        import::check(&self.store, &|a| self.session.check(a), file, opts)
    }

    /// Writes a checked import in one transaction with one audit record.
    pub fn apply_unit_import(&mut self, plan: &import::Plan, opts: &Options) -> Result<Applied> {
        self.session.require_writable()?;
        let actor = self.session.username().to_string();
        import::apply(self.writable()?, &actor, plan, opts)
    }
}

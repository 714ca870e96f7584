//! Banca dati degli occupanti senza titolo as an operator reads and changes it: the search, an
//! occupation (personal data masked for the helpdesk unless revealed, the reveal audited), the
//! changes (operators with the OCCUPANTI service on the owner), and the regional feed.
//!
//! Who sees what: the Regione and the helpdesk every occupation; an operator with the
//! OCCUPANTI service those of its owners and, for a Comune, those on its territory
//! (`domain::occupation::filter::Visibility`).

use super::{Denied, InvalidInput, Service};
use crate::anpu::read::{LIMITS, Parsed, XmlProblem, read};
use crate::anpu::{Operation, Richiesta, schema, write};
use crate::domain::access::Action;
use crate::domain::occupation::Occupation;
use crate::domain::occupation::codes::CodeLists;
use crate::domain::occupation::filter::{FilterText, OccupationFilter, Visibility};
use crate::store::occupations::feed::{self, Imported, Sent, Waiting};
use crate::store::occupations::search::{self, Direction, OccupationRow};
use crate::store::occupations::{self as store_occ, Closing, Saved, Stored};
use crate::store::{Access, Store};
use anyhow::{Result, anyhow};
use std::path::Path;

/// A page of the search, with whether it is the first and the last.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<OccupationRow>,
    pub at_start: bool,
    pub at_end: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Exported {
    pub owner: String,
    pub action: Operation,
    pub records: usize,
    /// Whether the records were marked as sent (the feed), or a full copy was written.
    pub marked: bool,
    pub waiting: Waiting,
}

/// A checked import file: what it holds, or every problem.
#[derive(Debug, Clone)]
pub struct CheckedImport {
    pub parsed: Parsed,
}

/// The import refused: every problem by line, element and attribute (exit 4).
#[derive(Debug, Clone)]
pub struct ImportRefused {
    pub file: String,
    pub problems: Vec<XmlProblem>,
    pub more: usize,
}

impl std::fmt::Display for ImportRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} problemi, nessuna occupazione importata",
            self.file,
            self.problems.len() + self.more
        )
    }
}

impl std::error::Error for ImportRefused {}

impl Service {
    /// What the operator sees of the register; refused to who has no part in it.
    pub fn occupation_visibility(&self) -> Result<Visibility> {
        self.session.check(Action::ReadOccupations)?;
        let scope = self.session.scope();
        let owners: Vec<i64> = scope.grants.iter().map(|(o, _)| *o).collect();
        let comuni = search::comuni_of(self.store.conn(), &owners)?;
        Ok(Visibility::for_scope(scope, |o| {
            comuni
                .iter()
                .find(|(id, _)| *id == o)
                .map(|(_, c)| c.clone())
        }))
    }

    fn masked(&self) -> bool {
        self.session.scope().sees_personal_data_masked()
    }

    /// The code lists of the feed with their labels (the form's lists of values).
    pub fn occupation_codes(&self) -> Result<CodeLists> {
        self.session.check(Action::ReadOccupations)?;
        store_occ::codes(self.store.conn())
    }

    /// The filter of the search form (or of the options): values parsed, owner and comune
    /// resolved; a value that cannot be used names its field.
    pub fn occupation_filter(&self, text: &FilterText) -> Result<OccupationFilter> {
        self.session.check(Action::ReadOccupations)?;
        search::resolve_filter(self.store.conn(), text)
    }

    /// A page of the occupations of `filter` the operator sees, in id order, after (forward)
    /// or before (backward) the id `cursor`.
    pub fn occupation_page(
        &self,
        filter: &OccupationFilter,
        cursor: Option<i64>,
        direction: Direction,
        limit: usize,
    ) -> Result<Page> {
        let vis = self.occupation_visibility()?;
        let conn = self.store.conn();
        let masked = self.masked();
        let mut rows = search::page(conn, filter, &vis, masked, cursor, direction, limit + 1)?;
        let more = rows.len() > limit;
        Ok(match direction {
            Direction::Forward => {
                rows.truncate(limit);
                Page {
                    rows,
                    at_start: cursor.is_none(),
                    at_end: !more,
                }
            }
            Direction::Backward if more => {
                rows.remove(0);
                Page {
                    rows,
                    at_start: false,
                    at_end: cursor.is_none(),
                }
            }
            Direction::Backward => {
                let mut first = search::page(
                    conn,
                    filter,
                    &vis,
                    masked,
                    None,
                    Direction::Forward,
                    limit + 1,
                )?;
                let more = first.len() > limit;
                first.truncate(limit);
                Page {
                    rows: first,
                    at_start: true,
                    at_end: !more,
                }
            }
        })
    }

    /// How many occupations of `filter` the operator sees.
    pub fn occupation_count(&self, filter: &OccupationFilter) -> Result<i64> {
        let vis = self.occupation_visibility()?;
        search::count(self.store.conn(), filter, &vis, self.masked())
    }

    /// One occupation with its members; the helpdesk sees personal data masked unless it asks
    /// to `reveal` them, and every reveal leaves an audit record.
    pub fn occupation(&self, id: i64, reveal: bool) -> Result<Stored> {
        let vis = self.occupation_visibility()?;
        let mut s = store_occ::get(self.store.conn(), id)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("occupazione {id} non trovata"))))?;
        if !vis.sees(s.owner_id, &s.istat_code) {
            return Err(anyhow!(Denied(format!(
                "l'operatore {} non vede le occupazioni di {} nel comune di {}",
                self.session.username(),
                s.owner_name,
                s.comune
            ))));
        }
        if self.masked() {
            if reveal {
                self.session.check(Action::RevealPersonalData)?;
                if self.session.asked_read_only() {
                    return Err(anyhow!(Denied(
                        "mostrare i dati personali va registrato nel registro audit: non è possibile in una sessione in sola lettura"
                            .into()
                    )));
                }
                Store::open(self.store.path(), Access::ReadWrite)?
                    .record_occupation_reveal(self.session.username(), id)?;
            } else {
                s.mask_personal_data();
            }
        }
        Ok(s)
    }

    /// casa's unit of the owner (codice fiscale) with `code`, as a record names its place:
    /// what the form and the command line fill in when the unit is known.
    pub fn occupation_unit_place(
        &self,
        owner_tax_code: &str,
        code: &str,
    ) -> Result<Option<(i64, crate::domain::occupation::UnitPlace)>> {
        self.session.check(Action::ReadOccupations)?;
        let conn = self.store.conn();
        match crate::store::owners::owner_by_tax_code(conn, owner_tax_code)? {
            Some(o) => store_occ::unit_place(conn, o.id, code),
            None => Ok(None),
        }
    }

    /// (province, cadastral code) of the comune typed as ISTAT code or name.
    pub fn occupation_comune(&self, text: &str) -> Result<(String, String)> {
        let conn = self.store.conn();
        let q = crate::domain::unit_filter::parse_comune(text)?
            .ok_or_else(|| anyhow!(InvalidInput("comune non indicato".into())))?;
        let c = crate::store::search::resolve_comune(conn, &q)?;
        store_occ::comune_place(conn, &c.istat)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("comune {} non trovato", c.istat))))
    }

    /// The codice fiscale of an owner typed as codice fiscale, ISTAT code, ALER code or name.
    pub fn occupation_owner(&self, text: &str) -> Result<(i64, String, String)> {
        let o = crate::store::owners::find_owner(self.store.conn(), text)
            .map_err(|e| anyhow!(InvalidInput(format!("ente: {e}"))))?;
        Ok((o.id, o.tax_code, o.name))
    }

    /// Whether the session may change the occupations of `owner_id` (the card's Salva).
    pub fn may_record_occupation(&self, owner_id: i64) -> bool {
        self.session
            .check_write(Action::RecordOccupation { owner_id })
            .is_ok()
    }

    /// Whether the session sees personal data masked (the helpdesk).
    pub fn occupation_data_masked(&self) -> bool {
        self.masked()
    }

    /// The owner a record names, by its codice fiscale, with the permission to change its
    /// register checked.
    fn recordable_owner(&self, owner_tax_code: &str) -> Result<i64> {
        let owner = crate::store::owners::owner_by_tax_code(self.store.conn(), owner_tax_code)?
            .ok_or_else(|| {
                anyhow!(InvalidInput(format!(
                    "cfEnteProprietario: nessun ente proprietario con codice fiscale '{owner_tax_code}'"
                )))
            })?;
        self.session
            .check_write(Action::RecordOccupation { owner_id: owner.id })?;
        Ok(owner.id)
    }

    /// Records a new occupation (OCCUPANTI service on its owner).
    pub fn add_occupation(&mut self, o: &Occupation) -> Result<Saved> {
        self.recordable_owner(&o.owner_tax_code)?;
        let actor = self.session.username().to_string();
        self.writable()?.add_occupation(&actor, o, super::today())
    }

    /// Changes an occupation read at `version` (OCCUPANTI service on its owner).
    pub fn update_occupation(&mut self, id: i64, version: i64, o: &Occupation) -> Result<Saved> {
        let stored = self.stored_for_change(id)?;
        self.recordable_owner(&stored.record.owner_tax_code)?;
        let actor = self.session.username().to_string();
        self.writable()?
            .update_occupation(&actor, id, version, o, super::today())
    }

    /// Closes an occupation read at `version`, with the unit's new state.
    pub fn close_occupation(&mut self, id: i64, version: i64, closing: &Closing) -> Result<Saved> {
        let stored = self.stored_for_change(id)?;
        self.recordable_owner(&stored.record.owner_tax_code)?;
        let actor = self.session.username().to_string();
        self.writable()?
            .close_occupation(&actor, id, version, closing, super::today())
    }

    fn stored_for_change(&self, id: i64) -> Result<Stored> {
        self.session.require_writable()?;
        store_occ::get(self.store.conn(), id)?
            .ok_or_else(|| anyhow!(InvalidInput(format!("occupazione {id} non trovata"))))
    }

    /// Reads and checks a feed file as it would be imported (nothing is written): every
    /// problem of the XML, of the records and of the database.
    pub fn check_occupation_import(&self, file: &Path) -> Result<Richiesta> {
        let (parsed, shown) = read_file(file)?;
        let refuse = |problems: Vec<XmlProblem>, more: usize| {
            anyhow!(ImportRefused {
                file: shown.clone(),
                problems,
                more,
            })
        };
        if let (false, Some(r)) = (parsed.problems.is_empty(), &parsed.richiesta) {
            // The document reads, with problems in some attributes: the records' own checks
            // too, for the attributes the reader found nothing wrong with, so that one run
            // reports every problem.
            let mut problems = parsed.problems.clone();
            let more = feed::problems(self.store.conn(), r, &parsed.lines, super::today())?;
            for p in more {
                let already = problems
                    .iter()
                    .any(|q| q.element == p.element && q.attribute == p.attribute);
                // A value the reader could not read is reported once, not again as missing.
                let missing_unread = p.message.contains("mancante")
                    && problems.iter().any(|q| q.element == p.element);
                if !already && !missing_unread {
                    problems.push(p);
                }
            }
            problems.sort_by_key(|p| p.line);
            return Err(refuse(problems, parsed.more_problems));
        }
        if !parsed.problems.is_empty() || parsed.richiesta.is_none() {
            return Err(refuse(parsed.problems, parsed.more_problems));
        }
        let r = parsed.richiesta.clone().expect("checked");
        self.session.check(Action::ReadOccupations)?;
        // The owner of the file, and the right to feed its register.
        let owner = crate::store::owners::owner_by_tax_code(self.store.conn(), &r.owner_tax_code)?;
        let Some(owner) = owner else {
            return Err(refuse(
                vec![XmlProblem {
                    line: 3,
                    element: "intestazione".into(),
                    attribute: Some("cfEnteProprietario".into()),
                    message: format!(
                        "nessun ente proprietario con codice fiscale '{}'",
                        r.owner_tax_code
                    ),
                }],
                0,
            ));
        };
        self.session
            .check(Action::RecordOccupation { owner_id: owner.id })?;
        Ok(r)
    }

    /// Imports a feed file: all of it or nothing, one audit record; the same file again
    /// changes nothing.
    pub fn import_occupations(&mut self, file: &Path) -> Result<Imported> {
        self.session.require_writable()?;
        let r = self.check_occupation_import(file)?;
        let (parsed, shown) = read_file(file)?;
        let actor = self.session.username().to_string();
        self.writable()?
            .import_occupations(&actor, &r, &parsed.lines, super::today())
            .map_err(|e| match e.downcast::<feed::Refused>() {
                Ok(refused) => anyhow!(ImportRefused {
                    file: shown,
                    problems: refused.0,
                    more: 0,
                }),
                Err(e) => e,
            })
    }

    /// The feed of an owner to `out`: the records of `action` (default: I when there are new
    /// records, else M), validated against the XSD before anything is written, then marked as
    /// sent; or with `full`, every record as action I, nothing marked. `Ok(None)`: nothing to
    /// send, no file written.
    pub fn export_occupations(
        &mut self,
        owner: &str,
        action: Option<Operation>,
        full: bool,
        out: &Path,
        force: bool,
    ) -> Result<Option<Exported>> {
        let found = crate::store::owners::find_owner(self.store.conn(), owner)
            .map_err(|e| anyhow!(InvalidInput(format!("--owner: {e}"))))?;
        let vis = self.occupation_visibility()?;
        let target = crate::output_file::Target::new(out, force);
        target.ensure_usable(&crate::output_file::XML)?;
        if full {
            if !vis.sees_owner(found.id) {
                return Err(anyhow!(Denied(format!(
                    "l'operatore {} non vede tutte le occupazioni di {}: non può esportarle",
                    self.session.username(),
                    found.name
                ))));
            }
            let r = feed::full_copy(self.store.conn(), found.id, &found.tax_code)?;
            if r.records.is_empty() {
                return Ok(None);
            }
            deliver(&r, &target)?;
            let waiting = feed::waiting(self.store.conn(), found.id)?;
            return Ok(Some(Exported {
                owner: found.name,
                action: Operation::Insert,
                records: r.records.len(),
                marked: false,
                waiting,
            }));
        }
        self.session
            .check_write(Action::RecordOccupation { owner_id: found.id })?;
        let action = match action {
            Some(a) => a,
            None => {
                if feed::waiting(self.store.conn(), found.id)?.new > 0 {
                    Operation::Insert
                } else {
                    Operation::Modify
                }
            }
        };
        let actor = self.session.username().to_string();
        let sent: Option<Sent> = self.writable()?.export_occupations(
            &actor,
            found.id,
            &found.tax_code,
            action,
            &mut |r: &Richiesta| deliver(r, &target),
        )?;
        Ok(sent.map(|s| Exported {
            owner: found.name.clone(),
            action: s.action,
            records: s.records,
            marked: true,
            waiting: s.waiting,
        }))
    }
}

/// Reads a feed file within the limits: regular files and streams (a FIFO) only, never a
/// device or a directory (`bounded::open`), at most `LIMITS.file_bytes`.
fn read_file(file: &Path) -> Result<(Parsed, String)> {
    let shown = crate::safe_text::clean(&file.display().to_string()).into_owned();
    let (f, len) = crate::bounded::open(file)?;
    if let Some(n) = len
        && n > LIMITS.file_bytes
    {
        return Err(anyhow!(crate::bounded::Refused(format!(
            "{shown}: file troppo grande ({}, al massimo {})",
            crate::bounded::size_text(n),
            crate::bounded::size_text(LIMITS.file_bytes)
        ))));
    }
    Ok((read(f, &LIMITS), shown))
}

/// Validates the document against the XSD and writes it to `target` (a file renamed into
/// place only when complete, or standard output).
fn deliver(r: &Richiesta, target: &crate::output_file::Target) -> Result<()> {
    use std::io::Write;
    let text = write::document(r);
    schema::check(&text)?;
    let mut out = target.create(&crate::output_file::XML)?;
    out.file().write_all(text.as_bytes()).map_err(|e| {
        anyhow!(
            "impossibile scrivere {}: {}",
            target.shown(),
            crate::italian::io_error(&e)
        )
    })?;
    out.commit()
}

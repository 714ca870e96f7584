//! Checking an import file against the database — owners, comuni, buildings, existing units,
//! ids, the operator's permissions — and then deciding, unit by unit, what to create, update or
//! leave alone. Reads only: nothing here writes.

use super::report::{Problem, Report};
use super::source::RowSink;
use super::{Plan, PlanCounts};
use crate::domain::access::{Action, Denied};
use crate::domain::registry::OwnerKind;
use crate::domain::unit_record::{
    BuildingFields, Column, HeaderMap, HeaderProblem, RowKeys, UnitFields, loose_key, parse_row,
};
use crate::store::Store;
use crate::store::owners;
use crate::store::units::{
    self, BuildingWrite, ImportWrites, Municipality, NewOwner, Ref, StoredBuilding, StoredUnit,
    UnitWrite, Versioned,
};
use anyhow::Result;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// An owner named in the file: registered, or an accredited operator the import will create.
struct OwnerEntry {
    tax_code: String,
    kind: OwnerKind,
    name: String,
    /// Database id; None for an owner the import creates.
    id: Option<i64>,
    /// Line that first named a new owner (for mismatch messages).
    first_line: u64,
    /// Whether the operator may change this owner's registry (else the Italian reason).
    allowed: Result<(), String>,
}

/// A building named in the file, with the values of its first row.
struct BuildingEntry {
    owner: usize,
    code: String,
    istat_code: String,
    first_line: u64,
    fields: Option<BuildingFields>,
    stored: Option<StoredBuilding>,
}

/// A row that passed every check, waiting for the plan.
struct GoodRow {
    owner: usize,
    building: usize,
    unit_id: Option<i64>,
    code: String,
    manager_id: Option<i64>,
    istat_code: String,
    province: String,
    fields: UnitFields,
    /// The stored unit it changes; None for a new unit.
    existing: Option<Versioned>,
}

pub struct Validator<'a> {
    store: &'a Store,
    /// The session's permission check (the service's): who may change which owner.
    may: &'a dyn Fn(Action) -> Result<(), Denied>,
    this_year: i32,
    municipalities: HashMap<String, Municipality>,
    /// Headers as written, to name columns in problems found by position.
    headers: Vec<String>,
    header_seen: bool,
    map: Option<HeaderMap>,
    owners: Vec<OwnerEntry>,
    owner_index: HashMap<String, usize>,
    /// Codici fiscali known not to be registered.
    unregistered: HashSet<String>,
    managers: HashMap<String, Option<i64>>,
    buildings: Vec<BuildingEntry>,
    building_index: HashMap<(usize, String), usize>,
    unit_lines: HashMap<(usize, String), u64>,
    id_lines: HashMap<i64, u64>,
    /// Good rows that change something (rows equal to the stored unit are only counted).
    good: Vec<GoodRow>,
    unchanged: usize,
    rows: usize,
    problems: Vec<Problem>,
    /// A database error met while reading rows: reported instead of the plan.
    fatal: Option<anyhow::Error>,
    progress: Option<Box<dyn FnMut(u64, u64) + 'a>>,
}

impl<'a> Validator<'a> {
    pub fn new(
        store: &'a Store,
        may: &'a dyn Fn(Action) -> Result<(), Denied>,
        this_year: i32,
    ) -> Result<Self> {
        Ok(Validator {
            store,
            may,
            this_year,
            municipalities: units::municipalities(store.conn())?,
            headers: Vec::new(),
            header_seen: false,
            map: None,
            owners: Vec::new(),
            owner_index: HashMap::new(),
            unregistered: HashSet::new(),
            managers: HashMap::new(),
            buildings: Vec::new(),
            building_index: HashMap::new(),
            unit_lines: HashMap::new(),
            id_lines: HashMap::new(),
            good: Vec::new(),
            unchanged: 0,
            rows: 0,
            problems: Vec::new(),
            fatal: None,
            progress: None,
        })
    }

    /// Reports reading progress to `f(done, total)`.
    pub fn on_progress(&mut self, f: impl FnMut(u64, u64) + 'a) {
        self.progress = Some(Box::new(f));
    }

    /// A problem with the file as a whole (it could not be read).
    pub fn file_problem(&mut self, reason: String) {
        self.problems.push(Problem::file(reason));
    }

    fn problem(&mut self, line: u64, column: Column, value: &str, reason: impl Into<String>) {
        self.problems.push(Problem {
            line,
            column: Some(column.header().to_string()),
            value: Some(value.to_string()),
            reason: reason.into(),
        });
    }

    fn check_row(&mut self, line: u64, cells: &[Cow<str>]) -> Result<()> {
        let Some(map) = self.map.take() else {
            return Ok(()); // header refused: rows cannot be read reliably
        };
        let result = self.check_mapped_row(&map, line, cells);
        self.map = Some(map);
        result
    }

    fn check_mapped_row(&mut self, map: &HeaderMap, line: u64, cells: &[Cow<str>]) -> Result<()> {
        let width = map.width();
        let extra_filled = cells.iter().skip(width).any(|c| !c.trim().is_empty());
        if cells.len() < width || extra_filled {
            self.problems.push(Problem {
                line,
                column: None,
                value: None,
                reason: format!(
                    "la riga ha {} campi, l'intestazione {} (separatore o virgolette fuori posto?)",
                    cells.len(),
                    width
                ),
            });
            return Ok(());
        }
        let before = self.problems.len();
        let parsed = parse_row(map, cells, self.this_year);
        for p in &parsed.problems {
            self.problem(line, p.column, &p.value, p.reason.clone());
        }
        let keys = &parsed.keys;
        let value = |c: Column| map.cell(cells, c).to_string();

        let owner = self.resolve_owner(line, keys, &value)?;
        let manager_id = self.resolve_manager(line, keys, &value)?;
        let place = self.check_place(line, keys, &value);

        let mut building = None;
        if let (Some(o), Some(code), Some((istat, _))) = (owner, &keys.building_code, &place) {
            building = self.check_building(line, o, code, istat, &value)?;
            if let (Some(b), Some(fields)) = (building, &parsed.fields)
                && self.buildings[b].fields.is_none()
            {
                self.buildings[b].fields = Some(BuildingFields::from_row(keys, fields));
            }
        }
        let mut stored = None;
        if let (Some(o), Some(code)) = (owner, &keys.unit_code) {
            if let Some(&first) = self.unit_lines.get(&(o, code.clone())) {
                self.problem(
                    line,
                    Column::UnitCode,
                    code,
                    format!(
                        "alloggio ripetuto: lo stesso Codice identificativo U.I. dello stesso ente è già alla riga {first}"
                    ),
                );
            } else {
                self.unit_lines.insert((o, code.clone()), line);
                if let Some(owner_id) = self.owners[o].id {
                    stored = units::unit_by_key(self.store.conn(), owner_id, code)?;
                }
            }
        }
        if let Some(id) = keys.unit_id {
            self.check_unit_id(line, id, keys.unit_code.as_deref(), stored.as_ref(), &value)?;
        }

        if self.problems.len() == before
            && let (Some(o), Some(b), Some((istat, province)), Some(code), Some(fields)) =
                (owner, building, place, &keys.unit_code, parsed.fields)
        {
            let mut row = GoodRow {
                owner: o,
                building: b,
                unit_id: keys.unit_id,
                code: code.clone(),
                manager_id,
                istat_code: istat,
                province,
                fields,
                existing: None,
            };
            if let Some(s) = stored {
                if self.is_unchanged(map, &mut row, &s) {
                    self.unchanged += 1;
                    return Ok(());
                }
                row.existing = Some(Versioned {
                    id: s.id,
                    version: s.version,
                });
            }
            self.good.push(row);
        }
        Ok(())
    }

    /// Completes `row` with the stored values of columns missing from the file, and tells
    /// whether it leaves the stored unit as it is. Decided here, while reading, so that a
    /// re-import keeps no copy of the unchanged rows.
    fn is_unchanged(&self, map: &HeaderMap, row: &mut GoodRow, stored: &StoredUnit) -> bool {
        row.fields.keep_absent(&stored.fields, map);
        if !map.has(Column::ManagerTaxCode) {
            row.manager_id = stored.manager_id;
        }
        let building = self.buildings[row.building].stored.as_ref().map(|b| b.id);
        building == Some(stored.building_id)
            && row.manager_id == stored.manager_id
            && row.istat_code == stored.istat_code
            && row.fields == stored.fields
    }

    /// Finds (or, for a new accredited operator, prepares) the row's owner and checks kind,
    /// name and permission.
    fn resolve_owner(
        &mut self,
        line: u64,
        keys: &RowKeys,
        value: &dyn Fn(Column) -> String,
    ) -> Result<Option<usize>> {
        let Some(cf) = &keys.owner_tax_code else {
            return Ok(None);
        };
        let index = match self.owner_index.get(cf) {
            Some(&i) => i,
            None => {
                let stored = if self.unregistered.contains(cf) {
                    None
                } else {
                    owners::owner_by_tax_code(self.store.conn(), cf)?
                };
                let entry = match stored {
                    Some(o) => OwnerEntry {
                        tax_code: cf.clone(),
                        kind: o.kind,
                        name: o.name,
                        id: Some(o.id),
                        first_line: line,
                        allowed: (self.may)(Action::EditRegistry { owner_id: o.id })
                            .map_err(|d| d.to_string()),
                    },
                    None => {
                        self.unregistered.insert(cf.clone());
                        match (keys.owner_kind, &keys.owner_name) {
                            (Some(OwnerKind::AccreditedOperator), Some(name))
                                if cf.len() == 11 =>
                            {
                                OwnerEntry {
                                    tax_code: cf.clone(),
                                    kind: OwnerKind::AccreditedOperator,
                                    name: name.clone(),
                                    id: None,
                                    first_line: line,
                                    allowed: (self.may)(Action::ConfigureRegion).map_err(
                                        |_| {
                                            "nuovo operatore accreditato: solo un operatore della Regione può registrarlo con l'importazione".to_string()
                                        },
                                    ),
                                }
                            }
                            (Some(OwnerKind::AccreditedOperator), _) if cf.len() != 11 => {
                                self.problem(
                                    line,
                                    Column::OwnerTaxCode,
                                    &value(Column::OwnerTaxCode),
                                    "ente proprietario non registrato: un nuovo operatore accreditato richiede un codice fiscale numerico di 11 cifre",
                                );
                                return Ok(None);
                            }
                            _ => {
                                self.problem(
                                    line,
                                    Column::OwnerTaxCode,
                                    &value(Column::OwnerTaxCode),
                                    "ente proprietario non registrato: Comuni e ALER devono essere già presenti (casa owners list); solo un operatore accreditato nuovo può essere registrato dall'importazione",
                                );
                                return Ok(None);
                            }
                        }
                    }
                };
                self.owners.push(entry);
                self.owner_index.insert(cf.clone(), self.owners.len() - 1);
                self.owners.len() - 1
            }
        };
        let entry = &self.owners[index];
        let registered = entry.id.is_some();
        let (kind, name, first_line) = (entry.kind, entry.name.clone(), entry.first_line);
        let denied = entry.allowed.clone().err();
        if keys.owner_kind.is_some_and(|k| k != kind) {
            let reason = if registered {
                format!(
                    "tipo ente diverso da quello registrato: {cf} ({name}) è {}",
                    kind.label()
                )
            } else {
                format!(
                    "tipo ente diverso da quello della riga {first_line} ({}) per lo stesso ente",
                    kind.label()
                )
            };
            self.problem(line, Column::OwnerKind, &value(Column::OwnerKind), reason);
        }
        if let Some(n) = keys
            .owner_name
            .as_ref()
            .filter(|n| loose_key(n) != loose_key(&name))
        {
            let reason = if registered {
                format!("ragione sociale diversa da quella registrata per {cf}: \"{name}\"")
            } else {
                format!("ragione sociale diversa da quella della riga {first_line}: \"{name}\"")
            };
            self.problem(line, Column::OwnerName, n, reason);
        }
        if let Some(reason) = denied {
            self.problem(
                line,
                Column::OwnerTaxCode,
                &value(Column::OwnerTaxCode),
                reason,
            );
        }
        Ok(Some(index))
    }

    fn resolve_manager(
        &mut self,
        line: u64,
        keys: &RowKeys,
        value: &dyn Fn(Column) -> String,
    ) -> Result<Option<i64>> {
        let Some(cf) = &keys.manager_tax_code else {
            return Ok(None);
        };
        let id = match self.managers.get(cf) {
            Some(id) => *id,
            None => {
                let id = owners::owner_by_tax_code(self.store.conn(), cf)?.map(|o| o.id);
                self.managers.insert(cf.clone(), id);
                id
            }
        };
        if id.is_none() {
            self.problem(
                line,
                Column::ManagerTaxCode,
                &value(Column::ManagerTaxCode),
                "ente gestore non registrato (casa owners list)",
            );
        }
        Ok(id)
    }

    /// Checks the ISTAT code and the Comune and Provincia written next to it; returns the
    /// ISTAT code and the province sigla.
    fn check_place(
        &mut self,
        line: u64,
        keys: &RowKeys,
        value: &dyn Fn(Column) -> String,
    ) -> Option<(String, String)> {
        let istat = keys.istat_code.as_ref()?;
        let Some(m) = self.municipalities.get(istat) else {
            self.problem(
                line,
                Column::IstatCode,
                &value(Column::IstatCode),
                format!("codice ISTAT {istat} sconosciuto: non è un comune della Lombardia"),
            );
            return None;
        };
        let (name, sigla, province_name) =
            (m.name.clone(), m.province.clone(), m.province_name.clone());
        let mut ok = true;
        if let Some(given) = keys
            .municipality
            .as_ref()
            .filter(|g| loose_key(g) != loose_key(&name))
        {
            self.problem(
                line,
                Column::Municipality,
                given,
                format!("il codice ISTAT {istat} è del comune di {name}"),
            );
            ok = false;
        }
        if let Some(given) = keys.province.as_ref().filter(|g| {
            let k = loose_key(g);
            k != loose_key(&sigla) && k != loose_key(&province_name)
        }) {
            self.problem(
                line,
                Column::Province,
                given,
                format!(
                    "il comune di {name} ({istat}) è in provincia di {province_name} ({sigla})"
                ),
            );
            ok = false;
        }
        ok.then(|| (istat.clone(), sigla))
    }

    /// A building code must name one comune, in the file and in the database.
    fn check_building(
        &mut self,
        line: u64,
        owner: usize,
        code: &str,
        istat: &str,
        value: &dyn Fn(Column) -> String,
    ) -> Result<Option<usize>> {
        let key = (owner, code.to_string());
        if let Some(&b) = self.building_index.get(&key) {
            let entry = &self.buildings[b];
            if entry.istat_code != istat {
                let reason = format!(
                    "il fabbricato {code} è già alla riga {} nel comune {}",
                    entry.first_line,
                    self.place_name(&entry.istat_code)
                );
                self.problem(
                    line,
                    Column::BuildingCode,
                    &value(Column::BuildingCode),
                    reason,
                );
                return Ok(None);
            }
            return Ok(Some(b));
        }
        let stored = match self.owners[owner].id {
            Some(owner_id) => units::building_by_key(self.store.conn(), owner_id, code)?,
            None => None,
        };
        if let Some(s) = stored.as_ref().filter(|s| s.istat_code != istat) {
            let reason = format!(
                "il fabbricato {code} è registrato nel comune {}",
                self.place_name(&s.istat_code)
            );
            self.problem(
                line,
                Column::BuildingCode,
                &value(Column::BuildingCode),
                reason,
            );
            return Ok(None);
        }
        self.buildings.push(BuildingEntry {
            owner,
            code: code.to_string(),
            istat_code: istat.to_string(),
            first_line: line,
            fields: None,
            stored,
        });
        self.building_index.insert(key, self.buildings.len() - 1);
        Ok(Some(self.buildings.len() - 1))
    }

    fn place_name(&self, istat: &str) -> String {
        match self.municipalities.get(istat) {
            Some(m) => format!("{} ({istat})", m.name),
            None => istat.to_string(),
        }
    }

    /// An ID Alloggio in the file must be the unit's own id, or an id nobody has.
    fn check_unit_id(
        &mut self,
        line: u64,
        id: i64,
        code: Option<&str>,
        stored: Option<&StoredUnit>,
        value: &dyn Fn(Column) -> String,
    ) -> Result<()> {
        let shown = value(Column::UnitId);
        if let Some(first) = self.id_lines.get(&id) {
            let reason = format!("ID Alloggio ripetuto: è già alla riga {first}");
            self.problem(line, Column::UnitId, &shown, reason);
            return Ok(());
        }
        self.id_lines.insert(id, line);
        let Some(code) = code else {
            return Ok(());
        };
        if let Some(stored) = stored {
            if stored.id != id {
                let reason = format!(
                    "l'alloggio {code} di questo ente ha ID Alloggio {}, non {id}",
                    stored.id
                );
                self.problem(line, Column::UnitId, &shown, reason);
            }
            return Ok(());
        }
        if let Some(other) = units::unit_key_by_id(self.store.conn(), id)? {
            let reason = format!(
                "l'ID Alloggio {id} appartiene a un altro alloggio (codice {} di {})",
                other.code, other.owner_name
            );
            self.problem(line, Column::UnitId, &shown, reason);
        }
        Ok(())
    }

    /// The verdict: every problem, or the plan of writes.
    pub fn finish(mut self, file_name: String, file_size: u64) -> Result<Result<Plan, Report>> {
        if let Some(e) = self.fatal.take() {
            return Err(e);
        }
        if self.problems.is_empty() {
            if !self.header_seen {
                self.problems.push(Problem::file(
                    "il file è vuoto: nessuna intestazione e nessun alloggio",
                ));
            } else if self.rows == 0 {
                self.problems.push(Problem::file(
                    "il file non contiene alloggi: c'è solo la riga di intestazione",
                ));
            }
        }
        if !self.problems.is_empty() {
            // Stable: problems of a line stay in the order found.
            self.problems.sort_by_key(|p| p.line);
            return Ok(Err(Report {
                rows: self.rows,
                problems: self.problems,
            }));
        }
        let map = self
            .map
            .take()
            .expect("header accepted when there are no problems");
        Ok(Ok(self.plan(&map, file_name, file_size)))
    }

    /// Compares every good row with the database and lists the writes.
    fn plan(self, map: &HeaderMap, file_name: String, file_size: u64) -> Plan {
        let mut writes = ImportWrites::default();
        let mut counts = PlanCounts {
            rows: self.rows,
            ..PlanCounts::default()
        };
        let owner_refs: Vec<Ref> = self
            .owners
            .iter()
            .map(|o| match o.id {
                Some(id) => Ref::Existing(id),
                None => {
                    writes.owners.push(NewOwner {
                        kind: o.kind,
                        tax_code: o.tax_code.clone(),
                        name: o.name.clone(),
                    });
                    Ref::New(writes.owners.len() - 1)
                }
            })
            .collect();
        counts.owners_new = writes.owners.len();

        let mut building_refs = Vec::with_capacity(self.buildings.len());
        for b in self.buildings {
            // Every building has a good row here (a file with problems has no plan).
            let Some(mut fields) = b.fields else {
                building_refs.push(Ref::Existing(0));
                continue;
            };
            let existing = b.stored.as_ref();
            if let Some(stored) = existing {
                fields.keep_absent(&stored.fields, map);
                if fields == stored.fields && b.istat_code == stored.istat_code {
                    building_refs.push(Ref::Existing(stored.id));
                    continue;
                }
                counts.buildings_changed += 1;
                building_refs.push(Ref::Existing(stored.id));
            } else {
                counts.buildings_new += 1;
                building_refs.push(Ref::New(writes.buildings.len()));
            }
            writes.buildings.push(BuildingWrite {
                existing: existing.map(|s| Versioned {
                    id: s.id,
                    version: s.version,
                }),
                owner: owner_refs[b.owner],
                code: b.code,
                istat_code: b.istat_code,
                fields,
            });
        }

        counts.units_unchanged = self.unchanged;
        for row in self.good {
            if row.existing.is_some() {
                counts.units_changed += 1;
            } else {
                counts.units_new += 1;
            }
            writes.units.push(UnitWrite {
                existing: row.existing,
                new_id: if row.existing.is_none() {
                    row.unit_id
                } else {
                    None
                },
                owner: owner_refs[row.owner],
                building: building_refs[row.building],
                code: row.code,
                manager_id: row.manager_id,
                istat_code: row.istat_code,
                province: row.province,
                fields: row.fields,
            });
        }
        Plan {
            file_name,
            file_size,
            counts,
            writes,
        }
    }
}

impl RowSink for Validator<'_> {
    fn header(&mut self, line: u64, cells: &[Cow<str>]) {
        self.header_seen = true;
        self.headers = cells.iter().map(|c| c.trim().to_string()).collect();
        match HeaderMap::from_headers(cells) {
            Ok(map) => self.map = Some(map),
            Err(problems) => {
                for p in problems {
                    let column = match &p {
                        HeaderProblem::Unknown { header, .. }
                        | HeaderProblem::Duplicate { header, .. } => {
                            Some(header.trim().to_string())
                        }
                        _ => None,
                    };
                    self.problems.push(Problem {
                        line,
                        column,
                        value: None,
                        reason: p.reason(),
                    });
                }
            }
        }
    }

    fn row(&mut self, line: u64, cells: &[Cow<str>]) {
        self.rows += 1;
        if self.fatal.is_some() {
            return;
        }
        if let Err(e) = self.check_row(line, cells) {
            self.fatal = Some(e);
        }
    }

    fn bad_cell(&mut self, line: u64, column: usize, value: &str, reason: &str) {
        let name = self
            .headers
            .get(column)
            .filter(|h| !h.is_empty())
            .cloned()
            .unwrap_or_else(|| format!("n. {}", column + 1));
        self.problems.push(Problem {
            line,
            column: Some(name),
            value: Some(value.to_string()),
            reason: reason.to_string(),
        });
    }

    fn progress(&mut self, done: u64, total: u64) {
        if let Some(f) = self.progress.as_mut() {
            f(done, total);
        }
    }
}

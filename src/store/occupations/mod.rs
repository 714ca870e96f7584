//! The register of occupations without title: records read and written with their household
//! members, the unit's state kept consistent in the same transaction, a version check on every
//! change and one audit record each. Permissions are the caller's (the service layer).

pub mod demo;
pub mod feed;
pub mod register;
pub mod search;

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, now};
use crate::domain::occupation::codes::{Code, CodeList, CodeLists};
use crate::domain::occupation::{
    Act, Debt, Member, Occupant, Occupation, Problem, UnitPlace, validate,
};
use crate::domain::registry::UnitState;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// A record refused for its content: every problem by the feed's attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid(pub Vec<Problem>);

impl std::fmt::Display for Invalid {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|p| format!("{}: {}", p.attribute, p.message))
            .collect();
        write!(f, "occupazione non valida: {}", parts.join("; "))
    }
}

impl std::error::Error for Invalid {}

/// The code lists as configured (stored by `reference`).
pub fn codes(conn: &Connection) -> Result<CodeLists> {
    let mut stmt = conn.prepare_cached(
        "SELECT list, code, label, source, verified FROM occupation_code ORDER BY list, code",
    )?;
    let mut out = CodeLists::default();
    for r in stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            Code {
                code: r.get(1)?,
                label: r.get(2)?,
                source: r.get(3)?,
                verified: r.get(4)?,
            },
        ))
    })? {
        let (list, code) = r?;
        if let Some(l) = CodeList::from_key(&list) {
            out.insert(l, code);
        }
    }
    Ok(out)
}

/// A stored occupation with what the store knows beyond the record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stored {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    /// casa's unit, when the owner has one with the record's unit code.
    pub unit_id: Option<i64>,
    pub istat_code: String,
    pub comune: String,
    pub version: i64,
    /// The version last sent in the regional feed (`None`: never sent).
    pub exported_version: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
    pub record: Occupation,
}

impl Stored {
    /// How the register names it in messages and exclusions.
    pub fn reference(&self) -> String {
        reference(&self.owner_name, &self.record.code)
    }

    /// Masks the occupant's and the members' personal data (the helpdesk, unless revealed).
    pub fn mask_personal_data(&mut self) {
        let mask = |s: &mut String| *s = "***".into();
        let p = &mut self.record.occupant;
        if let Some(cf) = &mut p.tax_code {
            mask(cf);
        }
        mask(&mut p.name);
        mask(&mut p.surname);
        p.birth_date = None;
        p.birth_comune = p.birth_comune.as_ref().map(|_| "***".into());
        p.birth_nation = p.birth_nation.as_ref().map(|_| "***".into());
        p.birth_province = p.birth_province.as_ref().map(|_| "**".into());
        p.sex = p.sex.as_ref().map(|_| "*".into());
        p.citizenship = p.citizenship.as_ref().map(|_| "***".into());
        for m in &mut self.record.members {
            mask(&mut m.tax_code);
            mask(&mut m.surname);
            mask(&mut m.name);
            m.birth_date = None;
        }
    }
}

/// "ALER Milano, occupazione OCC-1".
pub fn reference(owner_name: &str, code: &str) -> String {
    format!("{owner_name}, occupazione {code}")
}

fn date(s: Option<String>, what: &str) -> rusqlite::Result<Option<NaiveDate>> {
    s.map(|d| {
        d.parse().map_err(|_| {
            rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("{what} '{d}' non valida").into(),
            )
        })
    })
    .transpose()
}

pub(crate) const SELECT: &str = "SELECT o.id, o.owner_id, ow.name, ow.tax_code, o.unit_id,
    o.istat_code, m.name, o.version, o.exported_version, o.created_at, o.updated_at,
    o.code, o.unit_code, o.province, m.cadastral_code, o.address_prefix, o.address,
    o.street_number, o.tax_code, o.name, o.surname, o.birth_date, o.sex, o.birth_nation,
    o.birth_province, o.birth_comune, o.citizenship, o.started_on, o.kind, o.detect_type,
    o.detect_id, o.detect_on, o.legit_type, o.legit_id, o.legit_on, o.release_id,
    o.release_protocol, o.release_on, o.debt, o.debt_damage, o.debt_unpaid, o.debt_costs,
    o.debt_other, o.debt_extinct, o.debt_extinct_on, o.ended_on, o.end_id, o.end_protocol,
    o.end_on
    FROM occupation o JOIN owner ow ON ow.id = o.owner_id
    JOIN municipality m ON m.istat_code = o.istat_code";

pub(crate) fn row(r: &Row) -> rusqlite::Result<Stored> {
    Ok(Stored {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        owner_name: r.get(2)?,
        unit_id: r.get(4)?,
        istat_code: r.get(5)?,
        comune: r.get(6)?,
        version: r.get(7)?,
        exported_version: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        record: Occupation {
            owner_tax_code: r.get(3)?,
            code: r.get(11)?,
            unit: UnitPlace {
                code: r.get(12)?,
                province: r.get(13)?,
                cadastral: r.get(14)?,
                prefix: r.get(15)?,
                street: r.get(16)?,
                number: r.get(17)?,
            },
            occupant: Occupant {
                tax_code: r.get(18)?,
                name: r.get(19)?,
                surname: r.get(20)?,
                birth_date: date(r.get(21)?, "data di nascita")?,
                sex: r.get(22)?,
                birth_nation: r.get(23)?,
                birth_province: r.get(24)?,
                birth_comune: r.get(25)?,
                citizenship: r.get(26)?,
            },
            started_on: date(r.get(27)?, "data di inizio")?,
            kind: r.get(28)?,
            detect_type: r.get(29)?,
            detect_id: r.get(30)?,
            detect_on: date(r.get(31)?, "data di rilevazione")?,
            legit_type: r.get(32)?,
            legit: Act {
                id: r.get(33)?,
                protocol: None,
                date: date(r.get(34)?, "data dell'atto legittimante")?,
            },
            release: Act {
                id: r.get(35)?,
                protocol: r.get(36)?,
                date: date(r.get(37)?, "data dell'atto di rilascio")?,
            },
            debt: Debt {
                presence: r.get(38)?,
                types: [r.get(39)?, r.get(40)?, r.get(41)?, r.get(42)?],
                extinct: r.get(43)?,
                extinct_on: date(r.get(44)?, "data di estinzione")?,
            },
            ended_on: date(r.get(45)?, "data di cessazione")?,
            end: Act {
                id: r.get(46)?,
                protocol: r.get(47)?,
                date: date(r.get(48)?, "data del provvedimento di cessazione")?,
            },
            members: Vec::new(),
        },
    })
}

fn members(conn: &Connection, id: i64) -> Result<Vec<Member>> {
    let mut stmt = conn.prepare_cached(
        "SELECT tax_code, surname, name, birth_date, relationship FROM occupation_member
         WHERE occupation_id = ?1 ORDER BY seq",
    )?;
    let rows = stmt.query_map([id], |r| {
        Ok(Member {
            tax_code: r.get(0)?,
            surname: r.get(1)?,
            name: r.get(2)?,
            birth_date: date(r.get(3)?, "data di nascita")?,
            relationship: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One occupation with its members.
pub fn get(conn: &Connection, id: i64) -> Result<Option<Stored>> {
    let found = conn
        .query_row(&format!("{SELECT} WHERE o.id = ?1"), [id], row)
        .optional()?;
    match found {
        Some(mut s) => {
            s.record.members = members(conn, s.id)?;
            Ok(Some(s))
        }
        None => Ok(None),
    }
}

/// An owner's occupation by its code (cdOccupazione).
pub fn by_code(conn: &Connection, owner_id: i64, code: &str) -> Result<Option<Stored>> {
    let id: Option<i64> = conn
        .query_row(
            "SELECT id FROM occupation WHERE owner_id = ?1 AND code = ?2",
            params![owner_id, code],
            |r| r.get(0),
        )
        .optional()?;
    match id {
        Some(id) => get(conn, id),
        None => Ok(None),
    }
}

/// Where a record lands in the database: its owner, comune and casa's unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub owner_id: i64,
    pub owner_name: String,
    pub istat_code: String,
    pub unit_id: Option<i64>,
    /// The unit's current state (when linked).
    pub unit_state: Option<i64>,
}

/// Resolves the owner (by codice fiscale), the comune (by cadastral code, in Lombardy, in the
/// province given) and casa's unit (the owner's unit with the record's code, which must be in
/// that comune). Every problem by attribute.
pub fn resolve(conn: &Connection, o: &Occupation) -> Result<(Option<Resolved>, Vec<Problem>)> {
    let mut problems = Vec::new();
    let p = |a: &str, m: String| Problem {
        attribute: a.to_string(),
        message: m,
    };
    let owner: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, name FROM owner WHERE tax_code = ?1",
            [&o.owner_tax_code],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    if owner.is_none() {
        problems.push(p(
            "cfEnteProprietario",
            format!(
                "nessun ente proprietario con codice fiscale '{}' (casa owners list)",
                o.owner_tax_code
            ),
        ));
    }
    let comune: Option<(String, String, String)> = conn
        .query_row(
            "SELECT istat_code, province, name FROM municipality WHERE cadastral_code = ?1",
            [&o.unit.cadastral],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    match &comune {
        None => {
            if crate::domain::occupation::is_cadastral(&o.unit.cadastral) {
                problems.push(p(
                    "cdCatastaleAlloggio",
                    format!(
                        "'{}' non è il codice catastale di un comune della Lombardia",
                        o.unit.cadastral
                    ),
                ));
            }
        }
        Some((_, province, name)) if *province != o.unit.province => problems.push(p(
            "siglaProvinciaAlloggio",
            format!(
                "provincia '{}' ma il comune {} ({}) è in provincia di {province}",
                o.unit.province, name, o.unit.cadastral
            ),
        )),
        Some(_) => {}
    }
    let (Some((owner_id, owner_name)), Some((istat, _, comune_name))) = (owner, comune) else {
        return Ok((None, problems));
    };
    let unit: Option<(i64, String, i64)> = conn
        .query_row(
            "SELECT id, istat_code, state FROM unit WHERE owner_id = ?1 AND code = ?2",
            params![owner_id, o.unit.code],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((id, unit_istat, _)) = &unit
        && *unit_istat != istat
    {
        problems.push(p(
            "cdCatastaleAlloggio",
            format!(
                "l'alloggio {} dell'ente (ID alloggio {id}) è nel comune {unit_istat}, non a {comune_name}",
                o.unit.code
            ),
        ));
    }
    Ok((
        Some(Resolved {
            owner_id,
            owner_name,
            istat_code: istat,
            unit_id: unit.as_ref().map(|u| u.0),
            unit_state: unit.map(|u| u.2),
        }),
        problems,
    ))
}

/// Every problem of a record before it is written: its own and the database's.
pub fn check(conn: &Connection, o: &Occupation, today: NaiveDate) -> Result<Resolved> {
    let mut problems = validate(o, &codes(conn)?, today);
    let (resolved, more) = resolve(conn, o)?;
    problems.extend(more);
    match resolved {
        Some(r) if problems.is_empty() => Ok(r),
        _ => Err(anyhow!(Invalid(problems))),
    }
}

fn text(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Writes the record's columns (insert when `id` is `None`, else update with version + 1).
fn write_row(
    conn: &Connection,
    id: Option<i64>,
    o: &Occupation,
    r: &Resolved,
    at: &str,
) -> Result<i64> {
    let cols = params![
        r.owner_id,
        o.code,
        r.unit_id,
        o.unit.code,
        r.istat_code,
        o.unit.province,
        o.unit.prefix,
        o.unit.street,
        o.unit.number,
        o.occupant.tax_code,
        o.occupant.name,
        o.occupant.surname,
        text(o.occupant.birth_date),
        o.occupant.sex,
        o.occupant.birth_nation,
        o.occupant.birth_province,
        o.occupant.birth_comune,
        o.occupant.citizenship,
        text(o.started_on),
        o.kind,
        o.detect_type,
        o.detect_id,
        text(o.detect_on),
        o.legit_type,
        o.legit.id,
        text(o.legit.date),
        o.release.id,
        o.release.protocol,
        text(o.release.date),
        o.debt.presence,
        o.debt.types[0],
        o.debt.types[1],
        o.debt.types[2],
        o.debt.types[3],
        o.debt.extinct,
        text(o.debt.extinct_on),
        o.ended_on.is_some(),
        text(o.ended_on),
        o.end.id,
        o.end.protocol,
        text(o.end.date),
        at,
    ];
    let id = match id {
        None => {
            conn.prepare_cached(
                "INSERT INTO occupation (owner_id, code, unit_id, unit_code, istat_code, province,
                    address_prefix, address, street_number, tax_code, name, surname, birth_date,
                    sex, birth_nation, birth_province, birth_comune, citizenship, started_on,
                    kind, detect_type, detect_id, detect_on, legit_type, legit_id, legit_on,
                    release_id, release_protocol, release_on, debt, debt_damage, debt_unpaid,
                    debt_costs, debt_other, debt_extinct, debt_extinct_on, ended, ended_on,
                    end_id, end_protocol, end_on, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                    ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,
                    ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?42)",
            )?
            .execute(cols)?;
            conn.last_insert_rowid()
        }
        Some(id) => {
            conn.prepare_cached(
                "UPDATE occupation SET owner_id = ?1, code = ?2, unit_id = ?3, unit_code = ?4,
                    istat_code = ?5, province = ?6, address_prefix = ?7, address = ?8,
                    street_number = ?9, tax_code = ?10, name = ?11, surname = ?12,
                    birth_date = ?13, sex = ?14, birth_nation = ?15, birth_province = ?16,
                    birth_comune = ?17, citizenship = ?18, started_on = ?19, kind = ?20,
                    detect_type = ?21, detect_id = ?22, detect_on = ?23, legit_type = ?24,
                    legit_id = ?25, legit_on = ?26, release_id = ?27, release_protocol = ?28,
                    release_on = ?29, debt = ?30, debt_damage = ?31, debt_unpaid = ?32,
                    debt_costs = ?33, debt_other = ?34, debt_extinct = ?35,
                    debt_extinct_on = ?36, ended = ?37, ended_on = ?38, end_id = ?39,
                    end_protocol = ?40, end_on = ?41, updated_at = ?42, version = version + 1
                 WHERE id = ?43",
            )?
            .execute(rusqlite::params_from_iter(
                cols.iter()
                    .copied()
                    .chain(std::iter::once(&id as &dyn rusqlite::ToSql)),
            ))?;
            id
        }
    };
    conn.execute(
        "DELETE FROM occupation_member WHERE occupation_id = ?1",
        [id],
    )?;
    let mut ins = conn.prepare_cached(
        "INSERT INTO occupation_member (occupation_id, seq, tax_code, surname, name, birth_date,
            relationship) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for (i, m) in o.members.iter().enumerate() {
        ins.execute(params![
            id,
            i as i64 + 1,
            m.tax_code,
            m.surname,
            m.name,
            text(m.birth_date),
            m.relationship
        ])?;
    }
    Ok(id)
}

/// A change of a unit's state made by the register, for the audit record and the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateChange {
    pub unit_id: i64,
    pub before: String,
    pub after: String,
}

/// Sets the unit's state (version + 1) when it differs; returns the change.
fn set_unit_state(
    conn: &Connection,
    unit_id: i64,
    state: UnitState,
    at: &str,
) -> Result<Option<StateChange>> {
    let current: i64 = conn.query_row("SELECT state FROM unit WHERE id = ?1", [unit_id], |r| {
        r.get(0)
    })?;
    if current == state.code() {
        return Ok(None);
    }
    conn.execute(
        "UPDATE unit SET state = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1",
        params![unit_id, state.code(), at],
    )?;
    let label = |c: i64| UnitState::from_code(c).map_or(c.to_string(), |s| s.label().to_string());
    Ok(Some(StateChange {
        unit_id,
        before: label(current),
        after: state.label().to_string(),
    }))
}

/// Other open occupations of a unit.
fn other_open(conn: &Connection, unit_id: i64, except: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM occupation INDEXED BY occupation_unit
         WHERE unit_id = ?1 AND ended = 0 AND id <> ?2",
        params![unit_id, except],
        |r| r.get(0),
    )?)
}

/// What a change wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Saved {
    pub id: i64,
    pub version: i64,
    pub reference: String,
    pub unit_state: Option<StateChange>,
    /// Things the operator should know (a unit left in its state, …).
    pub notes: Vec<String>,
}

/// How an occupation ends (Chiudi occupazione).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Closing {
    pub ended_on: Option<NaiveDate>,
    /// The act that ended it (provvedimento di cessazione).
    pub end: Act,
    /// The release act, when recorded now (atto di rilascio); `None` keeps the stored one.
    pub release: Option<Act>,
    /// The state casa's unit takes (required when this was its last open occupation).
    pub unit_state: Option<UnitState>,
}

fn stale(id: i64, expected: i64, found: i64) -> anyhow::Error {
    anyhow!(Refused(format!(
        "l'occupazione {id} è stata modificata da un altro operatore (versione {found}, letta la {expected}): nessuna modifica salvata; rileggerla e ripetere"
    )))
}

impl Store {
    /// Records a new occupation in one transaction with its audit record. An open occupation
    /// sets casa's unit OCCUPATO SENZA TITOLO.
    pub fn add_occupation(
        &mut self,
        actor: &str,
        o: &Occupation,
        today: NaiveDate,
    ) -> Result<Saved> {
        let tx = self.write()?;
        let r = check(&tx, o, today)?;
        if by_code(&tx, r.owner_id, &o.code)?.is_some() {
            return Err(anyhow!(Invalid(vec![Problem {
                attribute: "cdOccupazione".into(),
                message: format!(
                    "l'ente ha già un'occupazione con codice '{}': modificarla invece di crearne un'altra",
                    o.code
                ),
            }])));
        }
        let at = now();
        let id = write_row(&tx, None, o, &r, &at)?;
        let unit_state = match (r.unit_id, o.is_open()) {
            (Some(u), true) => set_unit_state(&tx, u, UnitState::OccupiedWithoutTitle, &at)?,
            _ => None,
        };
        let saved = Saved {
            id,
            version: 1,
            reference: reference(&r.owner_name, &o.code),
            unit_state,
            notes: Vec::new(),
        };
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "occupazione.crea",
                entity: "occupation",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(serde_json::json!({ "occupazione": o, "alloggio": saved.unit_state })),
            },
        )?;
        tx.commit()?;
        Ok(saved)
    }

    /// Changes an occupation read at `expected_version`; refused if another operator changed it
    /// since. Closing and reopening go through `close_occupation` (the unit's state needs a
    /// choice); the owner and the code do not change.
    pub fn update_occupation(
        &mut self,
        actor: &str,
        id: i64,
        expected_version: i64,
        o: &Occupation,
        today: NaiveDate,
    ) -> Result<Saved> {
        let tx = self.write()?;
        let before = get(&tx, id)?.ok_or_else(|| not_found(id))?;
        if before.version != expected_version {
            return Err(stale(id, expected_version, before.version));
        }
        let mut refusals = Vec::new();
        if o.owner_tax_code != before.record.owner_tax_code {
            refusals.push(Problem {
                attribute: "cfEnteProprietario".into(),
                message: "l'ente proprietario di un'occupazione non cambia".into(),
            });
        }
        if o.code != before.record.code {
            refusals.push(Problem {
                attribute: "cdOccupazione".into(),
                message: "il codice di un'occupazione non cambia".into(),
            });
        }
        if o.is_open() != before.record.is_open() {
            refusals.push(Problem {
                attribute: "dtCessazioneOccupazione".into(),
                message: if o.is_open() {
                    "un'occupazione cessata non si riapre modificandola".into()
                } else {
                    "la cessazione si registra con Chiudi occupazione, che chiede lo stato dell'alloggio".into()
                },
            });
        }
        if !refusals.is_empty() {
            return Err(anyhow!(Invalid(refusals)));
        }
        let r = check(&tx, o, today)?;
        let at = now();
        write_row(&tx, Some(id), o, &r, &at)?;
        let mut notes = Vec::new();
        let mut unit_state = None;
        if o.is_open() {
            if let Some(u) = r.unit_id {
                unit_state = set_unit_state(&tx, u, UnitState::OccupiedWithoutTitle, &at)?;
            }
            if let Some(old) = before.unit_id
                && Some(old) != r.unit_id
            {
                notes.push(format!(
                    "l'alloggio {old}, prima indicato, resta nel suo stato: aggiornarlo dall'anagrafe se non è più occupato"
                ));
            }
        }
        let saved = Saved {
            id,
            version: before.version + 1,
            reference: reference(&r.owner_name, &o.code),
            unit_state,
            notes,
        };
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "occupazione.modifica",
                entity: "occupation",
                entity_id: Some(id.to_string()),
                before: Some(serde_json::to_value(&before.record)?),
                after: Some(serde_json::json!({ "occupazione": o, "alloggio": saved.unit_state })),
            },
        )?;
        tx.commit()?;
        Ok(saved)
    }

    /// Closes an open occupation read at `expected_version`: the end date and act, the release
    /// act when given, and casa's unit in the state the operator chooses — required when no
    /// other occupation of the unit stays open, refused when one does (the unit stays
    /// OCCUPATO SENZA TITOLO).
    pub fn close_occupation(
        &mut self,
        actor: &str,
        id: i64,
        expected_version: i64,
        closing: &Closing,
        today: NaiveDate,
    ) -> Result<Saved> {
        let tx = self.write()?;
        let before = get(&tx, id)?.ok_or_else(|| not_found(id))?;
        if before.version != expected_version {
            return Err(stale(id, expected_version, before.version));
        }
        if !before.record.is_open() {
            return Err(anyhow!(Refused(format!(
                "l'occupazione {} è già cessata il {}",
                before.reference(),
                before
                    .record
                    .ended_on
                    .map(|d| d.format("%d/%m/%Y").to_string())
                    .unwrap_or_default()
            ))));
        }
        let mut o = before.record.clone();
        o.ended_on = closing.ended_on;
        o.end = closing.end.clone();
        if let Some(r) = &closing.release {
            o.release = r.clone();
        }
        let mut problems = Vec::new();
        if closing.ended_on.is_none() {
            problems.push(Problem {
                attribute: "dtCessazioneOccupazione".into(),
                message: "data di cessazione mancante".into(),
            });
        }
        let others = match before.unit_id {
            Some(u) => other_open(&tx, u, id)?,
            None => 0,
        };
        match (before.unit_id, closing.unit_state) {
            (Some(_), None) if others == 0 => problems.push(Problem {
                attribute: "statoAlloggio".into(),
                message: "indicare lo stato che l'alloggio assume (es. LIBERO, SFITTO PER CARENZE MANUTENTIVE)".into(),
            }),
            (Some(_), Some(UnitState::OccupiedWithoutTitle)) if others == 0 => {
                problems.push(Problem {
                    attribute: "statoAlloggio".into(),
                    message: "alla cessazione l'alloggio non resta OCCUPATO SENZA TITOLO: indicarne lo stato".into(),
                })
            }
            (Some(u), Some(s)) if others > 0 && s != UnitState::OccupiedWithoutTitle => {
                problems.push(Problem {
                    attribute: "statoAlloggio".into(),
                    message: format!(
                        "l'alloggio {u} ha altre {others} occupazioni aperte e resta OCCUPATO SENZA TITOLO"
                    ),
                })
            }
            (None, Some(_)) => problems.push(Problem {
                attribute: "statoAlloggio".into(),
                message: format!(
                    "l'alloggio {} non è nell'anagrafe di casa: nessuno stato da aggiornare",
                    before.record.unit.code
                ),
            }),
            _ => {}
        }
        problems.extend(validate(&o, &codes(&tx)?, today));
        if !problems.is_empty() {
            return Err(anyhow!(Invalid(problems)));
        }
        let r = Resolved {
            owner_id: before.owner_id,
            owner_name: before.owner_name.clone(),
            istat_code: before.istat_code.clone(),
            unit_id: before.unit_id,
            unit_state: None,
        };
        let at = now();
        write_row(&tx, Some(id), &o, &r, &at)?;
        let mut notes = Vec::new();
        let unit_state = match (before.unit_id, closing.unit_state) {
            (Some(u), Some(s)) if others == 0 => set_unit_state(&tx, u, s, &at)?,
            (Some(u), _) => {
                notes.push(format!(
                    "l'alloggio {u} resta OCCUPATO SENZA TITOLO: altre {others} occupazioni aperte"
                ));
                None
            }
            _ => None,
        };
        let saved = Saved {
            id,
            version: before.version + 1,
            reference: before.reference(),
            unit_state,
            notes,
        };
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "occupazione.chiudi",
                entity: "occupation",
                entity_id: Some(id.to_string()),
                before: Some(serde_json::to_value(&before.record)?),
                after: Some(serde_json::json!({ "occupazione": o, "alloggio": saved.unit_state })),
            },
        )?;
        tx.commit()?;
        Ok(saved)
    }

    /// Records that the helpdesk was shown an occupation's personal data.
    pub fn record_occupation_reveal(&mut self, actor: &str, id: i64) -> Result<()> {
        let tx = self.write()?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "occupazione.mostra_dati_personali",
                entity: "occupation",
                entity_id: Some(id.to_string()),
                before: None,
                after: None,
            },
        )?;
        tx.commit()?;
        Ok(())
    }
}

/// casa's unit of an owner by its code, as an occupation record names it (the form and the
/// command line fill the unit's place from it).
pub fn unit_place(
    conn: &Connection,
    owner_id: i64,
    code: &str,
) -> Result<Option<(i64, UnitPlace)>> {
    let found: Option<(i64, String, String, String, Option<String>)> = conn
        .query_row(
            "SELECT u.id, u.province, m.cadastral_code, u.address, u.street_number
             FROM unit u JOIN municipality m ON m.istat_code = u.istat_code
             WHERE u.owner_id = ?1 AND u.code = ?2",
            params![owner_id, code.trim()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?;
    let Some((id, province, cadastral, address, number)) = found else {
        return Ok(None);
    };
    let (prefix, street) = crate::domain::occupation::split_address(&address, &codes(conn)?);
    Ok(Some((
        id,
        UnitPlace {
            code: code.trim().to_string(),
            province,
            cadastral,
            prefix,
            street,
            number: number.unwrap_or_default(),
        },
    )))
}

/// (province, cadastral code) of a comune by ISTAT code.
pub fn comune_place(conn: &Connection, istat: &str) -> Result<Option<(String, String)>> {
    Ok(conn
        .query_row(
            "SELECT province, cadastral_code FROM municipality WHERE istat_code = ?1",
            [istat],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

pub fn not_found(id: i64) -> anyhow::Error {
    anyhow!(Refused(format!("occupazione {id} non trovata")))
}

#[cfg(test)]
mod tests;

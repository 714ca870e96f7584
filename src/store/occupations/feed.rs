//! The regional feed: what an owner's export sends (action I: records never sent; M: records
//! changed since they were sent), marked as sent in the same transaction that reads them; and
//! the import of a richiesta, all or nothing, every record checked before anything is written,
//! the same file imported twice changing nothing.

use super::{Invalid, Resolved, StateChange, Stored, codes, get, resolve, write_row};
use crate::anpu::read::{XmlProblem, element_name};
use crate::anpu::{Operation, Richiesta};
use crate::domain::occupation::{Occupation, validate};
use crate::domain::registry::UnitState;
use crate::store::audit::{self, Entry};
use crate::store::{Store, now};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, params};
use serde::Serialize;

/// An owner's occupations, by code (the order of the feed), without members.
pub fn owner_records(conn: &Connection, owner_id: i64) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{} WHERE o.owner_id = ?1 ORDER BY o.code",
        super::SELECT
    ))?;
    let rows = stmt.query_map([owner_id], super::row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Which records an export with `action` sends.
fn pending(records: Vec<Stored>, action: Operation) -> Vec<Stored> {
    records
        .into_iter()
        .filter(|s| match (action, s.exported_version) {
            (Operation::Insert, None) => true,
            (Operation::Modify, Some(v)) => s.version > v,
            _ => false,
        })
        .collect()
}

/// How many records are waiting to be sent, by action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Waiting {
    pub new: usize,
    pub changed: usize,
}

pub fn waiting(conn: &Connection, owner_id: i64) -> Result<Waiting> {
    let records = owner_records(conn, owner_id)?;
    Ok(Waiting {
        new: records
            .iter()
            .filter(|s| s.exported_version.is_none())
            .count(),
        changed: records
            .iter()
            .filter(|s| s.exported_version.is_some_and(|v| s.version > v))
            .count(),
    })
}

fn richiesta(owner_tax_code: &str, action: Operation, records: &[Stored]) -> Richiesta {
    Richiesta {
        owner_tax_code: owner_tax_code.to_string(),
        action,
        records: records.iter().map(|s| s.record.clone()).collect(),
    }
}

/// Every occupation of an owner as one richiesta with action I (a full copy: nothing is marked
/// as sent).
pub fn full_copy(conn: &Connection, owner_id: i64, owner_tax_code: &str) -> Result<Richiesta> {
    Ok(richiesta(
        owner_tax_code,
        Operation::Insert,
        &owner_records(conn, owner_id)?,
    ))
}

/// What an export sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sent {
    pub owner_id: i64,
    pub action: Operation,
    pub records: usize,
    /// Records left for an export with the other action.
    pub waiting: Waiting,
}

impl Store {
    /// The feed of an owner: the records of `action` (I: never sent; M: changed since sent)
    /// as a richiesta handed to `deliver` (which validates and writes it); once it succeeds
    /// they are marked as sent, with an audit record, in the transaction that read them, so
    /// a change made meanwhile by another operator waits for the next export. Nothing to send:
    /// `Ok(None)`, nothing written or delivered.
    pub fn export_occupations(
        &mut self,
        actor: &str,
        owner_id: i64,
        owner_tax_code: &str,
        action: Operation,
        deliver: &mut dyn FnMut(&Richiesta) -> Result<()>,
    ) -> Result<Option<Sent>> {
        let tx = self.write()?;
        let records = pending(owner_records(&tx, owner_id)?, action);
        if records.is_empty() {
            return Ok(None);
        }
        deliver(&richiesta(owner_tax_code, action, &records))?;
        let mut mark = tx.prepare_cached(
            "UPDATE occupation SET exported_version = ?2 WHERE id = ?1 AND version = ?2",
        )?;
        for s in &records {
            mark.execute(params![s.id, s.version])?;
        }
        drop(mark);
        let codes: Vec<&str> = records.iter().map(|s| s.record.code.as_str()).collect();
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "occupazioni.esporta",
                entity: "owner",
                entity_id: Some(owner_id.to_string()),
                before: None,
                after: Some(serde_json::json!({ "azione": action.code(), "occupazioni": codes })),
            },
        )?;
        let waiting = waiting(&tx, owner_id)?;
        tx.commit()?;
        Ok(Some(Sent {
            owner_id,
            action,
            records: records.len(),
            waiting,
        }))
    }
}

/// What one record of an import does.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Insert(Occupation, Resolved),
    Update {
        before: Box<Stored>,
        after: Occupation,
        resolved: Resolved,
    },
    Unchanged,
}

/// A refused import: every problem, by line, element and attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub Vec<XmlProblem>);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "importazione rifiutata, nulla è stato salvato ({} problemi)",
            self.0.len()
        )?;
        for p in self.0.iter().take(20) {
            write!(f, "\n  {p}")?;
        }
        if self.0.len() > 20 {
            write!(f, "\n  … e altri {}", self.0.len() - 20)?;
        }
        Ok(())
    }
}

impl std::error::Error for Refused {}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub owner_tax_code: String,
    pub action: Operation,
    pub records: usize,
    pub inserted: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub unit_states: Vec<StateChange>,
    pub notes: Vec<String>,
}

/// Checks every record of `r` against the domain's rules and the database; the steps, or every
/// problem.
fn plan(
    conn: &Connection,
    r: &Richiesta,
    lines: &[u64],
    today: NaiveDate,
) -> Result<std::result::Result<Vec<Step>, Vec<XmlProblem>>> {
    let codes = codes(conn)?;
    let mut problems = Vec::new();
    let mut steps = Vec::new();
    for (i, o) in r.records.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let element = element_name(i, &o.code);
        let mut push = |attribute: &str, message: String| {
            problems.push(XmlProblem {
                line,
                element: element.clone(),
                attribute: Some(attribute.to_string()),
                message,
            })
        };
        let mut own = validate(o, &codes, today);
        let (resolved, more) = resolve(conn, o)?;
        own.extend(more);
        for p in own {
            push(&p.attribute, p.message);
        }
        let Some(resolved) = resolved else { continue };
        let stored = super::by_code(conn, resolved.owner_id, &o.code)?;
        let step = match (r.action, stored) {
            (Operation::Insert, None) => Step::Insert(o.clone(), resolved),
            (Operation::Insert, Some(s)) if same(&s, o) => Step::Unchanged,
            (Operation::Insert, Some(_)) => {
                push(
                    "cdOccupazione",
                    format!(
                        "occupazione '{}' già presente con dati diversi: per modificarla serve una richiesta con azione M",
                        o.code
                    ),
                );
                continue;
            }
            (Operation::Modify, None) => {
                push(
                    "cdOccupazione",
                    format!(
                        "occupazione '{}' non presente: per crearla serve una richiesta con azione I",
                        o.code
                    ),
                );
                continue;
            }
            (Operation::Modify, Some(s)) if same(&s, o) => Step::Unchanged,
            (Operation::Modify, Some(s)) => {
                let mut after = o.clone();
                after.members = s.record.members.clone();
                Step::Update {
                    before: Box::new(s),
                    after,
                    resolved,
                }
            }
        };
        steps.push(step);
    }
    Ok(if problems.is_empty() {
        Ok(steps)
    } else {
        Err(problems)
    })
}

/// Every problem the domain's rules and the database find in `r` (nothing written).
pub fn problems(
    conn: &Connection,
    r: &Richiesta,
    lines: &[u64],
    today: NaiveDate,
) -> Result<Vec<XmlProblem>> {
    Ok(plan(conn, r, lines, today)?.err().unwrap_or_default())
}

/// Whether the stored record says what the document says (members are not in the feed).
fn same(s: &Stored, o: &Occupation) -> bool {
    let mut stored = s.record.clone();
    stored.members.clear();
    stored == *o
}

impl Store {
    /// Imports a richiesta read by `anpu::read` (its records' lines in `lines`): all of it or
    /// nothing, in one transaction with one audit record; records already stored as the file
    /// says are left alone, so importing the same file again changes nothing.
    pub fn import_occupations(
        &mut self,
        actor: &str,
        r: &Richiesta,
        lines: &[u64],
        today: NaiveDate,
    ) -> Result<Imported> {
        let tx = self.write()?;
        let steps = match plan(&tx, r, lines, today)? {
            Ok(s) => s,
            Err(problems) => return Err(anyhow!(Refused(problems))),
        };
        let at = now();
        let mut report = Imported {
            owner_tax_code: r.owner_tax_code.clone(),
            action: r.action,
            records: r.records.len(),
            inserted: 0,
            updated: 0,
            unchanged: 0,
            unit_states: Vec::new(),
            notes: Vec::new(),
        };
        let mut changed = Vec::new();
        for step in steps {
            match step {
                Step::Unchanged => report.unchanged += 1,
                Step::Insert(o, res) => {
                    write_row(&tx, None, &o, &res, &at)?;
                    if let (Some(u), true) = (res.unit_id, o.is_open()) {
                        report.unit_states.extend(super::set_unit_state(
                            &tx,
                            u,
                            UnitState::OccupiedWithoutTitle,
                            &at,
                        )?);
                    }
                    report.inserted += 1;
                    changed.push(o.code.clone());
                }
                Step::Update {
                    before,
                    after,
                    resolved,
                } => {
                    write_row(&tx, Some(before.id), &after, &resolved, &at)?;
                    if let Some(u) = resolved.unit_id {
                        if after.is_open() {
                            report.unit_states.extend(super::set_unit_state(
                                &tx,
                                u,
                                UnitState::OccupiedWithoutTitle,
                                &at,
                            )?);
                        } else if before.record.is_open()
                            && super::other_open(&tx, u, before.id)? == 0
                        {
                            report.notes.push(format!(
                                "occupazione {} cessata: l'alloggio {u} resta nel suo stato, aggiornarlo dall'anagrafe",
                                after.code
                            ));
                        }
                    }
                    report.updated += 1;
                    changed.push(after.code.clone());
                }
            }
        }
        if !changed.is_empty() {
            audit::record(
                &tx,
                Entry {
                    operator: actor,
                    action: "occupazioni.importa",
                    entity: "owner",
                    entity_id: Some(r.owner_tax_code.clone()),
                    before: None,
                    after: Some(serde_json::json!({
                        "azione": r.action.code(),
                        "inserite": report.inserted,
                        "modificate": report.updated,
                        "occupazioni": changed,
                    })),
                },
            )?;
        }
        tx.commit()?;
        Ok(report)
    }
}

/// For tests and the service: one stored record by id, with members.
pub fn stored(conn: &Connection, id: i64) -> Result<Stored> {
    get(conn, id)?.ok_or_else(|| super::not_found(id))
}

/// The `Invalid` of a single record, as import problems (for the form and the CLI alike).
pub fn as_problems(i: &Invalid, element: &str) -> Vec<XmlProblem> {
    i.0.iter()
        .map(|p| XmlProblem {
            line: 0,
            element: element.to_string(),
            attribute: Some(p.attribute.clone()),
            message: p.message.clone(),
        })
        .collect()
}

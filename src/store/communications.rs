//! Owners' communications (SCHEMA COMUNICAZIONE ANNUALE) for a plan: who must file, drafts,
//! filings with their receipts, history, and the capofila's overview. Validation and the window
//! rules live in `domain`; saves are guarded by the communication's version.

use super::audit::{self, Entry};
use super::certification::{self, Certification, Refused};
use super::{Store, now, owners, plans};
use crate::domain::communication::{
    self, CommunicationState, Counts, Form, FormInput, Pct, Shares,
};
use crate::domain::registry::OwnerKind;
use crate::rules::RuleSet;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::Serialize;

/// Creates the missing communications of a plan: every Comune of the district, and every owner
/// with units in the district's comuni.
pub fn ensure_for_plan(conn: &Connection, plan_id: i64, district_id: i64) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO communication (plan_id, owner_id, state)
         SELECT ?1, o.id, 'DA COMPILARE' FROM owner o
           JOIN district_municipality dm ON dm.istat_code = o.istat_code
          WHERE dm.district_id = ?2 AND o.kind = 1
         UNION
         SELECT ?1, t.owner_id, 'DA COMPILARE' FROM unit_tally t
           JOIN district_municipality dm ON dm.istat_code = t.istat_code
          WHERE dm.district_id = ?2 AND t.n > 0",
        params![plan_id, district_id],
    )?;
    Ok(())
}

/// The rule set a plan recorded when it was created.
pub fn rules_of(plan: &plans::Plan) -> Result<&'static RuleSet> {
    let sets = crate::rules::builtin().map_err(|e| anyhow!(e.0))?;
    sets.iter()
        .find(|s| s.cite == plan.rule_set)
        .ok_or_else(|| {
            anyhow!(
                "insieme di regole '{}' del piano non disponibile",
                plan.rule_set
            )
        })
}

/// What the registry suggests for the form: the owner's units in the district's comuni marked
/// for the plan's year, by state. The operator confirms or corrects them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Prefill {
    /// LIBERO: suggested for turn-over (e).
    pub libero: i64,
    /// SFITTO PER CARENZE MANUTENTIVE: suggested for (b).
    pub carenze: i64,
    /// SFITTO PER RISTRUTTURAZIONE: suggested for (c+d).
    pub ristrutturazione: i64,
}

pub fn prefill(conn: &Connection, plan: &plans::Plan, owner_id: i64) -> Result<Prefill> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.state, sum(t.n) FROM unit_tally t
           JOIN district_municipality dm ON dm.istat_code = t.istat_code
          WHERE t.owner_id = ?1 AND dm.district_id = ?2 AND t.plan_year = ?3 AND t.state IN (1, 3, 4)
          GROUP BY t.state",
    )?;
    let rows = stmt.query_map(params![owner_id, plan.district_id, plan.year], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?))
    })?;
    let mut p = Prefill::default();
    for row in rows {
        match row? {
            (1, n) => p.libero = n,
            (3, n) => p.carenze = n,
            (_, n) => p.ristrutturazione = n,
        }
    }
    Ok(p)
}

/// One transmission with its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Filing {
    pub id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    /// ID di trasmissione telematica.
    pub transmission_id: String,
    /// Data e ora di ricezione (UTC, RFC 3339).
    pub received_at: String,
    pub operator: String,
    pub form: Form,
    /// g = b + (c+d) + e + f.
    pub total: i64,
    pub superseded_by: Option<i64>,
}

/// One owner's line in a plan: its communication and its certification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Communication {
    pub id: i64,
    pub plan_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub owner_kind: String,
    pub state: CommunicationState,
    pub version: i64,
    pub updated_at: Option<String>,
    pub updated_by: Option<String>,
    /// A saved, not yet transmitted form.
    pub draft: Option<Form>,
    /// The filing in force (the newest).
    pub filing: Option<Filing>,
    pub last_certification: Option<Certification>,
    /// Whether the last certification was made after the window opened (filing needs it).
    pub certified_for_plan: bool,
}

const FILING_SELECT: &str =
    "SELECT f.id, c.owner_id, o.name, f.transmission_id, f.received_at, f.operator,
        f.carenze, f.nuove, f.turnover, f.privati, f.sat, f.assegnate, f.total,
        f.indigent_excess, f.elderly, f.single_parent, f.disabled, f.new_family, f.police,
        f.other_name, f.other, f.superseded_by
     FROM communication_filing f JOIN communication c ON c.id = f.communication_id
     JOIN owner o ON o.id = c.owner_id";

fn pct(r: &Row, i: usize) -> rusqlite::Result<Option<Pct>> {
    Ok(r.get::<_, Option<u32>>(i)?.map(Pct))
}

fn filing_row(r: &Row) -> rusqlite::Result<Filing> {
    Ok(Filing {
        id: r.get(0)?,
        owner_id: r.get(1)?,
        owner_name: r.get(2)?,
        transmission_id: r.get(3)?,
        received_at: r.get(4)?,
        operator: r.get(5)?,
        form: Form {
            counts: Counts {
                carenze: r.get(6)?,
                nuove: r.get(7)?,
                turnover: r.get(8)?,
                privati: r.get(9)?,
                sat: r.get(10)?,
                assegnate: r.get(11)?,
            },
            shares: Shares {
                indigent_excess: pct(r, 13)?,
                elderly: pct(r, 14)?,
                single_parent: pct(r, 15)?,
                disabled: pct(r, 16)?,
                new_family: pct(r, 17)?,
                police: pct(r, 18)?,
                other_name: r.get(19)?,
                other: pct(r, 20)?,
            },
        },
        total: r.get(12)?,
        superseded_by: r.get(21)?,
    })
}

/// Every filing of a plan (optionally of one owner), by owner and then oldest first.
pub fn history(conn: &Connection, plan_id: i64, owner_id: Option<i64>) -> Result<Vec<Filing>> {
    let mut stmt = conn.prepare(&format!(
        "{FILING_SELECT} WHERE c.plan_id = ?1 AND (?2 IS NULL OR c.owner_id = ?2)
         ORDER BY o.name, c.owner_id, f.id"
    ))?;
    let rows = stmt.query_map(params![plan_id, owner_id], filing_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn current_filing(conn: &Connection, communication_id: i64) -> Result<Option<Filing>> {
    Ok(conn
        .query_row(
            &format!("{FILING_SELECT} WHERE f.communication_id = ?1 AND f.superseded_by IS NULL"),
            [communication_id],
            filing_row,
        )
        .optional()?)
}

/// The communications of a plan (optionally of one owner), Comuni first, then by name.
pub fn list(
    conn: &Connection,
    plan: &plans::Plan,
    owner_id: Option<i64>,
) -> Result<Vec<Communication>> {
    let mut stmt = conn.prepare(
        "SELECT c.id, c.owner_id, o.name, o.kind, c.state, c.version, c.updated_at, c.updated_by, c.draft
         FROM communication c JOIN owner o ON o.id = c.owner_id
         WHERE c.plan_id = ?1 AND (?2 IS NULL OR c.owner_id = ?2)
         ORDER BY o.kind, o.name",
    )?;
    let rows = stmt
        .query_map(params![plan.id, owner_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, owner_id, owner_name, kind, state, version, updated_at, updated_by, draft) in rows {
        let last = certification::last(conn, owner_id)?;
        let certified_for_plan = certified_since(last.as_ref(), plan.opened_at.as_deref());
        out.push(Communication {
            id,
            plan_id: plan.id,
            owner_id,
            owner_name,
            owner_kind: OwnerKind::from_code(kind)
                .map(|k| k.label().to_string())
                .unwrap_or_default(),
            state: CommunicationState::from_db(&state).unwrap_or(CommunicationState::ToFill),
            version,
            updated_at,
            updated_by,
            draft: draft.map(|d| serde_json::from_str(&d)).transpose()?,
            filing: current_filing(conn, id)?,
            last_certification: last,
            certified_for_plan,
        });
    }
    Ok(out)
}

/// A certification counts for a plan when made at or after the window first opened (both are
/// UTC RFC 3339 texts, which order as strings).
fn certified_since(last: Option<&Certification>, opened_at: Option<&str>) -> bool {
    match (last, opened_at) {
        (Some(c), Some(opened)) => c.at.as_str() >= opened,
        _ => false,
    }
}

/// Save a draft (IN COMPILAZIONE) or transmit (TRASMESSA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    Draft,
    File,
}

/// A save request: whose communication, the form as typed, the version the caller read.
#[derive(Debug, Clone, Copy)]
pub struct Save<'a> {
    pub plan_id: i64,
    pub owner_id: i64,
    pub input: &'a FormInput,
    pub expected_version: Option<i64>,
    pub mode: SaveMode,
    pub today: NaiveDate,
}

/// What a save returns: the communication's new version and, for a filing, its receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Saved {
    pub plan_id: i64,
    pub owner_id: i64,
    pub state: CommunicationState,
    pub version: i64,
    pub receipt: Option<Filing>,
}

impl Store {
    /// Saves an owner's communication for a plan on `today`. `expected_version` is the version
    /// the caller read: when another session saved meanwhile the save is refused, never applied
    /// over the other one.
    pub fn save_communication(&mut self, actor: &str, save: Save<'_>) -> Result<Saved> {
        let Save {
            plan_id,
            owner_id,
            input,
            expected_version,
            mode,
            today,
        } = save;
        let owner = owners::owner_by_id(self.conn(), owner_id)?
            .ok_or_else(|| anyhow!(Refused(format!("ente {owner_id} non trovato"))))?;
        let tx = self.write()?;
        let plan = plans::get(&tx, plan_id)?;
        plan.window()
            .check_filing(today)
            .map_err(|e| Refused(e.0))?;
        let row: Option<(i64, i64, Option<String>, Option<String>)> = tx
            .query_row(
                "SELECT id, version, updated_by, updated_at FROM communication
                 WHERE plan_id = ?1 AND owner_id = ?2",
                params![plan_id, owner_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()?;
        let Some((communication_id, version, updated_by, updated_at)) = row else {
            return Err(Refused(format!(
                "{} non ha una comunicazione nel piano {plan_id} (non è un ente dell'ambito {})",
                owner.name, plan.district_code
            ))
            .into());
        };
        if let Some(read) = expected_version
            && read != version
        {
            return Err(Refused(format!(
                "la comunicazione di {} è stata modificata da un'altra sessione dopo la lettura (versione letta {read}, attuale {version}, salvata da {} il {}): rileggerla con `casa comm show` e ripetere il salvataggio",
                owner.name,
                updated_by.unwrap_or_default(),
                updated_at.unwrap_or_default()
            ))
            .into());
        }
        let rules = rules_of(&plan)?;
        let form = communication::validate(input, owner.kind, rules).map_err(|errors| {
            Refused(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let before = list(&tx, &plan, Some(owner_id))?.into_iter().next();
        let at = now();
        let (state, receipt) = match mode {
            SaveMode::Draft => {
                tx.execute(
                    "UPDATE communication SET draft = ?2,
                         state = CASE WHEN state = 'TRASMESSA' THEN state ELSE 'IN COMPILAZIONE' END,
                         version = version + 1, updated_at = ?3, updated_by = ?4
                     WHERE id = ?1",
                    params![communication_id, serde_json::to_string(&form)?, at, actor],
                )?;
                let state: String = tx.query_row(
                    "SELECT state FROM communication WHERE id = ?1",
                    [communication_id],
                    |r| r.get(0),
                )?;
                (
                    CommunicationState::from_db(&state).unwrap_or(CommunicationState::Drafting),
                    None,
                )
            }
            SaveMode::File => {
                let last = certification::last(&tx, owner_id)?;
                if !certified_since(last.as_ref(), plan.opened_at.as_deref()) {
                    return Err(Refused(format!(
                        "{} deve prima certificare l'anagrafe (o dichiarare di non avere alloggi) dopo l'apertura della finestra del {}: casa certification certify",
                        owner.name,
                        plan.opened_at.as_deref().unwrap_or("-")
                    ))
                    .into());
                }
                let filing_id = insert_filing(&tx, communication_id, plan.year, &form, &at, actor)?;
                tx.execute(
                    "UPDATE communication SET state = 'TRASMESSA', draft = NULL, version = version + 1,
                         updated_at = ?2, updated_by = ?3
                     WHERE id = ?1",
                    params![communication_id, at, actor],
                )?;
                let receipt = tx.query_row(
                    &format!("{FILING_SELECT} WHERE f.id = ?1"),
                    [filing_id],
                    filing_row,
                )?;
                (CommunicationState::Filed, Some(receipt))
            }
        };
        let after = list(&tx, &plan, Some(owner_id))?.into_iter().next();
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: match mode {
                    SaveMode::Draft => "comunicazione.salva",
                    SaveMode::File => "comunicazione.trasmetti",
                },
                entity: "communication",
                entity_id: Some(communication_id.to_string()),
                before: Some(serde_json::to_value(&before)?),
                after: Some(serde_json::to_value(&after)?),
            },
        )?;
        tx.commit()?;
        Ok(Saved {
            plan_id,
            owner_id,
            state,
            version: version + 1,
            receipt,
        })
    }
}

/// Writes a filing and marks the previous one superseded; returns the new id.
fn insert_filing(
    conn: &Connection,
    communication_id: i64,
    year: i32,
    form: &Form,
    at: &str,
    operator: &str,
) -> Result<i64> {
    // Inside BEGIN IMMEDIATE nobody else writes, so max(id) + 1 is ours and the transmission
    // id can be made from it in the same insert.
    let id: i64 = conn.query_row(
        "SELECT ifnull(max(id), 0) + 1 FROM communication_filing",
        [],
        |r| r.get(0),
    )?;
    let transmission_id = format!("PA{year}-{id:07}");
    let c = &form.counts;
    let s = &form.shares;
    let p = |v: Option<Pct>| v.map(|p| p.0);
    conn.execute(
        "INSERT INTO communication_filing
             (id, communication_id, transmission_id, received_at, operator, carenze, nuove, turnover,
              privati, total, sat, assegnate, indigent_excess, elderly, single_parent, disabled,
              new_family, police, other_name, other)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
        params![
            id,
            communication_id,
            transmission_id,
            at,
            operator,
            c.carenze,
            c.nuove,
            c.turnover,
            c.privati,
            c.total()
                .ok_or_else(|| anyhow::anyhow!("totale delle unità fuori misura"))?,
            c.sat,
            c.assegnate,
            p(s.indigent_excess),
            p(s.elderly),
            p(s.single_parent),
            p(s.disabled),
            p(s.new_family),
            p(s.police),
            s.other_name,
            p(s.other)
        ],
    )?;
    conn.execute(
        "UPDATE communication_filing SET superseded_by = ?1
         WHERE communication_id = ?2 AND id <> ?1 AND superseded_by IS NULL",
        params![id, communication_id],
    )?;
    Ok(id)
}

//! Districts as the Regione configures them: create, rename, member comuni, the act naming the
//! capofila. Each change is one transaction with its audit record (the district card before
//! and after). Plans and notices keep the capofila they were made under (migration 10's
//! triggers); the capofila operators of a district whose comune is no longer its capofila stop
//! acting as such.

use super::audit::{self, Entry};
use super::certification::Refused;
use super::owners::{self, DistrictRef};
use super::{Store, now};
use anyhow::{Result, anyhow, bail};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A member comune.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub istat_code: String,
    pub name: String,
    pub province: String,
}

/// An act naming a capofila.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadAct {
    pub id: i64,
    pub istat_code: String,
    pub comune: String,
    pub act_date: String,
    pub act_reference: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

/// A district with its members and the acts naming its capofila (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DistrictCard {
    pub district: DistrictRef,
    pub version: i64,
    /// When the Regione last changed it (None: as the reference data made it).
    pub configured_at: Option<String>,
    pub members: Vec<Member>,
    pub leads: Vec<LeadAct>,
}

/// The card of district `id`.
pub fn card(conn: &Connection, id: i64) -> Result<Option<DistrictCard>> {
    let Some(district) = owners::district_by_id(conn, id)? else {
        return Ok(None);
    };
    let (version, configured_at): (i64, Option<String>) = conn.query_row(
        "SELECT version, configured_at FROM district WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let members = conn
        .prepare_cached(
            "SELECT m.istat_code, m.name, m.province FROM district_municipality dm
               JOIN municipality m ON m.istat_code = dm.istat_code
              WHERE dm.district_id = ?1 ORDER BY m.name COLLATE NOCASE",
        )?
        .query_map([id], |r| {
            Ok(Member {
                istat_code: r.get(0)?,
                name: r.get(1)?,
                province: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let leads = conn
        .prepare_cached(
            "SELECT l.id, l.istat_code, m.name, l.act_date, l.act_reference, l.recorded_at,
                    l.recorded_by
               FROM district_lead l JOIN municipality m ON m.istat_code = l.istat_code
              WHERE l.district_id = ?1 ORDER BY l.id DESC",
        )?
        .query_map([id], |r| {
            Ok(LeadAct {
                id: r.get(0)?,
                istat_code: r.get(1)?,
                comune: r.get(2)?,
                act_date: r.get(3)?,
                act_reference: r.get(4)?,
                recorded_at: r.get(5)?,
                recorded_by: r.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(Some(DistrictCard {
        district,
        version,
        configured_at,
        members,
        leads,
    }))
}

fn card_json(conn: &Connection, id: i64) -> Result<serde_json::Value> {
    let c = card(conn, id)?.ok_or_else(|| anyhow!("ambito {id} non trovato"))?;
    Ok(serde_json::json!({
        "codice": c.district.code,
        "nome": c.district.name,
        "capofila": c.district.lead_istat,
        "comuni": c.members.iter().map(|m| &m.istat_code).collect::<Vec<_>>(),
        "atto_capofila": c.leads.first(),
    }))
}

/// The comuni of `istat` that the database does not know, and those in another district.
fn check_free(conn: &Connection, district_id: Option<i64>, istat: &[String]) -> Result<()> {
    for code in istat {
        let known: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM municipality WHERE istat_code = ?1)")?
            .query_row([code], |r| r.get(0))?;
        if !known {
            bail!(Refused(format!("comune {code} sconosciuto (codice ISTAT)")));
        }
        let other: Option<(i64, String)> = conn
            .prepare_cached(
                "SELECT d.id, d.code FROM district_municipality dm JOIN district d ON d.id = dm.district_id
                  WHERE dm.istat_code = ?1",
            )?
            .query_row([code], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((id, other)) = other
            && Some(id) != district_id
        {
            bail!(Refused(format!(
                "il comune {code} fa già parte dell'ambito {other}: toglierlo prima da quello (casa districts comuni {other} --remove {code})"
            )));
        }
    }
    Ok(())
}

/// Version check of a change the operator prepared on a card read at `version`.
fn check_version(conn: &Connection, id: i64, version: Option<i64>) -> Result<()> {
    if let Some(v) = version {
        let now_v: i64 =
            conn.query_row("SELECT version FROM district WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        if now_v != v {
            bail!(Refused(format!(
                "l'ambito è stato modificato da un'altra sessione dopo la lettura (versione {now_v}, non {v}): rileggerlo"
            )));
        }
    }
    Ok(())
}

fn touch(conn: &Connection, id: i64) -> Result<()> {
    conn.execute(
        "UPDATE district SET version = version + 1, configured_at = ?2 WHERE id = ?1",
        params![id, now()],
    )?;
    Ok(())
}

fn record(
    conn: &Connection,
    actor: &str,
    action: &str,
    id: i64,
    before: Option<serde_json::Value>,
    extra: Option<(&str, serde_json::Value)>,
) -> Result<()> {
    let mut after = card_json(conn, id)?;
    if let (Some((k, v)), Some(o)) = (extra, after.as_object_mut()) {
        o.insert(k.to_string(), v);
    }
    let code: String = conn.query_row("SELECT code FROM district WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    audit::record(
        conn,
        Entry {
            operator: actor,
            action,
            entity: "district",
            entity_id: Some(code),
            before,
            after: Some(after),
        },
    )?;
    Ok(())
}

impl Store {
    /// A new district with its member comuni (none in another district).
    pub fn create_district(
        &mut self,
        actor: &str,
        code: &str,
        name: &str,
        members: &[String],
    ) -> Result<i64> {
        let tx = self.write()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM district WHERE code = ?1 COLLATE NOCASE)",
            [code],
            |r| r.get(0),
        )?;
        if exists {
            bail!(Refused(format!("esiste già un ambito con codice {code}")));
        }
        check_free(&tx, None, members)?;
        tx.execute(
            "INSERT INTO district (code, name, granularity, synthetic, source, lead_confirmed, configured_at)
             VALUES (?1, ?2, 'ambito', 0, 'Regione Lombardia', 0, ?3)",
            params![code, name, now()],
        )?;
        let id = tx.last_insert_rowid();
        for m in members {
            tx.execute(
                "INSERT INTO district_municipality (istat_code, district_id, source) VALUES (?1, ?2, 'Regione Lombardia')",
                params![m, id],
            )?;
        }
        record(&tx, actor, "ambito.crea", id, None, None)?;
        tx.commit()?;
        Ok(id)
    }

    /// Renames district `id`; false when the name was already that (nothing written).
    pub fn rename_district(
        &mut self,
        actor: &str,
        id: i64,
        name: &str,
        version: Option<i64>,
    ) -> Result<bool> {
        let tx = self.write()?;
        check_version(&tx, id, version)?;
        let before = card_json(&tx, id)?;
        let n = tx.execute(
            "UPDATE district SET name = ?2 WHERE id = ?1 AND name <> ?2",
            params![id, name],
        )?;
        if n == 0 {
            return Ok(false);
        }
        touch(&tx, id)?;
        record(&tx, actor, "ambito.rinomina", id, Some(before), None)?;
        tx.commit()?;
        Ok(true)
    }

    /// Adds and removes member comuni of district `id` (the capofila cannot leave); returns
    /// how many memberships changed (none: nothing written).
    pub fn change_members(
        &mut self,
        actor: &str,
        id: i64,
        add: &[String],
        remove: &[String],
        version: Option<i64>,
    ) -> Result<usize> {
        let tx = self.write()?;
        check_version(&tx, id, version)?;
        let before = card_json(&tx, id)?;
        check_free(&tx, Some(id), add)?;
        let lead: Option<String> =
            tx.query_row("SELECT lead_istat FROM district WHERE id = ?1", [id], |r| {
                r.get(0)
            })?;
        let mut changed = 0;
        for r in remove {
            if lead.as_deref() == Some(r.as_str()) {
                bail!(Refused(format!(
                    "il comune {r} è il capofila dell'ambito: nominare prima un altro capofila"
                )));
            }
            changed += tx.execute(
                "DELETE FROM district_municipality WHERE istat_code = ?1 AND district_id = ?2",
                params![r, id],
            )?;
        }
        for a in add {
            changed += tx.execute(
                "INSERT OR IGNORE INTO district_municipality (istat_code, district_id, source)
                 VALUES (?1, ?2, 'Regione Lombardia')",
                params![a, id],
            )?;
        }
        if changed == 0 {
            return Ok(0);
        }
        touch(&tx, id)?;
        record(&tx, actor, "ambito.comuni", id, Some(before), None)?;
        tx.commit()?;
        Ok(changed)
    }

    /// Records the act naming comune `istat` (a member) capofila of district `id`. The
    /// capofila operators of the district who do not work for that comune go back to being
    /// operators of their own owners; their usernames are returned.
    pub fn set_capofila(
        &mut self,
        actor: &str,
        id: i64,
        istat: &str,
        act_date: NaiveDate,
        act_reference: &str,
        version: Option<i64>,
    ) -> Result<Vec<String>> {
        let tx = self.write()?;
        check_version(&tx, id, version)?;
        let before = card_json(&tx, id)?;
        let member: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM district_municipality WHERE istat_code = ?1 AND district_id = ?2)",
            params![istat, id],
            |r| r.get(0),
        )?;
        if !member {
            bail!(Refused(format!(
                "il comune {istat} non fa parte dell'ambito: aggiungerlo prima ai suoi comuni"
            )));
        }
        tx.execute(
            "INSERT INTO district_lead (district_id, istat_code, act_date, act_reference, recorded_at, recorded_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, istat, act_date.to_string(), act_reference, now(), actor],
        )?;
        tx.execute(
            "UPDATE district SET lead_istat = ?2, lead_note = ?3, lead_confirmed = 1 WHERE id = ?1",
            params![id, istat, act_reference],
        )?;
        let demoted: Vec<String> = tx
            .prepare(
                "SELECT o.username FROM operator o
                  WHERE o.role = 'CAPOFILA' AND o.district_id = ?1
                    AND NOT EXISTS (SELECT 1 FROM operator_grant g JOIN owner w ON w.id = g.owner_id
                                     WHERE g.operator_id = o.id AND w.istat_code = ?2)
                  ORDER BY o.username",
            )?
            .query_map(params![id, istat], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for u in &demoted {
            tx.execute(
                "UPDATE operator SET role = 'ENTE', district_id = NULL, version = version + 1
                  WHERE username = ?1",
                [u],
            )?;
        }
        touch(&tx, id)?;
        record(
            &tx,
            actor,
            "ambito.capofila",
            id,
            Some(before),
            Some(("operatori_non_piu_capofila", serde_json::json!(demoted))),
        )?;
        tx.commit()?;
        Ok(demoted)
    }
}

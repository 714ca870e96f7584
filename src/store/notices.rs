//! Notices (avvisi): a district's call for applications, with the rule set recorded when it
//! is created and the units it offers (the district's units marked in avviso at that moment).

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, now, rule_sets};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    pub id: i64,
    pub district_id: i64,
    pub district_code: String,
    pub district_name: String,
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub rule_set_id: i64,
    pub rule_set: String,
    /// APERTO or CHIUSO as stored; `is_closed` also applies the closing date.
    pub state: String,
    pub created_at: String,
    pub created_by: String,
    pub closed_at: Option<String>,
    pub units: i64,
    pub applications: i64,
    pub version: i64,
}

impl Notice {
    pub fn is_closed(&self, today: NaiveDate) -> bool {
        self.state == "CHIUSO" || today > self.closes_on
    }

    pub fn effective_state(&self, today: NaiveDate) -> &'static str {
        if self.is_closed(today) {
            "CHIUSO"
        } else if today < self.opens_on {
            "IN ATTESA"
        } else {
            "APERTO"
        }
    }
}

/// Longest notice title.
const MAX_TITLE_CHARS: usize = 200;

const SELECT: &str = "SELECT n.id, n.district_id, d.code, d.name, n.title, n.opens_on, n.closes_on,
        n.rule_set_id, r.cite, r.version, n.state, n.created_at, n.created_by, n.closed_at,
        (SELECT count(*) FROM notice_unit u WHERE u.notice_id = n.id),
        (SELECT count(*) FROM application a WHERE a.notice_id = n.id),
        n.version
     FROM notice n JOIN district d ON d.id = n.district_id JOIN rule_set r ON r.id = n.rule_set_id";

fn date(s: String) -> rusqlite::Result<NaiveDate> {
    s.parse().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

fn row(r: &rusqlite::Row) -> rusqlite::Result<Notice> {
    let cite: String = r.get(8)?;
    let version: i64 = r.get(9)?;
    Ok(Notice {
        id: r.get(0)?,
        district_id: r.get(1)?,
        district_code: r.get(2)?,
        district_name: r.get(3)?,
        title: r.get(4)?,
        opens_on: date(r.get(5)?)?,
        closes_on: date(r.get(6)?)?,
        rule_set_id: r.get(7)?,
        rule_set: if version == 1 {
            cite
        } else {
            format!("{cite} v{version}")
        },
        state: r.get(10)?,
        created_at: r.get(11)?,
        created_by: r.get(12)?,
        closed_at: r.get(13)?,
        units: r.get(14)?,
        applications: r.get(15)?,
        version: r.get(16)?,
    })
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Notice>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE n.id = ?1"), [id], row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Notice> {
    by_id(conn, id)?.ok_or_else(|| anyhow!(Refused(format!("avviso {id} non trovato"))))
}

/// Notices, newest first; of one district if given.
pub fn list(conn: &Connection, district_id: Option<i64>) -> Result<Vec<Notice>> {
    let mut out = Vec::new();
    match district_id {
        Some(d) => {
            let mut stmt = conn.prepare(&format!(
                "{SELECT} WHERE n.district_id = ?1 ORDER BY n.id DESC"
            ))?;
            for n in stmt.query_map([d], row)? {
                out.push(n?);
            }
        }
        None => {
            // A range on the key, newest first: every notice, read by the primary key.
            let mut stmt = conn.prepare(&format!("{SELECT} WHERE n.id > 0 ORDER BY n.id DESC"))?;
            for n in stmt.query_map([], row)? {
                out.push(n?);
            }
        }
    }
    Ok(out)
}

/// A notice to create.
pub struct NewNotice<'a> {
    pub district_id: i64,
    pub title: &'a str,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// A rule set by id or citation (`rule_sets::find`); `None`: the one in force on the
    /// opening day.
    pub rule_set: Option<&'a str>,
}

impl Store {
    /// Creates a notice (capofila of the district). The rule set is recorded now and never
    /// changes; the units offered are the district's units marked in avviso now.
    pub fn create_notice(&mut self, actor: &str, new: NewNotice<'_>) -> Result<Notice> {
        let title = new.title.trim();
        if title.is_empty() {
            return Err(Refused("il titolo dell'avviso è obbligatorio".into()).into());
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(Refused(format!(
                "il titolo dell'avviso è troppo lungo (al massimo {MAX_TITLE_CHARS} caratteri)"
            ))
            .into());
        }
        crate::safe_text::check_printable(title)
            .map_err(|reason| Refused(format!("il titolo dell'avviso {reason}")))?;
        let tx = self.write()?;
        rule_sets::sync_builtin(&tx, actor)?;
        // Found after the shipped rule sets are stored, in the same transaction: a rule set
        // that is not found leaves nothing behind.
        let stored = match new.rule_set {
            Some(what) => rule_sets::find(&tx, what)?,
            None => rule_sets::in_force_on(&tx, new.opens_on)?.ok_or_else(|| {
                anyhow!(Refused(format!(
                    "nessun insieme di regole in vigore il {}",
                    new.opens_on.format("%d/%m/%Y")
                )))
            })?,
        };
        let (_, set) = rule_sets::load_parsed(&tx, stored.id)?;
        let ranking = set.ranking().map_err(|e| anyhow!(Refused(e.0)))?;
        let days = (new.closes_on - new.opens_on).num_days();
        if days < i64::from(ranking.notice_min_days) {
            return Err(Refused(format!(
                "l'avviso deve restare aperto almeno {} giorni: dal {} al {} sono {days} ({})",
                ranking.notice_min_days,
                new.opens_on.format("%d/%m/%Y"),
                new.closes_on.format("%d/%m/%Y"),
                set.cite
            ))
            .into());
        }
        tx.execute(
            "INSERT INTO notice (district_id, title, opens_on, closes_on, rule_set_id, state,
                 created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5, 'APERTO', ?6, ?7)",
            params![
                new.district_id,
                title,
                new.opens_on.to_string(),
                new.closes_on.to_string(),
                stored.id,
                now(),
                actor
            ],
        )?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO notice_unit (notice_id, unit_id)
             SELECT ?1, u.id FROM district_municipality dm
               JOIN unit u INDEXED BY unit_istat_state ON u.istat_code = dm.istat_code
              WHERE dm.district_id = ?2 AND u.in_notice = 1",
            params![id, new.district_id],
        )?;
        let notice = get(&tx, id)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "avviso.crea",
                entity: "notice",
                entity_id: Some(id.to_string()),
                before: None,
                after: Some(serde_json::to_value(&notice)?),
            },
        )?;
        tx.commit()?;
        Ok(notice)
    }

    /// Closes a notice (capofila); before its closing date it is an early close.
    pub fn close_notice(&mut self, actor: &str, id: i64) -> Result<Notice> {
        let tx = self.write()?;
        let before = get(&tx, id)?;
        if before.state == "CHIUSO" {
            return Err(Refused(format!("l'avviso {id} è già chiuso")).into());
        }
        tx.execute(
            "UPDATE notice SET state = 'CHIUSO', closed_at = ?2, closed_by = ?3,
                 version = version + 1 WHERE id = ?1",
            params![id, now(), actor],
        )?;
        let after = get(&tx, id)?;
        audit::record(
            &tx,
            Entry {
                operator: actor,
                action: "avviso.chiudi",
                entity: "notice",
                entity_id: Some(id.to_string()),
                before: Some(serde_json::to_value(&before)?),
                after: Some(serde_json::to_value(&after)?),
            },
        )?;
        tx.commit()?;
        Ok(after)
    }
}

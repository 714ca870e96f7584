//! Applications (domande) of a notice: stored all together or not at all, read back as the
//! domain's `Application` for the ranking computation and the explanation.

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, notices, now};
use crate::domain::application::{Application, Member, Relationship};
use anyhow::{Result, anyhow};
use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use std::collections::HashMap;

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub notice_id: i64,
    pub new: usize,
    /// Already stored with the same data: left as they are.
    pub unchanged: usize,
    /// Applications whose household is in the register of occupations without title (they
    /// will be refused access when the rankings are computed).
    pub in_register: Vec<super::occupations::register::Hit>,
}

fn join<T: ToString>(v: &[T]) -> String {
    v.iter().map(T::to_string).collect::<Vec<_>>().join(";")
}

fn ts(t: &NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Inserts applications inside `conn`'s open transaction (no checks: the caller's).
pub fn insert_all(conn: &Connection, notice_id: i64, apps: &[Application]) -> Result<()> {
    let at = now();
    let mut app_stmt = conn.prepare_cached(
        "INSERT INTO application (notice_id, code, submitted_at, isee_cents, assets_cents,
             resides_lombardy, works_lombardy, residence_istat, work_istat, years_region,
             years_comune, owned_dwelling_m2, exclusion_on, declared, preferences, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    )?;
    let mut member_stmt = conn.prepare_cached(
        "INSERT INTO application_member (application_id, seq, tax_code, birth_date,
             relationship, disability_pct, attendance)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut residence_stmt = conn.prepare_cached(
        "INSERT INTO application_residence (application_id, istat_code, years) VALUES (?1, ?2, ?3)",
    )?;
    for a in apps {
        app_stmt.execute(params![
            notice_id,
            a.code,
            ts(&a.submitted_at),
            a.isee,
            a.assets,
            a.resides_in_lombardy,
            a.works_in_lombardy,
            a.residence_istat,
            a.work_istat,
            a.years_region,
            a.years_comune,
            a.owned_dwelling_m2,
            a.exclusion_on.map(|d| d.to_string()),
            a.declared.join(";"),
            join(&a.preferences),
            at,
        ])?;
        let id = conn.last_insert_rowid();
        for (i, m) in a.members.iter().enumerate() {
            member_stmt.execute(params![
                id,
                i as i64 + 1,
                m.tax_code,
                m.birth_date.to_string(),
                m.relationship.db(),
                m.disability_pct,
                m.attendance_allowance,
            ])?;
        }
        for (istat, years) in &a.other_comuni_years {
            residence_stmt.execute(params![id, istat, years])?;
        }
    }
    Ok(())
}

fn parse<T: std::str::FromStr>(s: &str, what: &str) -> rusqlite::Result<T> {
    s.parse().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            format!("{what} '{}' non valido", crate::safe_text::excerpt(s)).into(),
        )
    })
}

fn split<T: std::str::FromStr>(s: &str, what: &str) -> rusqlite::Result<Vec<T>> {
    s.split(';')
        .filter(|x| !x.is_empty())
        .map(|x| parse(x, what))
        .collect()
}

const APP_SELECT: &str = "SELECT id, code, submitted_at, isee_cents, assets_cents,
    resides_lombardy, works_lombardy, residence_istat, work_istat, years_region, years_comune,
    owned_dwelling_m2, exclusion_on, declared, preferences FROM application";

fn app_row(r: &rusqlite::Row) -> rusqlite::Result<(i64, Application)> {
    let submitted: String = r.get(2)?;
    let exclusion: Option<String> = r.get(12)?;
    let declared: String = r.get(13)?;
    let prefs: String = r.get(14)?;
    Ok((
        r.get(0)?,
        Application {
            code: r.get(1)?,
            submitted_at: parse(&submitted, "data di presentazione")?,
            members: Vec::new(),
            isee: r.get(3)?,
            assets: r.get(4)?,
            resides_in_lombardy: r.get(5)?,
            works_in_lombardy: r.get(6)?,
            residence_istat: r.get(7)?,
            work_istat: r.get(8)?,
            years_region: r.get(9)?,
            years_comune: r.get(10)?,
            other_comuni_years: Vec::new(),
            owned_dwelling_m2: r.get(11)?,
            exclusion_on: exclusion
                .map(|d| parse::<NaiveDate>(&d, "data"))
                .transpose()?,
            declared: split(&declared, "condizione")?,
            preferences: split(&prefs, "alloggio")?,
        },
    ))
}

fn member_row(r: &rusqlite::Row) -> rusqlite::Result<(i64, Member)> {
    let birth: String = r.get(2)?;
    let rel: String = r.get(3)?;
    Ok((
        r.get(0)?,
        Member {
            tax_code: r.get(1)?,
            birth_date: parse(&birth, "data di nascita")?,
            relationship: Relationship::parse(&rel).unwrap_or(Relationship::Altro),
            disability_pct: r.get(4)?,
            attendance_allowance: r.get(5)?,
        },
    ))
}

/// Every application of a notice with its members, by id: two ordered reads merged.
pub fn load_all(conn: &Connection, notice_id: i64) -> Result<Vec<(i64, Application)>> {
    let mut apps: Vec<(i64, Application)> = {
        let mut stmt = conn.prepare(&format!("{APP_SELECT} WHERE notice_id = ?1 ORDER BY id"))?;
        stmt.query_map([notice_id], app_row)?
            .collect::<rusqlite::Result<_>>()?
    };
    let index: HashMap<i64, usize> = apps
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    let mut stmt = conn.prepare(
        "SELECT m.application_id, m.tax_code, m.birth_date, m.relationship, m.disability_pct,
                m.attendance
         FROM application a INDEXED BY application_notice
           JOIN application_member m ON m.application_id = a.id
         WHERE a.notice_id = ?1 ORDER BY m.application_id, m.seq",
    )?;
    for m in stmt.query_map([notice_id], member_row)? {
        let (id, member) = m?;
        if let Some(i) = index.get(&id) {
            apps[*i].1.members.push(member);
        }
    }
    let mut stmt = conn.prepare(
        "SELECT r.application_id, r.istat_code, r.years
         FROM application a INDEXED BY application_notice
           JOIN application_residence r ON r.application_id = a.id
         WHERE a.notice_id = ?1 ORDER BY r.application_id, r.istat_code",
    )?;
    for row in stmt.query_map([notice_id], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get(2)?))
    })? {
        let (id, istat, years) = row?;
        if let Some(i) = index.get(&id) {
            apps[*i].1.other_comuni_years.push((istat, years));
        }
    }
    Ok(apps)
}

/// One application by ID domanda.
pub fn by_code(
    conn: &Connection,
    notice_id: i64,
    code: &str,
) -> Result<Option<(i64, Application)>> {
    let found = conn
        .query_row(
            &format!("{APP_SELECT} WHERE notice_id = ?1 AND code = ?2"),
            params![notice_id, code.trim()],
            app_row,
        )
        .optional()?;
    let Some((id, mut app)) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(
        "SELECT application_id, tax_code, birth_date, relationship, disability_pct, attendance
         FROM application_member WHERE application_id = ?1 ORDER BY seq",
    )?;
    for m in stmt.query_map([id], member_row)? {
        app.members.push(m?.1);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT istat_code, years FROM application_residence
          WHERE application_id = ?1 ORDER BY istat_code",
    )?;
    for r in stmt.query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))? {
        app.other_comuni_years.push(r?);
    }
    Ok(Some((id, app)))
}

/// The notice an application code belongs to when it is unique across notices.
pub fn notices_with_code(conn: &Connection, code: &str) -> Result<Vec<i64>> {
    // Each notice is probed through its (notice_id, code) key: there are few notices.
    let mut out = Vec::new();
    let mut stmt =
        conn.prepare_cached("SELECT 1 FROM application WHERE notice_id = ?1 AND code = ?2")?;
    for n in notices::list(conn, None)? {
        if stmt.exists(params![n.id, code.trim()])? {
            out.push(n.id);
        }
    }
    Ok(out)
}

impl Store {
    /// Stores the applications of a notice in one transaction with one audit record: all of
    /// them or none. An ID domanda already stored with the same data is left as it is; with
    /// different data the whole import is refused (an application does not change after
    /// submission; a later disability is a correction of the ranking).
    pub fn import_applications(
        &mut self,
        actor: &str,
        notice_id: i64,
        apps: &[Application],
    ) -> Result<Imported> {
        let notice = notices::get(self.conn(), notice_id)?;
        let tx = self.write()?;
        let final_rankings: i64 = tx.query_row(
            "SELECT count(*) FROM ranking INDEXED BY ranking_notice
             WHERE notice_id = ?1 AND state = 'DEFINITIVA'",
            [notice_id],
            |r| r.get(0),
        )?;
        if final_rankings > 0 {
            return Err(Refused(format!(
                "le graduatorie dell'avviso {notice_id} sono definitive: non si aggiungono domande"
            ))
            .into());
        }
        let mut fresh = Vec::with_capacity(apps.len());
        let mut unchanged = 0;
        let mut conflicts = Vec::new();
        for a in apps {
            match by_code(&tx, notice_id, &a.code)? {
                None => fresh.push(a.clone()),
                Some((_, stored)) if &stored == a => unchanged += 1,
                Some(_) => conflicts.push(a.code.clone()),
            }
        }
        if !conflicts.is_empty() {
            let shown: Vec<&str> = conflicts.iter().take(10).map(String::as_str).collect();
            return Err(Refused(format!(
                "{} domande già presenti nell'avviso con dati diversi (es. {}): una domanda non cambia dopo la presentazione; nulla è stato importato",
                conflicts.len(),
                shown.join(", ")
            ))
            .into());
        }
        insert_all(&tx, notice_id, &fresh)?;
        let (_, set) = super::rule_sets::load_parsed(&tx, notice.rule_set_id)?;
        let in_register = match set.ranking() {
            Ok(rules) => {
                super::occupations::register::check_applications(&tx, rules, &set.cite, apps)?
            }
            Err(_) => Vec::new(),
        };
        let summary = Imported {
            notice_id,
            new: fresh.len(),
            unchanged,
            in_register,
        };
        if !fresh.is_empty() {
            audit::record(
                &tx,
                Entry {
                    operator: actor,
                    action: "domande.importa",
                    entity: "notice",
                    entity_id: Some(notice_id.to_string()),
                    before: None,
                    after: Some(serde_json::to_value(&summary)?),
                },
            )?;
        }
        tx.commit()?;
        Ok(summary)
    }
}

/// For errors that name the application.
pub fn not_found(notice_id: i64, code: &str) -> anyhow::Error {
    anyhow!(Refused(format!(
        "domanda '{}' non trovata nell'avviso {notice_id}",
        code.trim()
    )))
}

//! The audit trail as the Regione and the helpdesk read it: filtered lists, one record, the
//! verification of the hash chain and the checkpoint to keep elsewhere.

use super::{InvalidInput, Service};
use crate::domain::access::Action;
use crate::domain::audit_chain::Head;
use crate::store::audit::{self, Filter, Record, Verification};
use anyhow::{Result, anyhow};
use serde::{Deserialize, Serialize};

/// Rows at most in one page of the trail.
pub const PAGE_MAX: i64 = 10_000;

/// A checkpoint: the newest record's number and hash when it was taken, to keep off the
/// server; `audit verify --checkpoint` then detects deleted newest records and a recomputed
/// chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub casa_audit_checkpoint: u32,
    pub database: String,
    pub taken_at: String,
    pub record: i64,
    pub hash: String,
}

impl Checkpoint {
    /// Reads a checkpoint file's text; refused as the user's input when it is not one.
    pub fn parse(text: &str) -> Result<Checkpoint> {
        let c: Checkpoint = serde_json::from_str(text).map_err(|e| {
            anyhow!(InvalidInput(format!(
                "punto di controllo non leggibile ({e}): serve il file scritto da `casa audit checkpoint`"
            )))
        })?;
        if c.casa_audit_checkpoint != 1
            || c.hash.len() != 64
            || !c.hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(anyhow!(InvalidInput(
                "punto di controllo non valido: versione o hash inattesi".into()
            )));
        }
        Ok(c)
    }

    pub fn head(&self) -> Head {
        Head {
            id: self.record,
            hash: self.hash.clone(),
        }
    }
}

/// A period's bound as typed — a day (GG/MM/AAAA or AAAA-MM-GG: its local midnight, or with
/// `end` the next day's, so the day is included) or an RFC 3339 instant — as the UTC text the
/// trail stores; empty: no bound.
pub fn period_bound(option: &str, text: &str, end: bool) -> Result<Option<String>> {
    use chrono::TimeZone;
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let utc =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if let Ok(day) = crate::domain::district::parse_date(t) {
        let day = if end {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        let local = chrono::Local
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .ok_or_else(|| anyhow!(InvalidInput(format!("{option}: data {t} inesistente"))))?;
        return Ok(Some(utc(local.with_timezone(&chrono::Utc))));
    }
    chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| Some(utc(d.with_timezone(&chrono::Utc))))
        .map_err(|_| {
            anyhow!(InvalidInput(format!(
                "{option}: '{t}' non è una data (GG/MM/AAAA) né un istante RFC 3339"
            )))
        })
}

/// The filter of the trail from what was typed (empty texts: no filter).
pub fn filter_of(
    operator: &str,
    action: &str,
    entity: &str,
    from: &str,
    to: &str,
) -> Result<Filter> {
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Filter {
        operator: some(operator),
        entity: some(entity),
        entity_id: None,
        action: some(action),
        from: period_bound("Dal", from, false)?,
        to: period_bound("Al", to, true)?,
    })
}

impl Service {
    /// Records matching `filter`, newest first, before record `before`, at most `limit`.
    pub fn audit_records(
        &self,
        filter: &Filter,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Record>> {
        self.session.check(Action::ReadAudit)?;
        audit::list(self.store.conn(), filter, before, limit.clamp(1, PAGE_MAX))
    }

    /// One record by number.
    pub fn audit_record(&self, id: i64) -> Result<Record> {
        self.session.check(Action::ReadAudit)?;
        audit::get(self.store.conn(), id)?.ok_or_else(|| {
            anyhow!(InvalidInput(format!(
                "record {id} non presente nel registro"
            )))
        })
    }

    /// Walks the whole chain (and checks it against `checkpoint`, if given).
    pub fn verify_audit(&self, checkpoint: Option<&Checkpoint>) -> Result<Verification> {
        self.session.check(Action::ReadAudit)?;
        audit::verify(self.store.conn(), checkpoint.map(Checkpoint::head))
    }

    /// A checkpoint of the trail as it is, after verifying it (a broken chain is refused: a
    /// checkpoint of it would vouch for the tampering).
    pub fn audit_checkpoint(&self) -> Result<Checkpoint> {
        let v = self.verify_audit(None)?;
        if let Some(p) = v.problem {
            return Err(anyhow!(InvalidInput(format!(
                "registro audit non integro, nessun punto di controllo: {p}"
            ))));
        }
        let head = v
            .head
            .ok_or_else(|| anyhow!(InvalidInput("registro audit vuoto".into())))?;
        Ok(Checkpoint {
            casa_audit_checkpoint: 1,
            database: self.database_name(),
            taken_at: crate::store::now(),
            record: head.id,
            hash: head.hash,
        })
    }
}

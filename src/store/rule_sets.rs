//! Rule sets stored in the database: the text of each file as loaded, never changed. A file
//! with the same citation and different text is a new version; the same text again is not
//! stored twice. The rule sets shipped with casa are stored the first time they are needed.

use super::audit::{self, Entry};
use super::certification::Refused;
use super::{Store, now};
use crate::rules::{self, RuleSet};
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// A stored rule set, as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stored {
    pub id: i64,
    pub cite: String,
    pub version: i64,
    pub name: String,
    pub effective_from: String,
    pub file_name: String,
    pub builtin: bool,
    pub loaded_at: String,
    pub loaded_by: String,
}

impl Stored {
    /// "R.R. 2/2025" for version 1, "R.R. 2/2025 v2" after.
    pub fn label(&self) -> String {
        if self.version == 1 {
            self.cite.clone()
        } else {
            format!("{} v{}", self.cite, self.version)
        }
    }
}

const SELECT: &str = "SELECT id, cite, version, name, effective_from, file_name, builtin,
    loaded_at, loaded_by FROM rule_set";

fn row(r: &rusqlite::Row) -> rusqlite::Result<Stored> {
    Ok(Stored {
        id: r.get(0)?,
        cite: r.get(1)?,
        version: r.get(2)?,
        name: r.get(3)?,
        effective_from: r.get(4)?,
        file_name: r.get(5)?,
        builtin: r.get(6)?,
        loaded_at: r.get(7)?,
        loaded_by: r.get(8)?,
    })
}

/// Every stored rule set, by effective date.
pub fn list(conn: &Connection) -> Result<Vec<Stored>> {
    let mut stmt = conn.prepare(&format!("{SELECT} ORDER BY effective_from, id"))?;
    let rows = stmt.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn by_id(conn: &Connection, id: i64) -> Result<Option<Stored>> {
    Ok(conn
        .query_row(&format!("{SELECT} WHERE id = ?1"), [id], row)
        .optional()?)
}

/// The text of a stored rule set, as loaded.
pub fn text(conn: &Connection, id: i64) -> Result<String> {
    Ok(
        conn.query_row("SELECT text FROM rule_set WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

/// The stored rule set with its parsed parameters.
pub fn load_parsed(conn: &Connection, id: i64) -> Result<(Stored, RuleSet)> {
    let stored = by_id(conn, id)?
        .ok_or_else(|| anyhow!(Refused(format!("insieme di regole {id} non trovato"))))?;
    let text = text(conn, id)?;
    let parsed = rules::parse(&stored.file_name, &text).map_err(|e| anyhow!(e.0))?;
    Ok((stored, parsed))
}

/// Finds a rule set by id, by citation ("R.R. 2/2025": its latest version) or by
/// citation and version ("R.R. 2/2025 v2").
pub fn find(conn: &Connection, what: &str) -> Result<Stored> {
    let t = what.trim();
    if let Ok(id) = t.parse::<i64>() {
        return by_id(conn, id)?
            .ok_or_else(|| anyhow!(Refused(format!("insieme di regole {id} non trovato"))));
    }
    let (cite, version) = match t.rsplit_once(" v") {
        Some((c, v)) if v.chars().all(|c| c.is_ascii_digit()) && !v.is_empty() => {
            (c.trim(), v.parse::<i64>().ok())
        }
        _ => (t, None),
    };
    let found = conn
        .query_row(
            &format!(
                "{SELECT} WHERE cite = ?1 AND (?2 IS NULL OR version = ?2)
                 ORDER BY version DESC LIMIT 1"
            ),
            params![cite, version],
            row,
        )
        .optional()?;
    found.ok_or_else(|| {
        anyhow!(Refused(format!(
            "nessun insieme di regole '{}' (vedere `casa rules list`)",
            crate::safe_text::excerpt(t)
        )))
    })
}

/// The stored rule set in force on `date`: among the latest version of each act, the newest
/// effective date not after it (on the same date, the latest loaded). An older version of an
/// act never decides: a database made before the acts' dates were corrected (issue 12) keeps
/// R.R. 6/2021 v1 "in force from 06/08/2021", which its v2 (09/10/2021) supersedes.
pub fn in_force_on(conn: &Connection, date: NaiveDate) -> Result<Option<Stored>> {
    Ok(conn
        .query_row(
            &format!(
                "{SELECT} r WHERE effective_from <= ?1
                   AND version = (SELECT max(v.version) FROM rule_set v WHERE v.cite = r.cite)
                 ORDER BY effective_from DESC, id DESC LIMIT 1"
            ),
            [date.to_string()],
            row,
        )
        .optional()?)
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Loaded {
    pub rule_set: Stored,
    /// False when the same text was already stored.
    pub new: bool,
}

/// Stores `set` (already parsed from its text) unless the same text is there; inside `conn`'s
/// open transaction. A new text for a known citation becomes its next version.
fn store_text(conn: &Connection, set: &RuleSet, builtin: bool, by: &str) -> Result<Loaded> {
    let same: Option<i64> = conn
        .query_row(
            "SELECT id FROM rule_set WHERE cite = ?1 AND text = ?2",
            params![set.cite, set.text],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = same {
        let stored = by_id(conn, id)?.ok_or_else(|| anyhow!("insieme di regole {id} sparito"))?;
        return Ok(Loaded {
            rule_set: stored,
            new: false,
        });
    }
    let version: i64 = conn.query_row(
        "SELECT ifnull(max(version), 0) + 1 FROM rule_set WHERE cite = ?1",
        [&set.cite],
        |r| r.get(0),
    )?;
    conn.execute(
        "INSERT INTO rule_set (cite, version, name, effective_from, file_name, text, builtin,
             loaded_at, loaded_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            set.cite,
            version,
            set.name,
            set.effective_from.to_string(),
            set.file,
            set.text,
            builtin,
            now(),
            by
        ],
    )?;
    let id = conn.last_insert_rowid();
    let stored = by_id(conn, id)?.ok_or_else(|| anyhow!("insieme di regole {id} sparito"))?;
    if builtin {
        // The shipped rule sets are part of casa itself, stored when first needed as a side
        // effect of an operator's command: that command writes its own single audit record.
        return Ok(Loaded {
            rule_set: stored,
            new: true,
        });
    }
    audit::record(
        conn,
        Entry {
            operator: by,
            action: "regole.carica",
            entity: "rule_set",
            entity_id: Some(id.to_string()),
            before: None,
            after: Some(serde_json::to_value(&stored)?),
        },
    )?;
    Ok(Loaded {
        rule_set: stored,
        new: true,
    })
}

/// Stores the rule sets shipped with casa that are not stored yet (inside `conn`'s open
/// transaction). Called where a rule set is needed: notices, rankings, `rules load`.
pub fn sync_builtin(conn: &Connection, by: &str) -> Result<()> {
    for set in rules::builtin().map_err(|e| anyhow!(e.0))? {
        store_text(conn, set, true, by)?;
    }
    Ok(())
}

impl Store {
    /// `casa rules load`: checks the file and stores it (Regione only). A stored rule set
    /// never changes: different text under the same citation is a new version.
    pub fn load_rule_set(&mut self, actor: &str, file_name: &str, text: &str) -> Result<Loaded> {
        let set = rules::parse(file_name, text).map_err(|e| anyhow!(Refused(e.0)))?;
        let tx = self.write()?;
        sync_builtin(&tx, actor)?;
        let loaded = store_text(&tx, &set, false, actor)?;
        tx.commit()?;
        Ok(loaded)
    }

    /// Stores the shipped rule sets now (demo, init).
    pub fn sync_builtin_rule_sets(&mut self, by: &str) -> Result<()> {
        let tx = self.write()?;
        sync_builtin(&tx, by)?;
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// DOMAIN.md 6 (issue 12 item 5): a database that stored the shipped rule sets with their
    /// old placeholder dates gets the corrected ones as new versions, and the corrected ones
    /// decide which act a notice takes: 01/09/2021 is still R.R. 3/2019.
    #[test]
    fn the_latest_version_of_each_act_decides_the_date() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("c.sqlite")).unwrap();
        let set = rules::builtin()
            .unwrap()
            .iter()
            .find(|s| s.cite == "R.R. 6/2021")
            .unwrap();
        let old = set
            .text
            .replacen("value = 2021-10-09", "value = 2021-08-06", 1);
        let old = old.replacen("value = 2021-10-08", "value = 2021-08-05", 1);
        let old = rules::parse(&set.file, &old).unwrap();
        assert_eq!(old.effective_from.to_string(), "2021-08-06");
        {
            let tx = store.write().unwrap();
            store_text(&tx, &old, true, "test").unwrap();
            tx.commit().unwrap();
        }
        let on = |store: &Store, d: &str| {
            in_force_on(store.conn(), d.parse().unwrap())
                .unwrap()
                .map(|s| s.label())
        };
        assert_eq!(on(&store, "2021-09-01").as_deref(), Some("R.R. 6/2021"));
        store.sync_builtin_rule_sets("test").unwrap();
        assert_eq!(on(&store, "2021-09-01").as_deref(), Some("R.R. 3/2019"));
        assert_eq!(on(&store, "2021-10-09").as_deref(), Some("R.R. 6/2021 v2"));
        assert_eq!(on(&store, "2025-03-11").as_deref(), Some("R.R. 2/2025"));
    }
}

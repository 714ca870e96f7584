//! Writes the embedded reference data into a new database: provinces, comuni, the bodies that
//! own units (every Comune, the five ALERs, the Region) and the known ambiti with their comuni;
//! and, into an older database, what arrived since (`refresh`).

use crate::domain::registry::OwnerKind;
use crate::reference;
use anyhow::Result;
use rusqlite::{Transaction, params};
use std::collections::HashMap;

pub fn load(tx: &Transaction) -> Result<()> {
    let comuni = reference::comuni()?;
    let mut known: HashMap<String, String> = reference::known_tax_codes()?
        .into_iter()
        .map(|k| (k.istat.clone(), k.tax_code))
        .collect();
    for c in reference::comuni_tax_codes()? {
        known.insert(c.istat, c.tax_code);
    }

    {
        let mut prov = tx.prepare(
            "INSERT OR IGNORE INTO province (sigla, istat_code, name) VALUES (?1, ?2, ?3)",
        )?;
        let mut muni = tx.prepare(
            "INSERT INTO municipality (istat_code, name, province, cadastral_code, is_capital, population, note)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULLIF(?7, ''))",
        )?;
        let mut owner = tx.prepare(
            "INSERT INTO owner (kind, tax_code, name, istat_code, synthetic_tax_code) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for c in &comuni {
            prov.execute(params![c.province, c.province_istat, c.province_name])?;
            muni.execute(params![
                c.istat,
                c.name,
                c.province,
                c.cadastral,
                c.capital,
                c.population,
                c.note
            ])?;
            let (tax, synthetic) = match known.get(&c.istat) {
                Some(code) => (code.clone(), false),
                None => (reference::synthetic_comune_tax_code(&c.istat), true),
            };
            owner.execute(params![
                OwnerKind::Municipality.code(),
                tax,
                format!("Comune di {}", c.name),
                c.istat,
                synthetic
            ])?;
        }
        if let Some(region) = known.get("") {
            owner.execute(params![
                OwnerKind::Region.code(),
                region,
                "Regione Lombardia",
                None::<String>,
                false
            ])?;
        }
    }

    for (i, aler) in reference::alers()?.iter().enumerate() {
        tx.execute(
            "INSERT INTO owner (kind, tax_code, name, aler_code, synthetic_tax_code) VALUES (?1, ?2, ?3, ?4, 1)",
            params![
                OwnerKind::Aler.code(),
                reference::synthetic_aler_tax_code(i + 1),
                aler.name,
                aler.code
            ],
        )?;
        let id = tx.last_insert_rowid();
        for p in aler.provinces() {
            tx.execute(
                "INSERT INTO aler_province (owner_id, province) VALUES (?1, ?2)",
                params![id, p],
            )?;
        }
    }

    let capofila = capofila()?;
    let mut ids = HashMap::new();
    for a in reference::ambiti()? {
        ids.insert(a.code.clone(), insert_district(tx, &a, &capofila)?);
    }
    let mut member = tx.prepare(
        "INSERT INTO district_municipality (istat_code, district_id, name_in_source, source) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for m in reference::ambiti_comuni()? {
        member.execute(params![m.istat, ids[&m.ambito], m.name_in_source, m.source])?;
    }
    Ok(())
}

/// The code lists of the feed of occupations as configured: labels, sources and flags follow
/// the file; a code no longer in it stays (records may use it) until the file says otherwise.
/// Run at every migration, new database or not (the lists are configuration).
pub fn anpu_codes(tx: &Transaction) -> Result<()> {
    let mut upsert = tx.prepare(
        "INSERT INTO occupation_code (list, code, label, source, verified) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (list, code) DO UPDATE SET label = excluded.label, source = excluded.source,
             verified = excluded.verified",
    )?;
    for c in reference::anpu_codes()? {
        upsert.execute(params![c.list, c.code, c.label, c.source, c.verified != 0])?;
    }
    Ok(())
}

fn capofila() -> Result<HashMap<String, reference::Capofila>> {
    Ok(reference::capofila()?
        .into_iter()
        .map(|c| (c.ambito.clone(), c))
        .collect())
}

fn insert_district(
    tx: &Transaction,
    a: &reference::Ambito,
    capofila: &HashMap<String, reference::Capofila>,
) -> Result<i64> {
    let lead = capofila.get(&a.code);
    let note = match (lead, a.capofila.is_empty()) {
        (Some(l), _) => Some(l.note.clone()),
        (None, false) => Some(a.capofila.clone()),
        (None, true) => None,
    };
    // The capofila's confirmation is a later column: `confirm_leads` writes it.
    tx.execute(
        "INSERT INTO district (code, name, ats, lead_istat, lead_note, granularity, synthetic, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, ?7)",
        params![
            a.code,
            a.name,
            a.ats,
            lead.map(|l| l.istat.clone()),
            note,
            a.granularity,
            a.source,
        ],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Records whether each known capofila is named as such by a source (`district.lead_confirmed`,
/// migration 6).
pub fn confirm_leads(tx: &Transaction) -> Result<()> {
    for (code, c) in &capofila()? {
        tx.execute(
            "UPDATE district SET lead_confirmed = ?3
              WHERE code = ?1 AND lead_istat = ?2 AND synthetic = 0 AND configured_at IS NULL",
            params![code, c.istat, c.confirmed == 1],
        )?;
    }
    Ok(())
}

/// Brings an older database's reference data up to the embedded one, touching nothing an
/// operator made: a Comune's synthetic codice fiscale becomes its real one; an ambito added to
/// the data is created when none of its comuni is in another district yet (a demo database
/// has grouped them into its own), and a comune added to a known ambito joins it when it is in
/// no district; the capofila's confirmation is recorded. Idempotent.
pub fn refresh(tx: &Transaction) -> Result<()> {
    {
        let mut set = tx.prepare(
            "UPDATE owner SET tax_code = ?2, synthetic_tax_code = 0, version = version + 1
              WHERE kind = ?3 AND istat_code = ?1 AND synthetic_tax_code = 1
                AND NOT EXISTS (SELECT 1 FROM owner o WHERE o.tax_code = ?2)",
        )?;
        for c in reference::comuni_tax_codes()? {
            set.execute(params![c.istat, c.tax_code, OwnerKind::Municipality.code()])?;
        }
    }
    let capofila = capofila()?;
    let members = reference::ambiti_comuni()?;
    // A comune can join a district when the database knows it and no district has it.
    let free = |istat: &str| -> Result<bool> {
        Ok(tx
            .prepare_cached("SELECT 1 FROM municipality WHERE istat_code = ?1")?
            .exists([istat])?
            && !tx
                .prepare_cached("SELECT 1 FROM district_municipality WHERE istat_code = ?1")?
                .exists([istat])?)
    };
    let known: HashMap<String, i64> = {
        let mut stmt = tx.prepare("SELECT code, id FROM district")?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?
    };
    let mut ids = known.clone();
    for a in reference::ambiti()? {
        if known.contains_key(&a.code) {
            continue;
        }
        let mut all_free = true;
        for m in members.iter().filter(|m| m.ambito == a.code) {
            all_free &= free(&m.istat)?;
        }
        let lead_known = match capofila.get(&a.code) {
            Some(c) => tx
                .prepare_cached("SELECT 1 FROM municipality WHERE istat_code = ?1")?
                .exists([&c.istat])?,
            None => true,
        };
        if all_free && lead_known {
            ids.insert(a.code.clone(), insert_district(tx, &a, &capofila)?);
        }
    }
    // Districts the Regione configured keep exactly the comuni it gave them.
    let configured: std::collections::HashSet<i64> = {
        let mut stmt = tx.prepare("SELECT id FROM district WHERE configured_at IS NOT NULL")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    for m in &members {
        if let Some(id) = ids.get(&m.ambito)
            && !configured.contains(id)
            && free(&m.istat)?
        {
            tx.execute(
                "INSERT INTO district_municipality (istat_code, district_id, name_in_source, source)
                 VALUES (?1, ?2, ?3, ?4)",
                params![m.istat, id, m.name_in_source, m.source],
            )?;
        }
    }
    confirm_leads(tx)
}

#[cfg(test)]
mod tests {
    use crate::store::Store;

    fn one<T: rusqlite::types::FromSql>(store: &Store, sql: &str) -> T {
        store.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Issue 12 items 10 and 11 on a database made before them: the Comuni's synthetic codici
    /// fiscali become the real ones, Merate and Torlino Vimercati arrive, the capofila's
    /// confirmation is recorded; what an operator made (a comune already in a district) stays.
    #[test]
    fn refresh_brings_an_older_database_up_to_the_reference_data() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(&dir.path().join("c.sqlite")).unwrap();
        {
            // Make it look like a database of before: synthetic codes, no Merate, no Torlino.
            let tx = store.write().unwrap();
            tx.execute_batch(
                "UPDATE owner SET tax_code = '99' || istat_code || '000', synthetic_tax_code = 1
                  WHERE kind = 1 AND istat_code IN ('016024', '017029');
                 DELETE FROM district_municipality WHERE district_id =
                     (SELECT id FROM district WHERE code = 'LC-MERATE') AND istat_code <> '097002';
                 UPDATE district_municipality SET district_id =
                     (SELECT id FROM district WHERE code = 'BG-SERIATE') WHERE istat_code = '097002';
                 DELETE FROM district WHERE code = 'LC-MERATE';
                 DELETE FROM district_municipality WHERE istat_code = '019105';
                 UPDATE district SET lead_confirmed = 1;",
            )
            .unwrap();
            tx.commit().unwrap();
        }
        let run = |store: &mut Store| {
            let tx = store.write().unwrap();
            super::refresh(&tx).unwrap();
            tx.commit().unwrap();
        };
        run(&mut store);
        run(&mut store); // idempotent
        let cf: String = one(
            &store,
            "SELECT tax_code FROM owner WHERE istat_code = '016024'",
        );
        assert_eq!(cf, "80034840167");
        let synthetic: i64 = one(
            &store,
            "SELECT count(*) FROM owner WHERE synthetic_tax_code = 1",
        );
        assert_eq!(synthetic, 2 + 5, "two comuni without a code, five ALERs");
        // Airuno (097002) was put in another district: Merate is not created over it.
        let merate: i64 = one(
            &store,
            "SELECT count(*) FROM district WHERE code = 'LC-MERATE'",
        );
        assert_eq!(merate, 0);
        let torlino: String = one(
            &store,
            "SELECT d.code FROM district_municipality dm JOIN district d ON d.id = dm.district_id
              WHERE dm.istat_code = '019105'",
        );
        assert_eq!(torlino, "CR-CREMASCO");
        let unconfirmed: String = one(
            &store,
            "SELECT group_concat(code) FROM district WHERE lead_confirmed = 0",
        );
        assert_eq!(unconfirmed, "CR-CREMASCO");
        // With Airuno free again, Merate arrives with its 24 comuni and its unconfirmed lead.
        store
            .conn()
            .execute(
                "DELETE FROM district_municipality WHERE istat_code = '097002'",
                [],
            )
            .unwrap();
        run(&mut store);
        let (n, lead, confirmed): (i64, String, bool) = store
            .conn()
            .query_row(
                "SELECT (SELECT count(*) FROM district_municipality WHERE district_id = d.id),
                        d.lead_istat, d.lead_confirmed
                   FROM district d WHERE d.code = 'LC-MERATE'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((n, lead.as_str(), confirmed), (24, "097048", false));
    }
}

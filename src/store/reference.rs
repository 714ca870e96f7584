//! Writes the embedded reference data into a new database: provinces, comuni, the bodies that
//! own units (every Comune, the five ALERs, the Region) and the known ambiti with their comuni.

use crate::domain::registry::OwnerKind;
use crate::reference;
use anyhow::Result;
use rusqlite::{Transaction, params};
use std::collections::HashMap;

pub fn load(tx: &Transaction) -> Result<()> {
    let comuni = reference::comuni()?;
    let known: HashMap<String, String> = reference::known_tax_codes()?
        .into_iter()
        .map(|k| (k.istat.clone(), k.tax_code))
        .collect();

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

    let capofila: HashMap<String, reference::Capofila> = reference::capofila()?
        .into_iter()
        .map(|c| (c.ambito.clone(), c))
        .collect();
    let mut ids = HashMap::new();
    for a in reference::ambiti()? {
        let lead = capofila.get(&a.code);
        let note = match (lead, a.capofila.is_empty()) {
            (Some(l), _) => Some(l.note.clone()),
            (None, false) => Some(a.capofila.clone()),
            (None, true) => None,
        };
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
                a.source
            ],
        )?;
        ids.insert(a.code.clone(), tx.last_insert_rowid());
    }
    let mut member = tx.prepare(
        "INSERT INTO district_municipality (istat_code, district_id, name_in_source, source) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for m in reference::ambiti_comuni()? {
        member.execute(params![m.istat, ids[&m.ambito], m.name_in_source, m.source])?;
    }
    Ok(())
}

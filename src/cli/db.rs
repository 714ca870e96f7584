//! `casa init` and `casa doctor`.

use super::{Global, db_path, open_store};
use crate::store::{Access, Store, audit, operators};
use anyhow::Result;

pub fn init(g: &Global) -> Result<()> {
    let path = db_path(g)?;
    let existed = path.exists();
    let store = open_store(g, Access::ReadWrite)?;
    let (comuni, ambiti): (i64, i64) = store.conn().query_row(
        "SELECT (SELECT count(*) FROM municipality), (SELECT count(*) FROM district)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    if existed {
        println!("Database già presente: {}", path.display());
    } else {
        println!("Database creato: {}", path.display());
    }
    println!(
        "Comuni: {comuni}, ambiti: {ambiti}, schema: {}",
        store.current_schema_version()?
    );
    if operators::count(store.conn())? == 0 {
        println!(
            "Nessun operatore registrato: il primo deve essere della Regione, ad es.\n  casa operators add mario.rossi --role regione --surname Rossi --name Mario --tax-code RSSMRA80A01H501U --email mario.rossi@example.it"
        );
    }
    Ok(())
}

pub fn doctor(g: &Global) -> Result<()> {
    let path = db_path(g)?;
    println!("casa {}", env!("CARGO_PKG_VERSION"));
    println!("database:        {}", path.display());
    println!("schema gestito:  {}", crate::store::schema_version());
    if path.exists() {
        match Store::open(&path, Access::ReadOnly) {
            Ok(store) => {
                let c = store.conn();
                println!("schema database: {}", store.current_schema_version()?);
                let (units, owners, synthetic): (i64, i64, i64) = c.query_row(
                    "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM owner),
                            (SELECT count(*) FROM owner WHERE synthetic_tax_code = 1)",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                println!("alloggi:         {units}");
                println!(
                    "enti:            {owners} ({synthetic} con codice fiscale sintetico, non reale)"
                );
                println!("operatori:       {}", operators::count(c)?);
                println!("registro audit:  {} voci", audit::count(c)?);
                let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
                println!("dimensione:      {:.1} MiB", size as f64 / 1048576.0);
            }
            Err(e) => println!("schema database: non leggibile ({e:#})"),
        }
    } else {
        println!("schema database: (non ancora creato)");
    }
    println!("SQLite:          {}", Store::sqlite_version());
    println!("configurazione:  {}", crate::paths::config_dir()?.display());
    println!("log:             {}", crate::paths::log_file()?.display());
    println!("dati demo:       {}", crate::paths::demo_db()?.display());
    Ok(())
}

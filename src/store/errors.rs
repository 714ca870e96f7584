//! SQLite's errors in Italian ("attempt to write a readonly database", "disk I/O error",
//! "CHECK constraint failed" never reach an operator). Used by `crate::italian::render`; here
//! because only the store speaks SQLite.

use rusqlite::ErrorCode;
use std::error::Error as StdError;

/// The Italian message for a SQLite error; `None` when `e` is not one.
pub fn sqlite_message(e: &(dyn StdError + 'static)) -> Option<String> {
    if let Some(f) = e.downcast_ref::<rusqlite::ffi::Error>() {
        return Some(code_message(f.code).into());
    }
    let e = e.downcast_ref::<rusqlite::Error>()?;
    Some(match e {
        rusqlite::Error::SqliteFailure(f, _) => code_message(f.code).into(),
        rusqlite::Error::QueryReturnedNoRows => "dato non trovato nel database".into(),
        rusqlite::Error::SqlInputError { .. } => "errore interno: istruzione SQL non valida".into(),
        _ => "errore interno nella lettura del database".into(),
    })
}

fn code_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ReadOnly => {
            "il database è in sola lettura (file o cartella senza permesso di scrittura, o aperto in sola lettura): nessuna modifica salvata"
        }
        ErrorCode::SystemIoFailure => {
            "errore di lettura o scrittura sul disco del database: nessuna modifica salvata"
        }
        ErrorCode::DiskFull => "disco pieno: nessuna modifica salvata",
        ErrorCode::DatabaseCorrupt => {
            "il database è danneggiato: eseguire `casa db check` e, se serve, ripristinare una copia"
        }
        ErrorCode::NotADatabase => "il file non è un database SQLite",
        ErrorCode::CannotOpen => {
            "impossibile aprire il file del database (cartella inesistente o permessi insufficienti)"
        }
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
            "il database è impegnato da altri operatori: riprovare tra poco"
        }
        ErrorCode::PermissionDenied => "permesso negato sul file del database",
        ErrorCode::ConstraintViolation => {
            "valore rifiutato dai vincoli del database: nessuna modifica salvata"
        }
        ErrorCode::TooBig => "valore troppo grande per il database",
        ErrorCode::OutOfMemory => "memoria esaurita",
        ErrorCode::OperationInterrupted => "operazione interrotta",
        ErrorCode::FileLockingProtocolFailed => {
            "il file system non permette di bloccare il database (cartella di rete?)"
        }
        ErrorCode::SchemaChanged => "il database è cambiato durante l'operazione: riprovare",
        _ => "errore del database",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readonly_database_in_italian() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sqlite");
        rusqlite::Connection::open(&path)
            .unwrap()
            .execute_batch("CREATE TABLE t(a CHECK (a >= 0))")
            .unwrap();
        let ro = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let e = ro.execute("INSERT INTO t VALUES (1)", []).unwrap_err();
        let m = sqlite_message(&e).unwrap();
        assert!(m.contains("sola lettura"), "{m}");
        let rw = rusqlite::Connection::open(&path).unwrap();
        let e = rw.execute("INSERT INTO t VALUES (-1)", []).unwrap_err();
        assert!(sqlite_message(&e).unwrap().contains("vincoli"));
    }
}

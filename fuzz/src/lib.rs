//! Helpers shared by the fuzz targets: a scratch database with reference data, temp files,
//! and the check that a refusal is worded in Italian.

use casa::domain::access::{OperatorScope, OperatorStatus, Role, Service};
use casa::import::{self, Checked, Options, Report};
use casa::store::{Access, Store};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// A scratch folder kept for the whole fuzzing run.
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("temp dir"))
        .path()
}

/// Writes `bytes` to a file named `name` in the scratch folder.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, bytes).expect("write temp file");
    path
}

/// A database with reference data only, opened read-only for checks.
pub fn store() -> &'static std::sync::Mutex<Store> {
    static STORE: OnceLock<std::sync::Mutex<Store>> = OnceLock::new();
    STORE.get_or_init(|| {
        let path = scratch().join("casa.sqlite");
        drop(Store::open(&path, Access::ReadWrite).expect("create database"));
        std::sync::Mutex::new(Store::open(&path, Access::ReadOnly).expect("open database"))
    })
}

/// An operator of Comune di Milano with the registry service: the owner of the seed's rows,
/// so that rows get past the permission check to every other one.
fn operator(store: &Store) -> OperatorScope {
    let milano = casa::store::owners::find_owner(store.conn(), "01199250158").expect("Milano");
    OperatorScope {
        username: "fuzz".into(),
        role: Role::OwnerOperator,
        status: OperatorStatus::Active,
        district_id: None,
        grants: vec![(milano.id, Service::Registry)],
    }
}

/// The unit importer's check of `path`, as an operator of Comune di Milano; a refusal must be an Italian report.
pub fn check_units(path: &Path) {
    let store = store().lock().unwrap_or_else(|e| e.into_inner());
    match import::check(store.conn(), &operator(&store), path, &Options::default())
        .expect("database")
    {
        Checked::Valid(_) => {}
        Checked::Invalid(report) => assert_report(&report),
    }
}

/// The applications importer on `path`; a refusal must be an Italian report.
pub fn check_applications(path: &Path) {
    static KNOWN: OnceLock<Vec<String>> = OnceLock::new();
    let known = KNOWN.get_or_init(|| {
        let sets = casa::rules::builtin().expect("built-in rule sets");
        let set = sets.last().expect("a rule set");
        let r = set.ranking().expect("ranking rules");
        r.conditions.iter().map(|c| c.code.clone()).collect()
    });
    if let Err(report) = import::applications::read_applications(path, None, known) {
        assert_report(&report);
    }
}

pub fn assert_report(report: &Report) {
    assert!(!report.problems.is_empty(), "refused without a problem");
    for p in &report.problems {
        assert_italian(&p.reason);
    }
    let mut out = Vec::new();
    report.print(&mut out, Some(50)).expect("print report");
}

/// Non-empty and worded in Italian (at least one common Italian word).
pub fn assert_italian(msg: &str) {
    let m = msg.to_lowercase();
    assert!(!m.trim().is_empty(), "empty refusal");
    const WORDS: &[&str] = &[
        "non ",
        "di ",
        "del",
        "da ",
        "tra ",
        "mancant",
        "valid",
        "deve",
        "indicare",
        "troppo",
        "usare",
        "ammess",
        "sconosciut",
        "è ",
        "al più",
        "almeno",
        "senza",
        "oppure",
        "atteso",
        "attesa",
        "errat",
        "codice",
        "importo",
        "percentuale",
        "numero",
        "data",
        "valore",
        "campo",
        "chiave",
        "colore",
        "ruolo",
        "azione",
        "tasto",
        "manca",
        "troppi",
        "impossibile",
        "massimo",
        "minimo",
        "colonna",
        "foglio",
        "cella",
        "obbligatori",
        "ripetut",
        "duplicat",
        "alloggio",
        "domanda",
        "anno",
        "anni",
        "giorno",
        "mese",
        "può",
        "sono",
        "nessun",
        "solo",
    ];
    assert!(
        WORDS.iter().any(|w| m.contains(w)),
        "refusal not in Italian: {msg:?}"
    );
}

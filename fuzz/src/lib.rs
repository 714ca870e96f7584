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
        drop(Store::create(&path).expect("create database"));
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

/// libFuzzer aborts on every panic, even one casa catches on purpose (calamine's arithmetic
/// overflows on a damaged reference in this build, which has debug assertions: casa contains
/// it and refuses the file). Panics inside `casa::italian::contain` are let through to their
/// `catch_unwind`; any other still aborts.
fn let_contained_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !casa::italian::panic_is_contained() {
                fuzzer_hook(info);
            }
        }));
    });
}

/// The unit importer's check of `path`, as an operator of Comune di Milano; a refusal must be an Italian report.
pub fn check_units(path: &Path) {
    let_contained_panics_unwind();
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
    let_contained_panics_unwind();
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

/// English a refusal must not contain in its own words (what it quotes is the input's).
const ENGLISH: &[&str] = &[
    "invalid",
    "error",
    "expected",
    "unexpected",
    "failed",
    "cannot",
    "missing",
    "unknown",
    "value",
    "found",
    "should",
    "while",
    "could",
    "which",
    "there",
    "denied",
    "directory",
    "such",
    "attempt",
    "constraint",
    "table",
    "column",
    "string",
    "integer",
    "number",
    "length",
    "range",
    "overflow",
    "parse",
    "digit",
    "empty",
    "allowed",
    "format",
    "input",
];

/// The message without what it quotes ('…', "…", «…», `…`) and without file paths.
fn own_words(msg: &str) -> String {
    let mut out = String::new();
    let mut closing: Option<char> = None;
    let chars: Vec<char> = msg.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        // An apostrophe between letters is an elision (d'uso, l'anno), not a quote.
        let elision = c == '\''
            && before.is_some_and(char::is_alphanumeric)
            && after.is_some_and(char::is_alphanumeric);
        // A quote closes only before a blank, punctuation or the end: a quote inside the
        // quoted input (followed by more of it) does not.
        let closes = after.is_none_or(|a| a.is_whitespace() || ":,;.)»]".contains(a));
        match closing {
            Some(end) if c == end && !elision && closes => closing = None,
            Some(_) => {}
            None if elision => out.push(c),
            None => match c {
                '\'' | '"' | '`' => closing = Some(c),
                '«' => closing = Some('»'),
                _ => out.push(c),
            },
        }
    }
    // Lists of accepted values name the file's own keys (theme roles such as `error`).
    let out = out.split("ammessi:").next().unwrap_or("").to_string();
    out.split(' ')
        .filter(|w| !w.contains('/'))
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

thread_local! {
    /// Whether the current input has quote characters: then what a refusal quotes from it
    /// cannot be told from the refusal's own words, and only the Italian words are checked.
    static QUOTES_IN_INPUT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Records the fuzzer's input (every target calls this first).
pub fn set_input(data: &[u8]) {
    let quotes = String::from_utf8_lossy(data)
        .chars()
        .any(|c| matches!(c, '\'' | '"' | '`' | '«' | '»' | '…'));
    QUOTES_IN_INPUT.with(|q| q.set(quotes));
}

/// Non-empty, no English word of its own, at least one common Italian word.
pub fn assert_italian(msg: &str) {
    let m = msg.to_lowercase();
    assert!(!m.trim().is_empty(), "empty refusal");
    if !QUOTES_IN_INPUT.with(std::cell::Cell::get) {
        let own = own_words(msg);
        for word in own.split(|c: char| !c.is_alphanumeric()) {
            assert!(
                !ENGLISH.contains(&word),
                "English {word:?} in refusal: {msg:?}"
            );
        }
    }
    const WORDS: &[&str] = &[
        "non ",
        "di ",
        "del",
        "da ",
        "tra ",
        "mancant",
        "valido",
        "valida",
        "validi",
        "valide",
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
        "riga ",
        "supera",
        "oltre",
        "maggiore",
        "minore",
    ];
    assert!(
        WORDS.iter().any(|w| m.contains(w)),
        "refusal not in Italian: {msg:?}"
    );
}

/// A refusal for size: Italian, and short whatever the input's size (it quotes an excerpt).
pub fn assert_short_refusal(msg: &str) {
    assert_italian(msg);
    assert!(
        msg.chars().count() < 600,
        "{} characters of refusal",
        msg.chars().count()
    );
    assert!(
        !msg.chars().any(|c| c.is_control() && c != '\n'),
        "control characters in a refusal: {msg:?}"
    );
}

/// `chunk` repeated until `len` bytes (the way a small fuzz input reaches the size limits).
pub fn amplify(head: &[u8], chunk: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len.min(1 << 26));
    out.extend_from_slice(head);
    if chunk.is_empty() {
        return out;
    }
    while out.len() < len {
        let n = chunk.len().min(len - out.len());
        out.extend_from_slice(&chunk[..n]);
    }
    out
}

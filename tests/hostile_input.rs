//! Hostile input: arbitrary text and bytes into every parser and loader that reads what a user
//! typed or a file gave us. Nothing may panic; every refusal is a non-empty Italian message; a
//! refused import leaves the database untouched.
//!
//! Fast by default (proptest's 256 cases per property; the whole file takes seconds in debug). Long run:
//! `PROPTEST_CASES=20000 cargo test --release --test hostile_input`. The libFuzzer targets
//! behind the same properties are in `fuzz/` (see `fuzz/README.md`).
//!
//! Inputs that once crashed a parser are named regression tests at the end of the file.

use casa::app::field::TextField;
use casa::app::keymap::{Key, Keymap};
use casa::domain::application::{Relationship, parse_euro};
use casa::domain::codice_fiscale;
use casa::domain::communication::{self, Counts, FormInput, Pct};
use casa::domain::registry::{OwnerKind, parse_flag};
use casa::domain::unit_filter::{self, SortKey};
use casa::domain::unit_record::{self, Column, HeaderMap};
use casa::import::applications::{Col, parse_date, parse_datetime, read_applications};
use casa::import::{self, Checked, Options};
use casa::rules;
use casa::store::{Access, Store, operators};
use casa::ui::Theme;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

// -------------------------------------------------------------------------------------------
// Generators

/// Strings that tend to break parsers: anything at all, number-like text, dates, separators,
/// quotes and line breaks, non-ASCII digits and letters, and a list of known troublemakers.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => any::<String>(),
        3 => "[0-9.,;:€%/T +\\-eE]{0,24}",
        2 => "[0-9]{1,4}[-/.][0-9]{1,3}[-/.][0-9]{1,6}( [0-9]{1,3}:[0-9]{1,3}(:[0-9]{1,3}(\\.[0-9]{0,12})?)?)?",
        2 => "[A-Za-z0-9àèéìòùÀÈ\"'; ,\\r\\n\\t\u{FEFF}\u{0}]{0,40}",
        1 => "[A-Z0-9]{16}|[0-9]{11}|[a-zA-Z0-9 ]{10,18}",
        2 => prop::sample::select(TROUBLE).prop_map(String::from),
    ]
}

const TROUBLE: &[&str] = &[
    "",
    " ",
    "\u{FEFF}",
    "\0",
    "\"",
    "\"\"\"",
    ";",
    ",",
    ".",
    "-",
    "+",
    "%",
    "€",
    "-0",
    "+1",
    "NaN",
    "inf",
    "-inf",
    "1e309",
    "-1e309",
    "1e-400",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "99999999999999999999999999999",
    "184467440737095516160",
    "4294967296",
    "0,0",
    "0.00.0",
    "1.000.000,001",
    ",5",
    "5,",
    "١٢٣",
    "２０２５-０１-０１",
    "2025-02-30",
    "0000-00-00",
    "9999-12-31 23:59:60",
    "29/02/2023",
    "31/12/262143",
    "-262144-01-01",
    "109575.99999999",
    "2958465",
    "1.7976931348623157e308",
    "ctrl-",
    "ctrl-alt-",
    "alt-ctrl-ẞ",
    "F0",
    "F255",
    "F256",
    "f99999999999",
    "ÀÈÌÒÙ",
    "ǅ",
    "İ",
    "ß",
    "ﬃ",
    "\u{202E}",
    "\r\n",
    "a\u{0}b",
];

/// English a refusal must not contain (outside what it quotes): words of library and
/// operating-system messages ("invalid value", "expected ...", "No such file").
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

/// What a message says in its own words: the parts it quotes from the input ('…', "…", «…»,
/// `…`) removed, so a hostile value quoted back does not count as the message's language.
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
    out.split("ammessi:").next().unwrap_or("").to_string()
}

/// An Italian refusal: non-empty, with no English word of its own and at least one common
/// Italian word. ("invalid value" passed the old check, which looked for "valid" and "valore".)
fn assert_italian(msg: &str) {
    assert!(!msg.trim().is_empty(), "empty refusal");
    // File paths are the user's too.
    let own: String = own_words(msg)
        .to_lowercase()
        .split(' ')
        .filter(|w| !w.contains('/'))
        .collect::<Vec<_>>()
        .join(" ");
    for word in own.split(|c: char| !c.is_alphanumeric()) {
        assert!(
            !ENGLISH.contains(&word),
            "English word {word:?} in refusal: {msg:?}"
        );
    }
    let m = msg.to_lowercase();
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
        WORDS.iter().any(|w| own.contains(w) || m.contains(w)),
        "refusal not in Italian: {msg:?}"
    );
}

#[test]
fn the_italian_check_refuses_english() {
    for english in [
        "invalid value",
        "valore: invalid digit found in string",
        "impossibile leggere x: No such file or directory (os error 2)",
        "CHECK constraint failed: total = carenze",
        "",
    ] {
        assert!(
            std::panic::catch_unwind(|| assert_italian(english)).is_err(),
            "accepted {english:?}"
        );
    }
    assert_italian("valore 'invalid value' non valido");
    assert_italian("riga 3, colonna \"Stato\": stato non valido");
}

// -------------------------------------------------------------------------------------------
// Field parsers

fn check_str<T>(r: Result<T, String>) {
    if let Err(e) = r {
        assert_italian(&e);
    }
}

proptest! {
    #[test]
    fn codice_fiscale_never_panics(s in hostile()) {
        if let Err(e) = codice_fiscale::validate(&s) {
            let m = e.to_string();
            assert_italian(&m);
            prop_assert!(m.contains("codice fiscale"), "{}", m);
        }
        let _ = codice_fiscale::validate_person_code(&s);
        let _ = codice_fiscale::validate_body_code(&s);
    }

    #[test]
    fn codice_fiscale_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..24)) {
        let s = String::from_utf8_lossy(&b);
        let _ = codice_fiscale::validate(&s);
        // The check-character helpers are public: any 15/10 bytes.
        if b.len() >= 15 {
            let _ = codice_fiscale::person_check_char(&b[..15]);
        }
        if b.len() >= 10 {
            let _ = codice_fiscale::body_check_digit(&b[..10]);
        }
    }

    #[test]
    fn application_field_parsers_never_panic(s in hostile()) {
        check_str(parse_euro(&s));
        check_str(parse_date(&s));
        check_str(parse_datetime(&s));
        check_str(parse_flag(&s));
        let _ = Relationship::parse(&s);
        let _ = Col::from_header(&s);
        for d in 0..=3 {
            check_str(Pct::parse(&s, d));
        }
    }

    #[test]
    fn unit_record_field_parsers_never_panic(s in hostile(), max in 0usize..300, year in 1800i32..2200) {
        check_str(unit_record::parse_text(&s, max));
        check_str(unit_record::parse_unit_id(&s));
        check_str(unit_record::parse_owner_kind(&s));
        check_str(unit_record::parse_body_tax_code(&s));
        check_str(unit_record::parse_istat(&s));
        check_str(unit_record::parse_cap(&s));
        check_str(unit_record::parse_year(&s, year));
        check_str(unit_record::parse_floor(&s));
        check_str(unit_record::parse_cadastral_category(&s));
        check_str(unit_record::parse_floor_area(&s));
        check_str(unit_record::parse_rooms(&s));
        check_str(unit_record::parse_money_cents(&s));
        check_str(unit_record::parse_whole(&s));
        check_str(unit_record::parse_hundredths(&s));
        check_str(OwnerKind::parse(&s));
        let _ = Column::from_header(&s);
        let _ = unit_record::loose_key(&s);
    }

    #[test]
    fn unit_row_parser_never_panics(cells in prop::collection::vec(hostile(), 0..40), year in 1900i32..2100) {
        let headers: Vec<&str> = Column::ALL.iter().map(|c| c.header()).collect();
        let map = HeaderMap::from_headers(&headers).expect("documented headers");
        let parsed = unit_record::parse_row(&map, &cells, year);
        let _ = format!("{parsed:?}");
    }

    #[test]
    fn header_map_never_panics(headers in prop::collection::vec(hostile(), 0..40)) {
        if let Err(problems) = HeaderMap::from_headers(&headers) {
            for p in problems {
                assert_italian(&p.reason());
            }
        }
    }

    #[test]
    fn unit_filter_parsers_never_panic(s in hostile()) {
        fn f<T>(r: Result<T, unit_filter::FilterError>) {
            if let Err(e) = r {
                let m = e.to_string();
                assert!(m.starts_with(e.field.label()), "{m}");
                assert_italian(&e.message);
            }
        }
        f(unit_filter::parse_unit_id(&s));
        f(unit_filter::parse_building_code(&s));
        f(unit_filter::parse_service(&s));
        f(unit_filter::parse_province(&s));
        f(unit_filter::parse_comune(&s));
        f(unit_filter::parse_states(&s));
        f(unit_filter::parse_in_notice(&s));
        f(unit_filter::parse_year(&s));
        f(unit_filter::parse_text(&s));
        check_str(SortKey::parse(&s));
    }

    #[test]
    fn key_names_never_panic(s in hostile()) {
        check_str(Key::parse(&s));
    }

    #[test]
    fn communication_form_never_panics(
        texts in prop::collection::vec(prop::option::of(hostile()), 8),
        counts in prop::collection::vec(prop_oneof![any::<i64>(), -5i64..500], 6),
        kind in prop::sample::select(OwnerKind::ALL),
        set in 0usize..16,
    ) {
        let sets = rules::builtin().expect("built-in rule sets");
        let rules = &sets[set % sets.len()];
        let input = FormInput {
            counts: Counts {
                carenze: counts[0],
                nuove: counts[1],
                turnover: counts[2],
                privati: counts[3],
                sat: counts[4],
                assegnate: counts[5],
            },
            indigent_excess: texts[0].clone(),
            elderly: texts[1].clone(),
            single_parent: texts[2].clone(),
            disabled: texts[3].clone(),
            new_family: texts[4].clone(),
            police: texts[5].clone(),
            other_name: texts[6].clone(),
            other: texts[7].clone(),
        };
        if let Err(errors) = communication::validate(&input, kind, rules) {
            prop_assert!(!errors.is_empty());
            for e in errors {
                let m = e.to_string();
                prop_assert!(m.starts_with(e.field.label()), "{}", m);
                assert_italian(&e.message);
            }
        }
    }

    #[test]
    fn text_field_survives_any_key_sequence(
        max in 0usize..12,
        start in hostile(),
        keys in prop::collection::vec((key_code(), modifiers()), 0..60),
    ) {
        let mut f = TextField::with_value(max, &start);
        prop_assert!(f.value().chars().count() <= max);
        for (code, mods) in keys {
            f.edit(&KeyEvent::new(code, mods));
            let len = f.value().chars().count();
            prop_assert!(len <= max, "{} > {}", len, max);
            prop_assert!(f.cursor() <= len, "cursor {} past {}", f.cursor(), len);
        }
        // Pasted text too: on one line, within the length, drawn without a panic.
        f.paste(&start);
        let len = f.value().chars().count();
        prop_assert!(len <= max, "{} > {}", len, max);
        prop_assert!(f.text_area().lines().len() == 1);
        prop_assert!(!f.value().contains(['\n', '\r']));
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(8, 1)).unwrap();
        t.draw(|fr| {
            casa::ui::field::draw(
                fr,
                &Theme::mono(),
                fr.area(),
                &f,
                casa::ui::field::Look::focused(true),
            )
        })
        .unwrap();
    }
}

fn key_code() -> impl Strategy<Value = KeyCode> {
    prop_oneof![
        4 => any::<char>().prop_map(KeyCode::Char),
        1 => Just(KeyCode::Backspace),
        1 => Just(KeyCode::Delete),
        1 => Just(KeyCode::Left),
        1 => Just(KeyCode::Right),
        1 => Just(KeyCode::Home),
        1 => Just(KeyCode::End),
        1 => Just(KeyCode::Enter),
        1 => Just(KeyCode::Tab),
        1 => any::<u8>().prop_map(KeyCode::F),
    ]
}

fn modifiers() -> impl Strategy<Value = KeyModifiers> {
    any::<u8>().prop_map(KeyModifiers::from_bits_truncate)
}

// -------------------------------------------------------------------------------------------
// Configuration files: rule sets, keymaps, themes

/// A TOML file with one line changed: its value replaced, the line cut, or a hostile line
/// inserted. Starting from the real files reaches the checks after TOML parsing.
fn mutated(files: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        prop::sample::select(files),
        any::<prop::sample::Index>(),
        0u8..5,
        toml_value(),
    )
        .prop_map(|(text, at, how, value)| {
            let mut lines: Vec<String> = text.lines().map(String::from).collect();
            if lines.is_empty() {
                return value;
            }
            let i = at.index(lines.len());
            match how {
                0 => {
                    if let Some((k, _)) = lines[i].split_once('=') {
                        lines[i] = format!("{k}= {value}");
                    } else {
                        lines[i] = value;
                    }
                }
                1 => {
                    let l = &lines[i];
                    let cut = l
                        .char_indices()
                        .nth(l.chars().count() / 2)
                        .map_or(0, |(b, _)| b);
                    lines[i] = l[..cut].to_string();
                }
                2 => lines.insert(i, value),
                3 => {
                    // Every decimal of the file at the same extreme (largest accepted, zero, ...).
                    let extreme = ["1000000000.0", "0.0", "0.01", "999999999.99"][i % 4];
                    for l in &mut lines {
                        if l.starts_with("value = ")
                            && l[8..].starts_with(|c: char| c.is_ascii_digit())
                            && l.contains('.')
                        {
                            *l = format!("value = {extreme}");
                        }
                    }
                }
                _ => {
                    lines.remove(i);
                }
            }
            lines.join("\n")
        })
}

/// TOML values (and some text that is not TOML) of every type the loaders may meet.
fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| format!("{v:?}")),
        prop::sample::select(
            &[
                "nan",
                "inf",
                "-inf",
                "0",
                "-1",
                "1e308",
                "0.001",
                "100.0",
                "true",
                "[]",
                "{}",
                "[[]]",
                "\"\"",
                "\"ctrl-\"",
                "\"F0\"",
                "[\"ctrl-alt-x\", \"\"]",
                "1979-05-27",
                "0000-01-01",
                "9999-12-31T23:59:59",
                "2025-02-29",
                "12:00:00",
                "\"#zzzzzz\"",
                "\"rgb(300,0,0)\"",
                "\"#fff\"",
                "\"\u{FEFF}\"",
                "'''\n'''",
                "[x]",
                "[[x]]",
                "x.y.z = 1",
                "= =",
                "\"\\uD800\"",
            ][..]
        )
        .prop_map(String::from),
        "\"[^\"\\\\\\n]{0,20}\"",
        hostile(),
    ]
}

const RULE_FILES: &[&str] = &[
    include_str!("../rules/rr-4-2017.toml"),
    include_str!("../rules/rr-3-2019.toml"),
    include_str!("../rules/rr-6-2021.toml"),
    include_str!("../rules/rr-2-2025.toml"),
];
const KEYMAP_FILES: &[&str] = &[
    include_str!("../keymaps/default.toml"),
    include_str!("../keymaps/vim.toml"),
];
const THEME_FILES: &[&str] = &[
    include_str!("../themes/default.toml"),
    include_str!("../themes/mono.toml"),
];

proptest! {
    #[test]
    fn rule_set_loader_never_panics(text in prop_oneof![mutated(RULE_FILES), hostile()]) {
        match rules::parse("prova.toml", &text) {
            Ok(set) => {
                if let Err(e) = set.ranking() {
                    assert_italian(&e.to_string());
                }
            }
            Err(e) => {
                let m = e.to_string();
                prop_assert!(m.starts_with("prova.toml"), "{}", m);
                assert_italian(&m);
            }
        }
    }

    /// A rule set the loader accepts must rank without a panic (overflow included): the
    /// values of the file reach the arithmetic of access checks and scores.
    #[test]
    fn accepted_rule_sets_rank_without_panic(text in mutated(&RULE_FILES[1..])) {
        let Ok(set) = rules::parse("prova.toml", &text) else { return Ok(()) };
        let Ok(r) = set.ranking() else { return Ok(()) };
        for members in 0..=25 {
            let _ = r.pse(members);
            let _ = r.assets_max(members);
        }
        for app in example_applications() {
            let _ = casa::domain::application::access_failures(app, r, &set.cite, set.effective_from);
            let _ = casa::domain::isbar::score(app, r, &set.cite, set.effective_from);
        }
    }

    #[test]
    fn keymap_loader_never_panics(text in prop_oneof![mutated(KEYMAP_FILES), hostile()]) {
        let base = Keymap::default_map();
        for b in [None, Some(&base)] {
            if let Err(e) = Keymap::parse(&text, "tasti.toml", b) {
                prop_assert!(e.line >= 1);
                prop_assert!(!e.reason.trim().is_empty());
                assert_italian(&e.to_string());
            }
        }
    }

    #[test]
    fn theme_loader_never_panics(text in prop_oneof![mutated(THEME_FILES), hostile()]) {
        if let Err(e) = Theme::parse(&text, "tema.toml") {
            prop_assert!(e.line >= 1);
            prop_assert!(!e.reason.trim().is_empty());
            assert_italian(&e.to_string());
        }
    }
}

// -------------------------------------------------------------------------------------------
// Importers: in process on a small demo database, and a few runs of the real binary

/// The demo operator who may edit the registry of the example row's owner (Comune di Milano).
const UNIT_OPERATOR: &str = "comune.015146";

/// The demo database (300 units, 50 applications), built once per test binary.
fn demo_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("hostile_input-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("demo.sqlite");
        let out = Command::new(env!("CARGO_BIN_EXE_casa"))
            .arg("--db")
            .arg(&db)
            .args(["demo", "--units", "300", "--applications", "50"])
            .env_remove("CASA_DB")
            .env("HOME", &dir)
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "casa demo: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        db
    })
}

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("hostile")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap()
}

/// The example unit row (fixtures/units_example.csv), cell by cell.
fn example_unit_row() -> Vec<String> {
    let text = include_str!("../fixtures/units_example.csv");
    let line = text.lines().nth(1).expect("an example row");
    line.split(';').map(String::from).collect()
}

/// A valid application member row, in `Col::ALL` order.
fn example_application_row() -> Vec<String> {
    let mut row: Vec<String> = Col::ALL.iter().map(|_| String::new()).collect();
    let set = |row: &mut Vec<String>, c: Col, v: &str| row[c as usize] = v.to_string();
    set(&mut row, Col::Code, "P-1");
    set(&mut row, Col::SubmittedAt, "01/03/2026 10:00");
    set(&mut row, Col::TaxCode, "RSSMRA85T10A562S");
    set(&mut row, Col::BirthDate, "10/12/1985");
    set(&mut row, Col::Relationship, "RICHIEDENTE");
    set(&mut row, Col::Isee, "2.500,00");
    set(&mut row, Col::Assets, "1000");
    set(&mut row, Col::ResidesLombardy, "SI");
    set(&mut row, Col::WorksLombardy, "NO");
    set(&mut row, Col::ResidenceIstat, "015146");
    set(&mut row, Col::YearsRegion, "20");
    set(&mut row, Col::YearsComune, "12");
    row
}

/// Rows that start from a valid row and replace some cells with hostile text.
fn rows_from(example: Vec<String>) -> impl Strategy<Value = Vec<Vec<String>>> {
    let width = example.len();
    prop::collection::vec(
        prop::collection::vec(prop::option::weighted(0.25, hostile()), width..width + 3),
        1..6,
    )
    .prop_map(move |rows| {
        rows.into_iter()
            .map(|cells| {
                cells
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| c.unwrap_or_else(|| example.get(i).cloned().unwrap_or_default()))
                    .collect()
            })
            .collect()
    })
}

/// CSV text: a `;`-separated header and rows, cells quoted when they need it.
fn csv_text(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

fn unit_header() -> Vec<&'static str> {
    Column::ALL.iter().map(|c| c.header()).collect()
}

fn application_header() -> Vec<&'static str> {
    Col::ALL.iter().map(|c| c.header()).collect()
}

/// A few real applications (from the fuzz seed), read once.
fn example_applications() -> &'static [casa::domain::application::Application] {
    static APPS: OnceLock<Vec<casa::domain::application::Application>> = OnceLock::new();
    APPS.get_or_init(|| {
        let dir = scratch();
        let path = dir.path().join("domande.csv");
        std::fs::write(&path, include_bytes!("../fuzz/seeds/application_csv/a.csv")).unwrap();
        read_applications(&path, None, &known_conditions()).unwrap()
    })
}

fn known_conditions() -> Vec<String> {
    let sets = rules::builtin().unwrap();
    let set = sets.last().unwrap();
    set.ranking()
        .unwrap()
        .conditions
        .iter()
        .map(|c| c.code.clone())
        .collect()
}

/// Runs the unit import check in process as `regione`; a refusal must be an Italian report.
fn check_units(bytes: &[u8], ext: &str) {
    let dir = scratch();
    let path = dir.path().join(format!("alloggi.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    let store = Store::open(demo_db(), Access::ReadOnly).unwrap();
    let scope = operators::scope(store.conn(), UNIT_OPERATOR)
        .unwrap()
        .unwrap();
    match import::check(&store, &|a| scope.check(a), &path, &Options::default()).unwrap() {
        Checked::Valid(_) => {}
        Checked::Invalid(report) => assert_report(&report),
    }
}

fn check_applications(bytes: &[u8], ext: &str) {
    let dir = scratch();
    let path = dir.path().join(format!("domande.{ext}"));
    std::fs::write(&path, bytes).unwrap();
    if let Err(report) = read_applications(&path, None, &known_conditions()) {
        assert_report(&report);
    }
}

fn assert_report(report: &import::Report) {
    assert!(!report.problems.is_empty(), "refused without a problem");
    for p in &report.problems {
        assert_italian(&p.reason);
    }
    let mut out = Vec::new();
    report.print(&mut out, Some(50)).unwrap();
    assert!(!out.is_empty());
}

proptest! {
    #[test]
    fn unit_csv_cells_never_panic(rows in rows_from(example_unit_row())) {
        check_units(&csv_text(&unit_header(), &rows), "csv");
    }

    #[test]
    fn unit_csv_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_units(&bytes, "csv");
    }

    #[test]
    fn application_csv_cells_never_panic(rows in rows_from(example_application_row())) {
        check_applications(&csv_text(&application_header(), &rows), "csv");
    }

    #[test]
    fn application_csv_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check_applications(&bytes, "csv");
    }

    #[test]
    fn xlsx_bytes_never_panic(bytes in xlsx_bytes()) {
        check_units(&bytes, "xlsx");
        check_applications(&bytes, "xlsx");
    }
}

/// Bytes of a real workbook with some bytes changed, or cut short, or random bytes.
fn xlsx_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..400),
        3 => (prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8), any::<prop::sample::Index>(), any::<bool>())
            .prop_map(|(edits, cut, truncate)| {
                let mut b = if cut.index(2) == 0 { workbook().to_vec() } else { STORED_XLSX.to_vec() };
                for (at, v) in edits {
                    let i = at.index(b.len());
                    b[i] = v;
                }
                if truncate {
                    b.truncate(cut.index(b.len() + 1));
                }
                b
            }),
    ]
}

/// A workbook whose parts are stored, not deflated, so that changed bytes reach the XML (the
/// xlsx fuzz target's seed).
const STORED_XLSX: &[u8] = include_bytes!("../fixtures/fuzz/seeds/xlsx/alloggi.xlsx");

/// A small valid workbook with the unit header and the example row.
fn workbook() -> &'static [u8] {
    static BOOK: OnceLock<Vec<u8>> = OnceLock::new();
    BOOK.get_or_init(|| {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (c, h) in unit_header().iter().enumerate() {
            sheet.write_string(0, c as u16, *h).unwrap();
        }
        for (c, v) in example_unit_row().iter().enumerate() {
            let leading_zero = v.len() > 1 && v.starts_with('0');
            match v.parse::<f64>().ok().filter(|_| !leading_zero) {
                Some(n) => sheet.write_number(1, c as u16, n).unwrap(),
                None => sheet.write_string(1, c as u16, v).unwrap(),
            };
        }
        book.save_to_buffer().unwrap()
    })
}

/// The real binary on a copy of the demo database: exit 0, or exit 4 with an Italian message
/// and the database file unchanged; never a panic.
fn run_import(args: &[&str], operator: &str, file: &Path) {
    let dir = scratch();
    let db = dir.path().join("casa.sqlite");
    std::fs::copy(demo_db(), &db).unwrap();
    let before = std::fs::read(&db).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_casa"))
        .arg("--db")
        .arg(&db)
        .args(["--operator", operator])
        .args(args)
        .arg(file)
        .env_remove("CASA_DB")
        .env_remove("CASA_OPERATOR")
        .env("HOME", dir.path())
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => accepted(
            args,
            &db,
            file,
            &before,
            &String::from_utf8_lossy(&out.stdout),
        ),
        Some(4) => {
            assert_italian(&stderr);
            assert!(
                std::fs::read(&db).unwrap() == before,
                "refused import changed the database"
            );
        }
        other => panic!("casa {args:?} exited {other:?}: {stderr}"),
    }
}

/// An import the binary accepted: the database is sound, changed by exactly one audited
/// import (or not at all, when the binary said nothing changed), and holds what the file said.
fn accepted(args: &[&str], db: &Path, file: &Path, before: &[u8], stdout: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "accepted import left a damaged database");
    if stdout.contains("Nessuna modifica") {
        drop(conn);
        assert!(
            std::fs::read(db).unwrap() == before,
            "'no change' changed the database"
        );
        return;
    }
    let units = args[0] == "units";
    let (action, header, key) = if units {
        ("alloggi.importa", unit_header(), Column::UnitCode.header())
    } else {
        ("domande.importa", application_header(), Col::Code.header())
    };
    let audits: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE action = ?1",
            [action],
            |r| r.get(0),
        )
        .unwrap();
    let audits_before: i64 = rusqlite::Connection::open_with_flags(
        demo_db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap()
    .query_row(
        "SELECT count(*) FROM audit WHERE action = ?1",
        [action],
        |r| r.get(0),
    )
    .unwrap();
    assert_eq!(
        audits,
        audits_before + 1,
        "one audit record per import: {stdout}"
    );
    let mut rows = csv::ReaderBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .has_headers(true)
        .from_path(file)
        .unwrap();
    let k = header.iter().position(|h| *h == key).unwrap();
    let address = header.iter().position(|h| *h == Column::Address.header());
    let mut seen = 0;
    for row in rows.records() {
        let row = row.unwrap();
        let code = row.get(k).unwrap_or("").trim();
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        seen += 1;
        if units {
            let stored: Vec<String> = conn
                .prepare("SELECT address FROM unit WHERE code = ?1")
                .unwrap()
                .query_map([code], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let want = address.and_then(|a| row.get(a)).unwrap_or("").trim();
            assert!(
                stored.iter().any(|a| a == want),
                "unit {code:?}: address {want:?} not stored ({stored:?})"
            );
        } else {
            let n: i64 = conn
                .query_row(
                    "SELECT count(*) FROM application WHERE code = ?1",
                    [code],
                    |r| r.get(0),
                )
                .unwrap();
            assert_eq!(n, 1, "application {code:?} not stored");
        }
    }
    assert!(seen > 0, "an accepted import of no rows");
}

fn demo_notice() -> (String, String) {
    let conn = rusqlite::Connection::open_with_flags(
        demo_db(),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    conn.query_row(
        "SELECT n.id, d.code FROM notice n JOIN district d ON d.id = n.district_id ORDER BY n.id LIMIT 1",
        [],
        |r| Ok((r.get::<_, i64>(0)?.to_string(), r.get::<_, String>(1)?)),
    )
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn units_import_binary_refuses_cleanly(rows in rows_from(example_unit_row())) {
        let dir = scratch();
        let file = dir.path().join("alloggi.csv");
        std::fs::write(&file, csv_text(&unit_header(), &rows)).unwrap();
        run_import(&["units", "import"], UNIT_OPERATOR, &file);
    }

    #[test]
    fn applications_import_binary_refuses_cleanly(rows in rows_from(example_application_row())) {
        let dir = scratch();
        let file = dir.path().join("domande.csv");
        std::fs::write(&file, csv_text(&application_header(), &rows)).unwrap();
        let (notice, district) = demo_notice();
        let capofila = format!("capofila.{}", district.to_lowercase());
        run_import(&["applications", "import", "--notice", &notice], &capofila, &file);
    }
}

/// Hostile but valid text is accepted, and `accepted` checks what was stored (the properties
/// above rarely produce a valid file: a changed cell is usually refused).
#[test]
fn accepted_hostile_imports_store_what_the_file_said() {
    let dir = scratch();
    let mut row = example_unit_row();
    let address = Column::ALL
        .iter()
        .position(|c| *c == Column::Address)
        .unwrap();
    for (i, text) in [
        "=HYPERLINK(\"http://x\";\"clic\")",
        "Via \"Roma\"; 1",
        "Via dell'Ùltimo — ½ «x»",
    ]
    .iter()
    .enumerate()
    {
        row[address] = (*text).to_string();
        let file = dir.path().join(format!("alloggi{i}.csv"));
        std::fs::write(&file, csv_text(&unit_header(), std::slice::from_ref(&row))).unwrap();
        run_import(&["units", "import"], UNIT_OPERATOR, &file);
    }
    let (notice, district) = demo_notice();
    let capofila = format!("capofila.{}", district.to_lowercase());
    let file = dir.path().join("domande.csv");
    std::fs::write(
        &file,
        csv_text(&application_header(), &[example_application_row()]),
    )
    .unwrap();
    run_import(
        &["applications", "import", "--notice", &notice],
        &capofila,
        &file,
    );
}

#[test]
fn binary_refuses_garbage_files_cleanly() {
    let dir = scratch();
    let (notice, district) = demo_notice();
    let capofila = format!("capofila.{}", district.to_lowercase());
    let cases: &[(&str, &[u8])] = &[
        ("vuoto.csv", b""),
        ("bom.csv", b"\xEF\xBB\xBF"),
        ("binario.csv", b"\x00\xff\xfe\"\n\"\"\x80;;\r\r\n"),
        ("finto.xlsx", b"PK\x03\x04 non un file zip"),
        ("vuoto.xlsx", b""),
    ];
    for (name, bytes) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        run_import(&["units", "import"], UNIT_OPERATOR, &file);
        run_import(
            &["applications", "import", "--notice", &notice],
            &capofila,
            &file,
        );
    }
}

/// The generators start from valid files, so that changed cells reach every check.
#[test]
fn starting_points_are_valid() {
    let dir = scratch();
    let store = Store::open(demo_db(), Access::ReadOnly).unwrap();
    let scope = operators::scope(store.conn(), UNIT_OPERATOR)
        .unwrap()
        .unwrap();
    for (name, bytes) in [
        ("a.xlsx", STORED_XLSX.to_vec()),
        ("b.xlsx", workbook().to_vec()),
        ("c.csv", csv_text(&unit_header(), &[example_unit_row()])),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        match import::check(&store, &|a| scope.check(a), &path, &Options::default()).unwrap() {
            Checked::Valid(_) => {}
            Checked::Invalid(r) => panic!("{name}: {:?}", r.problems),
        }
    }
    let path = dir.path().join("d.csv");
    std::fs::write(
        &path,
        csv_text(&application_header(), &[example_application_row()]),
    )
    .unwrap();
    read_applications(&path, None, &known_conditions()).unwrap();
}

// -------------------------------------------------------------------------------------------
// Regressions: inputs that the fuzzers and properties above once found wanting.

/// TOML and structure errors of configuration files came out in the toml crate's English
/// ("unknown field `x`, expected ...").
#[test]
fn configuration_errors_are_in_italian() {
    let e = rules::parse("r.toml", "effective_from = 1")
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("r.toml, riga 1: tipo di valore non valido"),
        "{e}"
    );
    let e = Keymap::parse("cite = 3\n", "k.toml", None).unwrap_err();
    assert!(
        e.reason.starts_with("chiave sconosciuta `cite`; atteso"),
        "{e}"
    );
    let e = Theme::parse("[[", "t.toml").unwrap_err();
    assert!(e.reason.starts_with("sintassi TOML non valida"), "{e}");
    let e = rules::parse("r.toml", "").unwrap_err().to_string();
    assert!(e.contains("manca la chiave"), "{e}");
}

/// A rule set whose values are huge but well formed: the loader refuses values beyond a
/// billion, and the arithmetic on the largest accepted ones does not overflow (it did:
/// `assets_per_pse_eur = 1e17` made `RankingRules::assets_max` panic).
#[test]
fn huge_rule_values_do_not_overflow() {
    let base = RULE_FILES[3];
    let keys = [
        (
            "[access.assets_per_pse_eur]\nvalue = 5000.00",
            "[access.assets_per_pse_eur]\nvalue = ",
        ),
        (
            "[access.assets_base_eur]\nvalue = 16000.00",
            "[access.assets_base_eur]\nvalue = ",
        ),
        (
            "[access.pse_each_further]\nvalue = 0.35",
            "[access.pse_each_further]\nvalue = ",
        ),
    ];
    for (key, replaced) in keys {
        assert!(base.contains(key), "{key}");
        let text = base.replace(key, &format!("{replaced}1e17"));
        let e = match rules::parse("r.toml", &text) {
            Ok(set) => set.ranking().unwrap_err().to_string(),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("troppo grande"), "{e}");
    }
    let mut text = base.to_string();
    for (key, replaced) in keys {
        text = text.replace(key, &format!("{replaced}1000000000"));
    }
    let set = rules::parse("r.toml", &text).unwrap();
    let r = set.ranking().unwrap();
    for members in 0..=25 {
        let _ = r.pse(members);
        let _ = r.assets_max(members);
    }
    for app in example_applications() {
        let _ = casa::domain::application::access_failures(app, r, &set.cite, set.effective_from);
        let _ = casa::domain::isbar::score(app, r, &set.cite, set.effective_from);
    }
}

/// Workbooks that crashed the Excel reader (found by the `xlsx` fuzz target): a cell reference
/// whose column overflows calamine's u32 arithmetic (a panic in debug builds), and a column
/// reference `ZZZZZZZZZZZZZZ2` that made calamine allocate 228 GB for the used area (an abort
/// in release builds). Both are now refused with an Italian message, by both importers and by
/// the binary.
#[test]
fn damaged_workbooks_are_refused() {
    let files: [(&str, &[u8]); 2] = [
        (
            "overflowing-reference.xlsx",
            include_bytes!("../fixtures/fuzz/regressions/xlsx/overflowing-reference.xlsx"),
        ),
        (
            "huge-column.xlsx",
            include_bytes!("../fixtures/fuzz/regressions/xlsx/huge-column.xlsx"),
        ),
    ];
    let dir = scratch();
    let (notice, district) = demo_notice();
    let capofila = format!("capofila.{}", district.to_lowercase());
    for (name, bytes) in files {
        check_units(bytes, "xlsx");
        check_applications(bytes, "xlsx");
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        run_import(&["units", "import"], UNIT_OPERATOR, &file);
        run_import(
            &["applications", "import", "--notice", &notice],
            &capofila,
            &file,
        );
    }
    let path = dir.path().join("huge-column.xlsx");
    let store = Store::open(demo_db(), Access::ReadOnly).unwrap();
    let scope = operators::scope(store.conn(), UNIT_OPERATOR)
        .unwrap()
        .unwrap();
    match import::check(&store, &|a| scope.check(a), &path, &Options::default()).unwrap() {
        Checked::Invalid(r) => assert!(
            r.problems
                .iter()
                .any(|p| p.reason.contains("oltre i limiti di Excel")
                    || p.reason.contains("danneggiato")),
            "{:?}",
            r.problems
        ),
        Checked::Valid(_) => panic!("a forged workbook was accepted"),
    }
}

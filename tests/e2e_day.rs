//! The operator's day in a real pseudo-terminal at 80x24 with NO_COLOR (issue #13): one
//! scenario for each thing that blocked an operator or lost their work. Plans and filings are
//! set up through the command line; the interface is then driven as an operator would.

mod support;

use support::cli::Env;
use support::pty::{self, PtySession};

const DISTRICT: &str = "BG-SERIATE";
const CAPOFILA: &str = "capofila.bg-seriate";
/// Comune di Seriate, in the district.
const COMUNE: &str = "comune.016198";
const CTRL_T: &str = "\x14";
const CTRL_S: &str = "\x13";
const CTRL_C: &str = "\x03";
const F6: &str = "\x1b[17~";
const F8: &str = "\x1b[19~";

fn day(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset)).to_string()
}

/// A date as typed in the interface (GG/MM/AAAA).
fn it(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset))
        .format("%d/%m/%Y")
        .to_string()
}

fn demo() -> Env {
    Env::demo(&["--units", "3000", "--applications", "0"])
}

/// A 2026 plan of the district; `open` opens its window and the Comune certifies.
fn plan(env: &Env, open: bool) -> String {
    let v = env.json(
        CAPOFILA,
        &[
            "plan",
            "create",
            "--district",
            DISTRICT,
            "--year",
            "2026",
            "--start",
            &day(-5),
            "--end",
            &day(20),
            "--format",
            "json",
        ],
    );
    let id = v["id"].as_i64().unwrap().to_string();
    if open {
        env.ok(CAPOFILA, &["plan", "open", &id]);
        env.ok(COMUNE, &["certification", "certify"]);
    }
    id
}

/// `comm file` for the Comune with b = 3, c+d = 4, the other counts 0, and `extra`.
fn file(env: &Env, id: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "comm",
        "file",
        "--plan",
        id,
        "--carenze",
        "3",
        "--nuove",
        "4",
        "--turnover",
        "0",
        "--privati",
        "0",
        "--sat",
        "0",
        "--assegnate",
        "0",
    ];
    args.extend_from_slice(extra);
    env.ok(COMUNE, &args)
}

/// Home → a menu item counted from the last (0 = Piani annuali, 1 = Comunicazione annuale).
fn menu_from_last(s: &mut PtySession, from_last: usize) {
    s.wait_for("Ricerca alloggi", 20);
    for _ in 0..30 {
        s.send(pty::DOWN);
    }
    for _ in 0..from_last {
        s.send(pty::UP);
    }
    s.send(pty::ENTER);
}

fn quit(mut s: PtySession) {
    s.send(pty::F3);
    s.send(pty::F3);
    assert!(s.wait_exit(10));
}

/// The screen line holding `needle`.
fn line_with(s: &PtySession, needle: &str) -> String {
    s.screen()
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line with {needle:?}:\n{}", s.screen()))
        .to_string()
}

/// Item 1: A Comune refiles a communication whose stored shares the form shows as "12,5%".
#[test]
fn item1_a_transmitted_communication_with_percentages_is_filed_again() {
    let env = demo();
    let id = plan(&env, true);
    file(
        &env,
        &id,
        &["--anziani-pct", "12,5", "--indigenti-pct", "10"],
    );
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("TRASMESSA", 10);
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.send(CTRL_T);
    s.wait_for("Trasmessa: ID", 10);
    assert!(
        !s.screen().contains("non è una percentuale"),
        "{}",
        s.screen()
    );
    quit(s);
    let history = env.json(
        COMUNE,
        &["comm", "history", "--plan", &id, "--format", "json"],
    );
    assert_eq!(history.as_array().unwrap().len(), 2, "{history:#}");
    assert_eq!(history[1]["form"]["shares"]["elderly"], 1250, "{history:#}");
}

/// Item 2: The receipt stays on the list and the form after leaving it, and the owner exports it.
#[test]
fn item2_the_receipt_is_shown_on_list_and_form_and_exported() {
    let env = demo();
    let id = plan(&env, true);
    file(&env, &id, &[]);
    let history = env.json(
        COMUNE,
        &["comm", "history", "--plan", &id, "--format", "json"],
    );
    let tid = history[0]["transmission_id"].as_str().unwrap().to_string();
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("TRASMESSA", 10);
    assert!(line_with(&s, "TRASMESSA").contains(&tid), "{}", s.screen());
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.wait_for(&format!("RICEVUTA: ID {tid}"), 5);
    s.send(F8);
    s.wait_for("Ricevuta scritta in", 10);
    quit(s);
    let name = format!("ricevuta_{tid}.xlsx");
    let written = std::fs::read(env.home.join(&name)).expect("receipt written");
    assert!(written.starts_with(b"PK"), "{name} is not an xlsx");
    // The command line writes the same receipt.
    let out = env.dir().join("ricevuta.xlsx");
    let said = env.casa(
        Some(COMUNE),
        &[
            "comm",
            "receipt",
            "--plan",
            &id,
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(said.status.success(), "{said:?}");
    assert!(
        String::from_utf8_lossy(&said.stderr).contains(&tid)
            || String::from_utf8_lossy(&said.stdout).contains(&tid)
    );
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
}

/// Item 3: A draft saved after a transmission is a new, untransmitted version, and the screens say
/// which version they show.
#[test]
fn item3_a_draft_after_a_transmission_says_which_version_is_shown() {
    let env = demo();
    let id = plan(&env, true);
    file(&env, &id, &[]);
    file(&env, &id, &["--anziani-pct", "12,5", "--draft"]);
    let show = env.ok(
        COMUNE,
        &["comm", "show", "--plan", &id, "--owner", "016198"],
    );
    assert!(show.contains("bozza non trasmessa"), "{show}");
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("TRASMESSA", 10);
    assert!(
        line_with(&s, "TRASMESSA").contains("BOZZA"),
        "{}",
        s.screen()
    );
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.wait_for("bozza non trasmessa", 5);
    quit(s);
    // The capofila's card says the Comune's draft is not the filing it counts.
    let mut s = env.tui_mono(CAPOFILA);
    menu_from_last(&mut s, 0);
    s.wait_for("APERTO", 10);
    s.send(pty::ENTER);
    s.wait_for("Chiudi finestra", 10);
    s.wait_for("il piano conta i valori trasmessi", 5);
    quit(s);
}

/// Item 4: An error keeps what was typed; leaving a form with unsaved changes asks first.
#[test]
fn item4_typed_input_survives_errors_and_leaving_asks() {
    let env = demo();
    // Nuovo piano with the end before the start: the dialog stays, the cursor on Fine.
    let mut s = env.tui_mono(CAPOFILA);
    menu_from_last(&mut s, 0);
    s.wait_for("Nuovo piano", 10);
    s.send("i");
    s.wait_for("NUOVO PIANO", 5);
    s.send("2026");
    s.send(pty::TAB);
    s.send(&it(-5));
    s.send(pty::TAB);
    s.send(&it(-9));
    s.send(pty::ENTER);
    s.wait_for("✖", 10);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let screen = s.screen();
    assert!(screen.contains("NUOVO PIANO"), "{screen}");
    assert!(screen.contains(&it(-9)), "{screen}");
    // Corrected, it is created.
    for _ in 0..10 {
        s.send(pty::BACKSPACE);
    }
    s.send(&it(20));
    s.send(pty::ENTER);
    s.wait_for("Creato il piano", 10);
    s.send(pty::ENTER);
    s.wait_for("Apri finestra", 10);
    s.send("a");
    s.send("a");
    s.wait_for("stato APERTO", 10);
    s.send("h");
    s.send("h");
    s.wait_for("stato CHIUSO", 10);
    // Riapri with a past date: the field stays with the date.
    s.send("r");
    s.wait_for("Nuova data di fine", 5);
    s.send(&it(-3));
    s.send(pty::ENTER);
    s.wait_for("✖", 10);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(s.screen().contains(&it(-3)), "{}", s.screen());
    assert!(s.screen().contains("Nuova data di fine"), "{}", s.screen());
    s.send(pty::ESC);
    s.send(pty::F3);
    s.send(pty::F3);
    assert!(s.wait_exit(10));

    // The Comune edits the form and presses Esc, then Ctrl-C: both ask first.
    let id = env.json(CAPOFILA, &["plan", "list", "--format", "json"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    env.ok(CAPOFILA, &["plan", "reopen", &id, "--end", &day(20)]);
    env.ok(COMUNE, &["certification", "certify"]);
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("DA COMPILARE", 10);
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.send(pty::BACKSPACE);
    s.send("9");
    s.send(pty::ESC);
    s.wait_for("non salvate", 5);
    assert!(s.screen().contains("SCHEMA COMUNICAZIONE ANNUALE"));
    s.send(CTRL_C);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        s.child.try_wait().unwrap().is_none(),
        "Ctrl-C left with unsaved changes"
    );
    s.send(CTRL_S);
    s.wait_for("Bozza salvata", 10);
    s.send(pty::ESC);
    s.wait_for("IN COMPILAZIONE", 10);
    s.send(CTRL_C);
    assert!(s.wait_exit(10));
}

/// Item 5: Closing, approving, certifying and declaring no units ask first, saying what happens.
#[test]
fn item5_irreversible_actions_ask_and_say_what_happens() {
    let env = demo();
    let id = plan(&env, true);
    file(&env, &id, &[]);
    let mut s = env.tui_mono(CAPOFILA);
    menu_from_last(&mut s, 0);
    s.wait_for("APERTO", 10);
    s.send(pty::ENTER);
    s.wait_for("Chiudi finestra", 10);
    s.send("h");
    s.wait_for("non hanno trasmesso", 5);
    assert!(
        s.screen().contains("STATO DEL PIANO APERTO"),
        "{}",
        s.screen()
    );
    s.send("h");
    s.wait_for("stato CHIUSO", 10);
    s.send("p");
    s.wait_for("non hanno trasmesso", 5);
    assert!(
        s.screen().contains("STATO DEL PIANO CHIUSO"),
        "{}",
        s.screen()
    );
    s.send(pty::ESC);
    quit(s);
    assert_eq!(
        env.json(CAPOFILA, &["plan", "show", &id, "--format", "json"])["plan"]["effective_state"],
        "CHIUSO"
    );

    // Certification: the first press asks.
    let mut s = env.tui_mono(COMUNE);
    s.wait_for("Scheda certificazione", 20);
    s.send(pty::DOWN);
    s.send(pty::ENTER);
    s.wait_for("Numero unità abitative", 10);
    s.send(F6);
    s.wait_for("Certificare", 5);
    assert!(!s.screen().contains("Certificazione registrata"));
    s.send(F6);
    s.wait_for("Certificazione registrata", 10);
    quit(s);
}

/// Item 9: A refused value is marked as the field is left, the total ignores it, and a category
/// total over the limit is marked on the field that passed it.
#[test]
fn item9_fields_are_checked_as_they_are_left() {
    let env = demo();
    plan(&env, true);
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("DA COMPILARE", 10);
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.send(pty::BACKSPACE);
    s.send("3");
    s.send(pty::TAB);
    s.send(pty::BACKSPACE);
    s.send("-4");
    s.send(pty::TAB);
    s.wait_for("numero intero", 5);
    assert!(line_with(&s, "Nuova edif.").contains("✖"), "{}", s.screen());
    assert!(
        line_with(&s, "(calcolato)").contains("3 (calcolato)"),
        "{}",
        s.screen()
    );
    // c-bis shares: 15 + 10 pass the 20% of the category reserves at Disabili.
    for _ in 0..5 {
        s.send(pty::TAB);
    }
    s.send("15");
    s.send(pty::TAB);
    s.send(pty::TAB);
    s.send("10");
    s.send(pty::TAB);
    s.wait_for("insieme fanno", 5);
    assert!(line_with(&s, "Disabili").contains("✖"), "{}", s.screen());
    assert!(
        !line_with(&s, "Altra categoria %").contains("✖"),
        "{}",
        s.screen()
    );
    // Unsaved: Ctrl-C asks first, then leaves.
    s.send(CTRL_C);
    s.wait_for("non salvate", 5);
    s.send(CTRL_C);
    assert!(s.wait_exit(10));
}

/// Item 7: A list shows what is stored when the operator comes back to it; cancelled plans are not
/// offered for filing.
#[test]
fn item7_lists_are_current_when_returned_to() {
    let env = demo();
    let id = plan(&env, true);
    env.ok(CAPOFILA, &["plan", "close", &id]);
    let mut s = env.tui_mono(CAPOFILA);
    menu_from_last(&mut s, 0);
    s.wait_for("CHIUSO", 10);
    s.send(pty::ENTER);
    s.wait_for("Approva", 10);
    s.send("p");
    s.send("p");
    s.wait_for("stato APPROVATO", 10);
    s.send(pty::ESC);
    s.wait_for("Piani annuali dell'ambito", 5);
    s.wait_for("APPROVATO", 5);
    assert!(!s.screen().contains("CHIUSO"), "{}", s.screen());
    quit(s);

    // A plan of the next year, cancelled: the Comune is not asked to fill it.
    let v = env.json(
        CAPOFILA,
        &[
            "plan",
            "create",
            "--district",
            DISTRICT,
            "--year",
            "2027",
            "--start",
            &day(-5),
            "--end",
            &day(20),
            "--format",
            "json",
        ],
    );
    let cancelled = v["id"].as_i64().unwrap().to_string();
    env.ok(CAPOFILA, &["plan", "cancel", &cancelled]);
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("BG-SERIATE", 10);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!s.screen().contains(" 2027 "), "{}", s.screen());
    quit(s);
}

/// Item 8: A message longer than the line is read whole.
#[test]
fn item8_long_messages_are_read_whole() {
    let env = demo();
    plan(&env, true);
    let mut s = env.tui_mono(COMUNE);
    menu_from_last(&mut s, 1);
    s.wait_for("DA COMPILARE", 10);
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.send(pty::TAB);
    s.send(pty::BACKSPACE);
    // A letter is not typed in a number (and says why); a negative number is refused.
    s.send("q");
    s.wait_for("il campo vuole un numero", 5);
    s.send("-1");
    s.send(CTRL_T);
    s.wait_for("maggiore o uguale a 0", 5);
    s.send(CTRL_C);
    s.send(CTRL_C);
    assert!(s.wait_exit(10));
}

/// The ALER of the district, which has units of every state.
const ALER: &str = "aler.bg-lc-so";

/// The ids of the ALER's first LIBERO units, by id (those marked for `marked`).
fn libero(env: &Env, marked: Option<&str>) -> Vec<i64> {
    let mut args = vec![
        "units", "search", "--stato", "LIBERO", "--limit", "5", "--format", "json",
    ];
    if let Some(y) = marked {
        args.extend(["--marcati", y]);
    }
    let v = env.json(ALER, &args);
    let rows = v
        .as_array()
        .cloned()
        .unwrap_or_else(|| v["rows"].as_array().unwrap().clone());
    rows.iter().map(|r| r["id"].as_i64().unwrap()).collect()
}

/// Item 6: Single rows of the result are ticked and marked, then one is unmarked.
#[test]
fn item6_ticked_rows_are_marked_and_unmarked() {
    let env = demo();
    let free = libero(&env, None);
    assert!(
        free.len() >= 3,
        "the demo ALER has few free units: {free:?}"
    );
    let mut s = env.tui_mono(ALER);
    s.wait_for("Ricerca alloggi", 20);
    s.send(pty::ENTER);
    s.wait_for("alloggi", 10);
    s.send("/");
    for _ in 0..5 {
        s.send(pty::TAB);
    }
    s.send("LIBERO");
    s.send(pty::ESC);
    std::thread::sleep(std::time::Duration::from_millis(600));
    s.wait_for(&free[0].to_string(), 10);
    // Tick the first and the third row.
    s.send(" ");
    s.send(pty::DOWN);
    s.send(pty::DOWN);
    s.send(" ");
    s.send("m");
    s.wait_for("2 unità selezionate", 5);
    s.send(pty::ENTER);
    s.wait_for("marcat", 10);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(libero(&env, Some("2027")), vec![free[0], free[2]]);
    // Unmark the third only (the cursor stayed on it).
    s.send(" ");
    s.send("m");
    s.wait_for("1 unità selezionata", 5);
    s.send(pty::TAB);
    s.send(" ");
    s.send(pty::ENTER);
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert_eq!(libero(&env, Some("2027")), vec![free[0]], "{}", s.screen());
    quit(s);
}

/// Details: the command line stops quietly when its reader has gone (`casa … | head`), with
/// no backtrace and no error, whether it prints with a table writer or line by line.
#[test]
fn the_command_line_stops_quietly_on_a_closed_pipe() {
    let env = demo();
    let id = plan(&env, true);
    file(&env, &id, &[]);
    for (op, args) in [
        (ALER, vec!["units", "search", "--limit", "500"]),
        (
            COMUNE,
            vec!["comm", "show", "--plan", &id, "--owner", "016198"],
        ),
        (COMUNE, vec!["comm", "history", "--plan", &id]),
    ] {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_casa"));
        cmd.args(["--operator", op])
            .args(&args)
            .env("CASA_DB", &env.db)
            .env("HOME", &env.home)
            .env("XDG_DATA_HOME", env.home.join("data"))
            .env("XDG_CONFIG_HOME", env.home.join("config"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        // The reader goes before casa writes a byte: every write meets a closed pipe.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {:?} {stderr}", out.status);
        assert!(stderr.is_empty(), "{args:?}: {stderr}");
    }
}

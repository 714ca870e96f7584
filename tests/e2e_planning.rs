//! End to end in a pseudo-terminal: the capofila of BG-SERIATE creates and opens a plan; the
//! Comune di Seriate and the ALER of Bergamo certify on the certification card and file
//! through the communication form; the capofila closes the window, writes the report, approves
//! and exports — and the command line agrees on the state and the filings, and the files
//! exist.

mod support;

use std::path::Path;
use support::cli::Env;
use support::pty::{self, PtySession};

const CAPOFILA: &str = "capofila.bg-seriate";
/// Comune di Seriate, in the district.
const COMUNE: &str = "comune.016198";
/// ALER Bergamo-Lecco-Sondrio: it has units in the district.
const ALER: &str = "aler.bg-lc-so";
const CTRL_T: &str = "\x14";
const BACKSPACE: &str = "\x7f";

fn it(offset: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(offset))
        .format("%d/%m/%Y")
        .to_string()
}

/// Home → the last menu item (Piani annuali); the selection stops at the last item.
fn last_menu_item(s: &mut PtySession) {
    s.wait_for("Ricerca alloggi", 20);
    for _ in 0..20 {
        s.send(pty::DOWN);
    }
    s.send(pty::ENTER);
}

/// Home → Comunicazione annuale, the item before Piani annuali.
fn comm_menu_item(s: &mut PtySession) {
    s.wait_for("Ricerca alloggi", 20);
    for _ in 0..20 {
        s.send(pty::DOWN);
    }
    s.send(pty::UP);
    s.send(pty::ENTER);
}

fn quit(mut s: PtySession) {
    s.send(pty::F3);
    s.send("q");
    assert!(s.wait_exit(10));
}

/// An owner certifies its registry on the certification card (Anagrafe › Scheda
/// certificazione, the second menu item): F6 Certifica.
fn certify_through_the_card(demo: &Env, operator: &str) {
    let mut s = demo.tui(operator, 160, 40);
    s.wait_for("Scheda certificazione", 20);
    s.send(pty::DOWN);
    s.send(pty::ENTER);
    s.wait_for("Numero unità abitative", 10);
    s.send("\x1b[17~"); // F6
    s.wait_for("Certificare", 10);
    s.send("\x1b[17~"); // F6 again confirms
    s.wait_for("Certificazione registrata", 10);
    quit(s);
}

/// An owner files b = 3, c+d = 4 through the communication form.
fn file_through_the_form(demo: &Env, operator: &str) {
    let mut s = demo.tui(operator, 160, 40);
    comm_menu_item(&mut s);
    s.wait_for("DA COMPILARE", 10);
    s.send(pty::ENTER);
    s.wait_for("SCHEMA COMUNICAZIONE ANNUALE", 10);
    s.send(BACKSPACE);
    s.send("3");
    s.send(pty::TAB);
    s.send(BACKSPACE);
    s.send("4");
    s.wait_for("7 (calcolato)", 10);
    s.send(CTRL_T);
    s.wait_for("RICEVUTA", 10);
    quit(s);
}

fn exists(dir: &Path, name: &str) -> bool {
    dir.join(name).is_file()
}

#[test]
fn capofila_creates_opens_closes_reports_approves_and_exports() {
    let demo = Env::demo(&["--units", "3000", "--applications", "0"]);
    let year = "2026";

    // The capofila creates the plan and opens the window.
    let mut s = demo.tui(CAPOFILA, 160, 40);
    last_menu_item(&mut s);
    s.wait_for("Nuovo piano", 10);
    s.send("i");
    s.wait_for("NUOVO PIANO", 5);
    s.send(year);
    s.send(pty::TAB);
    s.send(&it(-5));
    s.send(pty::TAB);
    s.send(&it(20));
    s.send(pty::ENTER);
    s.wait_for("Creato il piano", 10);
    s.wait_for("BOZZA", 5);
    s.send(pty::ENTER);
    s.wait_for("Apri finestra", 10);
    s.send("a");
    s.wait_for("stato APERTO", 10);
    quit(s);

    let plans = demo.json(CAPOFILA, &["plan", "list", "--format", "json"]);
    let plans = plans.as_array().unwrap();
    assert_eq!(plans.len(), 1);
    let id = plans[0]["id"].as_i64().unwrap().to_string();

    // The owners certify on the certification card and file through the form.
    for op in [COMUNE, ALER] {
        certify_through_the_card(&demo, op);
        file_through_the_form(&demo, op);
    }

    // The capofila closes, writes the report, approves and exports.
    let mut s = demo.tui(CAPOFILA, 160, 40);
    last_menu_item(&mut s);
    s.wait_for("APERTO", 10);
    s.send(pty::ENTER);
    s.wait_for("Chiudi finestra", 10);
    // Closing and approving ask first (how many owners have not filed): twice each.
    s.send("h");
    s.wait_for("non potranno più trasmettere", 10);
    s.send("h");
    s.wait_for("stato CHIUSO", 10);
    // The report asks where to save it (the working directory by default).
    s.send("t");
    s.wait_for("SALVA COME", 10);
    s.send(pty::ENTER);
    s.wait_for("Report scritto in", 10);
    s.send("p");
    s.wait_for("È definitivo", 10);
    s.send("p");
    s.wait_for("stato APPROVATO", 10);
    s.wait_for("Esporta", 5);
    s.send("x");
    s.wait_for("SALVA COME", 10);
    s.send(pty::ENTER);
    s.wait_for("Piano esportato in", 10);
    quit(s);

    // The command line agrees.
    let show = demo.json(CAPOFILA, &["plan", "show", &id, "--format", "json"]);
    assert_eq!(show["plan"]["effective_state"], "APPROVATO");
    let history = demo.json(
        CAPOFILA,
        &["comm", "history", "--plan", &id, "--format", "json"],
    );
    let filings = history.as_array().unwrap();
    assert_eq!(filings.len(), 2, "{history:#}");
    for f in filings {
        assert_eq!(f["form"]["counts"]["carenze"], 3, "{f:#}");
        assert_eq!(f["form"]["counts"]["nuove"], 4, "{f:#}");
        assert_eq!(f["total"], 7, "{f:#}");
    }
    assert!(exists(&demo.home, "piano_BG-SERIATE_2026_report.xlsx"));
    assert!(exists(
        &demo.home,
        "piano_BG-SERIATE_2026_esportazione.xlsx"
    ));
}

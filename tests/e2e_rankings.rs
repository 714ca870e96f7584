//! End to end in a pseudo-terminal: on a demo database with its demo notice (closed, with
//! provisional rankings), the Regione opens Graduatorie › Avvisi e graduatorie, the notice, a
//! ranking; jumps to an ID domanda; opens the explanation of its score; goes back; compares the
//! rankings with another stored rule set (what-if) — and nothing in the rankings changed.

mod support;

use casa::store::{Access, Store, notices, rankings};
use support::cli::Env;
use support::pty::{self, PtySession};

/// The selected line of the screen (the one with the marker glyph).
fn selected_line(s: &PtySession) -> String {
    s.screen()
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or_default()
        .to_string()
}

/// Moves down the home menu until `label` is selected.
fn select_menu(s: &mut PtySession, label: &str) {
    s.wait_for("Ricerca alloggi", 20);
    for _ in 0..10 {
        if selected_line(s).contains(label) {
            return;
        }
        s.send(pty::DOWN);
    }
    panic!("no menu item {label}; screen:\n{}", s.screen());
}

#[test]
fn regione_reads_a_ranking_jumps_explains_and_compares() {
    let demo = Env::demo(&["--units", "3000", "--applications", "300"]);
    // What to look for, read from the database the way the screens do.
    let (notice, ranking, code, entries_before) = {
        let store = Store::open(&demo.db, Access::ReadOnly).unwrap();
        let notice = notices::list(store.conn(), None).unwrap().remove(0);
        let first = rankings::list(store.conn(), notice.id).unwrap().remove(0);
        assert!(first.entries >= 3, "{first:?}");
        let row = rankings::page(store.conn(), first.id, Some(2), None, 1)
            .unwrap()
            .remove(0);
        let all = rankings::all_entries(store.conn(), first.id).unwrap();
        (notice, first, row.code, all)
    };

    let mut s = demo.tui("regione", 120, 40);
    select_menu(&mut s, "Avvisi e graduatorie");
    s.send(pty::ENTER);
    s.wait_for(&notice.district_code, 10);
    s.wait_for("CHIUSO", 10);
    // The notice → its rankings, with the unverified-values line of the rule set.
    s.send(pty::ENTER);
    s.wait_for("PROVVISORIA", 10);
    s.wait_for("Simula regole", 5);
    s.wait_for("valori non verificati", 5);
    // The first ranking.
    s.send(pty::ENTER);
    s.wait_for("Vai a ID domanda", 10);
    s.wait_for(&format!("di {}", ranking.entries), 10);
    // Jump to an ID domanda: "/" opens the field, letters are typed, Enter jumps.
    s.send("/");
    s.send(&code);
    s.send(pty::ENTER);
    s.wait_for(&format!("Domanda {code} in posizione 3"), 10);
    assert!(
        selected_line(&s).contains(&code),
        "the row found is selected:\n{}",
        s.screen()
    );
    // The explanation of its score.
    s.send(pty::ENTER);
    s.wait_for("SPIEGAZIONE DEL PUNTEGGIO", 10);
    s.wait_for("TOTALE ISBAR", 5);
    s.wait_for("posizione 3 di", 5);
    // Back to the ranking, then to the rankings of the notice.
    s.send(pty::ESC);
    s.wait_for("Vai a ID domanda", 10);
    s.send(pty::ESC);
    s.wait_for("Simula regole", 10);
    // What-if against another stored rule set: a list, Enter compares.
    s.send("w");
    s.wait_for("Insiemi di regole", 10);
    s.send(pty::ENTER);
    s.wait_for("nessuna modifica salvata", 30);
    s.wait_for("spostamenti", 5);
    s.send(pty::F3);
    s.wait_for("Ricerca alloggi", 10);
    s.send("q");
    assert!(s.wait_exit(10));
    assert!(s.left_alternate_screen());

    // Nothing changed.
    let store = Store::open(&demo.db, Access::ReadOnly).unwrap();
    assert_eq!(
        rankings::all_entries(store.conn(), ranking.id).unwrap(),
        entries_before
    );
}

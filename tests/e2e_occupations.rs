//! End to end in a pseudo-terminal at 80x24: the Comune di Milano's operator opens Banca dati
//! occupanti › Ricerca occupazioni, records an occupation on one of its free units (the unit's
//! place filled from the registry), sees a wrong date refused with the cursor on it and the
//! typed values kept, saves — the unit becomes OCCUPATO SENZA TITOLO — then closes it, asked to
//! confirm, with the unit back LIBERO.

mod support;

use support::cli::Env;
use support::pty::{self, PtySession};

const CTRL_G: &str = "\x07";
const CTRL_O: &str = "\x0f";

fn select_menu(s: &mut PtySession, label: &str) {
    s.wait_for("Ricerca alloggi", 20);
    for _ in 0..10 {
        let selected = s
            .screen()
            .lines()
            .find(|l| l.contains('▶'))
            .unwrap_or_default()
            .to_string();
        if selected.contains(label) {
            return;
        }
        s.send(pty::DOWN);
    }
    panic!("no menu item {label}; screen:\n{}", s.screen());
}

fn tabs(s: &mut PtySession, n: usize) {
    for _ in 0..n {
        s.send(pty::TAB);
    }
}

fn unit_state(env: &Env, code: &str) -> i64 {
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .query_row(
            "SELECT u.state FROM unit u JOIN owner o ON o.id = u.owner_id
              WHERE o.istat_code = '015146' AND u.code = ?1",
            [code],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_comune_records_and_closes_an_occupation() {
    let env = Env::demo(&["--units", "3000", "--applications", "0"]);
    let unit: String = rusqlite::Connection::open(&env.db)
        .unwrap()
        .query_row(
            "SELECT u.code FROM unit u JOIN owner o ON o.id = u.owner_id
              WHERE o.istat_code = '015146' AND u.state = 1 ORDER BY u.id LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut s = env.tui("comune.015146", 80, 24);
    select_menu(&mut s, "Ricerca occupazioni");
    s.send(pty::ENTER);
    s.wait_for("occupazioni ·", 10);
    // Nuova occupazione: the owner is filled, the cursor on the code.
    s.send("+");
    s.wait_for("Nuova occupazione senza titolo", 10);
    s.send("OCC-E2E-1");
    s.send(pty::TAB);
    s.send(&unit);
    s.send(pty::TAB);
    s.wait_for("trovato nell'anagrafe", 10);
    tabs(&mut s, 5);
    s.send("RSSMRA80A01F205X");
    s.send(pty::TAB);
    s.send("Rossi");
    s.send(pty::TAB);
    s.send("Mario");
    s.send(pty::TAB);
    // A date that does not exist.
    s.send("31/02/1980");
    tabs(&mut s, 6);
    s.send("01/03/2026");
    s.send(pty::TAB);
    s.send("1");
    s.send(pty::TAB);
    s.send("Verbale di accertamento");
    s.send(pty::TAB);
    s.send("VA-1");
    s.send(pty::TAB);
    s.send("02/03/2026");
    s.send(CTRL_G);
    s.wait_for("✖ Data di nascita: data non valida", 10);
    assert!(s.screen().contains("✖Data di nascita"), "{}", s.screen());
    // The cursor is on the date; the typed values are all there.
    assert!(s.screen().contains("OCC-E2E-1"), "{}", s.screen());
    assert!(s.screen().contains("Rossi"), "{}", s.screen());
    assert_eq!(unit_state(&env, &unit), 1, "nothing saved");
    s.send(pty::CTRL_U);
    s.send("01/01/1980");
    s.send(CTRL_G);
    s.wait_for("salvata (versione 1)", 10);
    s.wait_for("IN CORSO", 5);
    assert_eq!(unit_state(&env, &unit), 5, "OCCUPATO SENZA TITOLO");
    // Chiudi occupazione: the state of the unit, then the confirmation.
    s.send(CTRL_O);
    s.wait_for("Chiudi occupazione", 10);
    tabs(&mut s, 7);
    s.send("LIBERO");
    s.send(pty::ENTER);
    s.wait_for("premere di nuovo per confermare", 10);
    assert_eq!(unit_state(&env, &unit), 5, "not closed before confirming");
    s.send(pty::ENTER);
    s.wait_for("salvata (versione 2)", 10);
    s.wait_for("CESSATA", 5);
    assert_eq!(unit_state(&env, &unit), 1, "LIBERO again");
    s.send(pty::F3);
}

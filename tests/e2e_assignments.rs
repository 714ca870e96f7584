//! End to end in a pseudo-terminal at 80x24 with NO_COLOR=1: from a final ranking to a signed
//! assignment. On a demo database whose notice's rankings are made final and where three units
//! of the largest ranking's owner are made free, the owner's AVVISI operator opens Assegnazione
//! › Alloggi da assegnare, the ledger, the first unit's proposal explained, records it, offers
//! the unit, records the acceptance, the act (its number typed) and the lease — and the
//! database says so: the unit OCCUPATO, the act and the lease dated, the ranking marking the
//! application ASSEGNATA, one audit record per step, no colour on the screen.

mod support;

use casa::store::{Access, Store};
use chrono::Datelike;
use support::cli::Env;
use support::pty::{self, PtySession};

fn selected_line(s: &PtySession) -> String {
    s.screen()
        .lines()
        .find(|l| l.contains('▶'))
        .unwrap_or_default()
        .to_string()
}

fn select_menu(s: &mut PtySession, label: &str) {
    s.wait_for("Ricerca alloggi", 20);
    for _ in 0..12 {
        if selected_line(s).contains(label) {
            return;
        }
        s.send(pty::DOWN);
    }
    panic!("no menu item {label}; screen:\n{}", s.screen());
}

fn assert_no_colour(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for seq in text.split("\x1b[").skip(1) {
        let Some(end) = seq.find('m') else { continue };
        let params = &seq[..end];
        if params.chars().all(|c| c.is_ascii_digit() || c == ';') {
            for p in params.split(';') {
                let n: u32 = p.parse().unwrap_or(0);
                assert!(
                    !(30..=49).contains(&n) && !(90..=107).contains(&n) || n == 39 || n == 49,
                    "colour SGR {params} in NO_COLOR output"
                );
            }
        }
    }
}

#[test]
fn from_a_final_ranking_to_a_signed_assignment() {
    let demo = Env::demo(&["--units", "30000", "--applications", "1500"]);
    let today = chrono::Local::now().date_naive();
    // The rankings made final (the corrections window long over), three units free.
    let (owner, istat, operator, notice) = {
        let mut store = Store::open(&demo.db, Access::ReadWrite).unwrap();
        let notice = casa::store::notices::list(store.conn(), None)
            .unwrap()
            .remove(0);
        let capofila = format!("capofila.{}", notice.district_code.to_lowercase());
        store
            .finalize_rankings(&capofila, notice.id, today + chrono::Duration::days(40))
            .unwrap();
        let conn = store.conn();
        let (owner, istat): (i64, String) = conn
            .query_row(
                "SELECT r.owner_id, r.istat_code FROM ranking r
                  ORDER BY (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id) DESC
                  LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        conn.execute(
            "UPDATE unit SET state = 1 WHERE id IN (SELECT id FROM unit
               WHERE owner_id = ?1 AND istat_code = ?2 AND state <> 1
                 AND floor_area BETWEEN 45 AND 75 ORDER BY id LIMIT 3)",
            rusqlite::params![owner, istat],
        )
        .unwrap();
        let operator: String = conn
            .query_row(
                "SELECT o.username FROM operator o JOIN operator_grant g ON g.operator_id = o.id
                  WHERE g.owner_id = ?1 AND g.service = 'AVVISI' AND o.role = 'ENTE'
                  ORDER BY o.username LIMIT 1",
                [owner],
                |r| r.get(0),
            )
            .unwrap();
        (owner, istat, operator, notice.id)
    };
    let audits = |db: &std::path::Path| {
        let s = Store::open(db, Access::ReadOnly).unwrap();
        casa::store::audit::count(s.conn()).unwrap()
    };
    let before = audits(&demo.db);

    let db = demo.db.to_str().unwrap().to_string();
    let mut s = PtySession::spawn_in(
        Some(&demo.home),
        &["--operator", &operator],
        &demo.home,
        &[("CASA_DB", db.as_str()), ("NO_COLOR", "1")],
        80,
        24,
    );
    select_menu(&mut s, "Alloggi da assegnare");
    s.send(pty::ENTER);
    s.wait_for("registr", 10);
    // The owner's ledgers: its comuni with units free this year; the largest ranking's.
    let comune: String = {
        let store = Store::open(&demo.db, Access::ReadOnly).unwrap();
        store
            .conn()
            .query_row(
                "SELECT name FROM municipality WHERE istat_code = ?1",
                [&istat],
                |r| r.get(0),
            )
            .unwrap()
    };
    // The operator's ledgers are listed by comune name: go down to the largest ranking's.
    let at = {
        let store = Store::open(&demo.db, Access::ReadOnly).unwrap();
        let mut names: Vec<String> = store
            .conn()
            .prepare(
                "SELECT DISTINCT m.name FROM availability v
                   JOIN municipality m ON m.istat_code = v.istat_code
                  WHERE v.owner_id = ?1 AND v.year = ?2 AND v.closed IS NULL",
            )
            .unwrap()
            .query_map(rusqlite::params![owner, today.year()], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        names.sort();
        names.iter().position(|n| *n == comune).unwrap()
    };
    for _ in 0..at {
        s.send(pty::DOWN);
    }
    // The comune's column, padded: the owner's name may contain it too ("…-Monza Brianza…").
    let column = format!(" {comune} ");
    s.wait_until("the ledger selected", 10, |s| {
        selected_line(s).contains(&column)
    });
    s.send(pty::ENTER);
    s.wait_for("Quota indigenti", 10);
    s.wait_for("in attesa di proposta", 10);
    // The first unit waiting: its proposal explained, nothing saved yet.
    for _ in 0..40 {
        if selected_line(&s).contains("in attesa di proposta") {
            break;
        }
        s.send(pty::DOWN);
    }
    let unit: i64 = selected_line(&s)
        .split_whitespace()
        .nth(1)
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no unit id on {}", selected_line(&s)));
    s.send(pty::ENTER);
    s.wait_for("Proposta non ancora salvata", 10);
    s.wait_for("quota indigenti", 10);
    assert_eq!(audits(&demo.db), before, "a preview writes nothing");
    // Proponi, then each step of the istruttoria, each confirmed in its dialog.
    s.send("e");
    s.wait_for("Proposta registrata", 10);
    s.wait_for("stato PROPOSTA", 10);
    s.send(pty::ENTER); // Offri l'alloggio al nucleo
    s.wait_for("Risposta entro", 5);
    s.send(pty::ENTER);
    s.wait_for("stato OFFERTA", 10);
    s.send(pty::ENTER); // Il nucleo accetta
    s.wait_for("Confermare?", 5);
    s.send(pty::ENTER);
    s.wait_for("stato ACCETTATA", 10);
    s.send(pty::ENTER); // Provvedimento di assegnazione
    s.wait_for("Numero del provvedimento", 5);
    s.send("PG 5/2026");
    s.send(pty::ENTER);
    s.wait_for("stato ASSEGNATA", 10);
    s.wait_for("Provvedimento n. PG 5/2026 registrato", 5);
    s.send(pty::ENTER); // Contratto di locazione firmato
    s.wait_for("Data del contratto", 5);
    s.send(pty::ENTER);
    s.wait_for("unità OCCUPATO", 10);
    s.wait_for("istruttoria conclusa", 5);
    // Back to the ledger: the unit is no longer to assign, the line counts it.
    s.send(pty::ESC);
    s.send(pty::F3);
    s.send("q");
    assert!(s.wait_exit(10));
    assert_no_colour(&s.bytes.lock().unwrap());

    // The database: one audit record per step, the unit occupied, act and lease dated, the
    // ranking marking the application assigned.
    assert_eq!(audits(&demo.db), before + 5);
    let store = Store::open(&demo.db, Access::ReadOnly).unwrap();
    let (state, act, lease, code): (String, String, String, String) = store
        .conn()
        .query_row(
            "SELECT us.label, s.act_number, s.lease_date, a.code
               FROM assignment s JOIN unit u ON u.id = s.unit_id
               JOIN unit_state us ON us.code = u.state
               JOIN application a ON a.id = s.application_id
              WHERE s.unit_id = ?1 AND s.stage = 'ASSEGNATA'",
            [unit],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(state, "OCCUPATO");
    assert_eq!(act, "PG 5/2026");
    assert_eq!(lease, today.to_string());
    let shown = demo.json(
        "regione",
        &[
            "rankings",
            "show",
            "--notice",
            &notice.to_string(),
            "--format",
            "json",
        ],
    );
    let row = shown
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id_domanda"] == code.as_str() && r["owner_id"] == owner)
        .unwrap();
    assert_eq!(row["assegnazione"], "ASSEGNATA", "{row}");
    let tax_code: String = store
        .conn()
        .query_row("SELECT tax_code FROM owner WHERE id = ?1", [owner], |r| {
            r.get(0)
        })
        .unwrap();
    let ledger = demo.json(
        &operator,
        &[
            "assignments",
            "ledger",
            "--owner",
            &tax_code,
            "--comune",
            &istat,
            "--year",
            &today.year().to_string(),
            "--format",
            "json",
        ],
    );
    let used: u64 = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["usate"].as_u64().unwrap())
        .sum();
    assert_eq!(used, 1, "{ledger}");
}

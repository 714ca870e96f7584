//! End to end in a pseudo-terminal at 80x24 with NO_COLOR: the capofila of the demo's district
//! runs a notice in Graduatorie without the command line — creates it, closes it early (asked
//! first), imports a file of applications (a bad file is refused with its problems and a CSV
//! report, nothing stored), computes the provisional rankings (asked first), finds an ID
//! domanda in every ranking, corrects one application (rettifica), is refused finalizing
//! inside the corrections window and finalizes after it. Then a Comune's operator edits a unit
//! from its card (a wrong value is refused on its field, nothing lost) and the change is
//! stored with its audit record.

mod support;

use support::cli::Env;
use support::pty::{self, PtySession};

fn day(offset: i64) -> chrono::NaiveDate {
    chrono::Local::now().date_naive() + chrono::Duration::days(offset)
}

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

fn tui(env: &Env, operator: &str) -> PtySession {
    let db = env.db.to_str().unwrap();
    PtySession::spawn_in(
        Some(&env.home),
        &["--operator", operator],
        &env.home,
        &[("CASA_DB", db), ("NO_COLOR", "1")],
        80,
        24,
    )
}

const CTRL_D: &str = "\x04";
const CTRL_Y: &str = "\x19";
const CTRL_R: &str = "\x12";

#[test]
fn capofila_creates_imports_computes_corrects_and_finalizes_a_notice() {
    let env = Env::demo(&["--units", "3000", "--applications", "40"]);
    let v: serde_json::Value =
        serde_json::from_str(&env.ok("regione", &["notice", "list", "--format", "json"])).unwrap();
    let district = v[0]["district_code"].as_str().unwrap().to_string();
    let capofila = format!("capofila.{}", district.to_lowercase());
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let istat: String = conn
        .query_row(
            "SELECT u.istat_code FROM unit u
               JOIN district_municipality dm ON dm.istat_code = u.istat_code
               JOIN district d ON d.id = dm.district_id AND d.code = ?1
              WHERE u.in_notice = 1 LIMIT 1",
            [&district],
            |r| r.get(0),
        )
        .unwrap();
    let header = "ID domanda;Data presentazione;Codice fiscale;Data di nascita;Parentela;Invalidità %;Accompagnamento;ISEE;Patrimonio;Residenza Lombardia;Lavoro Lombardia;Comune residenza;Comune lavoro;Anni residenza Regione;Anni residenza Comune;Condizioni\n";
    let when = day(-3).format("%d/%m/%Y");
    let rows = format!(
        "P-1;{when} 10:00;RSSMRA85T10A562S;10/12/1985;RICHIEDENTE;;;2.500,00;1000;SI;NO;{istat};;20;12;\n\
         P-1;{when} 10:00;RSSMRA70A41H501W;01/01/1970;CONIUGE;;;2.500,00;1000;SI;NO;{istat};;20;12;\n\
         P-2;{when} 09:00;RSSMRA80A01F205X;01/01/1980;RICHIEDENTE;;;9.000,00;0;SI;NO;{istat};;10;3;\n\
         P-3;{when} 09:30;BNCGNN80A01F205W;01/01/1980;RICHIEDENTE;;;12.000,00;0;SI;NO;{istat};;10;3;\n"
    );
    std::fs::write(
        env.dir().join("bad.csv"),
        format!("{header}{}", rows.replace("12.000,00", "dodicimila")),
    )
    .unwrap();
    std::fs::write(env.dir().join("good.csv"), format!("{header}{rows}")).unwrap();

    let mut s = tui(&env, &capofila);
    select_menu(&mut s, "Avvisi e graduatorie");
    s.send(pty::ENTER);
    s.wait_for("b Nuovo avviso", 10);
    // Nuovo avviso: a wrong date keeps the dialog as typed, the cursor on the field.
    s.send("b");
    s.wait_for("NUOVO AVVISO", 5);
    s.send("Avviso di prova e2e");
    s.send(pty::TAB);
    s.send(&day(-40).format("%d/%m/%Y").to_string());
    s.send(pty::TAB);
    s.send("31/02/2099");
    s.send(pty::ENTER);
    s.wait_for("non è una data", 5);
    s.wait_for("Avviso di prova e2e", 5);
    for _ in 0..10 {
        s.send(pty::BACKSPACE);
    }
    s.send(&day(10).format("%d/%m/%Y").to_string());
    s.send(pty::ENTER);
    s.wait_for("creato", 10);
    assert!(
        selected_line(&s).contains("Avviso di prova"),
        "{}",
        s.screen()
    );
    assert!(selected_line(&s).contains("APERTO"), "{}", s.screen());
    // The notice: Chiudi avviso asks first.
    s.send(pty::ENTER);
    s.wait_for("z Chiudi avviso", 10);
    s.send("z");
    s.wait_for("premere di nuovo", 5);
    s.send("z");
    s.wait_for("chiuso", 10);
    // A bad file: refused with its problems, nothing stored, the full list written.
    s.send("f");
    s.wait_for("IMPORTA DOMANDE", 5);
    s.send(env.dir().join("bad.csv").to_str().unwrap());
    s.send(pty::ENTER);
    s.wait_for("FILE RIFIUTATO", 15);
    s.wait_for("ISEE", 5);
    let report = env.home.join(format!(
        "domande_scartate_avviso_{}.csv",
        conn.query_row("SELECT max(id) FROM notice", [], |r| r.get::<_, i64>(0))
            .unwrap()
    ));
    assert!(report.exists(), "report written in the working directory");
    s.send(pty::ESC);
    s.wait_for("f Importa domande", 5);
    s.send("f");
    s.wait_for("IMPORTA DOMANDE", 5);
    s.send(env.dir().join("good.csv").to_str().unwrap());
    s.send(pty::ENTER);
    s.wait_for("3 domande importate", 15);
    // Calcola asks first.
    s.send(CTRL_Y);
    s.wait_for("premere di nuovo", 5);
    s.send(CTRL_Y);
    s.wait_for("graduatorie provvisorie", 20);
    s.wait_for("PROVVISORIA", 5);
    // An ID domanda found in every ranking of the notice, by a part of it.
    s.send("/");
    s.wait_for("CERCA ID DOMANDA", 5);
    s.send("p-2");
    s.send(pty::ENTER);
    s.wait_for("1 posizione trovata", 10);
    assert!(selected_line(&s).contains("P-2"), "{}", s.screen());
    s.send(pty::ENTER);
    s.wait_for("Domanda P-2 in posizione", 10);
    s.send(pty::ESC);
    s.wait_for("Domande trovate", 5);
    s.send(pty::ESC);
    // Rettifica: a disability recognised later for P-1's spouse.
    s.send("u");
    s.wait_for("RETTIFICA", 5);
    s.send("P-1");
    s.send(pty::TAB);
    s.send("RSSMRA70A41H501W");
    s.send(pty::TAB);
    s.send("80");
    s.send(pty::ENTER);
    s.wait_for("Rettifica della domanda P-1", 15);
    // Finalize inside the corrections window: refused, with the date.
    s.send(CTRL_D);
    s.wait_for("premere di nuovo", 5);
    s.send(CTRL_D);
    s.wait_for("rettifiche sono ammesse fino al", 10);
    // Time passes: the provisional rankings were published long ago.
    conn.execute(
        "UPDATE ranking SET provisional_on = ?1",
        [day(-90).to_string()],
    )
    .unwrap();
    s.send(CTRL_R);
    s.send(CTRL_D);
    s.wait_for("premere di nuovo", 5);
    s.send(CTRL_D);
    s.wait_for("definitive", 15);
    s.wait_for("DEFINITIVA", 5);
    s.send(pty::F3);
    s.wait_for("Ricerca alloggi", 10);
    s.send("q");
    assert!(s.wait_exit(10));

    // What the screens did is stored, with its audit records.
    let (state, apps): (String, i64) = conn
        .query_row(
            "SELECT (SELECT min(state) FROM ranking WHERE notice_id = n.id),
                    (SELECT count(*) FROM application WHERE notice_id = n.id)
               FROM notice n WHERE n.title = 'Avviso di prova e2e'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((state.as_str(), apps), ("DEFINITIVA", 3));
    let audited: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit WHERE operator = ?1",
            [&capofila],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        audited >= 5,
        "create, close, import, compute, correct, finalize: {audited}"
    );
}

#[test]
fn a_comune_edits_a_unit_from_its_card() {
    let env = Env::demo(&["--units", "3000"]);
    let operator = "comune.015146";
    let mut s = tui(&env, operator);
    select_menu(&mut s, "Ricerca alloggi");
    s.send(pty::ENTER);
    s.wait_for("alloggi ·", 15);
    s.send(pty::ENTER);
    s.wait_for("y Modifica", 10);
    let unit: i64 = s
        .screen()
        .lines()
        .find_map(|l| l.split("Alloggio ").nth(1))
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unit id in the title:\n{}", s.screen()));
    s.send("y");
    s.wait_for("MODIFICA ALLOGGIO", 5);
    // State: clear and type; then to the works and their cost.
    s.send(pty::CTRL_U);
    s.send("SFITTO PER CARENZE MANUTENTIVE");
    for _ in 0..5 {
        s.send(pty::TAB);
    }
    s.send(pty::CTRL_U);
    s.send("Rifacimento impianto elettrico");
    s.send(pty::TAB);
    s.send(pty::CTRL_U);
    s.send("quattromila");
    s.send(pty::ENTER);
    s.wait_for("✖ Costo stimato", 5);
    assert!(
        s.screen().contains("Rifacimento impianto elettrico"),
        "typed values kept:\n{}",
        s.screen()
    );
    s.send(pty::CTRL_U);
    s.send("4.250,50");
    s.send(pty::ENTER);
    s.wait_for("salvato", 10);
    s.wait_for("SFITTO PER CARENZE MANUTENTIVE", 5);
    s.send(pty::F3);
    s.wait_for("Ricerca alloggi", 10);
    s.send("q");
    assert!(s.wait_exit(10));

    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let (state, cost, version): (i64, i64, i64) = conn
        .query_row(
            "SELECT state, works_cost_cents, version FROM unit WHERE id = ?1",
            [unit],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((state, cost), (3, 425_050));
    assert!(version > 1);
    let audit: String = conn
        .query_row(
            "SELECT after FROM audit WHERE action = 'alloggio.modifica' AND entity_id = ?1",
            [unit.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert!(audit.contains("Rifacimento"), "{audit}");
}

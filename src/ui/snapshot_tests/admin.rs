//! The administration screens (issue #11) at every size, in mono, under vim and a remapped
//! keymap: districts and a district's card, SSH keys, registration requests and one request,
//! the audit trail and one record, the SCHEDA UTENTE of an extension refused field by field,
//! and the registration-only interface of an unknown key. Then which mutating actions each
//! operator is offered there.

use super::*;
use crate::app::keymap::Action;
use crate::app::screens::is_mutating;
use crate::domain::operator_key;

const KEY_A: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINl+xZwoSQqHgs+gIyiWSPWLyvPOmMcNu/b/Wf+W97WI matrix-a";
const KEY_B: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINGSr4Pua7RJZdurLhAMnj/ZhGff+cXlDJCLcpnj6+1T matrix-b";
const KEY_C: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEMHh3bU5dVkCUaFHeFWIlx7gF0vuLvlKjlRlJI6ALce matrix-c";

/// A copy of the demo database with keys, a pending request, a district changed, and every
/// timestamp of the administration fixed (the snapshots must not depend on the clock).
fn admin_db_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("admin.sqlite");
    rusqlite::Connection::open(demo_db())
        .unwrap()
        .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    let claim = |u: &str| Claim {
        operator: u.into(),
        origin: Origin::Local {
            login: "test".into(),
        },
        read_only: false,
    };
    let mut regione = Service::open(&path, &claim("regione"), Need::Write).unwrap();
    regione.add_key("comune.015146", KEY_A).unwrap();
    regione.add_key("aler.mi", KEY_B).unwrap();
    regione
        .rename_district("BG-SERIATE", "Ambito territoriale di Seriate", None)
        .unwrap();
    drop(regione);
    let mut milano = Service::open(&path, &claim("comune.015146"), Need::Write).unwrap();
    milano
        .file_registration(
            &crate::domain::registration::Form {
                surname: "Verdi".into(),
                name: "Luca".into(),
                username: "luca.verdi".into(),
                tax_code: "RSSMRA80A01H501U".into(),
                email: "luca.verdi@comune.milano.it".into(),
                owner: "015146".into(),
                services: vec!["anagrafe".into(), "avvisi".into()],
            },
            Some(operator_key::parse(KEY_C).unwrap()),
        )
        .unwrap();
    drop(milano);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(
            "UPDATE audit SET at = '2026-09-01T08:00:00Z', origin = 'locale test';
             UPDATE operator_key SET added_at = '2026-09-01T08:00:00Z';
             UPDATE registration_request SET filed_at = '2026-09-01T08:00:00Z', origin = 'locale test';
             UPDATE district SET configured_at = '2026-09-01T08:00:00Z' WHERE configured_at IS NOT NULL;",
        )
        .unwrap();
    (dir, path)
}

fn admin_db() -> &'static PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DB.get_or_init(admin_db_copy).1
}

fn admin_sizes(name: &str, user: &str, steps: impl Fn(&mut Harness)) {
    snapshot_on(admin_db(), name, user, steps);
}

#[test]
fn districts_and_a_district_card() {
    admin_sizes("districts", "regione", |h| {
        h.open_menu("Ambiti territoriali")
    });
    admin_sizes("district_card", "regione", |h| {
        h.open_menu("Ambiti territoriali");
        // BG-SERIATE, renamed by the Regione.
        for _ in 0..200 {
            let s = text(&h.render(&Theme::mono(), 120, 40));
            if s.lines().any(|l| l.contains("▶ BG-SERIATE")) {
                break;
            }
            h.key(KeyCode::Down);
        }
        h.key(KeyCode::Enter);
        let s = text(&h.render(&Theme::mono(), 120, 40));
        assert!(s.contains("Ambito territoriale di Seriate"), "{s}");
    });
}

#[test]
fn ssh_keys_of_the_operators() {
    admin_sizes("keys", "regione", |h| h.open_menu("Chiavi SSH"));
    // An operator sees its own key only.
    let mut h = Harness::on(admin_db(), Access::ReadOnly, "aler.mi", (120, 40));
    h.open_menu("Chiavi SSH");
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("aler.mi") && !s.contains("comune.015146"), "{s}");
}

#[test]
fn registration_requests_and_one_request() {
    admin_sizes("registrations", "regione", |h| {
        h.open_menu("Richieste registrazione")
    });
    admin_sizes("registration_request", "regione", |h| {
        h.open_menu("Richieste registrazione");
        h.key(KeyCode::Enter);
    });
}

#[test]
fn the_audit_trail_and_one_record() {
    admin_sizes("audit", "helpdesk", |h| h.open_menu("Registro operazioni"));
    // The rename of a district: its data carry no clock time.
    admin_sizes("audit_record", "regione", |h| {
        h.open_menu("Registro operazioni");
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        let s = text(&h.render(&Theme::mono(), 120, 40));
        assert!(s.contains("ambito.rinomina"), "{s}");
    });
}

#[test]
fn an_extension_request_refused_field_by_field() {
    admin_sizes("extension_refused", "comune.015146", |h| {
        h.open_menu("Richiedi abilitazione");
        h.text("ente che non esiste");
        h.key(KeyCode::Enter);
        let s = text(&h.render(&Theme::mono(), 80, 24));
        assert!(s.contains("✖"), "the refused field is marked: {s}");
    });
}

/// The registration-only interface of a key casa does not know, driven as its runtime drives
/// it: the form, a refusal that keeps what was typed, then a filing.
#[test]
fn an_unknown_key_gets_the_form_and_nothing_else() {
    let (_dir, path) = admin_db_copy();
    let key = operator_key::parse(
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXSnNl9PDODifUAMA4o+qyh5OUTE6Y+lklK2n7dxTNf anna@pc",
    )
    .unwrap();
    let mut applicant =
        crate::service::registrations::Applicant::open(&path, key, "192.0.2.7:5000".into())
            .unwrap();
    let mut app =
        crate::tui::registration::app(&applicant, (80, 24), Keymap::default_map()).unwrap();
    let mut feed = |app: &mut App, msg: Msg| {
        let mut queue = vec![msg];
        while let Some(m) = queue.pop() {
            for e in update(app, m) {
                if let Effect::Request(r) = e
                    && let Some(d) = crate::tui::registration::answer(&mut applicant, r)
                {
                    queue.push(Msg::Data(d));
                }
            }
        }
    };
    let key_ev = |c: KeyCode| Msg::Key(KeyEvent::new(c, KeyModifiers::NONE));
    let render = |app: &App, theme: &Theme| {
        let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
        t.draw(|f| ui::view(app, f, theme)).unwrap();
        t.backend().buffer().clone()
    };
    let typed = |app: &mut App, feed: &mut dyn FnMut(&mut App, Msg), s: &str| {
        for c in s.chars() {
            feed(app, key_ev(KeyCode::Char(c)));
        }
    };
    // Surname, name, username, a wrong codice fiscale, e-mail, ente; no service ticked.
    for (i, v) in [
        "Bianchi",
        "Anna",
        "anna.bianchi",
        "RSSMRA70A41H501X",
        "anna@comune.it",
        "015146",
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            feed(&mut app, key_ev(KeyCode::Tab));
        }
        typed(&mut app, &mut feed, v);
    }
    feed(&mut app, key_ev(KeyCode::Enter));
    let shown = text(&render(&app, &Theme::mono()));
    insta::assert_snapshot!("applicant_refused_80x24", shown);
    assert!(shown.contains("✖"), "{shown}");
    assert!(shown.contains("anna.bianchi"), "typed values kept: {shown}");
    // Only the form: Exit quits, no menu behind it.
    assert_eq!(app.stack.len(), 1);
    // Fix the codice fiscale (the cursor is on it), tick ANAGRAFE, send.
    for _ in 0..16 {
        feed(&mut app, key_ev(KeyCode::Backspace));
    }
    typed(&mut app, &mut feed, "RSSMRA70A41H501W");
    for _ in 0..3 {
        feed(&mut app, key_ev(KeyCode::Tab));
    }
    feed(&mut app, key_ev(KeyCode::Char(' ')));
    feed(&mut app, key_ev(KeyCode::Enter));
    let shown = text(&render(&app, &Theme::mono()));
    insta::assert_snapshot!("applicant_filed_80x24", shown);
    assert!(
        shown.contains("validazione da parte della Regione"),
        "{shown}"
    );
    let pending = crate::store::registrations::list(
        Store::open(&path, Access::ReadOnly).unwrap().conn(),
        Some(crate::domain::registration::Status::Pending),
        None,
        10,
    )
    .unwrap();
    assert!(
        pending.iter().any(|r| r.username == "anna.bianchi"),
        "filed"
    );
    feed(&mut app, key_ev(KeyCode::Char('q')));
    assert!(app.quit);
}

fn mutating_on(user: &str, label: &str, enters: usize) -> Option<Vec<Action>> {
    let access = if user == "helpdesk" {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let (_dir, path) = admin_db_copy();
    let mut h = Harness::on(&path, access, user, (120, 40));
    let Some(crate::app::screens::Screen::Home(home)) = h.app.stack.first() else {
        panic!("no home menu");
    };
    if !home.items.iter().any(|i| i.label == label) {
        return None;
    }
    h.open_menu(label);
    for _ in 0..enters {
        h.key(KeyCode::Enter);
    }
    let mut v: Vec<Action> = h
        .app
        .offered()
        .into_iter()
        .filter(|a| is_mutating(*a))
        .collect();
    v.sort_by_key(|a| format!("{a:?}"));
    Some(v)
}

#[test]
fn each_role_is_offered_exactly_its_administration_actions() {
    use Action::*;
    let table: Vec<(&str, &str, usize, Option<Vec<Action>>)> = vec![
        ("regione", "Ambiti territoriali", 0, Some(vec![ItemNew])),
        (
            "regione",
            "Ambiti territoriali",
            1,
            Some(vec![Capofila, ItemEdit]),
        ),
        ("helpdesk", "Ambiti territoriali", 1, Some(vec![])),
        (CAPOFILA, "Ambiti territoriali", 1, Some(vec![])),
        ("comune.015146", "Ambiti territoriali", 0, Some(vec![])),
        ("regione", "Chiavi SSH", 0, Some(vec![ItemNew, ItemRemove])),
        ("helpdesk", "Chiavi SSH", 0, Some(vec![])),
        ("comune.015146", "Chiavi SSH", 0, Some(vec![])),
        (
            "regione",
            "Richieste registrazione",
            0,
            Some(vec![RequestReject, RequestValidate]),
        ),
        ("helpdesk", "Richieste registrazione", 0, Some(vec![])),
        ("comune.015146", "Richieste registrazione", 0, None),
        ("regione", "Registro operazioni", 0, Some(vec![])),
        ("comune.015146", "Registro operazioni", 0, None),
        ("helpdesk", "Richiedi abilitazione", 0, None),
    ];
    let mut wrong = Vec::new();
    for (user, label, enters, want) in table {
        let got = mutating_on(user, label, enters);
        let want = want.map(|mut v| {
            v.sort_by_key(|a| format!("{a:?}"));
            v
        });
        if got != want {
            wrong.push(format!(
                "{user} on {label} (+{enters}): offered {got:?}, expected {want:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

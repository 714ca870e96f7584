//! Assegnazione: the ledgers of the year, a ledger with its units, a proposal explained, an
//! istruttoria with its steps and the what-if, on a copy of the rankings database (BG-SERIATE)
//! whose rankings are made final and whose largest ranking's owner has units free in 2026.
//! Dates are fixed so the snapshots do not depend on the day the tests run. Then the whole
//! istruttoria driven with keys by the owner's AVVISI operator, and who is offered what.

use super::rankings::{date, rankings_db_copy};
use super::*;
use crate::app::keymap::Action;
use crate::app::screens::is_mutating;
use crate::domain::assignment::Step;
use crate::store::assignments::StepRequest;

/// The fixture: the database, the owner's AVVISI operator, the units made free (oldest
/// first), the istruttoria made on the first of them (offered).
struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    operator: String,
    units: Vec<i64>,
}

fn fixture() -> Fixture {
    let (dir, path, notice) = rankings_db_copy();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    store
        .finalize_rankings(CAPOFILA, notice, date("2026-04-01"))
        .unwrap();
    let conn = store.conn();
    let (owner, istat): (i64, String) = conn
        .query_row(
            "SELECT r.owner_id, r.istat_code FROM ranking r
              ORDER BY (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id) DESC,
                       r.id
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // Units of the owner in the comune made free (the registry's trigger records them), then
    // dated in 2026 whatever the day the tests run.
    conn.execute(
        "UPDATE unit SET state = 1 WHERE id IN (
            SELECT id FROM unit WHERE owner_id = ?1 AND istat_code = ?2
               AND floor_area IS NOT NULL ORDER BY id LIMIT 6)",
        rusqlite::params![owner, istat],
    )
    .unwrap();
    // Only this ledger, dated 2026, whatever the day the tests run.
    conn.execute(
        "DELETE FROM availability WHERE NOT (owner_id = ?1 AND istat_code = ?2)",
        rusqlite::params![owner, istat],
    )
    .unwrap();
    conn.execute(
        "UPDATE availability SET year = 2026, available_on = '2026-03-10'",
        [],
    )
    .unwrap();
    let units: Vec<i64> = conn
        .prepare(
            "SELECT unit_id FROM availability WHERE owner_id = ?1 AND istat_code = ?2
               AND closed IS NULL ORDER BY id",
        )
        .unwrap()
        .query_map(rusqlite::params![owner, istat], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
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
    // The first unit leased, the second assigned (the act signed, the lease to come), the
    // third offered; the rest wait.
    let today = date("2026-04-02");
    let act = |n: &str| Step::Assign {
        number: n.into(),
        date: today,
        lease: None,
    };
    let offer = Step::Offer {
        answer_by: date("2026-04-12"),
    };
    let plans: [Vec<Step>; 3] = [
        vec![
            offer.clone(),
            Step::Accept,
            act("PG 10/2026"),
            Step::Lease { date: today },
        ],
        vec![offer.clone(), Step::Accept, act("PG 11/2026")],
        vec![offer],
    ];
    for (unit, steps) in units.iter().zip(plans) {
        let id = store
            .propose_assignment(&operator, *unit, today)
            .unwrap()
            .assignment_id
            .unwrap();
        for step in steps {
            store
                .assignment_step(
                    &operator,
                    &StepRequest {
                        assignment_id: id,
                        version: None,
                        step,
                        reason: None,
                    },
                    today,
                )
                .unwrap();
        }
    }
    // An operator of another owner without the AVVISI service (ANAGRAFE only).
    store
        .conn()
        .execute_batch(
            "DELETE FROM operator_grant WHERE service = 'AVVISI' AND operator_id =
               (SELECT id FROM operator WHERE username = 'comune.016193')",
        )
        .unwrap();
    Fixture {
        _dir: dir,
        path,
        operator,
        units,
    }
}

fn shared() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(fixture)
}

fn open_ledger(h: &mut Harness) {
    h.open_menu("Alloggi da assegnare");
    h.key(KeyCode::Enter);
}

#[test]
fn ledgers_of_the_year_and_one_ledger() {
    let f = shared();
    snapshot_on(&f.path, "assignments_ledgers", "regione", |h| {
        h.open_menu("Alloggi da assegnare");
    });
    snapshot_on(&f.path, "assignments_ledger", &f.operator, open_ledger);
    let mut h = Harness::on(&f.path, Access::ReadOnly, &f.operator, (80, 24));
    open_ledger(&mut h);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("Quota indigenti"), "{s}");
    assert!(
        s.contains("OFFERTA"),
        "the offered unit shows its stage: {s}"
    );
    assert!(
        s.contains("attesa contratto"),
        "the assigned one waits for the lease: {s}"
    );
    assert!(s.contains("in attesa di proposta"), "{s}");
}

#[test]
fn a_proposal_explained_and_an_istruttoria_with_its_steps() {
    let f = shared();
    // The third unit listed waits: Enter explains its proposal.
    snapshot_on(&f.path, "assignments_preview", &f.operator, |h| {
        open_ledger(h);
        h.key(KeyCode::Down);
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
    });
    // The second is offered: Enter opens its istruttoria.
    snapshot_on(&f.path, "assignments_case", &f.operator, |h| {
        open_ledger(h);
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::on(&f.path, Access::ReadOnly, &f.operator, (80, 24));
    open_ledger(&mut h);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("quota indigenti:"), "the reason is shown: {s}");
    assert!(s.contains("Il nucleo accetta"), "{s}");
    // The Regione reads the same istruttoria with no step.
    let mut h = Harness::on(&f.path, Access::ReadOnly, "regione", (80, 24));
    h.open_menu("Alloggi da assegnare");
    let v = h.app.screen().title();
    assert!(v.starts_with("Alloggi da assegnare"), "{v}");
}

#[test]
fn what_if_with_a_higher_letter_h() {
    let f = shared();
    snapshot_on(&f.path, "assignments_what_if", &f.operator, |h| {
        open_ledger(h);
        h.key(KeyCode::Char('w'));
        for _ in 0..3 {
            h.key(KeyCode::Backspace);
        }
        h.text("30");
        h.key(KeyCode::Enter);
    });
}

/// The owner's operator takes a unit from proposal to lease with keys only; every step is
/// one audited change, the unit ends OCCUPATO and the ranking says ASSEGNATA.
#[test]
fn the_whole_istruttoria_with_keys() {
    let f = fixture();
    let before = {
        let s = Store::open(&f.path, Access::ReadOnly).unwrap();
        crate::store::audit::count(s.conn()).unwrap()
    };
    let mut h = Harness::on(&f.path, Access::ReadWrite, &f.operator, (80, 24));
    open_ledger(&mut h);
    h.key(KeyCode::Down);
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("Proposta non ancora salvata"), "{s}");
    // Proponi.
    h.key(KeyCode::Char('e'));
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("Proposta registrata"), "{s}");
    assert!(s.contains("stato PROPOSTA"), "{s}");
    // Offer (the deadline is prefilled), accept, the act with its number, the lease.
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("stato OFFERTA"), "{s}");
    h.key(KeyCode::Enter); // Il nucleo accetta
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("Confermare?"), "{s}");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("stato ACCETTATA"), "{s}");
    h.key(KeyCode::Enter); // Provvedimento
    // A missing number is refused, pointing at the field, and nothing is written.
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("campo obbligatorio"), "{s}");
    assert!(s.contains("✖ Numero del provvedimento"), "{s}");
    h.text("PG 77/2026");
    // A date the store refuses (in the future): the reason is said, the dialog stays with
    // what was typed in it.
    let ctrl_u = KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL);
    h.key(KeyCode::Tab);
    h.press(ctrl_u);
    h.text("01/01/2099");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("nel futuro"), "{s}");
    assert!(
        s.contains("PG 77/2026"),
        "the act's number is still there: {s}"
    );
    assert!(s.contains("stato ACCETTATA"), "{s}");
    h.press(ctrl_u);
    h.text(
        &chrono::Local::now()
            .date_naive()
            .format("%d/%m/%Y")
            .to_string(),
    );
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("stato ASSEGNATA"), "{s}");
    assert!(s.contains("Contratto di locazione firmato"), "{s}");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("unità OCCUPATO"), "{s}");
    let store = Store::open(&f.path, Access::ReadOnly).unwrap();
    let (state, outcome): (String, String) = store
        .conn()
        .query_row(
            "SELECT s.label, o.state FROM assignment a JOIN unit u ON u.id = a.unit_id
               JOIN unit_state s ON s.code = u.state
               JOIN application_outcome o ON o.application_id = a.application_id
              WHERE a.unit_id = ?1 AND a.stage = 'ASSEGNATA'",
            [f.units[3]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (state.as_str(), outcome.as_str()),
        ("OCCUPATO", "ASSEGNATA")
    );
    // Proposal, offer, acceptance, act, lease: five audited changes.
    assert_eq!(
        crate::store::audit::count(store.conn()).unwrap(),
        before + 5
    );
}

fn offered(path: &std::path::Path, user: &str, enters: usize) -> Option<Vec<Action>> {
    let access = if user == "helpdesk" {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let mut h = Harness::on(path, access, user, (120, 40));
    let Some(crate::app::screens::Screen::Home(home)) = h.app.stack.first() else {
        panic!("no home menu");
    };
    if !home.items.iter().any(|i| i.label == "Alloggi da assegnare") {
        return None;
    }
    h.open_menu("Alloggi da assegnare");
    for _ in 0..enters {
        h.key(KeyCode::Enter);
    }
    // The preview of the second unit, when asked for.
    let mut v: Vec<Action> = h
        .app
        .offered()
        .into_iter()
        .filter(|a| is_mutating(*a))
        .collect();
    v.sort();
    Some(v)
}

/// Role × action in the Assegnazione screens: only the owner's AVVISI operator is offered
/// Proponi; the helpdesk, the Regione and the capofila read; an operator without AVVISI has
/// no menu item; the key of an action not offered changes nothing.
#[test]
fn each_role_is_offered_exactly_its_assignment_actions() {
    let f = fixture();
    let registry_only = "comune.016193";
    // Enter twice: the ledger, then the first unit (assigned: its istruttoria, whose steps are
    // chosen with Enter, not with keys of their own); the preview of a waiting unit, below.
    for (user, want) in [
        (f.operator.as_str(), Some(vec![])),
        ("regione", Some(vec![])),
        ("helpdesk", Some(vec![])),
        (CAPOFILA, Some(vec![])),
        (registry_only, None),
    ] {
        assert_eq!(offered(&f.path, user, 2), want, "{user} on the istruttoria");
    }
    for (user, want) in [
        (f.operator.as_str(), vec![Action::AssignmentPropose]),
        ("regione", vec![]),
        ("helpdesk", vec![]),
        (CAPOFILA, vec![]),
    ] {
        let access = if user == "helpdesk" {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        let mut h = Harness::on(&f.path, access, user, (120, 40));
        h.open_menu("Alloggi da assegnare");
        // The Regione lists every ledger of the region: the owner's is found by its units.
        h.key(KeyCode::Enter);
        h.key(KeyCode::Down);
        h.key(KeyCode::Down);
        h.key(KeyCode::Enter);
        let got: Vec<Action> = h
            .app
            .offered()
            .into_iter()
            .filter(|a| is_mutating(*a))
            .collect();
        if !got.is_empty() || !want.is_empty() {
            assert_eq!(got, want, "{user} on a proposal");
        }
        // Pressing Proponi where it is not offered writes nothing.
        let before = {
            let s = Store::open(&f.path, Access::ReadOnly).unwrap();
            crate::store::audit::count(s.conn()).unwrap()
        };
        if want.is_empty() {
            h.key(KeyCode::Char('e'));
            let s = Store::open(&f.path, Access::ReadOnly).unwrap();
            assert_eq!(
                crate::store::audit::count(s.conn()).unwrap(),
                before,
                "{user}"
            );
        }
    }
}

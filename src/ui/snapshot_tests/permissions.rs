//! Role × action in the interface: which mutating actions each operator is offered on each
//! screen (legend and help come from the same list), and that pressing the key of an action not
//! offered changes nothing. The command line's table is tests/permissions_audit.rs.

use super::*;
use crate::app::keymap::Action;
use crate::app::screens::is_mutating;
use crate::domain::plan::PlanAction;

const ALER: &str = "aler.bg-lc-so";

/// The plan copy with its window open, and a Comune operator of the district that files.
fn open_plan_db() -> (tempfile::TempDir, PathBuf, String) {
    let (dir, path, id) = plan_db_copy();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    let today = chrono::Local::now().date_naive();
    store
        .plan_action(CAPOFILA, id, PlanAction::Open, None, today)
        .unwrap();
    let comune: String = store
        .conn()
        .query_row(
            "SELECT o.username FROM operator o
             JOIN operator_grant g ON g.operator_id = o.id AND g.service = 'PROGRAMMAZIONE'
             JOIN owner w ON w.id = g.owner_id AND w.kind = 1
             JOIN communication c ON c.owner_id = w.id AND c.plan_id = ?1
             WHERE o.role = 'ENTE' ORDER BY o.username LIMIT 1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    (dir, path, comune)
}

fn menu(h: &Harness) -> Vec<&'static str> {
    let Some(crate::app::screens::Screen::Home(home)) = h.app.stack.first() else {
        panic!("no home menu");
    };
    home.items.iter().map(|i| i.label).collect()
}

fn mutating(h: &Harness) -> Vec<Action> {
    h.app
        .offered()
        .into_iter()
        .filter(|a| is_mutating(*a))
        .collect()
}

fn audit_count(path: &std::path::Path) -> i64 {
    let s = Store::open(path, Access::ReadOnly).unwrap();
    crate::store::audit::count(s.conn()).unwrap()
}

/// The mutating actions offered on a screen reached from the menu by `label` (and Enter
/// `enters` more times), or None when the menu has no such item.
fn offered_on(
    path: &std::path::Path,
    user: &str,
    label: &str,
    enters: usize,
) -> Option<Vec<Action>> {
    let access = if user == "helpdesk" {
        Access::ReadOnly
    } else {
        Access::ReadWrite
    };
    let mut h = Harness::on(path, access, user, (120, 40));
    if !menu(&h).contains(&label) {
        return None;
    }
    h.open_menu(label);
    for _ in 0..enters {
        h.key(KeyCode::Enter);
    }
    Some(mutating(&h))
}

#[test]
fn each_role_is_offered_exactly_its_mutating_actions() {
    let (_dir, path, comune) = open_plan_db();
    use Action::*;
    let units: i64 = Store::open(&path, Access::ReadOnly)
        .unwrap()
        .conn()
        .query_row(
            "SELECT count(*) FROM unit u JOIN operator_grant g ON g.owner_id = u.owner_id
               JOIN operator o ON o.id = g.operator_id AND o.username = ?1
              WHERE g.service = 'ANAGRAFE'",
            [&comune],
            |r| r.get(0),
        )
        .unwrap();
    let comune_cert = if units == 0 {
        vec![Certify, DeclareNoUnits]
    } else {
        vec![Certify]
    };
    // (operator, screen, enters, expected: None = no such menu item).
    let table: Vec<(&str, &str, usize, Option<Vec<Action>>)> = vec![
        ("regione", "Ricerca alloggi", 0, Some(vec![Mark])),
        ("helpdesk", "Ricerca alloggi", 0, Some(vec![])),
        (CAPOFILA, "Ricerca alloggi", 0, Some(vec![Mark])),
        (comune.as_str(), "Ricerca alloggi", 0, Some(vec![Mark])),
        (ALER, "Ricerca alloggi", 0, Some(vec![Mark])),
        // The helpdesk works for no owner: it reads any owner's card (a picker), certifies
        // none.
        ("helpdesk", "Scheda certificazione", 0, Some(vec![])),
        // Dichiara nessuna unità only for an owner with no units.
        (
            comune.as_str(),
            "Scheda certificazione",
            0,
            Some(comune_cert),
        ),
        (ALER, "Scheda certificazione", 0, Some(vec![Certify])),
        // The plan card: the lifecycle keys the open window allows and Salva (its dates),
        // to its capofila only.
        (
            CAPOFILA,
            "Piani annuali",
            1,
            Some(vec![PlanDates, PlanClose, PlanCancel]),
        ),
        ("regione", "Piani annuali", 1, Some(vec![])),
        ("helpdesk", "Piani annuali", 1, Some(vec![])),
        (comune.as_str(), "Piani annuali", 1, Some(vec![])),
        (ALER, "Piani annuali", 1, Some(vec![])),
        // The communication form: its owner's planning operators file and save drafts.
        (
            comune.as_str(),
            "Comunicazione annuale",
            1,
            Some(vec![CommunicationFile, CommunicationDraft]),
        ),
        (
            ALER,
            "Comunicazione annuale",
            1,
            Some(vec![CommunicationFile, CommunicationDraft]),
        ),
        ("helpdesk", "Comunicazione annuale", 1, None),
        // The Regione files for its own owner, which has no communication in this plan.
        ("regione", "Comunicazione annuale", 1, Some(vec![])),
    ];
    let mut wrong = Vec::new();
    for (user, label, enters, want) in table {
        let got = offered_on(&path, user, label, enters).map(|mut v| {
            v.sort_by_key(|a| format!("{a:?}"));
            v
        });
        let want = want.map(|mut v| {
            v.sort_by_key(|a| format!("{a:?}"));
            v
        });
        if got != want {
            wrong.push(format!(
                "{user} on {label}: offered {got:?}, expected {want:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Comuni and ALER download the report of their plan (#13) as the capofila, the Regione and
/// the helpdesk do; the export waits for the approval and stays the capofila's.
#[test]
fn every_plan_reader_is_offered_the_report_of_an_open_plan() {
    let (_dir, path, comune) = open_plan_db();
    for user in ["regione", "helpdesk", CAPOFILA, comune.as_str(), ALER] {
        let access = if user == "helpdesk" {
            Access::ReadOnly
        } else {
            Access::ReadWrite
        };
        let mut h = Harness::on(&path, access, user, (120, 40));
        h.open_menu("Piani annuali");
        h.key(KeyCode::Enter);
        let offered = h.app.offered();
        assert!(offered.contains(&Action::PlanReport), "{user}: {offered:?}");
        assert!(!offered.contains(&Action::Export), "{user}: {offered:?}");
    }
}

#[test]
fn keys_of_actions_not_offered_change_nothing() {
    let (_dir, path, comune) = open_plan_db();
    let before = audit_count(&path);
    // A Comune presses the capofila's "close the window" key on the plan card.
    let mut h = Harness::on(&path, Access::ReadWrite, &comune, (120, 40));
    h.open_menu("Piani annuali");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('h'));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("STATO DEL PIANO            APERTO"), "{s}");
    // The helpdesk presses the lifecycle keys on the plan card and Marca on the search.
    let mut h = Harness::on(&path, Access::ReadOnly, "helpdesk", (120, 40));
    h.open_menu("Piani annuali");
    h.key(KeyCode::Enter);
    for c in ['h', 'd', 'd'] {
        h.key(KeyCode::Char(c));
    }
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("STATO DEL PIANO            APERTO"), "{s}");
    h.key(KeyCode::F(3));
    h.open_menu("Ricerca alloggi");
    h.key(KeyCode::F(9));
    h.key(KeyCode::Enter);
    assert_eq!(audit_count(&path), before, "nothing was written");
}

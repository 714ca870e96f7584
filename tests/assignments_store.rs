//! Assignments in the store, on a demo database whose notice's rankings are made final: the
//! proposal follows art. 13 and 15, each step of the istruttoria is one transaction with its
//! audit record and moves the unit's state, refusals and missing requirements remove the
//! application, stale versions are refused, the ledger is recomputed from the rows, and the
//! what-if replay saves nothing.

mod support;

use casa::domain::assignment::{Line, Stage, Step};
use casa::store::assignments::{
    self, DocumentCheck, LedgerKey, StepRequest, assignment, available_units, ledger,
};
use casa::store::{Access, Store, audit};
use chrono::{Datelike, NaiveDate};
use rusqlite::Connection;
use support::cli::Env;

pub struct Fixture {
    pub env: Env,
    pub ranking: i64,
    pub key: LedgerKey,
    pub today: NaiveDate,
}

/// A 30,000-unit demo (its notice's largest ranking: ALER in a comune with a dozen units
/// free) whose rankings are made final.
pub fn fixture() -> Fixture {
    let env = Env::demo(&["--units", "30000", "--applications", "1500"]);
    let conn = Connection::open(&env.db).unwrap();
    let (ranking, owner_id, istat): (i64, i64, String) = conn
        .query_row(
            "SELECT r.id, r.owner_id, r.istat_code FROM ranking r
              ORDER BY (SELECT count(*) FROM ranking_entry e WHERE e.ranking_id = r.id) DESC
              LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    conn.execute(
        "UPDATE ranking SET state = 'DEFINITIVA', final_on = date('now')",
        [],
    )
    .unwrap();
    let today = chrono::Local::now().date_naive();
    Fixture {
        env,
        ranking,
        key: LedgerKey {
            owner_id,
            istat,
            year: today.year(),
        },
        today,
    }
}

impl Fixture {
    fn store(&self) -> Store {
        Store::open(&self.env.db, Access::ReadWrite).unwrap()
    }

    fn conn(&self) -> Connection {
        Connection::open(&self.env.db).unwrap()
    }

    /// The units of the ledger waiting, oldest first.
    fn waiting(&self, store: &Store) -> Vec<i64> {
        available_units(store.conn(), &self.key, None, 1000)
            .unwrap()
            .into_iter()
            .filter(|u| u.waiting())
            .map(|u| u.unit_id)
            .collect()
    }

    fn unit_state(&self, unit: i64) -> String {
        self.conn()
            .query_row(
                "SELECT s.label FROM unit u JOIN unit_state s ON s.code = u.state WHERE u.id = ?1",
                [unit],
                |r| r.get(0),
            )
            .unwrap()
    }

    fn outcome(&self, application: i64) -> Option<(String, Option<String>)> {
        self.conn()
            .query_row(
                "SELECT state, reason FROM application_outcome WHERE application_id = ?1",
                [application],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ok()
    }
}

fn step(id: i64, version: Option<i64>, step: Step) -> StepRequest {
    StepRequest {
        assignment_id: id,
        version,
        step,
        reason: None,
    }
}

#[test]
fn a_unit_goes_from_proposal_to_lease_one_audited_transaction_each() {
    let f = fixture();
    let mut store = f.store();
    let before = ledger(store.conn(), &f.key).unwrap();
    assert!(before.ledger.base >= 10, "{}", before.headline());
    assert_eq!(before.ledger.line(Line::Indigenti).used, 0);
    let unit = f.waiting(&store)[0];
    let audits = audit::count(store.conn()).unwrap();

    let p = store.propose_assignment("aler.op", unit, f.today).unwrap();
    let id = p.assignment_id.expect("someone is proposed");
    let prop = p.decision.proposal().unwrap();
    // The first units of the year go to indigents (20% of the base, rounded up).
    assert_eq!(prop.line, Line::Indigenti, "{:#?}", p.decision);
    assert!(prop.applicant.indigent);
    assert!(
        prop.explanation
            .iter()
            .any(|l| l.starts_with("quota indigenti: 0 di ")),
        "{:?}",
        prop.explanation
    );
    let a = assignment(store.conn(), id).unwrap();
    assert_eq!(a.stage, Stage::Proposta);
    assert_eq!(f.outcome(a.application_id).unwrap().0, "IN ISTRUTTORIA");
    let view = ledger(store.conn(), &f.key).unwrap();
    assert_eq!(view.ledger.line(Line::Indigenti).in_progress, 1);

    let answer_by = assignments::offer_deadline(store.conn(), id, f.today).unwrap();
    assert_eq!(answer_by, f.today + chrono::Duration::days(10));
    store
        .assignment_step(
            "aler.op",
            &step(id, Some(a.version), Step::Offer { answer_by }),
            f.today,
        )
        .unwrap();
    assert_eq!(f.unit_state(unit), "IN ASSEGNAZIONE");
    let a = assignment(store.conn(), id).unwrap();
    store
        .assignment_step("aler.op", &step(id, Some(a.version), Step::Accept), f.today)
        .unwrap();
    let done = store
        .assignment_step(
            "aler.op",
            &step(
                id,
                None,
                Step::Assign {
                    number: "PG 123/2026".into(),
                    date: f.today,
                    lease: None,
                },
            ),
            f.today,
        )
        .unwrap();
    assert_eq!(done.assignment.stage, Stage::Assegnata);
    assert_eq!(f.outcome(a.application_id).unwrap().0, "ASSEGNATA");
    assert_eq!(f.unit_state(unit), "IN ASSEGNAZIONE");
    // Assigned and waiting for the lease: still among the units to assign, held.
    assert!(!f.waiting(&store).contains(&unit));
    let e = store
        .propose_assignment("aler.op", unit, f.today)
        .unwrap_err();
    assert!(e.to_string().contains("già un'istruttoria"), "{e}");
    assert_eq!(
        ledger(store.conn(), &f.key).unwrap().waiting,
        before.waiting - 1
    );
    store
        .assignment_step(
            "aler.op",
            &step(id, None, Step::Lease { date: f.today }),
            f.today,
        )
        .unwrap();
    assert_eq!(f.unit_state(unit), "OCCUPATO");
    let listed = available_units(store.conn(), &f.key, None, 1000).unwrap();
    assert!(
        !listed.iter().any(|u| u.unit_id == unit),
        "leased: no longer to assign"
    );
    // The unit left the waiting list but still counts in the base; the line is used.
    let after = ledger(store.conn(), &f.key).unwrap();
    assert_eq!(after.ledger.base, before.ledger.base);
    assert_eq!(after.ledger.line(Line::Indigenti).used, 1);
    assert_eq!(after.ledger.line(Line::Indigenti).in_progress, 0);
    assert!(!f.waiting(&store).contains(&unit));
    // Five changes, five audit records.
    assert_eq!(audit::count(store.conn()).unwrap(), audits + 5);
    // The same step again is refused and changes nothing.
    let e = store
        .assignment_step(
            "aler.op",
            &step(id, None, Step::Lease { date: f.today }),
            f.today,
        )
        .unwrap_err();
    assert!(e.to_string().contains("contratto già registrato"), "{e}");
    assert_eq!(audit::count(store.conn()).unwrap(), audits + 5);
}

#[test]
fn refusal_removes_the_application_and_frees_the_line_stale_versions_are_refused() {
    let f = fixture();
    let mut store = f.store();
    let unit = f.waiting(&store)[0];
    let p = store.propose_assignment("aler.op", unit, f.today).unwrap();
    let id = p.assignment_id.unwrap();
    let first = p.decision.proposal().unwrap().applicant.clone();
    let v1 = assignment(store.conn(), id).unwrap().version;
    store
        .assignment_step(
            "aler.op",
            &step(id, Some(v1), Step::Offer { answer_by: f.today }),
            f.today,
        )
        .unwrap();
    // A second operator still holding version 1 is refused; nothing changes.
    let e = store
        .assignment_step("other.op", &step(id, Some(v1), Step::Accept), f.today)
        .unwrap_err();
    assert!(
        e.to_string().contains("modificata da un altro operatore"),
        "{e}"
    );
    assert_eq!(assignment(store.conn(), id).unwrap().stage, Stage::Offerta);
    // No answer is refused until the deadline has passed.
    let e = store
        .assignment_step("aler.op", &step(id, None, Step::NoAnswer), f.today)
        .unwrap_err();
    assert!(e.to_string().contains("può rispondere fino al"), "{e}");
    let mut r = step(id, None, Step::Refuse);
    r.reason = Some("alloggio lontano dal lavoro".into());
    let done = store.assignment_step("aler.op", &r, f.today).unwrap();
    assert!(done.removed);
    assert_eq!(f.unit_state(unit), "LIBERO");
    let (state, reason) = f.outcome(first.application_id).unwrap();
    assert_eq!(state, "RIMOSSA");
    assert!(reason.unwrap().contains("alloggio lontano dal lavoro"));
    // The unit is waiting again; the next proposal picks someone else on the same line.
    assert!(f.waiting(&store).contains(&unit));
    let view = ledger(store.conn(), &f.key).unwrap();
    assert_eq!(view.ledger.line(Line::Indigenti).in_progress, 0);
    let p2 = store.propose_assignment("aler.op", unit, f.today).unwrap();
    let second = p2.decision.proposal().unwrap();
    assert_ne!(second.applicant.application_id, first.application_id);
    assert_eq!(second.line, Line::Indigenti);
    // A unit with an istruttoria running is not proposed twice.
    let e = store
        .propose_assignment("aler.op", unit, f.today)
        .unwrap_err();
    assert!(e.to_string().contains("già un'istruttoria"), "{e}");
}

#[test]
fn a_missing_requirement_cancels_removes_and_proposes_the_next_in_one_go() {
    let f = fixture();
    let mut store = f.store();
    let unit = f.waiting(&store)[0];
    let p = store.propose_assignment("aler.op", unit, f.today).unwrap();
    let id = p.assignment_id.unwrap();
    let first = p.decision.proposal().unwrap().applicant.clone();
    let checked = store
        .assignment_check(
            "aler.op",
            id,
            None,
            &DocumentCheck::MissingRequirement {
                requirement: "isee".into(),
                reason: "ISEE aggiornato oltre la soglia".into(),
            },
            f.today,
        )
        .unwrap();
    assert_eq!(checked.cancelled.assignment.stage, Stage::Annullata);
    let (state, reason) = f.outcome(first.application_id).unwrap();
    assert_eq!(state, "RIMOSSA");
    assert!(
        reason
            .unwrap()
            .contains("requisito di accesso mancante (ISEE)")
    );
    let next = checked.next.unwrap();
    let n = next.decision.proposal().unwrap();
    assert_ne!(n.applicant.application_id, first.application_id);
    let a = assignment(store.conn(), next.assignment_id.unwrap()).unwrap();
    assert_eq!((a.unit_id, a.stage), (unit, Stage::Proposta));
}

#[test]
fn the_ledger_counts_every_unit_made_free_and_what_if_saves_nothing() {
    let f = fixture();
    let mut store = f.store();
    let base = ledger(store.conn(), &f.key).unwrap().ledger.base;
    // A unit of the owner made LIBERO by any path enters the year's base; withdrawn, it leaves.
    let conn = f.conn();
    let other: i64 = conn
        .query_row(
            "SELECT id FROM unit WHERE owner_id = ?1 AND istat_code = ?2 AND state <> 1 LIMIT 1",
            rusqlite::params![f.key.owner_id, f.key.istat],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute("UPDATE unit SET state = 1 WHERE id = ?1", [other])
        .unwrap();
    assert_eq!(ledger(store.conn(), &f.key).unwrap().ledger.base, base + 1);
    conn.execute("UPDATE unit SET state = 8 WHERE id = ?1", [other])
        .unwrap();
    assert_eq!(ledger(store.conn(), &f.key).unwrap().ledger.base, base);

    // Assign three units all the way to the act.
    for unit in f.waiting(&store).into_iter().take(3) {
        let id = store
            .propose_assignment("aler.op", unit, f.today)
            .unwrap()
            .assignment_id
            .unwrap();
        for s in [
            Step::Offer { answer_by: f.today },
            Step::Accept,
            Step::Assign {
                number: format!("A{unit}"),
                date: f.today,
                lease: None,
            },
        ] {
            store
                .assignment_step("aler.op", &step(id, None, s), f.today)
                .unwrap();
        }
    }
    let view = ledger(store.conn(), &f.key).unwrap();
    let all = assignments::ledgers_of_year(store.conn(), f.key.year, &|_, _| true).unwrap();
    let same = all.iter().find(|v| v.key == f.key).unwrap();
    assert_eq!(same, &view, "the region-year recomputation agrees");
    assert_eq!(view.ledger.taken(), 3);
    let audits = audit::count(store.conn()).unwrap();
    let changes = store.conn().total_changes();
    // 20% more for indigents: the replay moves units to indigents, nothing is written.
    let w = assignments::what_if(store.conn(), &f.key, None, Some(8000)).unwrap();
    assert_eq!(w.replay.rows.len(), 3);
    assert!(w.replay.replay.line(Line::Indigenti).used >= view.ledger.line(Line::Indigenti).used);
    let same_rules = assignments::what_if(store.conn(), &f.key, None, None).unwrap();
    assert_eq!(
        same_rules.replay.changed(),
        0,
        "{:?}",
        same_rules.replay.rows
    );
    assert_eq!(audit::count(store.conn()).unwrap(), audits);
    assert_eq!(store.conn().total_changes(), changes);
}

#[test]
fn two_operators_proposing_the_same_unit_one_wins() {
    let f = fixture();
    let mut a = f.store();
    let mut b = f.store();
    let unit = f.waiting(&a)[0];
    a.propose_assignment("op.a", unit, f.today).unwrap();
    let e = b.propose_assignment("op.b", unit, f.today).unwrap_err();
    assert!(e.to_string().contains("già un'istruttoria"), "{e}");
}

#[test]
fn an_undocumented_condition_lowers_the_score_moves_the_application_and_proposes_again() {
    let f = fixture();
    let mut store = f.store();
    let unit = f.waiting(&store)[0];
    let p = store.propose_assignment("aler.op", unit, f.today).unwrap();
    let id = p.assignment_id.unwrap();
    let who = p.decision.proposal().unwrap().applicant.clone();
    let (conditions, declared): (String, String) = f
        .conn()
        .query_row(
            "SELECT e.conditions, a.declared FROM ranking_entry e
               JOIN application a ON a.id = e.application_id
              WHERE e.ranking_id = ?1 AND e.application_id = ?2",
            [f.ranking, who.application_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    // A declared condition that scored (not one the household's dates make).
    let code = conditions
        .split(',')
        .find(|c| declared.split(';').any(|d| d == *c))
        .unwrap_or_else(|| panic!("no declared condition in {conditions} / {declared}"))
        .to_string();
    let e = store
        .assignment_check(
            "aler.op",
            id,
            None,
            &DocumentCheck::MissingCondition {
                code: "ANZIANI_INVENTATA".into(),
                reason: "x".into(),
            },
            f.today,
        )
        .unwrap_err();
    assert!(e.to_string().contains("non è una condizione"), "{e}");
    let audits = audit::count(store.conn()).unwrap();
    let checked = store
        .assignment_check(
            "aler.op",
            id,
            None,
            &DocumentCheck::MissingCondition {
                code: code.clone(),
                reason: "manca il provvedimento di rilascio".into(),
            },
            f.today,
        )
        .unwrap();
    assert_eq!(checked.cancelled.assignment.stage, Stage::Annullata);
    let m = checked
        .moved
        .iter()
        .find(|m| m.ranking_id == f.ranking)
        .unwrap();
    assert!(m.isbar_after < m.isbar_before, "{m:?}");
    assert!(m.after >= m.before, "{m:?}");
    // The ranking is still 1..n, in score order, with the application at its new place.
    let conn = f.conn();
    let rows: Vec<(i64, i64, i64)> = conn
        .prepare("SELECT position, application_id, isbar FROM ranking_entry WHERE ranking_id = ?1 ORDER BY position")
        .unwrap()
        .query_map([f.ranking], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r.0, i as i64 + 1);
    }
    assert!(rows.windows(2).all(|w| w[0].2 >= w[1].2));
    let at = rows.iter().find(|r| r.1 == who.application_id).unwrap();
    assert_eq!((at.0, at.2), (m.after, m.isbar_after));
    let declared_now: String = conn
        .query_row(
            "SELECT declared FROM application WHERE id = ?1",
            [who.application_id],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!declared_now.split(';').any(|d| d == code));
    assert!(
        checked
            .cancelled
            .assignment
            .outcome_reason
            .as_deref()
            .unwrap()
            .contains("punteggio ricalcolato"),
        "{:?}",
        checked.cancelled.assignment.outcome_reason
    );
    // The unit is proposed again on the new order.
    let next = checked.next.unwrap();
    assert!(next.assignment_id.is_some());
    // One audit record for the whole check.
    assert_eq!(audit::count(store.conn()).unwrap(), audits + 1);
}

/// Inserts an occupation without title naming `tax_code`, started on `started` and ended on
/// `ended` (open when `None`).
fn occupy(f: &Fixture, code: &str, tax_code: &str, started: NaiveDate, ended: Option<NaiveDate>) {
    f.conn()
        .execute(
            "INSERT INTO occupation (owner_id, code, unit_code, istat_code, province,
                 address_prefix, address, street_number, tax_code, name, surname, birth_date,
                 started_on, kind, detect_type, detect_id, detect_on, debt, ended, ended_on,
                 created_at, updated_at)
             VALUES (?1, ?2, 'X-1', ?3, 'MI', 1, 'Via Test', '1', ?4, 'Nome', 'Cognome',
                 '1980-01-01', ?5, 1, 'VERBALE', 'V-1', ?5, 0, ?6, ?7, 'x', 'x')",
            rusqlite::params![
                f.key.owner_id,
                code,
                f.key.istat,
                tax_code,
                started.to_string(),
                i64::from(ended.is_some()),
                ended.map(|d| d.to_string()),
            ],
        )
        .unwrap();
}

/// DOMAIN.md: the access requirements hold at the assignment too. A member who occupied a
/// public home without title after submitting the application (the rankings' check could not
/// see it) stops the act; an occupation ended more than five years before the act does not.
#[test]
fn an_occupation_without_title_before_the_act_stops_it() {
    let f = fixture();
    let mut store = f.store();
    let unit = f.waiting(&store)[0];
    let p = store.propose_assignment("aler.op", unit, f.today).unwrap();
    let id = p.assignment_id.expect("someone is proposed");
    let a = assignment(store.conn(), id).unwrap();
    let answer_by = assignments::offer_deadline(store.conn(), id, f.today).unwrap();
    store
        .assignment_step(
            "aler.op",
            &step(id, None, Step::Offer { answer_by }),
            f.today,
        )
        .unwrap();
    store
        .assignment_step("aler.op", &step(id, None, Step::Accept), f.today)
        .unwrap();
    let cf: String = f
        .conn()
        .query_row(
            "SELECT tax_code FROM application_member WHERE application_id = ?1 ORDER BY seq DESC LIMIT 1",
            [a.application_id],
            |r| r.get(0),
        )
        .unwrap();
    // Ended five years and a day before the act: outside the look-back.
    let act = f.today;
    let old_end =
        act.checked_sub_months(chrono::Months::new(60)).unwrap() - chrono::Duration::days(1);
    occupy(
        &f,
        "OLD-1",
        &cf,
        old_end - chrono::Duration::days(300),
        Some(old_end),
    );
    // Started after the application was submitted, still open.
    occupy(&f, "NEW-1", &cf, act - chrono::Duration::days(3), None);
    let act_step = |store: &mut Store| {
        store.assignment_step(
            "aler.op",
            &step(
                id,
                None,
                Step::Assign {
                    number: "PG 9/2026".into(),
                    date: act,
                    lease: None,
                },
            ),
            f.today,
        )
    };
    let audits = audit::count(store.conn()).unwrap();
    let e = act_step(&mut store).unwrap_err().to_string();
    assert!(e.contains("OCCUPAZIONE"), "{e}");
    assert!(e.contains("prima dell'assegnazione"), "{e}");
    assert!(e.contains("NEW-1") && !e.contains("OLD-1"), "{e}");
    assert!(e.contains("--missing-requirement OCCUPAZIONE"), "{e}");
    assert_eq!(
        assignment(store.conn(), id).unwrap().stage,
        Stage::Accettata
    );
    assert_eq!(audit::count(store.conn()).unwrap(), audits);
    // The register corrected (the occupation was someone else's): the act goes through.
    f.conn()
        .execute("DELETE FROM occupation WHERE code = 'NEW-1'", [])
        .unwrap();
    let done = act_step(&mut store).unwrap();
    assert_eq!(done.assignment.stage, Stage::Assegnata);
}

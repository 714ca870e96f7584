//! The communication form (SCHEMA COMUNICAZIONE ANNUALE) of an owner operator: a Comune sees the
//! social-category fields, an ALER does not; a refused value is marked; a stale save is refused.

use super::*;
use crate::domain::plan::PlanAction;

/// The plan copy with its window open and `kind`'s first owner operator certified, so filing
/// is possible. Returns the database and that operator's username.
fn open_plan_for(kind: i64) -> (tempfile::TempDir, PathBuf, String) {
    open_plan(kind, true)
}

fn open_plan(kind: i64, certify: bool) -> (tempfile::TempDir, PathBuf, String) {
    let (dir, path, id) = plan_db_copy();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    let today = chrono::Local::now().date_naive();
    store
        .plan_action(CAPOFILA, id, PlanAction::Open, None, today)
        .unwrap();
    let (user, owner_id): (String, i64) = store
        .conn()
        .query_row(
            "SELECT o.username, w.id FROM operator o
             JOIN operator_grant g ON g.operator_id = o.id AND g.service = 'PROGRAMMAZIONE'
             JOIN owner w ON w.id = g.owner_id
             JOIN communication c ON c.owner_id = w.id AND c.plan_id = ?1
             WHERE o.role = 'ENTE' AND w.kind = ?2 ORDER BY o.username LIMIT 1",
            rusqlite::params![id, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    if certify {
        store.certify(&user, owner_id).unwrap();
    }
    (dir, path, user)
}

fn ctrl(h: &mut Harness, c: char) {
    h.press(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

/// Home → Comunicazione annuale (the last item for an owner operator) → the form.
fn open_form(h: &mut Harness) {
    h.open_menu("Comunicazione annuale");
    h.key(KeyCode::Enter);
}

fn form_sizes(name: &str, kind: i64, steps: impl Fn(&mut Harness)) {
    let (_dir, path, user) = open_plan_for(kind);
    super::snapshot_on(&path, name, &user, |h| {
        open_form(h);
        steps(h);
    });
}

#[test]
fn communication_form_of_a_comune_and_of_an_aler() {
    form_sizes("communication_form_comune", 1, |h| {
        let s = text(&h.render(&Theme::mono(), 120, 40));
        assert!(s.contains("SCHEMA COMUNICAZIONE ANNUALE"), "{s}");
        assert!(s.contains("Forze di Polizia"), "{s}");
    });
    form_sizes("communication_form_aler", 2, |h| {
        let s = text(&h.render(&Theme::mono(), 120, 40));
        assert!(!s.contains("Forze di Polizia"), "{s}");
    });
}

#[test]
fn communication_form_marks_the_refused_field() {
    form_sizes("communication_form_invalid", 1, |h| {
        // Down to Forze di Polizia: b c+d e f j k h, 4 categories, then police.
        for _ in 0..11 {
            h.key(KeyCode::Tab);
        }
        h.text("99");
        h.key(KeyCode::BackTab);
        h.key(KeyCode::BackTab);
        ctrl(h, 't');
    });
    let (_dir, path, user) = open_plan_for(1);
    let mut h = Harness::on(&path, Access::ReadWrite, &user, (80, 24));
    open_form(&mut h);
    for _ in 0..11 {
        h.key(KeyCode::Tab);
    }
    h.text("99");
    ctrl(&mut h, 't');
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("✖d-bis"), "field marked: {s}");
    assert!(
        s.contains("✖ Forze di Polizia % (d-bis): 99% oltre il massimo 20% (R.R."),
        "message names the field and the rule: {s}"
    );
}

#[test]
fn communication_total_is_computed_and_filing_gives_a_receipt() {
    let (_dir, path, user) = open_plan_for(1);
    let mut h = Harness::on(&path, Access::ReadWrite, &user, (80, 24));
    open_form(&mut h);
    h.key(KeyCode::Backspace);
    h.text("3");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Backspace);
    h.text("4");
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("7 (calcolato)"), "{s}");
    ctrl(&mut h, 't');
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("ID di trasmissione telematica"), "{s}");
    assert!(s.contains("RICEVUTA"), "{s}");
}

#[test]
fn communication_stale_save_is_refused() {
    let (_dir, path, user) = open_plan_for(1);
    let mut a = Harness::on(&path, Access::ReadWrite, &user, (200, 40));
    let mut b = Harness::on(&path, Access::ReadWrite, &user, (200, 40));
    open_form(&mut a);
    open_form(&mut b);
    let first = |h: &Harness| {
        let s = text(&h.render(&Theme::mono(), 200, 40));
        s.lines()
            .find(|l| l.starts_with(" b "))
            .unwrap_or_default()
            .to_string()
    };
    // The other session files a 3 first; this one read the older version and types a 5.
    b.key(KeyCode::Backspace);
    b.text("3");
    ctrl(&mut b, 't');
    let s = text(&b.render(&Theme::mono(), 200, 40));
    assert!(s.contains("RICEVUTA"), "{s}");
    a.key(KeyCode::Backspace);
    a.text("5");
    ctrl(&mut a, 's');
    let s = text(&a.render(&Theme::mono(), 200, 40));
    assert!(
        s.contains("✖ Modificata da un'altra sessione: F5 mostra i valori salvati"),
        "{s}"
    );
    assert!(
        first(&a).contains('5'),
        "what was typed stays: {}",
        first(&a)
    );
    // F5 shows the stored values (the other session's 3), once asked again: it drops
    // what was typed ...
    a.key(KeyCode::F(5));
    assert!(first(&a).contains('5'), "asked first: {}", first(&a));
    a.key(KeyCode::F(5));
    assert!(
        first(&a).contains('3'),
        "stored values shown: {}",
        first(&a)
    );
    // ... and typing again, the save goes through knowingly against the version now stored.
    a.key(KeyCode::Backspace);
    a.text("5");
    ctrl(&mut a, 's');
    let s = text(&a.render(&Theme::mono(), 200, 40));
    assert!(s.contains("Bozza salvata"), "{s}");
}

#[test]
fn communication_list_shows_the_state_and_filing_needs_a_certification() {
    let (_dir, path, user) = open_plan(1, false);
    let mut h = Harness::on(&path, Access::ReadWrite, &user, (120, 40));
    h.open_menu("Comunicazione annuale");
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(
        s.contains("BG-SERIATE") && s.contains("DA COMPILARE"),
        "{s}"
    );
    insta::assert_snapshot!(
        "communication_list_80x24",
        text(&h.render(&Theme::default_theme(), 80, 24))
    );
    h.key(KeyCode::Enter);
    // A draft needs no certification; filing does, and the store says so.
    ctrl(&mut h, 's');
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("Bozza salvata"), "{s}");
    ctrl(&mut h, 't');
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("deve prima certificare"), "{s}");
    h.key(KeyCode::Esc);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("IN COMPILAZIONE"), "{s}");
}

/// A Comune that transmitted and then saved a draft: the list shows the receipt's ID and
/// TRASMESSA+BOZZA, the form which version it shows and the receipt in force.
#[test]
fn a_draft_after_a_filing_says_which_version_is_shown() {
    use crate::domain::communication::FormInput;
    use crate::store::communications::{Save, SaveMode};
    let (_dir, path, user) = open_plan_for(1);
    {
        let mut store = Store::open(&path, Access::ReadWrite).unwrap();
        let (plan_id, owner_id): (i64, i64) = store
            .conn()
            .query_row(
                "SELECT c.plan_id, c.owner_id FROM communication c
                 JOIN operator_grant g ON g.owner_id = c.owner_id AND g.service = 'PROGRAMMAZIONE'
                 JOIN operator o ON o.id = g.operator_id WHERE o.username = ?1 LIMIT 1",
                [&user],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let today = chrono::Local::now().date_naive();
        let mut input = FormInput::default();
        input.counts.carenze = 1234;
        for (mode, elderly) in [(SaveMode::File, None), (SaveMode::Draft, Some("12,5"))] {
            input.elderly = elderly.map(str::to_string);
            let save = Save {
                plan_id,
                owner_id,
                input: &input,
                expected_version: None,
                mode,
                today,
            };
            store.save_communication(&user, save).unwrap();
        }
        // A fixed receipt time, so the snapshots do not change with the clock.
        store
            .conn()
            .execute(
                "UPDATE communication_filing SET received_at = '2026-09-10T08:30:00Z'",
                [],
            )
            .unwrap();
    }
    super::snapshot_on(&path, "communication_refiled_list", &user, |h| {
        h.open_menu("Comunicazione annuale");
        let s = text(&h.render(&Theme::mono(), 80, 24));
        assert!(
            s.contains("TRASMESSA+BOZZA") && s.contains("PA2027-"),
            "{s}"
        );
    });
    super::snapshot_on(&path, "communication_refiled_form", &user, |h| {
        open_form(h);
        let s = text(&h.render(&Theme::mono(), 80, 24));
        assert!(
            s.contains("bozza non trasmessa") && s.contains("RICEVUTA: ID"),
            "{s}"
        );
        assert!(s.contains("12,5"), "the draft's values: {s}");
    });
}

//! The screens #13 brought to the interface: the capofila's dialogs in Graduatorie (Nuovo
//! avviso, Rettifica), an ID domanda found in every ranking of the notice, and the unit card's
//! Modifica; who is offered them (role × action), and a unit edit refused as stale.

use super::rankings::{code_at, open_notice, rankings_db, rankings_db_copy};
use super::*;
use crate::app::keymap::Action;
use crate::app::screens::is_mutating;

fn open_notices(h: &mut Harness) {
    h.open_menu("Avvisi e graduatorie");
}

#[test]
fn new_notice_dialog() {
    snapshot_on(rankings_db(), "notice_new", CAPOFILA, |h| {
        open_notices(h);
        h.key(KeyCode::Char('b'));
        h.text("Avviso SAP 2027");
        h.key(KeyCode::Tab);
        h.text("01/02/2027");
    });
    // A wrong date: refused on its field, everything typed kept.
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, CAPOFILA, (80, 24));
    open_notices(&mut h);
    h.key(KeyCode::Char('b'));
    h.text("Avviso SAP 2027");
    h.key(KeyCode::Tab);
    h.text("01/02/2027");
    h.key(KeyCode::Tab);
    h.text("31/02/2027");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(
        s.contains("✖ Data chiusura: '31/02/2027' non è una data"),
        "{s}"
    );
    assert!(
        s.contains("Avviso SAP 2027") && s.contains("01/02/2027"),
        "{s}"
    );
    assert!(h.app.screen().in_text(), "the dialog stays open");
}

#[test]
fn correction_dialog_and_confirmations() {
    snapshot_on(rankings_db(), "notice_correct", CAPOFILA, |h| {
        open_notice(h);
        h.key(KeyCode::Char('u'));
        h.text(&code_at(3));
        h.key(KeyCode::Tab);
    });
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, CAPOFILA, (120, 40));
    open_notice(&mut h);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    for label in [
        "Rettifica",
        "Rendi definitive",
        "Importa domande",
        "Calcola",
    ] {
        assert!(s.contains(label), "{label}: {s}");
    }
    // The notice is closed: no Chiudi avviso.
    assert!(!s.contains("Chiudi avviso"), "{s}");
    // Finalizing asks first and says what follows; another key cancels the question.
    h.press(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("Rendere definitive le graduatorie"), "{s}");
    h.key(KeyCode::Down);
    h.press(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL));
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(
        s.contains("Rendere definitive le graduatorie"),
        "asked again, not done: {s}"
    );
}

#[test]
fn an_id_domanda_found_in_every_ranking_of_the_notice() {
    let code = code_at(9);
    // A piece of the ID, in lower case: its last characters.
    let part = code[code.len().saturating_sub(5)..].to_lowercase();
    snapshot_on(rankings_db(), "notice_found", CAPOFILA, |h| {
        open_notice(h);
        h.key(KeyCode::Char('/'));
        h.text(&part);
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, "regione", (120, 40));
    open_notice(&mut h);
    h.key(KeyCode::Char('/'));
    h.text(&code);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("trovat"), "{s}");
    assert!(s.contains(&format!("▶ {code}")), "the exact ID first: {s}");
    // Enter opens its ranking on it.
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains(&format!("Domanda {code} in posizione")), "{s}");
    assert!(
        s.lines().any(|l| l.contains('▶') && l.contains(&code)),
        "{s}"
    );
}

#[test]
fn unit_edit_dialog() {
    snapshot_sizes("unit_edit", "comune.015146", |h| {
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
        h.key(KeyCode::Char('y'));
    });
    let mut h = Harness::new("comune.015146", (80, 24));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    for _ in 0..6 {
        h.key(KeyCode::Tab);
    }
    h.text("x");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("✖ Costo stimato"), "marked on its field: {s}");
    assert!(h.app.screen().in_text(), "the form stays: {s}");
}

#[test]
fn a_stale_unit_edit_is_refused_and_nothing_typed_is_lost() {
    let (_dir, path, _) = rankings_db_copy();
    let mut h = Harness::on(&path, Access::ReadWrite, "comune.015146", (120, 40));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('y'));
    let crate::app::screens::Screen::Detail(d) = h.app.screen() else {
        panic!("not the unit card");
    };
    let unit = d.unit_id;
    for _ in 0..5 {
        h.key(KeyCode::Tab);
    }
    h.text("Tinteggiatura");
    // Meanwhile another session changes the unit.
    Store::open(&path, Access::ReadWrite)
        .unwrap()
        .conn()
        .execute(
            "UPDATE unit SET version = version + 1 WHERE id = ?1",
            [unit],
        )
        .unwrap();
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("modificato da un'altra sessione"), "{s}");
    assert!(s.contains("Tinteggiatura"), "typed value kept: {s}");
    let audit = |p: &std::path::Path| {
        let s = Store::open(p, Access::ReadOnly).unwrap();
        crate::store::audit::count(s.conn()).unwrap()
    };
    let before = audit(&path);
    // Reread (Esc, F5), edited again: saved, with its audit record.
    h.key(KeyCode::Esc);
    h.key(KeyCode::F(5));
    h.key(KeyCode::Char('y'));
    for _ in 0..5 {
        h.key(KeyCode::Tab);
    }
    h.text("Tinteggiatura");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("salvato"), "{s}");
    assert!(s.contains("Tinteggiatura"), "{s}");
    assert_eq!(audit(&path), before + 1);
}

fn mutating_offered(h: &Harness) -> Vec<Action> {
    let mut v: Vec<Action> = h
        .app
        .offered()
        .into_iter()
        .filter(|a| is_mutating(*a))
        .collect();
    v.sort();
    v
}

/// Role × action for the new actions: who is offered what on the notice list, on the notice
/// (closed, provisional rankings) and on a unit card; the keys of actions not offered do
/// nothing.
#[test]
fn each_role_is_offered_exactly_the_notice_and_unit_actions_it_may_do() {
    use Action::*;
    let db = rankings_db();
    let store = Store::open(db, Access::ReadOnly).unwrap();
    let owner_op: String = store
        .conn()
        .query_row(
            "SELECT o.username FROM operator o
               JOIN operator_grant g ON g.operator_id = o.id AND g.service = 'AVVISI'
               JOIN ranking r ON r.owner_id = g.owner_id
              WHERE o.role = 'ENTE' AND o.status = 'ATTIVO' ORDER BY o.username LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut manage = vec![
        ApplicationsImport,
        RankingsCompute,
        RankingsCorrect,
        RankingsFinalize,
    ];
    manage.sort();
    // (operator, on the list, on the notice)
    let table: Vec<(&str, Vec<Action>, Vec<Action>)> = vec![
        (CAPOFILA, vec![NoticeNew], manage),
        ("regione", vec![], vec![]),
        ("helpdesk", vec![], vec![]),
        (owner_op.as_str(), vec![], vec![]),
    ];
    let mut wrong = Vec::new();
    for (user, list, notice) in table {
        let mut h = Harness::on(db, Access::ReadOnly, user, (120, 40));
        open_notices(&mut h);
        let got = mutating_offered(&h);
        if got != list {
            wrong.push(format!("{user} on the notices: {got:?}, expected {list:?}"));
        }
        h.key(KeyCode::Enter);
        let got = mutating_offered(&h);
        if got != notice {
            wrong.push(format!(
                "{user} on the notice: {got:?}, expected {notice:?}"
            ));
        }
        // The capofila's keys do nothing for the others.
        if user != CAPOFILA {
            h.key(KeyCode::Char('u'));
            h.press(KeyEvent::new(KeyCode::Char('y'), KeyModifiers::CONTROL));
            if h.app.screen().in_text() || h.app.message.is_some() {
                wrong.push(format!("{user}: a capofila key acted"));
            }
        }
    }
    // The unit card: Modifica for the owner's ANAGRAFE operators only.
    for (user, want) in [
        ("comune.015146", vec![UnitEdit]),
        ("helpdesk", vec![]),
        ("regione", vec![]),
    ] {
        let mut h = Harness::on(db, Access::ReadOnly, user, (120, 40));
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
        let got = mutating_offered(&h);
        if got != want {
            wrong.push(format!(
                "{user} on the unit card: {got:?}, expected {want:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn rankings_show_category_names_and_what_if_rows_open_their_application() {
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, "regione", (120, 40));
    open_notice(&mut h);
    // The biggest ranking has rows with categories: names, not the rule set's codes.
    let crate::app::screens::Screen::Rankings(r) = h.app.screen() else {
        panic!("not the rankings");
    };
    let crate::app::screens::rankings::Rankings::Notice(n) = r.as_ref() else {
        panic!("not the notice");
    };
    let conditions = n.conditions.clone();
    let codes: Vec<String> = conditions.iter().map(|(c, _)| c.clone()).collect();
    let biggest = n
        .rankings
        .as_ref()
        .unwrap()
        .iter()
        .enumerate()
        .max_by_key(|(_, r)| r.entries)
        .unwrap()
        .0;
    for _ in 0..biggest {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    let table: String = s.lines().skip(5).collect::<Vec<_>>().join("\n");
    for c in &codes {
        assert!(!table.contains(c.as_str()), "code {c} shown: {s}");
    }
    assert!(
        conditions.iter().any(|(_, name)| {
            let head: String = name.chars().take(12).collect();
            table.contains(&head)
        }),
        "a category name shown: {s}"
    );
    // What-if: Enter on a row opens that application's explanation.
    h.key(KeyCode::Esc);
    h.key(KeyCode::Char('w'));
    h.key(KeyCode::Enter);
    h.key(KeyCode::Down);
    let crate::app::screens::Screen::Rankings(r) = h.app.screen() else {
        panic!("not the rankings");
    };
    let crate::app::screens::rankings::Rankings::WhatIf(w) = r.as_ref() else {
        panic!("not the what-if");
    };
    let code = w.selected_code().expect("someone moves").to_string();
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(
        s.lines().any(|l| l.contains('▶') && l.contains(&code)),
        "the row is selected: {s}"
    );
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("SPIEGAZIONE DEL PUNTEGGIO"), "{s}");
    assert!(s.contains(&code), "{s}");
}

#[test]
fn plan_card_salva_changes_the_window_dates() {
    let (_dir, path, id) = plan_db_copy();
    let mut h = Harness::on(&path, Access::ReadWrite, CAPOFILA, (80, 24));
    h.open_menu("Piani annuali");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('s'));
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("DATE DELLA FINESTRA"), "{s}");
    assert!(s.contains("01/09/2026"), "the dates as stored: {s}");
    // A wrong date: refused on its field, the form stays.
    h.key(KeyCode::Tab);
    h.press(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    h.text("31/11/2026");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("non è una data"), "{s}");
    assert!(h.app.screen().in_text(), "{s}");
    // Meanwhile another session changes the plan: refused, what was typed stays.
    h.press(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    h.text("30/11/2026");
    Store::open(&path, Access::ReadWrite)
        .unwrap()
        .conn()
        .execute("UPDATE plan SET version = version + 1 WHERE id = ?1", [id])
        .unwrap();
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("modificato da un'altra sessione"), "{s}");
    assert!(s.contains("30/11/2026"), "{s}");
    // Reread and saved: the card shows the new end, with its history row and audit record.
    h.key(KeyCode::Esc);
    h.key(KeyCode::F(5));
    h.key(KeyCode::Char('s'));
    h.key(KeyCode::Tab);
    h.press(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    h.text("30/11/2026");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("Date salvate"), "{s}");
    let store = Store::open(&path, Access::ReadOnly).unwrap();
    let (end, audited): (String, i64) = store
        .conn()
        .query_row(
            "SELECT window_end, (SELECT count(*) FROM audit WHERE action = 'piano.date')
               FROM plan WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((end.as_str(), audited), ("2026-11-30", 1));
    // Cancelled: no Salva any more.
    drop(store);
    Store::open(&path, Access::ReadWrite)
        .unwrap()
        .plan_action(
            CAPOFILA,
            id,
            crate::domain::plan::PlanAction::Cancel,
            None,
            chrono::Local::now().date_naive(),
        )
        .unwrap();
    h.key(KeyCode::F(5));
    assert!(!h.app.offered().contains(&Action::PlanDates));
}

#[test]
fn certification_card_of_any_owner_for_the_helpdesk_and_the_regione() {
    snapshot_sizes("certification_picker", "helpdesk", |h| {
        h.open_menu("Scheda certificazione");
        h.text("seriate");
    });
    let mut h = Harness::new("helpdesk", (80, 24));
    h.open_menu("Scheda certificazione");
    h.text("comune seriate");
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("1 ente"), "{s}");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("ENTE PROPRIETARIO: Comune di Seriate"), "{s}");
    assert!(s.contains("Numero unità abitative"), "{s}");
    assert!(!h.app.offered().contains(&Action::Certify), "{s}");
    // The Regione: its own card first (it certifies it), any other through the picker.
    let mut h = Harness::new("regione", (80, 24));
    h.open_menu("Scheda certificazione");
    let own = h.app.offered().contains(&Action::Certify);
    h.key(KeyCode::F(4));
    h.text("aler bergamo");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("ENTE PROPRIETARIO: ALER"), "{s}");
    assert!(
        !h.app.offered().contains(&Action::Certify),
        "not its own: {s}"
    );
    // Certifica's key does nothing on another owner's card.
    h.key(KeyCode::F(6));
    assert!(h.app.message.is_none(), "{:?}", h.app.message);
    let _ = own;
}

#[test]
fn the_plan_report_asks_where_to_save() {
    let (dir, path, _) = plan_db_copy();
    let mut h = Harness::on(&path, Access::ReadWrite, CAPOFILA, (80, 24));
    h.open_menu("Piani annuali");
    h.key(KeyCode::Enter);
    h.key(KeyCode::Char('a'));
    h.key(KeyCode::Char('t'));
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("SALVA COME"), "{s}");
    assert!(s.contains("report.xlsx"), "a default name: {s}");
    let out = dir.path().join("scelto.xlsx");
    h.press(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    h.text(out.to_str().unwrap());
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("scelto.xlsx"), "{s}");
    assert!(out.exists(), "written where asked: {s}");
}

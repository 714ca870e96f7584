//! Graduatorie: the notice list, the rankings of a notice, a ranking after a jump to an ID
//! domanda, the explanation of a score and the what-if comparison, on a copy of the demo
//! database where the capofila of BG-SERIATE ran a notice with generated applications. Dates
//! and stamps are fixed so the snapshots do not depend on the day the tests run.

use super::*;
use crate::demo::applications::{ComuneRef2, OfferedRef};
use crate::store::{notices, rule_sets};

pub(super) fn date(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// A copy of the demo database with a closed notice of BG-SERIATE (opened 12/01/2026, closed
/// 27/02/2026), 200 generated applications and its rankings computed on 02/03/2026.
pub(super) fn rankings_db_copy() -> (tempfile::TempDir, PathBuf, i64) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rankings.sqlite");
    rusqlite::Connection::open(demo_db())
        .unwrap()
        .execute("VACUUM INTO ?1", [path.to_str().unwrap()])
        .unwrap();
    let mut store = Store::open(&path, Access::ReadWrite).unwrap();
    let d = crate::store::owners::find_district(store.conn(), "BG-SERIATE").unwrap();
    store
        .conn()
        .execute(
            "UPDATE unit SET in_notice = 1 WHERE id IN (
               SELECT u.id FROM unit u JOIN district_municipality dm ON dm.istat_code = u.istat_code
                WHERE dm.district_id = ?1 ORDER BY u.id LIMIT 60)",
            [d.id],
        )
        .unwrap();
    let (opens, closes) = (date("2026-01-12"), date("2026-02-27"));
    let notice = store
        .create_notice(
            CAPOFILA,
            notices::NewNotice {
                district_id: d.id,
                title: "Avviso pubblico SAP 2026",
                opens_on: opens,
                closes_on: closes,
                rule_set: None,
            },
        )
        .unwrap();
    let apps = {
        let conn = store.conn();
        let mut stmt = conn
            .prepare(
                "SELECT m.istat_code, m.population FROM district_municipality dm
                   JOIN municipality m ON m.istat_code = dm.istat_code
                  WHERE dm.district_id = ?1 ORDER BY m.istat_code",
            )
            .unwrap();
        let comuni: Vec<ComuneRef2> = stmt
            .query_map([d.id], |r| {
                Ok(ComuneRef2 {
                    istat: r.get(0)?,
                    population: r.get(1)?,
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT u.id, u.istat_code, ifnull(u.floor_area, 0) FROM notice_unit n
                   JOIN unit u ON u.id = n.unit_id WHERE n.notice_id = ?1 ORDER BY u.id",
            )
            .unwrap();
        let offered: Vec<OfferedRef> = stmt
            .query_map([notice.id], |r| {
                Ok(OfferedRef {
                    unit_id: r.get(0)?,
                    istat: r.get(1)?,
                    area_m2: r.get(2)?,
                })
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let (_, set) = rule_sets::load_parsed(conn, notice.rule_set_id).unwrap();
        let rules = set.ranking().unwrap();
        let codes: Vec<String> = rules.conditions.iter().map(|c| c.code.clone()).collect();
        crate::demo::applications::generate(
            200,
            7,
            &comuni,
            &offered,
            rules.max_preferences as usize,
            opens,
            closes,
            &codes,
        )
    };
    store
        .import_applications(CAPOFILA, notice.id, &apps)
        .unwrap();
    store
        .compute_rankings(CAPOFILA, notice.id, date("2026-03-02"))
        .unwrap();
    store
        .conn()
        .execute_batch(
            "UPDATE notice SET created_at = '2026-01-05T08:00:00Z';
             UPDATE ranking SET computed_at = '2026-03-02T08:00:00Z';",
        )
        .unwrap();
    (dir, path, notice.id)
}

pub(super) fn rankings_db() -> &'static PathBuf {
    static DB: OnceLock<(tempfile::TempDir, PathBuf, i64)> = OnceLock::new();
    &DB.get_or_init(rankings_db_copy).1
}

/// The ranking with the most rows (the first of them, as the screen lists them: by owner,
/// then comune) and its index in the list.
fn biggest() -> (usize, crate::store::rankings::RankingInfo) {
    let store = Store::open(rankings_db(), Access::ReadOnly).unwrap();
    let all = crate::store::rankings::list(store.conn(), 1).unwrap();
    let max = all.iter().map(|r| r.entries).max().unwrap();
    let i = all.iter().position(|r| r.entries == max).unwrap();
    (i, all[i].clone())
}

/// The ID domanda at `position` of the biggest ranking.
pub(super) fn code_at(position: i64) -> String {
    let store = Store::open(rankings_db(), Access::ReadOnly).unwrap();
    let r = biggest().1;
    let rows =
        crate::store::rankings::page(store.conn(), r.id, Some(position - 1), None, 1).unwrap();
    rows[0].code.clone()
}

fn sizes(name: &str, user: &str, steps: impl Fn(&mut Harness)) {
    snapshot_on(rankings_db(), name, user, steps);
}

pub(super) fn open_notice(h: &mut Harness) {
    h.open_menu("Avvisi e graduatorie");
    h.key(KeyCode::Enter);
}

/// The biggest ranking of the notice.
fn open_ranking(h: &mut Harness) {
    open_notice(h);
    for _ in 0..biggest().0 {
        h.key(KeyCode::Down);
    }
    h.key(KeyCode::Enter);
}

/// The biggest ranking, then a jump to the ID domanda at position 9.
fn open_ranking_and_jump(h: &mut Harness) {
    open_ranking(h);
    h.key(KeyCode::F(2));
    h.text(&code_at(9));
    h.key(KeyCode::Enter);
}

#[test]
fn notice_list_and_rankings_of_the_notice() {
    sizes("rankings_notices", CAPOFILA, |h| {
        h.open_menu("Avvisi e graduatorie");
    });
    sizes("rankings_notice", CAPOFILA, open_notice);
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, CAPOFILA, (80, 24));
    open_notice(&mut h);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("PROVVISORIA"), "{s}");
    // The capofila's legend starts with its own keys; what-if stays offered (and in the help).
    assert!(h.app.offered().contains(&Action::WhatIf));
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, "regione", (80, 24));
    open_notice(&mut h);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("w Simula regole"), "what-if in the legend: {s}");
}

#[test]
fn ranking_jump_to_an_id_domanda() {
    sizes("rankings_ranking", CAPOFILA, open_ranking_and_jump);
    let code = code_at(9);
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, "regione", (80, 24));
    open_ranking_and_jump(&mut h);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(
        s.contains(&format!("▶    9 {code}")),
        "the row found is selected, with the marker: {s}"
    );
    assert!(s.contains(&format!("Domanda {code} in posizione 9")), "{s}");
    // An unknown code is said, the field keeps the focus.
    h.key(KeyCode::F(2));
    h.text("X-0");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("non è in questa graduatoria"), "{s}");
    assert!(h.app.screen().in_text());
}

#[test]
fn ranking_pages_by_position() {
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, CAPOFILA, (80, 24));
    open_ranking(&mut h);
    let rows = crate::app::screens::rankings::ranking_rows(80, 24) as i64;
    let crate::app::screens::Screen::Rankings(r) = h.app.screen() else {
        panic!("not a ranking");
    };
    let crate::app::screens::rankings::Rankings::Ranking(v) = r.as_ref() else {
        panic!("not a ranking");
    };
    let entries = v.info.entries;
    assert_eq!(v.rows.first().map(|r| r.position), Some(1));
    h.key(KeyCode::End);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(
        s.contains(&format!(
            "Posizioni {}–{entries} di {entries}",
            (entries - rows + 1).max(1)
        )),
        "{s}"
    );
    h.key(KeyCode::Home);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("Posizioni 1–"), "{s}");
}

#[test]
fn explanation_of_a_score() {
    sizes("rankings_explanation", CAPOFILA, |h| {
        open_ranking_and_jump(h);
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, CAPOFILA, (120, 40));
    open_ranking_and_jump(&mut h);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    for part in [
        "SPIEGAZIONE DEL PUNTEGGIO",
        "TOTALE ISBAR",
        "POSIZIONI IN GRADUATORIA",
        "posizione 9 di",
    ] {
        assert!(s.contains(part), "{part}: {s}");
    }
    // Back to the ranking, on the same row.
    h.key(KeyCode::Esc);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains(&format!("▶    9 {}", code_at(9))), "{s}");
}

#[test]
fn what_if_with_another_rule_set_changes_nothing() {
    sizes("rankings_what_if", CAPOFILA, |h| {
        open_notice(h);
        h.key(KeyCode::Char('w'));
        h.key(KeyCode::Enter);
    });
    sizes("rankings_what_if_list", CAPOFILA, |h| {
        open_notice(h);
        h.key(KeyCode::Char('w'));
    });
    let before = {
        let store = Store::open(rankings_db(), Access::ReadOnly).unwrap();
        crate::store::rankings::all_entries(store.conn(), biggest().1.id).unwrap()
    };
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, CAPOFILA, (120, 40));
    open_notice(&mut h);
    h.key(KeyCode::Char('w'));
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 120, 40));
    assert!(s.contains("nessuna modifica salvata"), "{s}");
    let store = Store::open(rankings_db(), Access::ReadOnly).unwrap();
    assert_eq!(
        crate::store::rankings::all_entries(store.conn(), biggest().1.id).unwrap(),
        before
    );
}

#[test]
fn owner_operators_read_only_their_rankings() {
    // An operator without the AVVISI service does not see the area at all.
    let store = Store::open(rankings_db(), Access::ReadOnly).unwrap();
    let all = crate::store::rankings::list(store.conn(), 1).unwrap();
    let owner = all[0].owner_id;
    let user: String = store
        .conn()
        .query_row(
            "SELECT o.username FROM operator o
               JOIN operator_grant g ON g.operator_id = o.id AND g.service = 'AVVISI'
              WHERE o.role = 'ENTE' AND o.status = 'ATTIVO' AND g.owner_id = ?1
              ORDER BY o.username LIMIT 1",
            [owner],
            |r| r.get(0),
        )
        .unwrap();
    let mut h = Harness::on(rankings_db(), Access::ReadOnly, &user, (120, 40));
    open_notice(&mut h);
    let crate::app::screens::Screen::Rankings(r) = h.app.screen() else {
        panic!("not the rankings");
    };
    let crate::app::screens::rankings::Rankings::Notice(n) = r.as_ref() else {
        panic!("not the rankings of the notice");
    };
    let shown = n.rankings.as_ref().unwrap();
    assert!(!shown.is_empty());
    assert!(shown.iter().all(|r| r.owner_id == owner || {
        // Another owner the operator also works for with AVVISI.
        h.app
            .session
            .scope
            .has_grant(r.owner_id, crate::domain::access::Service::Notices)
    }));
    assert!(shown.len() <= all.len());
}

//! Ricerca fabbricati: the first page of an ALER operator's buildings with the count, the
//! filter form with an address typed, a refused comune marked on its field, and Select on a
//! building opening Ricerca alloggi filtered by that building.

use super::*;

fn open_buildings(h: &mut Harness) {
    h.open_menu("Ricerca fabbricati");
}

#[test]
fn building_search_first_page_with_count() {
    snapshot_sizes("buildings", "aler.mi", |h| {
        open_buildings(h);
        let s = text(&h.render(&Theme::default_theme(), 80, 24));
        assert!(s.contains("fabbricati ·"), "count shown: {s}");
        assert!(s.contains("ALER Milano"), "the operator's buildings: {s}");
    });
}

#[test]
fn building_search_by_address_and_a_refused_comune() {
    snapshot_sizes("buildings_address", "regione", |h| {
        open_buildings(h);
        h.key(KeyCode::Char('/'));
        for _ in 0..3 {
            h.key(KeyCode::Tab);
        }
        h.text("via ro");
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::new("regione", (80, 24));
    open_buildings(&mut h);
    h.key(KeyCode::Char('/'));
    h.key(KeyCode::Tab);
    h.text("Atlantide");
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("✖Comune"), "refused field marked with a glyph: {s}");
    assert!(s.contains("Atlantide"), "typed value kept: {s}");
}

#[test]
fn selecting_a_building_lists_its_units() {
    let mut h = Harness::new("aler.mi", (80, 24));
    open_buildings(&mut h);
    let crate::app::screens::Screen::Buildings(b) = h.app.screen() else {
        panic!("not on Ricerca fabbricati");
    };
    let first = b.rows[0].clone();
    h.key(KeyCode::Enter);
    let crate::app::screens::Screen::Search(s) = h.app.screen() else {
        panic!("Select did not open Ricerca alloggi");
    };
    assert_eq!(s.rows.len() as i64, first.units.min(s.rows.len() as i64));
    assert!(!s.rows.is_empty());
    assert_eq!(s.count, Some(first.units), "the building's units, all of them");
}

//! Ricerca fabbricati and Ricerca inquilini: the first page of an ALER operator's buildings
//! with the count, the filter form with an address typed, a refused comune marked on its field,
//! Select on a building opening Ricerca alloggi filtered by that building; tenants by surname,
//! masked for the helpdesk, Select opening the household's unit.

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
    assert!(
        s.contains("✖Comune"),
        "refused field marked with a glyph: {s}"
    );
    assert!(s.contains("Atlantide"), "typed value kept: {s}");
}

#[test]
fn selecting_a_building_lists_its_units() {
    let mut h = Harness::new("aler.mi", (80, 24));
    open_buildings(&mut h);
    let crate::app::screens::Screen::Registry(b) = h.app.screen() else {
        panic!("not on Ricerca fabbricati");
    };
    let crate::app::screens::registry_search::Rows::Buildings(rows) = &b.rows else {
        panic!("not buildings");
    };
    let first = rows[0].clone();
    h.key(KeyCode::Enter);
    let crate::app::screens::Screen::Search(s) = h.app.screen() else {
        panic!("Select did not open Ricerca alloggi");
    };
    assert_eq!(s.rows.len() as i64, first.units.min(s.rows.len() as i64));
    assert!(!s.rows.is_empty());
    assert_eq!(
        s.count,
        Some(first.units),
        "the building's units, all of them"
    );
}

fn open_tenants(h: &mut Harness) {
    h.open_menu("Ricerca inquilini");
}

#[test]
fn tenant_search_by_surname() {
    snapshot_sizes("tenants", "aler.mi", |h| {
        open_tenants(h);
        h.key(KeyCode::Char('/'));
        for _ in 0..3 {
            h.key(KeyCode::Tab);
        }
        h.text("ro");
        h.key(KeyCode::Enter);
        let s = text(&h.render(&Theme::default_theme(), 80, 24));
        assert!(s.contains("inquilini ·"), "count shown: {s}");
    });
}

#[test]
fn tenant_search_is_masked_for_the_helpdesk_and_opens_the_unit() {
    snapshot_sizes("tenants_helpdesk", "helpdesk", |h| {
        open_tenants(h);
        let s = text(&h.render(&Theme::mono(), 80, 24));
        assert!(s.contains("****************"), "codice fiscale masked: {s}");
        assert!(s.contains("dati personali oscurati"), "said in words: {s}");
    });
    let mut h = Harness::new("helpdesk", (80, 24));
    open_tenants(&mut h);
    let crate::app::screens::Screen::Registry(r) = h.app.screen() else {
        panic!("not on Ricerca inquilini");
    };
    let crate::app::screens::registry_search::Rows::Tenants(rows) = &r.rows else {
        panic!("not tenants");
    };
    let unit = rows[0].unit_id;
    h.key(KeyCode::Enter);
    let crate::app::screens::Screen::Detail(d) = h.app.screen() else {
        panic!("Select did not open the unit card");
    };
    assert_eq!(d.unit_id, unit);
    assert!(d.detail.as_ref().is_some_and(|x| x.personal_data_masked));
}

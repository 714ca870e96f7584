//! Banca dati occupanti: the search (first page, a refused filter, a list of values), the
//! card (read-only on another owner's record, editable on one's own, masked for the
//! helpdesk), its list of values and the close dialog with its confirmation, on the demo
//! database (its register is generated from the seed, never the clock).

use super::*;

fn open_register(h: &mut Harness) {
    h.open_menu("Ricerca occupazioni");
}

#[test]
fn occupation_search_first_page_with_count() {
    snapshot_sizes("occupations", "aler.mi", |h| {
        open_register(h);
        let s = text(&h.render(&Theme::default_theme(), 80, 24));
        assert!(s.contains("occupazioni ·"), "count shown: {s}");
    });
}

#[test]
fn occupation_search_marks_a_refused_filter() {
    snapshot_sizes("occupations_invalid", "regione", |h| {
        open_register(h);
        h.key(KeyCode::Char('/'));
        for _ in 0..4 {
            h.key(KeyCode::Tab);
        }
        h.text("31/02/2025");
    });
    let mut h = Harness::new("regione", (80, 24));
    open_register(&mut h);
    h.key(KeyCode::Char('/'));
    for _ in 0..4 {
        h.key(KeyCode::Tab);
    }
    h.text("31/02/2025");
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("✖Dal"), "invalid field marked with a glyph: {s}");
    assert!(s.contains("✖ Dal:"), "message names the field: {s}");
    // The typed value stays.
    assert!(s.contains("31/02/2025"), "{s}");
}

#[test]
fn occupation_search_type_list_of_values() {
    snapshot_sizes("occupations_lov", "regione", |h| {
        open_register(h);
        h.key(KeyCode::Char('/'));
        for _ in 0..2 {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::F(4));
        h.key(KeyCode::Down);
    });
}

#[test]
fn occupation_card_editable_masked_and_read_only() {
    // ALER Milano's own record: a form with Salva and Chiudi occupazione.
    snapshot_sizes("occupation_card", "aler.mi", |h| {
        open_register(h);
        h.key(KeyCode::Enter);
    });
    // The helpdesk sees personal data masked, and may reveal them.
    snapshot_sizes("occupation_card_helpdesk", "helpdesk", |h| {
        open_register(h);
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::new("helpdesk", (80, 24));
    open_register(&mut h);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("F10 Mostra dati"), "reveal offered: {s}");
    assert!(!s.contains("Salva"), "the helpdesk changes nothing: {s}");
    // The Regione reads every record and changes none.
    let mut h = Harness::new("regione", (80, 24));
    open_register(&mut h);
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("consultazione") && !s.contains("Salva"), "{s}");
}

#[test]
fn occupation_card_list_of_values_and_close_dialog() {
    snapshot_sizes("occupation_card_lov", "aler.mi", |h| {
        open_register(h);
        h.key(KeyCode::Enter);
        // To Tipo occupazione, then its list.
        for _ in 0..17 {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::F(4));
    });
    snapshot_sizes("occupation_close", "aler.mi", |h| {
        open_register(h);
        h.key(KeyCode::Enter);
        h.press(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL));
        // A fixed day, for stable snapshots.
        for _ in 0..12 {
            h.key(KeyCode::Backspace);
        }
        h.text("30/11/2025");
        for _ in 0..7 {
            h.key(KeyCode::Tab);
        }
        h.key(KeyCode::F(4));
        h.key(KeyCode::Enter);
        h.key(KeyCode::Enter);
    });
    let mut h = Harness::new("aler.mi", (80, 24));
    open_register(&mut h);
    h.key(KeyCode::Enter);
    h.press(KeyEvent::new(KeyCode::Char('o'), KeyModifiers::CONTROL));
    h.key(KeyCode::Enter);
    let s = text(&h.render(&Theme::mono(), 80, 24));
    assert!(s.contains("confermare"), "closing asks first: {s}");
}

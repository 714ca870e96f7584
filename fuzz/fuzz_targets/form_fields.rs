#![no_main]
//! Every form field's parser on the same text, and a text field edited by keys decoded from
//! the input: the first byte is the field's length limit, then pairs (key, modifiers).
use casa::app::form::TextField;
use casa::domain::application::parse_euro;
use casa::domain::communication::Pct;
use casa::domain::registry::{OwnerKind, parse_flag};
use casa::domain::unit_filter::{self, SortKey};
use casa::domain::unit_record as ur;
use casa::import::applications::{parse_date, parse_datetime};
use casa_fuzz::assert_italian;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use libfuzzer_sys::fuzz_target;

fn s<T>(r: Result<T, String>) {
    if let Err(e) = r {
        assert_italian(&e);
    }
}

fn f<T>(r: Result<T, unit_filter::FilterError>) {
    if let Err(e) = r {
        assert!(e.to_string().starts_with(e.field.label()));
        assert_italian(&e.message);
    }
}

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    let t = String::from_utf8_lossy(data);
    let t = t.as_ref();
    s(parse_euro(t));
    s(parse_date(t));
    s(parse_datetime(t));
    s(parse_flag(t));
    for d in 0..=3 {
        s(Pct::parse(t, d));
    }
    s(ur::parse_text(
        t,
        data.first().map_or(0, |b| usize::from(*b)),
    ));
    s(ur::parse_unit_id(t));
    s(ur::parse_owner_kind(t));
    s(ur::parse_body_tax_code(t));
    s(ur::parse_istat(t));
    s(ur::parse_cap(t));
    s(ur::parse_year(t, 2026));
    s(ur::parse_floor(t));
    s(ur::parse_cadastral_category(t));
    s(ur::parse_floor_area(t));
    s(ur::parse_rooms(t));
    s(ur::parse_money_cents(t));
    s(ur::parse_whole(t));
    s(ur::parse_hundredths(t));
    s(OwnerKind::parse(t));
    s(SortKey::parse(t));
    f(unit_filter::parse_unit_id(t));
    f(unit_filter::parse_building_code(t));
    f(unit_filter::parse_service(t));
    f(unit_filter::parse_province(t));
    f(unit_filter::parse_comune(t));
    f(unit_filter::parse_states(t));
    f(unit_filter::parse_in_notice(t));
    f(unit_filter::parse_year(t));
    f(unit_filter::parse_text(t));

    // Key sequence: decode chars from the text, editing keys from the bytes.
    let max = data.first().map_or(0, |b| usize::from(b % 16));
    let mut field = TextField::with_value(max, t);
    let mut chars = t.chars();
    for pair in data.chunks(2) {
        let mods = KeyModifiers::from_bits_truncate(*pair.get(1).unwrap_or(&0));
        let code = match pair[0] % 8 {
            0 => KeyCode::Backspace,
            1 => KeyCode::Delete,
            2 => KeyCode::Left,
            3 => KeyCode::Right,
            4 => KeyCode::Home,
            5 => KeyCode::End,
            _ => KeyCode::Char(chars.next().unwrap_or('à')),
        };
        field.edit(&KeyEvent::new(code, mods));
        let len = field.value.chars().count();
        assert!(len <= max && field.cursor <= len);
    }
});

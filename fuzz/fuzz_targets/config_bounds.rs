#![no_main]
//! Rule-set, keymap and theme files at and beyond their size limits (a small input repeated
//! up to 4 MiB), read the way casa reads them: bounded, then parsed. A file over its limit is
//! refused unread with a short Italian message; one within is parsed, and a refusal is Italian.
use casa::bounded::{limits, read_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    if data.len() < 4 {
        return;
    }
    let kind = data[0] % 3;
    let len = usize::from(u16::from_le_bytes([data[1], data[2]])) << 6;
    let body = &data[3..];
    let split = body.len() / 2;
    let text = casa_fuzz::amplify(&body[..split], &body[split..], len.max(split));
    let path = casa_fuzz::file("config.toml", &text);
    let max = if kind == 0 {
        limits::RULE_SET_BYTES
    } else {
        limits::CONFIG_BYTES
    };
    match read_text(&path, max, "file di configurazione") {
        Err(e) => {
            casa_fuzz::assert_short_refusal(&e.0);
            let over = text.len() as u64 > max;
            assert!(
                over || std::str::from_utf8(&text).is_err(),
                "refused a good file: {}",
                e.0
            );
        }
        Ok(t) => {
            assert!(t.len() as u64 <= max);
            match kind {
                0 => {
                    if let Err(e) = casa::rules::parse("fuzz.toml", &t) {
                        casa_fuzz::assert_italian(&e.to_string());
                    }
                }
                1 => {
                    if let Err(e) = casa::app::keymap::Keymap::parse(&t, "fuzz.toml", None) {
                        casa_fuzz::assert_italian(&e.to_string());
                    }
                }
                _ => {
                    if let Err(e) = casa::ui::Theme::parse(&t, "fuzz.toml") {
                        casa_fuzz::assert_italian(&e.to_string());
                    }
                }
            }
        }
    }
});

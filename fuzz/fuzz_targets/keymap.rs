#![no_main]
use casa::app::keymap::{Key, Keymap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    let text = String::from_utf8_lossy(data);
    let base = Keymap::default_map();
    for b in [None, Some(&base)] {
        if let Err(e) = Keymap::parse(&text, "fuzz.toml", b) {
            assert!(e.line >= 1);
            casa_fuzz::assert_italian(&e.to_string());
        }
    }
    if let Err(e) = Key::parse(&text) {
        casa_fuzz::assert_italian(&e);
    }
});

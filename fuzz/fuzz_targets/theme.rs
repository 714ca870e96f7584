#![no_main]
use casa::ui::Theme;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    let text = String::from_utf8_lossy(data);
    if let Err(e) = Theme::parse(&text, "fuzz.toml") {
        assert!(e.line >= 1);
        casa_fuzz::assert_italian(&e.to_string());
    }
});

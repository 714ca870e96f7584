#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Err(e) = casa::rules::parse("fuzz.toml", &text) {
        let m = e.to_string();
        assert!(m.starts_with("fuzz.toml"), "{m}");
        casa_fuzz::assert_italian(&m);
    }
});

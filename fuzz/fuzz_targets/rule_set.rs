#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    let text = String::from_utf8_lossy(data);
    match casa::rules::parse("fuzz.toml", &text) {
        Ok(set) => match set.ranking() {
            // Values the loader accepts reach the ranking arithmetic: it must not overflow.
            Ok(r) => {
                for members in 0..=25 {
                    let _ = r.pse(members);
                    let _ = r.assets_max(members);
                    let _ = r.adequate_dwelling_m2(members);
                }
            }
            Err(e) => casa_fuzz::assert_italian(&e.to_string()),
        },
        Err(e) => {
            let m = e.to_string();
            assert!(m.starts_with("fuzz.toml"), "{m}");
            casa_fuzz::assert_italian(&m);
        }
    }
});

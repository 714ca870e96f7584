#![no_main]
use casa::domain::codice_fiscale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    let s = String::from_utf8_lossy(data);
    if let Err(e) = codice_fiscale::validate(&s) {
        let m = e.to_string();
        assert!(m.contains("codice fiscale"), "{m}");
        casa_fuzz::assert_italian(&m);
    }
    let _ = codice_fiscale::validate_person_code(&s);
    let _ = codice_fiscale::validate_body_code(&s);
    if data.len() >= 15 {
        let _ = codice_fiscale::person_check_char(&data[..15]);
    }
    if data.len() >= 10 {
        let _ = codice_fiscale::body_check_digit(&data[..10]);
    }
});

#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = casa_fuzz::file("domande.csv", data);
    casa_fuzz::check_applications(&path);
});

#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    let path = casa_fuzz::file("file.xlsx", data);
    casa_fuzz::check_units(&path);
    casa_fuzz::check_applications(&path);
});

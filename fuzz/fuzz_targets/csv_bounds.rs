#![no_main]
//! The CSV guard at and beyond its limits: a small input amplified to megabytes (a record that
//! never ends, a huge header, thousands of columns), under random small limits and, one time
//! in four, the real ones. Within the limits the guard changes nothing but line ends (the
//! records equal a plain parse of the LF-normalised bytes); beyond them it stops with a
//! short Italian refusal, and the records read before are those of the plain parse.
use casa::bounded::{CsvGuard, CsvLimits, refused_in};
use libfuzzer_sys::fuzz_target;

fn normalise(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\r' {
            out.push(b'\n');
            if b.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(b[i]);
        }
        i += 1;
    }
    out
}

fn reader<R: std::io::Read>(input: R, d: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(d)
        .from_reader(input)
}

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    if data.len() < 8 {
        return;
    }
    let real = data[0].is_multiple_of(4);
    let limits = if real {
        CsvLimits::default()
    } else {
        CsvLimits {
            bytes: 1024 + u64::from(data[1]) * 4096,
            record: 16 + usize::from(data[1]) * 64,
            cell: 4 + usize::from(data[2]) * 16,
            columns: 1 + usize::from(data[3]) % 64,
        }
    };
    let d = [b';', b',', b'\t'][usize::from(data[4]) % 3];
    // Up to 8 MiB: past the real record limit (64 KiB) a hundred times over.
    let len = usize::from(u16::from_le_bytes([data[5], data[6]])) << 7;
    let body = &data[8..];
    let split = usize::from(data[7]).min(body.len());
    let (head, chunk) = body.split_at(split);
    let file = casa_fuzz::amplify(head, chunk, len.max(head.len()));

    // The guarded parse and a plain one of the LF-normalised bytes, record by record (in
    // lockstep: a file of millions of records needs no memory here).
    let normalised = normalise(&file);
    let mut guarded = reader(CsvGuard::new(&file[..], d, limits), d);
    let mut plain = reader(&normalised[..], d);
    let (mut g, mut p) = (csv::ByteRecord::new(), csv::ByteRecord::new());
    loop {
        let more = plain.read_byte_record(&mut p).expect("plain parse");
        match guarded.read_byte_record(&mut g) {
            Ok(true) => {
                assert!(more, "the guard read a record the plain parse did not");
                assert_eq!(g, p, "the guard changed a record");
            }
            Ok(false) => {
                assert!(!more, "the guard stopped before the end without a refusal");
                return;
            }
            Err(e) => {
                let csv::ErrorKind::Io(io) = e.into_kind() else {
                    panic!("a csv error that is not the guard's");
                };
                let refused = refused_in(&io).expect("an io error that is not a refusal");
                casa_fuzz::assert_short_refusal(&refused.0);
                return;
            }
        }
    }
});

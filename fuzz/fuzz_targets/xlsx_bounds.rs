#![no_main]
//! Workbooks built to exhaust memory: a sheet part that inflates to up to 4 GiB from a few KB
//! (a chunk compressed once and repeated), declaring its true size or lying about it, with
//! the fuzzer's bytes as the repeated content. Both importers must refuse or read them within
//! the process's memory cap (`fuzz/run.sh` runs this under `ulimit -v`), with a short Italian
//! refusal.
use libfuzzer_sys::fuzz_target;

fn deflate(data: &[u8], last: bool) -> Vec<u8> {
    let mut c = flate2::Compress::new(flate2::Compression::best(), false);
    let mut out = Vec::with_capacity(data.len() / 2 + 1024);
    let flush = if last {
        flate2::FlushCompress::Finish
    } else {
        flate2::FlushCompress::Sync
    };
    loop {
        out.reserve(64 * 1024);
        let before = c.total_in() as usize;
        let status = c
            .compress_vec(&data[before..], &mut out, flush)
            .expect("deflate");
        if c.total_in() as usize == data.len() && (!last || status == flate2::Status::StreamEnd) {
            return out;
        }
    }
}

fn part(
    name: &str,
    method: u16,
    crc: u32,
    size: u32,
    data: &[u8],
    offset: u32,
    central: bool,
) -> Vec<u8> {
    let mut h = Vec::new();
    h.extend(
        if central {
            0x0201_4b50u32
        } else {
            0x0403_4b50u32
        }
        .to_le_bytes(),
    );
    if central {
        h.extend(20u16.to_le_bytes());
    }
    h.extend(20u16.to_le_bytes());
    h.extend(0u16.to_le_bytes());
    h.extend(method.to_le_bytes());
    h.extend(0u32.to_le_bytes());
    h.extend(crc.to_le_bytes());
    h.extend((data.len() as u32).to_le_bytes());
    h.extend(size.to_le_bytes());
    h.extend((name.len() as u16).to_le_bytes());
    h.extend(0u16.to_le_bytes());
    if central {
        h.extend([0u8; 6]);
        h.extend(0u32.to_le_bytes());
        h.extend(offset.to_le_bytes());
    }
    h.extend(name.as_bytes());
    if !central {
        h.extend(data);
    }
    h
}

const PARTS: [(&str, &str); 4] = [
    (
        "[Content_Types].xml",
        "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
    ),
    (
        "_rels/.rels",
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
    ),
    (
        "xl/workbook.xml",
        "<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Foglio1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
    ),
    (
        "xl/_rels/workbook.xml.rels",
        "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
    ),
];

fuzz_target!(|data: &[u8]| {
    casa_fuzz::set_input(data);
    if data.len() < 6 {
        return;
    }
    let lying = data[0] & 1 == 1;
    // Up to 4 GiB - 1 of inflated sheet: chunks of the fuzzer's bytes, repeated.
    let repeats = u32::from_le_bytes([data[1], data[2], data[3], 0]) as u64;
    let chunk = &data[6..];
    if chunk.is_empty() {
        return;
    }
    let head = b"<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>";
    let tail = b"</t></is></c></row></sheetData></worksheet>";
    let inflated = head.len() as u64 + repeats * chunk.len() as u64 + tail.len() as u64;
    if inflated > u64::from(u32::MAX) {
        return;
    }
    let one = deflate(chunk, false);
    let mut sheet = deflate(head, false);
    for _ in 0..repeats {
        sheet.extend(&one);
        if sheet.len() > 64 << 20 {
            return; // a poorly compressible chunk: not a bomb, just a big file
        }
    }
    sheet.extend(deflate(tail, true));
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    // The CRC of `repeats` copies by doubling: millions of single combines would be the
    // harness's time, not casa's.
    let mut power = crc32fast::Hasher::new();
    power.update(chunk);
    let mut n = repeats;
    while n > 0 {
        if n & 1 == 1 {
            crc.combine(&power);
        }
        let square = power.clone();
        power.combine(&square);
        n >>= 1;
    }
    crc.update(tail);
    let crc = crc.finalize();
    let declared = if lying {
        u32::from_le_bytes([data[4], data[5], 0, 0])
    } else {
        inflated as u32
    };
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, text) in PARTS {
        let offset = out.len() as u32;
        let c = crc32fast::hash(text.as_bytes());
        out.extend(part(
            name,
            0,
            c,
            text.len() as u32,
            text.as_bytes(),
            offset,
            false,
        ));
        central.extend(part(
            name,
            0,
            c,
            text.len() as u32,
            text.as_bytes(),
            offset,
            true,
        ));
    }
    let offset = out.len() as u32;
    let name = "xl/worksheets/sheet1.xml";
    out.extend(part(name, 8, crc, declared, &sheet, offset, false));
    central.extend(part(name, 8, crc, declared, &sheet, offset, true));
    let cd = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]);
    out.extend(5u16.to_le_bytes());
    out.extend(5u16.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(cd.to_le_bytes());
    out.extend(0u16.to_le_bytes());

    let path = casa_fuzz::file("bomba.xlsx", &out);
    casa_fuzz::check_units(&path);
    casa_fuzz::check_applications(&path);
});

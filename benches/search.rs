//! Unit search at scale, on a database made by `casa demo --units 1000000`:
//!
//!     cargo build --release && ./target/release/casa demo --units 1000000 --db /tmp/bench1m.sqlite
//!     cargo bench --bench search -- --db /tmp/bench1m.sqlite
//!
//! Measures, in process, the median of many runs: the first page (20 rows) and the next page of
//! every filter the search screen offers in every sort, as Regione and as the ALER Milano
//! operator; the count of every filter; the certification card of ALER Milano. Then the export
//! of about 100,000 units against a bare rust_xlsxwriter constant-memory writer of the same
//! rows, each in a child process that reports its time and peak memory (VmHWM).
//! Figures are printed, never asserted. The database is opened read-only.

use casa::domain::registry::{ServiceType, UnitState};
use casa::domain::unit_filter::{Sort, SortKey, UnitFilter, Visibility};
use casa::export::unit_lists::{self, HEADERS, ListsRequest};
use casa::store::search::{self, Direction, UnitRow};
use casa::store::{Access, Store, certification};
use rusqlite::Connection;
use rust_xlsxwriter::{Format, Workbook};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

const PAGE: usize = 20;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let Some(db) = arg("--db").map(PathBuf::from) else {
        eprintln!(
            "uso: cargo bench --bench search -- --db DB [--runs N] [--only TEXT|cold|export]"
        );
        std::process::exit(2);
    };
    if let Some(child) = arg("--child") {
        child_export(&db, &child, &arg("--out").expect("--out"));
        return;
    }
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(300);
    let only = arg("--only");
    let store = Store::open(&db, Access::ReadOnly).expect("open db");
    let conn = store.conn();
    let env = Env::load(conn);
    println!(
        "search bench on {} ({} units); medians of {runs} runs (counts and card: fewer)",
        db.display(),
        env.units
    );
    if only.as_deref() == Some("cold") {
        bench_cold(&db, &env);
        return;
    }
    if only.as_deref().is_none_or(|o| o != "export") {
        bench_cold(&db, &env);
        bench_pages(conn, &env, runs, only.as_deref());
        bench_counts(conn, &env, only.as_deref());
        bench_card(conn, &env);
    }
    if only.as_deref().is_none_or(|o| o == "export") {
        bench_export(&db, &args[0]);
    }
}

/// Values the filters use, taken from the database.
struct Env {
    units: i64,
    aler_mi: i64,
    small_comune_owner: i64,
    small_istat: String,
    some_id: i64,
    building_code: String,
    text: String,
    marked_year: Option<i32>,
}

impl Env {
    fn load(c: &Connection) -> Env {
        let q1 = |sql: &str| -> rusqlite::types::Value {
            c.query_row(sql, [], |r| r.get(0)).expect(sql)
        };
        let int = |sql: &str| match q1(sql) {
            rusqlite::types::Value::Integer(i) => i,
            v => panic!("{sql}: {v:?}"),
        };
        let text = |sql: &str| match q1(sql) {
            rusqlite::types::Value::Text(t) => t,
            v => panic!("{sql}: {v:?}"),
        };
        let units = int("SELECT count(*) FROM unit");
        let small_istat = text(
            "SELECT istat_code FROM unit_tally GROUP BY istat_code ORDER BY sum(n), istat_code LIMIT 1",
        );
        let marked_year: Option<i32> = c
            .query_row(
                "SELECT plan_year FROM unit_tally WHERE plan_year <> 0 LIMIT 1",
                [],
                |r| r.get(0),
            )
            .ok();
        // A word of a common street name (the generator's addresses are real-looking names).
        let address = text("SELECT address FROM unit WHERE id = (SELECT max(id) / 2 FROM unit)");
        let word = address
            .split_whitespace()
            .max_by_key(|w| w.chars().count())
            .unwrap_or("ROMA")
            .to_string();
        Env {
            units,
            aler_mi: int("SELECT id FROM owner WHERE aler_code = 'ALER_MI'"),
            small_comune_owner: int(&format!(
                "SELECT id FROM owner WHERE istat_code = '{small_istat}'"
            )),
            small_istat,
            some_id: int("SELECT max(id) / 3 FROM unit"),
            building_code: text(
                "SELECT code FROM building WHERE id = (SELECT max(id) / 2 FROM building)",
            ),
            text: word,
            marked_year,
        }
    }

    /// Every filter the search screen offers, alone, and a few common pairs.
    fn filters(&self) -> Vec<(String, UnitFilter)> {
        let f = UnitFilter::default;
        let mut v = vec![
            ("nessun filtro".to_string(), f()),
            (
                "id alloggio".into(),
                UnitFilter {
                    unit_id: Some(self.some_id),
                    ..f()
                },
            ),
            (
                "codice fabbricato".into(),
                UnitFilter {
                    building_code: Some(self.building_code.clone()),
                    ..f()
                },
            ),
            (
                "destinazione SAS".into(),
                UnitFilter {
                    service: Some(ServiceType::Sas),
                    ..f()
                },
            ),
            (
                "provincia MI".into(),
                UnitFilter {
                    province: Some("MI".into()),
                    ..f()
                },
            ),
            (
                "provincia SO".into(),
                UnitFilter {
                    province: Some("SO".into()),
                    ..f()
                },
            ),
            (
                "comune Milano".into(),
                UnitFilter {
                    istat: Some("015146".into()),
                    ..f()
                },
            ),
            (
                format!("comune piccolo {}", self.small_istat),
                UnitFilter {
                    istat: Some(self.small_istat.clone()),
                    ..f()
                },
            ),
            (
                "stato LIBERO".into(),
                UnitFilter {
                    states: vec![UnitState::Free],
                    ..f()
                },
            ),
            (
                "stato OCCUPATO".into(),
                UnitFilter {
                    states: vec![UnitState::Occupied],
                    ..f()
                },
            ),
            (
                "stato: i tre del piano".into(),
                UnitFilter {
                    states: UnitState::PLAN_LISTS.to_vec(),
                    ..f()
                },
            ),
            (
                "in avviso sì".into(),
                UnitFilter {
                    in_notice: Some(true),
                    ..f()
                },
            ),
            (
                "in avviso no".into(),
                UnitFilter {
                    in_notice: Some(false),
                    ..f()
                },
            ),
            (
                "ente ALER Milano".into(),
                UnitFilter {
                    owner_id: Some(self.aler_mi),
                    ..f()
                },
            ),
            (
                "ente Comune piccolo".into(),
                UnitFilter {
                    owner_id: Some(self.small_comune_owner),
                    ..f()
                },
            ),
            (
                format!("testo \"{}\"", self.text.to_lowercase()),
                UnitFilter {
                    text: Some(self.text.to_lowercase()),
                    ..f()
                },
            ),
            (
                "comune Milano + stato LIBERO".into(),
                UnitFilter {
                    istat: Some("015146".into()),
                    states: vec![UnitState::Free],
                    ..f()
                },
            ),
            (
                "provincia MI + SAS + tre stati".into(),
                UnitFilter {
                    province: Some("MI".into()),
                    service: Some(ServiceType::Sas),
                    states: UnitState::PLAN_LISTS.to_vec(),
                    ..f()
                },
            ),
            (
                "ente ALER Milano + stato SFITTO PER CARENZE".into(),
                UnitFilter {
                    owner_id: Some(self.aler_mi),
                    states: vec![UnitState::VacantMaintenance],
                    ..f()
                },
            ),
        ];
        if let Some(y) = self.marked_year {
            v.push((
                format!("marcati {y}"),
                UnitFilter {
                    marked_for_year: Some(y),
                    ..f()
                },
            ));
        }
        v
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn bench_pages(c: &Connection, env: &Env, runs: usize, only: Option<&str>) {
    let visibilities = [
        ("Regione", Visibility::All),
        ("ALER MI", Visibility::Owners(vec![env.aler_mi])),
    ];
    println!("\nfirst page / next page of {PAGE} rows, µs (target: first page ≤ 150)");
    println!(
        "{:<44} {:<8} {:>10} {:>10} {:>10} {:>10}",
        "filtro", "chi", "id", "comune", "stato", "superficie"
    );
    let mut worst = (Duration::ZERO, String::new());
    for (name, filter) in env.filters() {
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        for (who, vis) in &visibilities {
            let mut cells = Vec::new();
            for key in SortKey::ALL {
                let sort = Sort::new(key, false);
                let first = search::page(c, &filter, vis, sort, None, Direction::Forward, PAGE)
                    .expect("page");
                let t_first = median(
                    (0..runs)
                        .map(|_| {
                            let t = Instant::now();
                            let rows =
                                search::page(c, &filter, vis, sort, None, Direction::Forward, PAGE)
                                    .expect("page");
                            let d = t.elapsed();
                            std::hint::black_box(rows);
                            d
                        })
                        .collect(),
                );
                let t_next = match first.last() {
                    Some(last) if first.len() == PAGE => {
                        let cursor = Some(last.cursor(key));
                        let d = median(
                            (0..runs)
                                .map(|_| {
                                    let t = Instant::now();
                                    let rows = search::page(
                                        c,
                                        &filter,
                                        vis,
                                        sort,
                                        cursor,
                                        Direction::Forward,
                                        PAGE,
                                    )
                                    .expect("page");
                                    let d = t.elapsed();
                                    std::hint::black_box(rows);
                                    d
                                })
                                .collect(),
                        );
                        us(d)
                    }
                    _ => "-".into(),
                };
                if t_first > worst.0 {
                    worst = (t_first, format!("{name} / {who} / {}", key.option()));
                }
                cells.push(format!("{}/{}", us(t_first), t_next));
            }
            println!(
                "{:<44} {:<8} {:>10} {:>10} {:>10} {:>10}",
                name, who, cells[0], cells[1], cells[2], cells[3]
            );
        }
    }
    println!("slowest first page: {} µs ({})", us(worst.0), worst.1);
    bench_new_text(c, env, runs.min(60));
}

/// The very first page on a new connection (as when the search screen opens): the scratch
/// tables are created, the per-value totals computed from the tally, the statements prepared.
fn bench_cold(db: &Path, env: &Env) {
    println!(
        "\nfirst page on a new connection (every SSH command opens one), µs: median and slowest of 31; \
         then the same with the connection's opening"
    );
    let sort_by = |k: SortKey| Sort::new(k, false);
    let cases = [
        (
            "nessun filtro / Regione",
            UnitFilter::default(),
            Visibility::All,
            Sort::default(),
        ),
        (
            "stato LIBERO / ALER MI",
            UnitFilter {
                states: vec![UnitState::Free],
                ..UnitFilter::default()
            },
            Visibility::Owners(vec![env.aler_mi]),
            Sort::default(),
        ),
        (
            "tre stati del piano / Regione",
            UnitFilter {
                states: UnitState::PLAN_LISTS.to_vec(),
                ..UnitFilter::default()
            },
            Visibility::All,
            Sort::default(),
        ),
        (
            "comune Milano + tre stati / Regione",
            UnitFilter {
                istat: Some("015146".into()),
                states: UnitState::PLAN_LISTS.to_vec(),
                ..UnitFilter::default()
            },
            Visibility::All,
            Sort::default(),
        ),
        (
            "comune Milano + tre stati, per comune / Regione",
            UnitFilter {
                istat: Some("015146".into()),
                states: UnitState::PLAN_LISTS.to_vec(),
                ..UnitFilter::default()
            },
            Visibility::All,
            sort_by(SortKey::Comune),
        ),
        (
            "prov. MI + SAS + tre stati, per superficie / Regione",
            UnitFilter {
                province: Some("MI".into()),
                service: Some(ServiceType::Sas),
                states: UnitState::PLAN_LISTS.to_vec(),
                ..UnitFilter::default()
            },
            Visibility::All,
            sort_by(SortKey::Area),
        ),
    ];
    for (name, f, vis, sort) in cases {
        let mut page = Vec::new();
        let mut whole = Vec::new();
        for _ in 0..31 {
            let t0 = Instant::now();
            let store = Store::open(db, Access::ReadOnly).expect("open");
            let t = Instant::now();
            let rows = search::page(store.conn(), &f, &vis, sort, None, Direction::Forward, PAGE)
                .expect("page");
            let d = t.elapsed();
            whole.push(t0.elapsed());
            page.push(d);
            std::hint::black_box(rows);
        }
        let slowest = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
        let (pmax, wmax) = (slowest(&page), slowest(&whole));
        println!(
            "{name:<52} {:>8} (max {:>8})   with open {:>8} (max {:>8})",
            us(median(page)),
            us(pmax),
            us(median(whole)),
            us(wmax)
        );
    }
}

/// The first page for a text typed anew: the matches are looked up in the text index (the
/// pages above reuse them). Two texts alternate, so every run looks up.
fn bench_new_text(c: &Connection, env: &Env, runs: usize) {
    let texts = [env.text.to_lowercase(), "garibaldi".to_string()];
    println!("\nfirst page of a newly typed text (text index lookup included), µs");
    for (who, vis) in [
        ("Regione", Visibility::All),
        ("ALER MI", Visibility::Owners(vec![env.aler_mi])),
    ] {
        let mut cells = Vec::new();
        for key in SortKey::ALL {
            let sort = Sort::new(key, false);
            let t = median(
                (0..runs)
                    .map(|i| {
                        let f = UnitFilter {
                            text: Some(texts[i % 2].clone()),
                            ..UnitFilter::default()
                        };
                        let t = Instant::now();
                        let rows = search::page(c, &f, &vis, sort, None, Direction::Forward, PAGE)
                            .expect("page");
                        let d = t.elapsed();
                        std::hint::black_box(rows);
                        d
                    })
                    .collect(),
            );
            cells.push(us(t));
        }
        println!(
            "{:<44} {:<8} {:>10} {:>10} {:>10} {:>10}",
            format!("testo \"{}\" / \"garibaldi\"", texts[0]),
            who,
            cells[0],
            cells[1],
            cells[2],
            cells[3]
        );
    }
}

fn bench_counts(c: &Connection, env: &Env, only: Option<&str>) {
    println!("\ncount, ms (target ≤ 15)");
    for (name, filter) in env.filters() {
        if only.is_some_and(|o| !name.contains(o)) {
            continue;
        }
        for (who, vis) in [
            ("Regione", Visibility::All),
            ("ALER MI", Visibility::Owners(vec![env.aler_mi])),
        ] {
            let mut n = 0;
            let d = median(
                (0..30)
                    .map(|_| {
                        let t = Instant::now();
                        n = search::count(c, &filter, &vis).expect("count");
                        t.elapsed()
                    })
                    .collect(),
            );
            println!(
                "{:<44} {:<8} {:>9.3} ms  ({n} alloggi)",
                name,
                who,
                d.as_secs_f64() * 1e3
            );
        }
    }
}

fn bench_card(c: &Connection, env: &Env) {
    let mut card = None;
    let d = median(
        (0..20)
            .map(|_| {
                let t = Instant::now();
                card = Some(certification::card(c, env.aler_mi).expect("card"));
                t.elapsed()
            })
            .collect(),
    );
    let card = card.expect("card");
    println!(
        "\ncertification card of {}: {:.2} ms (target ≤ 70): {} fabbricati, {} alloggi, {} nuclei, {} inquilini",
        card.owner_name,
        d.as_secs_f64() * 1e3,
        card.totals.buildings,
        card.totals.units,
        card.totals.households,
        card.totals.tenants
    );
}

/// The export request of the bench: the three lists of the whole region (about 13% of the
/// units: some 130,000 rows on a million).
fn export_request() -> ListsRequest {
    ListsRequest {
        filter: UnitFilter::default(),
        visibility: Visibility::All,
        only_marked: None,
        sort: Sort::default(),
    }
}

fn bench_export(db: &Path, exe: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    println!("\nexport of the three lists (child processes; time excludes opening the database)");
    // Runs alternate between the two writers, so that a busy machine slows both alike.
    let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    let mut peaks = [0.0f64; 2];
    let mut rows = 0u64;
    let mut ratios = Vec::new();
    for run in 0..7 {
        let mut pair = [Duration::ZERO; 2];
        for (i, mode) in ["ours", "bare"].into_iter().enumerate() {
            let out = dir.path().join(format!("{mode}{run}.xlsx"));
            let o = Command::new(exe)
                .args(["--db", &db.display().to_string(), "--child", mode, "--out"])
                .arg(&out)
                .output()
                .expect("child");
            let text = String::from_utf8_lossy(&o.stdout);
            assert!(
                o.status.success(),
                "{mode}: {text} {}",
                String::from_utf8_lossy(&o.stderr)
            );
            // "secs rows vmhwm_kib"
            let parts: Vec<&str> = text.split_whitespace().collect();
            let t = Duration::from_secs_f64(parts[0].parse().expect("secs"));
            rows = parts[1].parse().expect("rows");
            peaks[i] = peaks[i].max(parts[2].parse::<f64>().expect("kib") / 1024.0);
            times[i].push(t);
            pair[i] = t;
        }
        ratios.push(pair[0].as_secs_f64() / pair[1].as_secs_f64());
    }
    for (i, mode) in ["ours", "bare"].into_iter().enumerate() {
        println!(
            "{mode:<5} {rows} rows: {:.3} s median, peak memory {:.1} MiB",
            median(times[i].clone()).as_secs_f64(),
            peaks[i]
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "ratio ours / bare: median {:.2} of 7 paired runs (min {:.2}, max {:.2}; target ≤ 1.3); peak target ≤ 50 MiB",
        ratios[ratios.len() / 2],
        ratios[0],
        ratios[ratios.len() - 1]
    );
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn child_export(db: &Path, mode: &str, out: &str) {
    let store = Store::open(db, Access::ReadOnly).expect("open");
    let conn = store.conn();
    let req = export_request();
    let cancel = AtomicBool::new(false);
    match mode {
        "read" => {
            let t = Instant::now();
            let mut n = 0;
            let f = unit_lists::lists_filter(&req).expect("lists");
            search::for_each_page(conn, &f, &req.visibility, req.sort, 1000, |page| {
                n += page.len();
                Ok(true)
            })
            .expect("rows");
            println!("{} {} {}", t.elapsed().as_secs_f64(), n, vm_hwm_kib());
        }
        "ours" => {
            let t = Instant::now();
            let target = casa::output_file::Target::new(Path::new(out), true);
            let s = unit_lists::write_xlsx(&store, &req, &target, &mut |_, _| {}, &cancel)
                .expect("export");
            println!(
                "{} {} {}",
                t.elapsed().as_secs_f64(),
                s.total(),
                vm_hwm_kib()
            );
        }
        _ => {
            // The same rows, read beforehand: only the writing is timed.
            let mut lists: Vec<Vec<UnitRow>> = vec![Vec::new(), Vec::new(), Vec::new()];
            let f = unit_lists::lists_filter(&req).expect("lists");
            search::for_each_page(conn, &f, &req.visibility, req.sort, 1000, |page| {
                for u in page {
                    let i = UnitState::PLAN_LISTS
                        .iter()
                        .position(|s| *s == u.state)
                        .expect("state");
                    lists[i].push(u.clone());
                }
                Ok(true)
            })
            .expect("rows");
            let t = Instant::now();
            let n = bare_write(&lists, Path::new(out));
            println!("{} {} {}", t.elapsed().as_secs_f64(), n, vm_hwm_kib());
        }
    }
}

/// A plain constant-memory writer of the same sheets and cells.
fn bare_write(lists: &[Vec<UnitRow>], out: &Path) -> u64 {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let mut n = 0;
    for (i, rows) in lists.iter().enumerate() {
        let ws = wb.add_worksheet_with_constant_memory().expect("sheet");
        ws.set_name(format!("Lista {}", i + 1)).expect("name");
        for (c, h) in HEADERS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .expect("h");
        }
        ws.set_freeze_panes(1, 0).expect("freeze");
        for (r, u) in rows.iter().enumerate() {
            let r = r as u32 + 1;
            ws.write_string(r, 0, &u.owner_name).expect("w");
            ws.write_string(r, 1, &u.code).expect("w");
            ws.write_number(r, 2, u.id as f64).expect("w");
            ws.write_string(r, 3, &u.comune).expect("w");
            if let Some(l) = &u.locality {
                ws.write_string(r, 4, l).expect("w");
            }
            ws.write_string(r, 5, u.full_address()).expect("w");
            ws.write_string(r, 6, u.state.label()).expect("w");
            if let Some(a) = u.floor_area {
                ws.write_number(r, 7, a).expect("w");
            }
            ws.write_string(r, 8, u.service.label()).expect("w");
            n += 1;
        }
    }
    let t = Instant::now();
    wb.save(out).expect("save");
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("bare save: {:.3} s", t.elapsed().as_secs_f64());
    }
    n
}

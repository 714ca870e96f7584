//! Demo data generator: a database with the real reference data plus realistic, made-up
//! districts, buildings, units, households, tenants and operators.
//!
//! The same seed gives the same data: every random draw comes from ChaCha8 streams seeded from
//! it, iteration follows ISTAT codes and ids (never hash order), and the one timestamp stored is
//! derived from the seed rather than read from the clock.
//!
//! The database is built in a temporary file beside the target and renamed over it at the end,
//! so a refresh never leaves a half-written database and the previous one stays usable until
//! then. Generation runs in one thread and SQLite inserts in another.

pub mod applications;
pub mod apportion;
pub mod cf;
pub mod districts;
pub mod names;
pub mod notice;
pub mod occupations;
pub mod operators;
pub mod people;
pub mod places;
pub mod registry;

use crate::store::Store;
use crate::store::bulk::{self, BuildingRow, Existing, RowCounts, Snapshot};
use anyhow::{Context, Result, bail};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use people::{BirthPlaces, Households};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use registry::Registry;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Units per batch handed from the generator to the writer.
const BATCH_UNITS: usize = 4096;
/// Batches that may wait in the channel: bounds memory while keeping both threads busy.
const BATCHES_IN_FLIGHT: usize = 8;

/// Independent random streams, so that e.g. the operators do not change when `--units` does.
const STREAM_OPERATORS: u64 = 1;
const STREAM_REGISTRY: u64 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub units: u64,
    pub seed: u64,
}

/// Progress reported while the database is built (on the calling thread).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// A new phase starts (Italian text for the progress bar).
    Phase(&'static str),
    /// Units written so far.
    Units(u64),
}

/// What was created.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub path: PathBuf,
    pub seed: u64,
    pub rows: RowCounts,
    pub districts: u64,
    pub synthetic_districts: u64,
    pub operators: u64,
    /// The register of occupations without title.
    pub occupations: occupations::Made,
    #[serde(skip)]
    pub elapsed: Duration,
}

/// The fixed timestamp of a seed's data (`updated_at`, `created_at`): a moment of 2025 derived
/// from the seed, never the clock.
pub fn timestamp(seed: u64) -> NaiveDateTime {
    // SplitMix64 finaliser: neighbouring seeds land far apart in the year.
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let start = NaiveDate::from_ymd_opt(2025, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("valid date");
    start + TimeDelta::seconds((z % (365 * 86_400)) as i64)
}

/// As stored: RFC 3339, UTC, seconds (the format of `store::now`).
fn stamp_text(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Removes a file and its WAL companions, ignoring the ones that do not exist.
fn remove_with_wal(path: &Path) -> Result<()> {
    for p in [
        path.to_path_buf(),
        sibling(path, "-wal"),
        sibling(path, "-shm"),
    ] {
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("impossibile rimuovere {}", p.display()));
            }
        }
    }
    Ok(())
}

/// Deletes the temporary database unless the build completed.
struct TempDb {
    path: PathBuf,
    keep: bool,
}

impl Drop for TempDb {
    fn drop(&mut self) {
        if !self.keep {
            let _ = remove_with_wal(&self.path);
        }
    }
}

/// Logs how long each phase took (the figures BENCHMARKS.md reports).
#[derive(Default)]
struct PhaseLog(Option<(&'static str, Instant)>);

impl PhaseLog {
    fn start(&mut self, name: &'static str) {
        self.finish();
        self.0 = Some((name, Instant::now()));
    }

    fn finish(&mut self) {
        if let Some((name, since)) = self.0.take() {
            tracing::info!(
                "casa demo: fase '{name}' in {:.2} s",
                since.elapsed().as_secs_f64()
            );
        }
    }
}

/// Creates (or refreshes) the demo database at `path`. Refuses to replace a file that is not a
/// demo database.
pub fn create(path: &Path, opts: &Options, on_event: &mut dyn FnMut(Event)) -> Result<Summary> {
    create_with(path, opts, on_event, &mut |_| Ok(()))
}

/// `create`, with `finish` run on the complete temporary database before it replaces the old
/// one (the demo notice is built there): a run interrupted at any point, `finish` included,
/// leaves the previous database untouched.
pub fn create_with(
    path: &Path,
    opts: &Options,
    on_event: &mut dyn FnMut(Event),
    finish: &mut dyn FnMut(&Path) -> Result<()>,
) -> Result<Summary> {
    let started = Instant::now();
    let mut phases = PhaseLog::default();
    let mut on_event = |e: Event| {
        if let Event::Phase(name) = e {
            phases.start(name);
        }
        on_event(e);
    };
    if let Existing::Other(what) = bulk::existing(path)? {
        bail!(
            "{} {what}: non viene sostituito con dati dimostrativi (indicare un altro file con --db)",
            path.display()
        );
    }
    let file_name = path
        .file_name()
        .with_context(|| format!("{} non è un nome di file", path.display()))?;
    let dir = crate::output_file::parent_dir(path);
    if !dir.exists() {
        // The database's folder is its owner's alone (see crate::private_files).
        crate::private_files::create_dir_all(&dir)
            .with_context(|| format!("impossibile creare la cartella {}", dir.display()))?;
    }
    // Created exclusively under a random name: a link planted under a predictable name
    // cannot redirect the build into another file.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", file_name.to_string_lossy()))
        .suffix(".tmp")
        // The database's own mode (see crate::private_files), whatever the umask.
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(
            crate::private_files::FILE_MODE,
        ))
        .tempfile_in(&dir)
        .with_context(|| format!("impossibile creare un file temporaneo in {}", dir.display()))?
        .into_temp_path()
        .keep()
        .context("file temporaneo")?;
    let mut guard = TempDb {
        path: tmp.clone(),
        keep: false,
    };

    on_event(Event::Phase("dati di riferimento"));
    let mut store = Store::create(&tmp)?;
    let snap = bulk::snapshot(store.conn())?;
    let saved = bulk::begin_bulk_load(store.conn())?;
    let stamp = stamp_text(timestamp(opts.seed));

    let tx = store.write()?;
    on_event(Event::Phase("ambiti e operatori"));
    let plan = districts::plan(&snap.comuni, &snap.districts);
    for (id, lead, note) in &plan.leads {
        bulk::set_district_lead(&tx, *id, lead, note)?;
    }
    for d in &plan.synthetic {
        bulk::insert_synthetic_district(&tx, d)?;
    }
    let all_districts = bulk::districts(&tx)?;
    let ops = operators::plan(&mut rng(opts.seed, STREAM_OPERATORS), &snap, &all_districts)?;
    bulk::insert_operators(&tx, &ops, &stamp)?;

    on_event(Event::Phase("alloggi"));
    let mut writer = bulk::RowWriter::new(&tx, &stamp)?;
    let rows = load_registry(&mut writer, &snap, opts, &mut on_event)?;
    drop(writer);

    let summary = Summary {
        path: path.to_path_buf(),
        seed: opts.seed,
        rows,
        districts: all_districts.len() as u64,
        synthetic_districts: plan.synthetic.len() as u64,
        operators: ops.len() as u64,
        occupations: occupations::Made::default(),
        elapsed: Duration::ZERO,
    };
    bulk::record_creation(
        &tx,
        serde_json::json!({
            "units": opts.units,
            "seed": opts.seed,
            "buildings": rows.buildings,
            "households": rows.households,
            "tenants": rows.tenants,
            "districts": summary.districts,
            "synthetic_districts": summary.synthetic_districts,
            "operators": summary.operators,
        }),
    )?;
    tx.commit()?;

    on_event(Event::Phase("indici"));
    bulk::end_bulk_load(store.conn(), saved)?;
    on_event(Event::Phase("occupazioni senza titolo"));
    let made = occupations::register(&mut store, opts.seed, timestamp(opts.seed).date(), &stamp)?;
    drop(store); // closes the file: the WAL is checkpointed and removed
    finish(&tmp)?;
    crate::crash_point::reach("demo.before-swap");

    // The old database's WAL belongs to the old file: left behind, it would be replayed into
    // the new one.
    for companion in ["-wal", "-shm"] {
        let p = sibling(path, companion);
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("impossibile rimuovere {}", p.display()))?;
        }
    }
    std::fs::rename(&tmp, path)
        .with_context(|| format!("impossibile sostituire {}", path.display()))?;
    guard.keep = true;
    phases.finish();
    Ok(Summary {
        elapsed: started.elapsed(),
        occupations: made,
        ..summary
    })
}

/// Generates buildings, units, households and tenants in a second thread and writes them here,
/// in the caller's transaction.
fn load_registry(
    writer: &mut bulk::RowWriter<'_>,
    snap: &Snapshot,
    opts: &Options,
    on_event: &mut dyn FnMut(Event),
) -> Result<RowCounts> {
    let populations: Vec<u64> = snap
        .comuni
        .iter()
        .map(|c| c.population.max(0) as u64)
        .collect();
    let quotas = apportion::largest_remainder(opts.units, &populations);
    let today = timestamp(opts.seed).date();
    std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = mpsc::sync_channel::<Vec<BuildingRow>>(BATCHES_IN_FLIGHT);
        scope.spawn(move || generate(snap, &quotas, opts.seed, today, send));
        for batch in receive {
            writer.write(&batch)?;
            on_event(Event::Units(writer.counts.units));
        }
        Ok(())
    })?;
    if writer.counts.units != opts.units {
        bail!(
            "generati {} alloggi invece di {}",
            writer.counts.units,
            opts.units
        );
    }
    Ok(writer.counts)
}

/// The generator thread: sends batches until done or until the writer stops listening.
fn generate(
    snap: &Snapshot,
    quotas: &[u64],
    seed: u64,
    today: NaiveDate,
    send: mpsc::SyncSender<Vec<BuildingRow>>,
) {
    let mut rng = rng(seed, STREAM_REGISTRY);
    let mut registry = Registry {
        households: Households {
            places: BirthPlaces::new(&snap.comuni),
            today,
            next_household: 1,
            next_tenant: 1,
        },
        aler_of: snap
            .alers
            .iter()
            .flat_map(|a| a.provinces.iter().map(move |p| (p.as_str(), a.owner_id)))
            .collect(),
        next_building: 1,
        next_unit: 1,
    };
    let mut batch = Vec::new();
    let mut batch_units = 0;
    let mut open = true;
    for (comune, &units) in snap.comuni.iter().zip(quotas) {
        registry.comune(&mut rng, comune, units as u32, &mut |building| {
            batch_units += building.units.len();
            batch.push(building);
            if batch_units >= BATCH_UNITS && open {
                open = send.send(std::mem::take(&mut batch)).is_ok();
                batch_units = 0;
            }
        });
        if !open {
            return;
        }
    }
    if !batch.is_empty() {
        let _ = send.send(batch);
    }
}

//! `casa bench concurrency`: many casa processes against one database at once, then checks that
//! every acknowledged change is stored, no update was lost, no user saw a busy database, and the
//! file is intact. Each child (`casa bench worker`, hidden) runs a seeded mix of real casa
//! commands, one process per operation, and logs every operation as a JSON line.

use super::Global;
use super::output::write_table;
use crate::store::{Access, Store};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Concurrency run: N casa processes file communications, certify, edit, import and export
    /// units, compute rankings on one database at once; then checks that every acknowledged
    /// change is there, no update was lost, no one saw a busy database, the file is intact.
    /// Works on (and changes) the database of --db, prepared by `casa demo`.
    Concurrency(ConcurrencyArgs),
    /// One child of `bench concurrency` (internal)
    #[command(hide = true)]
    Worker {
        #[arg(long)]
        spec: PathBuf,
        #[arg(long)]
        index: usize,
    },
}

#[derive(Debug, Args)]
pub struct ConcurrencyArgs {
    /// Child processes running at the same time
    #[arg(long, default_value_t = 20)]
    pub processes: usize,
    /// Operations per child
    #[arg(long, default_value_t = 50)]
    pub ops: usize,
    /// Seed of the operation mix
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Keep logs and files in this directory (default: a temporary one, removed when all checks
    /// pass)
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
}

pub fn run(g: &Global, cmd: BenchCommand) -> Result<()> {
    match cmd {
        BenchCommand::Concurrency(a) => concurrency(g, &a),
        BenchCommand::Worker { spec, index } => worker(&spec, index),
    }
}

// ---------------------------------------------------------------------------------------------
// Shared state handed to the children.

/// A unit the children edit.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct UnitRef {
    id: i64,
    code: String,
    building_code: String,
    istat: String,
    address: String,
    service: String,
    state: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct OwnerSpec {
    id: i64,
    tax_code: String,
    kind: String,
    name: String,
    operator: String,
    /// Units in the plan's states: `units mark` / `--undo` from several children.
    mark_units: Vec<i64>,
    /// Units updated by `units import` from several children (the Scala column).
    edit_units: Vec<UnitRef>,
    /// Where imported new units go (building code, istat, address).
    new_units_in: UnitRef,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct ChildSpec {
    operator: String,
    /// Index into `Spec::owners`; None: the capofila.
    owner: Option<usize>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Spec {
    exe: PathBuf,
    db: PathBuf,
    work: PathBuf,
    run_tag: String,
    seed: u64,
    ops: usize,
    plan_id: i64,
    year: i32,
    notice_id: i64,
    capofila: String,
    owners: Vec<OwnerSpec>,
    children: Vec<ChildSpec>,
}

// ---------------------------------------------------------------------------------------------
// The log.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Outcome {
    Ok,
    ConflictReported,
    Denied,
    Error,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct LogLine {
    child: usize,
    seq: usize,
    op: String,
    key: String,
    outcome: Outcome,
    exit: Option<i32>,
    /// What the user was shown (stderr, then stdout; long outputs cut).
    text: String,
    /// Whether anything shown mentioned a busy or locked database.
    busy: bool,
    start_us: u64,
    end_us: u64,
    ms: f64,
    #[serde(default)]
    detail: serde_json::Value,
}

/// What a user may never see: SQLite's lock errors.
fn mentions_busy(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("busy") || t.contains("database is locked") || t.contains("locked")
}

/// The Italian message of a refused stale communication save.
const STALE_COMM: &str = "modificata da un'altra sessione";
/// The Italian message of an import that met a concurrent change.
const STALE_IMPORT: &str = "modificato da un altro operatore";

fn micros(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as u64)
        .unwrap_or(0)
}

/// One finished casa process.
struct Ran {
    exit: Option<i32>,
    stdout: String,
    stderr: String,
    start_us: u64,
    end_us: u64,
    ms: f64,
}

impl Ran {
    fn text(&self) -> String {
        let mut t = self.stderr.clone();
        if !self.stdout.is_empty() {
            if !t.is_empty() {
                t.push('\n');
            }
            t.push_str(&self.stdout);
        }
        t
    }

    fn outcome(&self) -> Outcome {
        let err = &self.stderr;
        match self.exit {
            Some(0) => Outcome::Ok,
            Some(4) if err.contains(STALE_COMM) => Outcome::ConflictReported,
            Some(4) if err.contains(STALE_IMPORT) => Outcome::ConflictReported,
            Some(3) => Outcome::Denied,
            _ => Outcome::Error,
        }
    }
}

fn casa(exe: &Path, db: &Path, operator: &str, args: &[String]) -> Ran {
    let start = SystemTime::now();
    let clock = Instant::now();
    let out = Command::new(exe)
        .arg("--db")
        .arg(db)
        .args(["--operator", operator])
        .args(args)
        .env_remove("CASA_OPERATOR")
        .stdin(Stdio::null())
        .output();
    let ms = clock.elapsed().as_secs_f64() * 1000.0;
    let end = SystemTime::now();
    match out {
        Ok(o) => Ran {
            exit: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            start_us: micros(start),
            end_us: micros(end),
            ms,
        },
        Err(e) => Ran {
            exit: None,
            stdout: String::new(),
            stderr: format!("impossibile avviare {}: {e}", exe.display()),
            start_us: micros(start),
            end_us: micros(end),
            ms,
        },
    }
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// The child.

struct Child<'a> {
    spec: &'a Spec,
    index: usize,
    log: std::io::BufWriter<std::fs::File>,
}

impl Child<'_> {
    fn run(&mut self, seq: usize, op: &str, key: &str, args: Vec<String>) -> Result<Ran> {
        self.run_with(seq, op, key, args, |_| serde_json::Value::Null)
    }

    fn record(
        &mut self,
        seq: usize,
        op: &str,
        key: &str,
        r: &Ran,
        detail: serde_json::Value,
    ) -> Result<()> {
        let full = r.text();
        let text: String = full.chars().take(4000).collect();
        let line = LogLine {
            child: self.index,
            seq,
            op: op.to_string(),
            key: key.to_string(),
            outcome: r.outcome(),
            exit: r.exit,
            text,
            busy: mentions_busy(&full),
            start_us: r.start_us,
            end_us: r.end_us,
            ms: r.ms,
            detail,
        };
        serde_json::to_writer(&mut self.log, &line)?;
        writeln!(self.log)?;
        self.log.flush()?;
        Ok(())
    }

    /// Runs a command whose log line carries `detail` (filled from its output by `detail_of`).
    fn run_with(
        &mut self,
        seq: usize,
        op: &str,
        key: &str,
        args: Vec<String>,
        detail_of: impl FnOnce(&Ran) -> serde_json::Value,
    ) -> Result<Ran> {
        let operator = self.spec.children[self.index].operator.clone();
        let r = casa(&self.spec.exe, &self.spec.db, &operator, &args);
        let detail = detail_of(&r);
        self.record(seq, op, key, &r, detail)?;
        Ok(r)
    }
}

fn worker(spec_path: &Path, index: usize) -> Result<()> {
    let spec: Spec = serde_json::from_slice(
        &std::fs::read(spec_path)
            .with_context(|| format!("impossibile leggere {}", spec_path.display()))?,
    )?;
    let me = spec
        .children
        .get(index)
        .cloned()
        .ok_or_else(|| anyhow!("processo figlio {index} non previsto"))?;
    let log = std::fs::File::create(spec.work.join(format!("child-{index:02}.jsonl")))?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed.wrapping_mul(1_000_003) ^ index as u64);
    let mut child = Child {
        spec: &spec,
        index,
        log: std::io::BufWriter::new(log),
    };
    for seq in 0..spec.ops {
        match me.owner {
            Some(o) => owner_op(&mut child, &mut rng, seq, o)?,
            None => capofila_op(&mut child, &mut rng, seq)?,
        }
    }
    Ok(())
}

/// Picks an operation by weight.
fn pick<'a>(rng: &mut ChaCha8Rng, weights: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = weights.iter().map(|w| w.1).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (name, w) in weights {
        if x < *w {
            return name;
        }
        x -= w;
    }
    weights.first().map(|w| w.0).unwrap_or("plan-read")
}

fn capofila_op(c: &mut Child, rng: &mut ChaCha8Rng, seq: usize) -> Result<()> {
    let notice = c.spec.notice_id.to_string();
    let plan = c.spec.plan_id.to_string();
    match pick(
        rng,
        &[
            ("rankings-compute", 3),
            ("plan-read", 4),
            ("rankings-read", 3),
        ],
    ) {
        "rankings-compute" => {
            c.run_with(
                seq,
                "rankings-compute",
                &notice,
                s(&[
                    "rankings", "compute", "--notice", &notice, "--format", "json",
                ]),
                |r| {
                    serde_json::from_str::<serde_json::Value>(&r.stdout)
                        .ok()
                        .map(|v| serde_json::json!({ "rankings": v["rankings"] }))
                        .unwrap_or_default()
                },
            )?;
        }
        "rankings-read" => {
            c.run(
                seq,
                "rankings-read",
                &notice,
                s(&[
                    "rankings", "show", "--notice", &notice, "--limit", "5", "--format", "json",
                ]),
            )?;
        }
        _ => {
            c.run(
                seq,
                "plan-read",
                &plan,
                s(&["plan", "status", &plan, "--format", "json"]),
            )?;
        }
    }
    Ok(())
}

fn owner_op(c: &mut Child, rng: &mut ChaCha8Rng, seq: usize, o: usize) -> Result<()> {
    let spec = c.spec;
    let owner = &spec.owners[o];
    let plan = spec.plan_id.to_string();
    let tag = format!("c{}o{}", c.index, seq);
    let op = pick(
        rng,
        &[
            ("comm-file", 24),
            ("comm-stale", 6),
            ("certify", 12),
            ("mark", 14),
            ("import-update", 14),
            ("import-new", 8),
            ("export", 8),
            ("plan-read", 14),
        ],
    );
    match op {
        "comm-file" | "comm-stale" => {
            let read = c.run(
                seq,
                "comm-read",
                &owner.tax_code,
                s(&[
                    "comm",
                    "show",
                    "--plan",
                    &plan,
                    "--owner",
                    &owner.tax_code,
                    "--format",
                    "json",
                ]),
            )?;
            let Some(version) = serde_json::from_str::<serde_json::Value>(&read.stdout)
                .ok()
                .and_then(|v| v[0]["version"].as_i64())
            else {
                return Ok(());
            };
            let stale = op == "comm-stale";
            // A stale save uses a version that is surely old; a fresh one races the others.
            let sent = if stale { version - 1 } else { version };
            if !stale {
                std::thread::sleep(Duration::from_millis(rng.random_range(0..30)));
            }
            let n = (seq % 7 + 1).to_string();
            c.run_with(
                seq,
                op,
                &owner.tax_code,
                s(&[
                    "comm",
                    "file",
                    "--plan",
                    &plan,
                    "--owner",
                    &owner.tax_code,
                    "--carenze",
                    &n,
                    "--nuove",
                    "2",
                    "--turnover",
                    "3",
                    "--privati",
                    "1",
                    "--sat",
                    "0",
                    "--assegnate",
                    &(c.index % 5).to_string(),
                    "--version",
                    &sent.to_string(),
                    "--format",
                    "json",
                ]),
                |r| {
                    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap_or_default();
                    serde_json::json!({
                        "read": version,
                        "sent": sent,
                        "version": v["version"],
                        "transmission_id": v["receipt"]["transmission_id"],
                    })
                },
            )?;
        }
        "certify" => {
            c.run(
                seq,
                "certify",
                &owner.tax_code,
                s(&["certification", "certify", "--owner", &owner.tax_code]),
            )?;
        }
        "mark" => {
            if owner.mark_units.is_empty() {
                return Ok(());
            }
            let unit = owner.mark_units[rng.random_range(0..owner.mark_units.len())];
            let undo = rng.random_range(0..3) == 0;
            let mut args = s(&[
                "units",
                "mark",
                "--id",
                &unit.to_string(),
                "--year",
                &spec.year.to_string(),
            ]);
            if undo {
                args.push("--undo".into());
            }
            c.run_with(
                seq,
                "mark",
                &unit.to_string(),
                args,
                |_| serde_json::json!({ "unit": unit, "undo": undo }),
            )?;
        }
        "import-update" => {
            let file = spec.work.join(format!("{tag}-update.csv"));
            write_import(&file, owner, &owner.edit_units, Some(&tag))?;
            let ids: Vec<i64> = owner.edit_units.iter().map(|u| u.id).collect();
            c.run_with(
                seq,
                "import-update",
                &owner.tax_code,
                vec!["units".into(), "import".into(), path_arg(&file)],
                |_| serde_json::json!({ "units": ids, "tag": tag }),
            )?;
        }
        "import-new" => {
            let file = spec.work.join(format!("{tag}-new.csv"));
            let base = &owner.new_units_in;
            let units: Vec<UnitRef> = (0..2)
                .map(|k| UnitRef {
                    id: 0,
                    code: format!("BENCH-{}-{tag}-{k}", spec.run_tag),
                    state: "OCCUPATO".into(),
                    service: "SAP".into(),
                    ..base.clone()
                })
                .collect();
            write_import(&file, owner, &units, None)?;
            let codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
            c.run_with(
                seq,
                "import-new",
                &owner.tax_code,
                vec!["units".into(), "import".into(), path_arg(&file)],
                |_| serde_json::json!({ "codes": codes }),
            )?;
        }
        "export" => {
            let file = spec.work.join(format!("{tag}-export.csv"));
            let out = path_arg(&file);
            c.run_with(
                seq,
                "export",
                &owner.tax_code,
                s(&["units", "export", "--owner", &owner.tax_code, "--out", &out]),
                |_| serde_json::json!({ "file": out }),
            )?;
        }
        _ => {
            c.run(
                seq,
                "plan-read",
                &plan,
                s(&["plan", "status", &plan, "--format", "json"]),
            )?;
        }
    }
    Ok(())
}

fn path_arg(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// An import file in the regional columns: the required ones and, with `staircase`, the Scala
/// column set to it (the one field the updates change).
fn write_import(
    path: &Path,
    owner: &OwnerSpec,
    units: &[UnitRef],
    staircase: Option<&str>,
) -> Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    let mut header = vec![
        "Tipo Ente Proprietario",
        "Codice Fiscale Ente Proprietario",
        "Ragione sociale Ente Proprietario",
        "Codice fabbricato",
        "Codice identificativo U.I.",
        "Codice ISTAT Comune",
        "Indirizzo",
        "Destinazione d'uso",
        "Stato",
    ];
    if staircase.is_some() {
        header.push("Scala");
    }
    w.write_record(&header)?;
    for u in units {
        let mut row = vec![
            owner.kind.as_str(),
            owner.tax_code.as_str(),
            owner.name.as_str(),
            u.building_code.as_str(),
            u.code.as_str(),
            u.istat.as_str(),
            u.address.as_str(),
            u.service.as_str(),
            u.state.as_str(),
        ];
        if let Some(t) = staircase {
            row.push(t);
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The parent: preparation.

fn today_plus(days: i64) -> String {
    (super::plan::today() + chrono::Duration::days(days)).to_string()
}

/// Runs a preparation step as `operator`; fails with what casa said.
fn setup_step(exe: &Path, db: &Path, operator: &str, args: &[String]) -> Result<String> {
    let r = casa(exe, db, operator, args);
    if r.exit != Some(0) {
        bail!(
            "preparazione non riuscita: casa --operator {operator} {}: {}",
            args.join(" "),
            r.text().trim()
        );
    }
    Ok(r.stdout)
}

fn unit_ref(conn: &Connection, id: i64) -> Result<UnitRef> {
    Ok(conn.query_row(
        "SELECT u.id, u.code, b.code, u.istat_code, b.address, s.short, st.label
           FROM unit u JOIN building b ON b.id = u.building_id
           JOIN service_type s ON s.code = u.service JOIN unit_state st ON st.code = u.state
          WHERE u.id = ?1",
        [id],
        |r| {
            Ok(UnitRef {
                id: r.get(0)?,
                code: r.get(1)?,
                building_code: r.get(2)?,
                istat: r.get(3)?,
                address: r.get(4)?,
                service: r.get(5)?,
                state: r.get(6)?,
            })
        },
    )?)
}

/// The owners of the district with units there, the most units first, each with the operator
/// who may edit its registry and file its communication.
fn pick_owners(conn: &Connection, district_id: i64, want: usize) -> Result<Vec<OwnerSpec>> {
    let mut stmt = conn.prepare(
        "SELECT o.id, o.tax_code, k.label, o.name, count(*) AS n
           FROM unit u JOIN owner o ON o.id = u.owner_id JOIN owner_kind k ON k.code = o.kind
           JOIN building b ON b.id = u.building_id
           JOIN district_municipality dm ON dm.istat_code = u.istat_code
          WHERE dm.district_id = ?1 AND u.address = b.address AND o.kind IN (1, 2)
          GROUP BY o.id HAVING n >= 3 ORDER BY n DESC, o.id",
    )?;
    let candidates = stmt
        .query_map([district_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (id, tax_code, kind, name) in candidates {
        if out.len() == want {
            break;
        }
        // An active owner operator with both services on this owner and on no other.
        let operator: Option<String> = conn
            .query_row(
                "SELECT op.username FROM operator op
                  WHERE op.role = 'ENTE' AND op.status = 'ATTIVO'
                    AND EXISTS (SELECT 1 FROM operator_grant g WHERE g.operator_id = op.id
                                   AND g.owner_id = ?1 AND g.service = 'ANAGRAFE')
                    AND EXISTS (SELECT 1 FROM operator_grant g WHERE g.operator_id = op.id
                                   AND g.owner_id = ?1 AND g.service = 'PROGRAMMAZIONE')
                    AND NOT EXISTS (SELECT 1 FROM operator_grant g WHERE g.operator_id = op.id
                                   AND g.owner_id <> ?1)
                  ORDER BY op.username LIMIT 1",
                [id],
                |r| r.get(0),
            )
            .optional()?;
        let Some(operator) = operator else { continue };
        let units_in = |states: &str, limit: i64| -> Result<Vec<i64>> {
            let mut q = conn.prepare(&format!(
                "SELECT u.id FROM unit u JOIN building b ON b.id = u.building_id
                   JOIN district_municipality dm ON dm.istat_code = u.istat_code
                  WHERE u.owner_id = ?1 AND dm.district_id = ?2 AND u.address = b.address
                    AND u.state {states} ORDER BY u.id LIMIT ?3"
            ))?;
            let ids = q
                .query_map(params![id, district_id, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<i64>>>()?;
            Ok(ids)
        };
        let mark_units = units_in("IN (1, 3, 4)", 2)?;
        let edit_ids = units_in("NOT IN (1, 3, 4)", 2)?;
        let Some(first) = edit_ids.first().copied() else {
            continue;
        };
        let edit_units = edit_ids
            .iter()
            .map(|&u| unit_ref(conn, u))
            .collect::<Result<Vec<_>>>()?;
        out.push(OwnerSpec {
            id,
            tax_code,
            kind,
            name,
            operator,
            mark_units,
            new_units_in: unit_ref(conn, first)?,
            edit_units,
        });
    }
    Ok(out)
}

/// What the checks compare against: the stored state just before the children start.
#[derive(Debug, Default)]
struct Before {
    certifications: HashMap<i64, i64>,
    comm: HashMap<i64, (i64, i64)>,
    marks: HashMap<i64, Option<i64>>,
    edits: HashMap<i64, (i64, Option<String>)>,
}

fn comm_state(conn: &Connection, plan_id: i64, owner_id: i64) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT c.version, (SELECT count(*) FROM communication_filing f WHERE f.communication_id = c.id)
           FROM communication c WHERE c.plan_id = ?1 AND c.owner_id = ?2",
        params![plan_id, owner_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

fn certifications(conn: &Connection, owner_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM certification WHERE owner_id = ?1",
        [owner_id],
        |r| r.get(0),
    )?)
}

fn unit_edit_state(conn: &Connection, id: i64) -> Result<(i64, Option<String>)> {
    Ok(conn.query_row(
        "SELECT version, staircase FROM unit WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

fn plan_year_of(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(
        conn.query_row("SELECT plan_year FROM unit WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

fn snapshot(conn: &Connection, spec: &Spec) -> Result<Before> {
    let mut b = Before::default();
    for o in &spec.owners {
        b.certifications.insert(o.id, certifications(conn, o.id)?);
        b.comm.insert(o.id, comm_state(conn, spec.plan_id, o.id)?);
        for &u in &o.mark_units {
            b.marks.insert(u, plan_year_of(conn, u)?);
        }
        for u in &o.edit_units {
            b.edits.insert(u.id, unit_edit_state(conn, u.id)?);
        }
    }
    Ok(b)
}

fn prepare(exe: &Path, db: &Path, work: &Path, a: &ConcurrencyArgs) -> Result<Spec> {
    let store = Store::open(db, Access::ReadOnly)?;
    let conn = store.conn();
    let notice: Option<(i64, i64, String)> = conn
        .query_row(
            "SELECT n.id, d.id, d.code FROM notice n JOIN district d ON d.id = n.district_id
              ORDER BY n.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((notice_id, district_id, district)) = notice else {
        bail!(
            "il database non ha un avviso con domande: prepararlo con `casa demo --applications N`"
        );
    };
    let capofila = format!("capofila.{}", district.to_lowercase());
    let year: i32 = conn.query_row(
        "SELECT max(ifnull((SELECT max(year) FROM plan WHERE district_id = ?1), 0),
                    CAST(strftime('%Y', 'now') AS INTEGER)) + 1",
        [district_id],
        |r| r.get(0),
    )?;
    let capofila_children = (a.processes / 8).max(1).min(a.processes.saturating_sub(1));
    let owner_children = a.processes - capofila_children;
    let want = (owner_children / 2).clamp(1, 4);
    let owners = pick_owners(conn, district_id, want)?;
    if owners.is_empty() && owner_children > 0 {
        bail!(
            "l'ambito {district} non ha enti con almeno 3 alloggi: preparare il database con più alloggi (`casa demo --units N`)"
        );
    }
    drop(store);

    // The plan, opened by the capofila; each owner certifies and files once.
    let out = setup_step(
        exe,
        db,
        &capofila,
        &s(&[
            "plan",
            "create",
            "--district",
            &district,
            "--year",
            &year.to_string(),
            "--start",
            &today_plus(-1),
            "--end",
            &today_plus(30),
            "--format",
            "json",
        ]),
    )?;
    let plan_id = serde_json::from_str::<serde_json::Value>(&out)?["id"]
        .as_i64()
        .ok_or_else(|| anyhow!("`casa plan create` non ha restituito l'id del piano"))?;
    setup_step(
        exe,
        db,
        &capofila,
        &s(&["plan", "open", &plan_id.to_string()]),
    )?;
    for o in &owners {
        setup_step(
            exe,
            db,
            &o.operator,
            &s(&["certification", "certify", "--owner", &o.tax_code]),
        )?;
        setup_step(
            exe,
            db,
            &o.operator,
            &s(&[
                "comm",
                "file",
                "--plan",
                &plan_id.to_string(),
                "--owner",
                &o.tax_code,
                "--carenze",
                "1",
                "--nuove",
                "1",
                "--turnover",
                "1",
                "--privati",
                "1",
                "--sat",
                "0",
                "--assegnate",
                "0",
            ]),
        )?;
    }
    let mut children = Vec::with_capacity(a.processes);
    for i in 0..a.processes {
        if i < capofila_children {
            children.push(ChildSpec {
                operator: capofila.clone(),
                owner: None,
            });
        } else {
            let o = (i - capofila_children) % owners.len().max(1);
            children.push(ChildSpec {
                operator: owners[o].operator.clone(),
                owner: Some(o),
            });
        }
    }
    Ok(Spec {
        exe: exe.to_path_buf(),
        db: db.to_path_buf(),
        work: work.to_path_buf(),
        run_tag: format!("{}", micros(SystemTime::now()) % 1_000_000_000),
        seed: a.seed,
        ops: a.ops,
        plan_id,
        year,
        notice_id,
        capofila,
        owners,
        children,
    })
}

// ---------------------------------------------------------------------------------------------
// The parent: run, check, report.

fn concurrency(g: &Global, a: &ConcurrencyArgs) -> Result<()> {
    if a.processes == 0 || a.ops == 0 {
        bail!(super::InvalidInput(
            "--processes e --ops devono essere maggiori di zero".into()
        ));
    }
    let db = super::db_path(g)?;
    if !db.exists() {
        bail!(super::InvalidInput(format!(
            "il database {} non esiste: prepararlo con `casa demo`",
            db.display()
        )));
    }
    let db = std::fs::canonicalize(&db)?;
    let exe = std::env::current_exe().context("percorso dell'eseguibile casa non trovato")?;
    let (work, temporary) = match &a.work_dir {
        Some(d) => (d.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "casa-bench-{}-{}",
                std::process::id(),
                micros(SystemTime::now())
            )),
            true,
        ),
    };
    std::fs::create_dir_all(&work)
        .with_context(|| format!("impossibile creare {}", work.display()))?;
    let work = std::fs::canonicalize(&work)?;

    eprintln!("Preparazione: piano aperto, certificazioni e prime comunicazioni…");
    let spec = prepare(&exe, &db, &work, a)?;
    let spec_path = work.join("spec.json");
    std::fs::write(&spec_path, serde_json::to_vec_pretty(&spec)?)?;
    let before = {
        let store = Store::open(&db, Access::ReadOnly)?;
        snapshot(store.conn(), &spec)?
    };

    eprintln!(
        "Avvio {} processi × {} operazioni su {} (piano {}, avviso {}, enti {})…",
        a.processes,
        a.ops,
        db.display(),
        spec.plan_id,
        spec.notice_id,
        spec.owners
            .iter()
            .map(|o| o.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let started = Instant::now();
    let mut running = Vec::with_capacity(a.processes);
    for i in 0..a.processes {
        let err = std::fs::File::create(work.join(format!("child-{i:02}.stderr")))?;
        let child = Command::new(&exe)
            .arg("--db")
            .arg(&db)
            .args(["bench", "worker", "--index", &i.to_string(), "--spec"])
            .arg(&spec_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .with_context(|| format!("impossibile avviare il processo figlio {i}"))?;
        running.push(child);
    }
    let mut failures = Vec::new();
    for (i, mut c) in running.into_iter().enumerate() {
        let status = c.wait()?;
        if !status.success() {
            let err = std::fs::read_to_string(work.join(format!("child-{i:02}.stderr")))
                .unwrap_or_default();
            failures.push(format!(
                "il processo figlio {i} è terminato con {status}: {}",
                err.trim()
            ));
        }
    }
    let wall = started.elapsed();

    let mut lines = Vec::new();
    for i in 0..a.processes {
        let path = work.join(format!("child-{i:02}.jsonl"));
        let Ok(f) = std::fs::File::open(&path) else {
            failures.push(format!("registro mancante: {}", path.display()));
            continue;
        };
        for l in std::io::BufReader::new(f).lines() {
            let l = l?;
            match serde_json::from_str::<LogLine>(&l) {
                Ok(line) => lines.push(line),
                Err(e) => failures.push(format!("riga di registro illeggibile ({e}): {l}")),
            }
        }
    }

    let store = Store::open(&db, Access::ReadOnly)?;
    failures.extend(check(store.conn(), &spec, &before, &lines)?);
    drop(store);

    report(&lines, wall);
    if failures.is_empty() {
        println!("Tutti i controlli superati.");
        if temporary {
            let _ = std::fs::remove_dir_all(&work);
        }
        Ok(())
    } else {
        for f in failures.iter().take(50) {
            println!("CONTROLLO FALLITO: {f}");
        }
        if failures.len() > 50 {
            println!("… e altri {} controlli falliti", failures.len() - 50);
        }
        println!("Registri dei processi in {}", work.display());
        bail!("{} controlli falliti", failures.len())
    }
}

/// Of the acknowledged operations on one item (value, start, end), the values that may be the
/// last one stored: those of the operations no other acknowledged operation surely followed.
fn last_candidates<T: Clone>(ops: &[(T, u64, u64)]) -> Vec<T> {
    ops.iter()
        .filter(|(_, _, end)| !ops.iter().any(|(_, start, _)| start > end))
        .map(|(v, _, _)| v.clone())
        .collect()
}

fn check(
    conn: &Connection,
    spec: &Spec,
    before: &Before,
    lines: &[LogLine],
) -> Result<Vec<String>> {
    let mut f = Vec::new();
    let ok = |l: &&LogLine| l.outcome == Outcome::Ok;

    // What users were shown.
    for l in lines {
        if l.busy {
            f.push(format!(
                "processo {} operazione {} ({}): messaggio di database occupato: {}",
                l.child, l.seq, l.op, l.text
            ));
        }
        match l.outcome {
            Outcome::Error | Outcome::Denied => f.push(format!(
                "processo {} operazione {} ({} {}): esito {:?}, uscita {:?}: {}",
                l.child,
                l.seq,
                l.op,
                l.key,
                l.outcome,
                l.exit,
                l.text.trim()
            )),
            Outcome::ConflictReported
                if (l.op == "comm-file" || l.op == "comm-stale")
                    && (l.exit != Some(4) || !l.text.contains(STALE_COMM)) =>
            {
                f.push(format!(
                    "conflitto senza il messaggio previsto (uscita {:?}): {}",
                    l.exit, l.text
                ));
            }
            Outcome::ConflictReported if l.op == "comm-file" || l.op == "comm-stale" => {}
            Outcome::ConflictReported if !l.op.starts_with("import") => f.push(format!(
                "conflitto inatteso per {} ({}): {}",
                l.op, l.key, l.text
            )),
            _ => {}
        }
        if l.op == "comm-stale" && l.outcome == Outcome::Ok {
            f.push(format!(
                "salvataggio con versione superata accettato (processo {}, operazione {}): {}",
                l.child, l.seq, l.text
            ));
        }
    }

    for o in &spec.owners {
        let mine = |op: &str| -> Vec<&LogLine> {
            lines
                .iter()
                .filter(|l| l.op == op && l.key == o.tax_code)
                .collect()
        };
        // Certifications: one row per acknowledged certify.
        let certified = mine("certify").into_iter().filter(ok).count() as i64;
        let now = certifications(conn, o.id)?;
        let was = before.certifications.get(&o.id).copied().unwrap_or(0);
        if now - was != certified {
            f.push(format!(
                "{}: {certified} certificazioni confermate, {} registrate",
                o.name,
                now - was
            ));
        }
        // Communication: every acknowledged filing stored, each version acknowledged once, the
        // stored version the last acknowledged one.
        let filed: Vec<&LogLine> = mine("comm-file").into_iter().filter(ok).collect();
        let (v0, n0) = before.comm.get(&o.id).copied().unwrap_or((0, 0));
        let (v1, n1) = comm_state(conn, spec.plan_id, o.id)?;
        let mut versions = BTreeSet::new();
        let mut newest: Option<(i64, String)> = None;
        for l in &filed {
            let v = l.detail["version"].as_i64().unwrap_or(-1);
            let tid = l.detail["transmission_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if !versions.insert(v) {
                f.push(format!(
                    "{}: versione {v} confermata a due salvataggi (aggiornamento perso)",
                    o.name
                ));
            }
            let stored: i64 = conn.query_row(
                "SELECT count(*) FROM communication_filing f JOIN communication c ON c.id = f.communication_id
                  WHERE f.transmission_id = ?1 AND c.plan_id = ?2 AND c.owner_id = ?3",
                params![tid, spec.plan_id, o.id],
                |r| r.get(0),
            )?;
            if stored != 1 {
                f.push(format!(
                    "{}: trasmissione {tid} confermata ma non registrata",
                    o.name
                ));
            }
            if newest.as_ref().is_none_or(|(nv, _)| v > *nv) {
                newest = Some((v, tid));
            }
        }
        let acked = filed.len() as i64;
        if v1 - v0 != acked || n1 - n0 != acked {
            f.push(format!(
                "{}: {acked} trasmissioni confermate, ma la versione è passata da {v0} a {v1} e le trasmissioni da {n0} a {n1}",
                o.name
            ));
        }
        if let Some((v, tid)) = newest {
            let current: Option<String> = conn
                .query_row(
                    "SELECT f.transmission_id FROM communication_filing f
                       JOIN communication c ON c.id = f.communication_id
                      WHERE c.plan_id = ?1 AND c.owner_id = ?2 AND f.superseded_by IS NULL",
                    params![spec.plan_id, o.id],
                    |r| r.get(0),
                )
                .optional()?;
            if current.as_deref() != Some(tid.as_str()) || v != v1 {
                f.push(format!(
                    "{}: in vigore {current:?} versione {v1}, ultima confermata {tid} versione {v}",
                    o.name
                ));
            }
        }
        // New units: each acknowledged one is there.
        for l in mine("import-new").into_iter().filter(ok) {
            for code in l.detail["codes"].as_array().into_iter().flatten() {
                let code = code.as_str().unwrap_or_default();
                let n: i64 = conn.query_row(
                    "SELECT count(*) FROM unit WHERE owner_id = ?1 AND code = ?2",
                    params![o.id, code],
                    |r| r.get(0),
                )?;
                if n != 1 {
                    f.push(format!("{}: alloggio {code} importato ma assente", o.name));
                }
            }
        }
        // Updated units: one version per acknowledged import, the value of a last one.
        let updates: Vec<&LogLine> = mine("import-update").into_iter().filter(ok).collect();
        for u in &o.edit_units {
            let touching: Vec<(Option<String>, u64, u64)> = updates
                .iter()
                .filter(|l| {
                    l.detail["units"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|x| x.as_i64() == Some(u.id)))
                })
                .map(|l| {
                    (
                        l.detail["tag"].as_str().map(str::to_string),
                        l.start_us,
                        l.end_us,
                    )
                })
                .collect();
            let (ver0, val0) = before.edits.get(&u.id).cloned().unwrap_or((0, None));
            let (ver1, val1) = unit_edit_state(conn, u.id)?;
            if ver1 - ver0 != touching.len() as i64 {
                f.push(format!(
                    "alloggio {}: {} importazioni confermate, versione da {ver0} a {ver1}",
                    u.id,
                    touching.len()
                ));
            }
            let allowed = if touching.is_empty() {
                vec![val0]
            } else {
                last_candidates(&touching)
            };
            if !allowed.contains(&val1) {
                f.push(format!(
                    "alloggio {}: Scala {val1:?}, attesa una di {allowed:?} (aggiornamento perso)",
                    u.id
                ));
            }
        }
        // Marks: the stored mark is that of a last acknowledged mark or undo.
        for &u in &o.mark_units {
            let ops: Vec<(Option<i64>, u64, u64)> = lines
                .iter()
                .filter(|l| l.op == "mark" && l.outcome == Outcome::Ok)
                .filter(|l| l.detail["unit"].as_i64() == Some(u))
                .map(|l| {
                    let undo = l.detail["undo"].as_bool().unwrap_or(false);
                    (
                        (!undo).then_some(i64::from(spec.year)),
                        l.start_us,
                        l.end_us,
                    )
                })
                .collect();
            let stored = plan_year_of(conn, u)?;
            let allowed = if ops.is_empty() {
                vec![before.marks.get(&u).copied().flatten()]
            } else {
                last_candidates(&ops)
            };
            if !allowed.contains(&stored) {
                f.push(format!(
                    "alloggio {u}: marcatura {stored:?}, attesa una di {allowed:?}"
                ));
            }
        }
    }

    // Exports: the file is there.
    for l in lines.iter().filter(|l| l.op == "export").filter(ok) {
        let file = l.detail["file"].as_str().unwrap_or_default();
        if std::fs::metadata(file).map(|m| m.len()).unwrap_or(0) == 0 {
            f.push(format!("esportazione confermata ma file assente: {file}"));
        }
    }
    // Rankings: as many stored as the acknowledged computations reported.
    let reported: BTreeSet<i64> = lines
        .iter()
        .filter(|l| l.op == "rankings-compute")
        .filter(ok)
        .filter_map(|l| l.detail["rankings"].as_i64())
        .collect();
    if !reported.is_empty() {
        let stored: i64 = conn.query_row(
            "SELECT count(*) FROM ranking WHERE notice_id = ?1",
            [spec.notice_id],
            |r| r.get(0),
        )?;
        if reported.len() != 1 || !reported.contains(&stored) {
            f.push(format!(
                "graduatorie: calcoli confermati con {reported:?} graduatorie, registrate {stored}"
            ));
        }
    }

    let mut stmt = conn.prepare("PRAGMA integrity_check")?;
    let integrity = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if integrity != ["ok"] {
        f.push(format!("integrity_check: {}", integrity.join("; ")));
    }
    Ok(f)
}

fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(v: f64) -> String {
    format!("{v:.0}")
}

fn report(lines: &[LogLine], wall: Duration) {
    let mut by: BTreeMap<&str, Vec<&LogLine>> = BTreeMap::new();
    for l in lines {
        by.entry(l.op.as_str()).or_default().push(l);
    }
    let mut rows = Vec::new();
    for (op, ls) in &by {
        let mut d: Vec<f64> = ls.iter().map(|l| l.ms).collect();
        let worst = d.iter().copied().fold(0.0, f64::max);
        let count = |o: Outcome| ls.iter().filter(|l| l.outcome == o).count().to_string();
        rows.push(vec![
            op.to_string(),
            ls.len().to_string(),
            count(Outcome::Ok),
            count(Outcome::ConflictReported),
            count(Outcome::Error),
            ms(median(&mut d)),
            ms(worst),
        ]);
    }
    let secs = wall.as_secs_f64().max(1e-9);
    let conflicts = lines
        .iter()
        .filter(|l| l.outcome == Outcome::ConflictReported)
        .count();
    let mut all: Vec<f64> = lines.iter().map(|l| l.ms).collect();
    let worst = all.iter().copied().fold(0.0, f64::max);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let _ = writeln!(
        out,
        "{} comandi casa in {:.1} s: {:.1} comandi/s; conflitti segnalati {}; attesa mediana {} ms, massima {} ms",
        lines.len(),
        secs,
        lines.len() as f64 / secs,
        conflicts,
        ms(median(&mut all)),
        ms(worst)
    );
    let _ = write_table(
        &mut out,
        &[
            "operazione",
            "comandi",
            "ok",
            "conflitti",
            "errori",
            "mediana ms",
            "massimo ms",
        ],
        &rows,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_candidates_are_the_ops_nobody_surely_followed() {
        // a ends before c starts: a cannot be last; b overlaps c.
        let ops = [("a", 0, 10), ("b", 5, 30), ("c", 20, 40)];
        assert_eq!(last_candidates(&ops), vec!["b", "c"]);
        assert_eq!(last_candidates(&[("x", 1, 2)]), vec!["x"]);
    }

    #[test]
    fn busy_is_recognised() {
        assert!(mentions_busy("errore: database is locked"));
        assert!(mentions_busy("SQLITE_BUSY"));
        assert!(!mentions_busy("Comunicazione salvata"));
    }
}

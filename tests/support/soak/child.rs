//! A worker: a seeded mix of the operations a capofila or an owner operator does, each one casa
//! process, each logged as a JSON line.

use super::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::Write;

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
        let r = casa(
            &self.spec.exe,
            &self.spec.db,
            self.spec.home.as_deref(),
            &operator,
            &args,
        );
        let detail = detail_of(&r);
        self.record(seq, op, key, &r, detail)?;
        Ok(r)
    }
}

pub(super) fn worker(spec: &Spec, index: usize) -> Result<()> {
    let me = spec
        .children
        .get(index)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("processo figlio {index} non previsto"))?;
    let log = std::fs::File::create(spec.work.join(format!("child-{index:02}.jsonl")))?;
    let mut rng = ChaCha8Rng::seed_from_u64(spec.seed.wrapping_mul(1_000_003) ^ index as u64);
    let mut child = Child {
        spec,
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

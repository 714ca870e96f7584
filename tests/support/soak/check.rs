//! The checks after the run (every acknowledged change stored, no update lost, nobody shown a
//! busy database, integrity) and the report of timings.

use super::prepare::{Before, certifications, comm_state, plan_year_of, unit_edit_state};
use super::*;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

/// Of the acknowledged operations on one item (value, start, end), the values that may be the
/// last one stored: those of the operations no other acknowledged operation surely followed.
pub fn last_candidates<T: Clone>(ops: &[(T, u64, u64)]) -> Vec<T> {
    ops.iter()
        .filter(|(_, _, end)| !ops.iter().any(|(_, start, _)| start > end))
        .map(|(v, _, _)| v.clone())
        .collect()
}

pub(super) fn check(
    conn: &Connection,
    spec: &Spec,
    before: &Before,
    lines: &[LogLine],
) -> Result<Vec<String>> {
    let mut f = Vec::new();
    let ok = |l: &&LogLine| l.outcome == OpOutcome::Ok;

    // What users were shown.
    for l in lines {
        if l.busy {
            f.push(format!(
                "processo {} operazione {} ({}): messaggio di database occupato: {}",
                l.child, l.seq, l.op, l.text
            ));
        }
        match l.outcome {
            OpOutcome::Error | OpOutcome::Denied => f.push(format!(
                "processo {} operazione {} ({} {}): esito {:?}, uscita {:?}: {}",
                l.child,
                l.seq,
                l.op,
                l.key,
                l.outcome,
                l.exit,
                l.text.trim()
            )),
            OpOutcome::ConflictReported
                if (l.op == "comm-file" || l.op == "comm-stale")
                    && (l.exit != Some(4) || !l.text.contains(STALE_COMM)) =>
            {
                f.push(format!(
                    "conflitto senza il messaggio previsto (uscita {:?}): {}",
                    l.exit, l.text
                ));
            }
            OpOutcome::ConflictReported if l.op == "comm-file" || l.op == "comm-stale" => {}
            OpOutcome::ConflictReported if !l.op.starts_with("import") => f.push(format!(
                "conflitto inatteso per {} ({}): {}",
                l.op, l.key, l.text
            )),
            _ => {}
        }
        if l.op == "comm-stale" && l.outcome == OpOutcome::Ok {
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
                .filter(|l| l.op == "mark" && l.outcome == OpOutcome::Ok)
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

pub(super) fn report(lines: &[LogLine], wall: Duration) {
    let mut by: BTreeMap<&str, Vec<&LogLine>> = BTreeMap::new();
    for l in lines {
        by.entry(l.op.as_str()).or_default().push(l);
    }
    let mut rows = Vec::new();
    for (op, ls) in &by {
        let mut d: Vec<f64> = ls.iter().map(|l| l.ms).collect();
        let worst = d.iter().copied().fold(0.0, f64::max);
        let count = |o: OpOutcome| ls.iter().filter(|l| l.outcome == o).count().to_string();
        rows.push(vec![
            op.to_string(),
            ls.len().to_string(),
            count(OpOutcome::Ok),
            count(OpOutcome::ConflictReported),
            count(OpOutcome::Error),
            ms(median(&mut d)),
            ms(worst),
        ]);
    }
    let secs = wall.as_secs_f64().max(1e-9);
    let conflicts = lines
        .iter()
        .filter(|l| l.outcome == OpOutcome::ConflictReported)
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
    let _ = casa::cli::output::write_table(
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

//! Preparing the run: a plan of the notice's district opened by its capofila, the owners the
//! workers act for (each certified and with a first filing), and the stored state the checks
//! compare against.

use super::*;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashMap;

fn today_plus(days: i64) -> String {
    (chrono::Local::now().date_naive() + chrono::Duration::days(days)).to_string()
}

/// Runs a preparation step as `operator`; fails with what casa said.
fn setup_step(a: &Options, db: &Path, operator: &str, args: &[String]) -> Result<String> {
    let r = casa(&a.exe, db, a.home.as_deref(), operator, args);
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
pub(super) struct Before {
    pub(super) certifications: HashMap<i64, i64>,
    pub(super) comm: HashMap<i64, (i64, i64)>,
    pub(super) marks: HashMap<i64, Option<i64>>,
    pub(super) edits: HashMap<i64, (i64, Option<String>)>,
}

pub(super) fn comm_state(conn: &Connection, plan_id: i64, owner_id: i64) -> Result<(i64, i64)> {
    Ok(conn.query_row(
        "SELECT c.version, (SELECT count(*) FROM communication_filing f WHERE f.communication_id = c.id)
           FROM communication c WHERE c.plan_id = ?1 AND c.owner_id = ?2",
        params![plan_id, owner_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

pub(super) fn certifications(conn: &Connection, owner_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM certification WHERE owner_id = ?1",
        [owner_id],
        |r| r.get(0),
    )?)
}

pub(super) fn unit_edit_state(conn: &Connection, id: i64) -> Result<(i64, Option<String>)> {
    Ok(conn.query_row(
        "SELECT version, staircase FROM unit WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?)
}

pub(super) fn plan_year_of(conn: &Connection, id: i64) -> Result<Option<i64>> {
    Ok(
        conn.query_row("SELECT plan_year FROM unit WHERE id = ?1", [id], |r| {
            r.get(0)
        })?,
    )
}

pub(super) fn snapshot(conn: &Connection, spec: &Spec) -> Result<Before> {
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

pub(super) fn prepare(exe: &Path, db: &Path, work: &Path, a: &Options) -> Result<Spec> {
    let db_conn = Connection::open(db)?;
    let conn = &db_conn;
    let notice: Option<(i64, i64, String)> = conn
        .query_row(
            // The demo notice: the newest (an earlier one has final rankings, which are
            // never recomputed).
            "SELECT n.id, d.id, d.code FROM notice n JOIN district d ON d.id = n.district_id
              ORDER BY n.id DESC LIMIT 1",
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
    drop(db_conn);

    // The plan, opened by the capofila; each owner certifies and files once.
    let out = setup_step(
        a,
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
        .ok_or_else(|| anyhow::anyhow!("`casa plan create` non ha restituito l'id del piano"))?;
    setup_step(
        a,
        db,
        &capofila,
        &s(&["plan", "open", &plan_id.to_string()]),
    )?;
    for o in &owners {
        setup_step(
            a,
            db,
            &o.operator,
            &s(&["certification", "certify", "--owner", &o.tax_code]),
        )?;
        setup_step(
            a,
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
        home: a.home.clone(),
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

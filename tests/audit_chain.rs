//! The audit trail cannot be rewritten unseen: deleting, editing or reordering records with the
//! `sqlite3` tool (what someone with the file would do) is reported by `casa audit verify` and
//! `casa db check` with the record's number; deleting the newest records is caught by a
//! checkpoint exported before; so is the whole chain recomputed after an edit. Every record
//! says where its session came from.

use std::path::Path;
use std::process::{Command, Output};

fn casa(db: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casa"))
        .args(["--operator", "regione"])
        .args(args)
        .env("CASA_DB", db)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("USER", "amministratore")
        .env_remove("CASA_OPERATOR")
        .output()
        .unwrap()
}

fn sqlite3(db: &Path, sql: &str) {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("sqlite3 (bash .ci/run installs it)");
    assert!(
        out.status.success(),
        "sqlite3 {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database with a few audited changes: the demo's creation, then districts edited.
fn prepared(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("a.sqlite");
    let home = dir.join("home");
    let out = casa(
        &db,
        &home,
        &["demo", "--units", "300", "--applications", "0"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    // A comune of some district that is not its capofila: it moves to the new district.
    let (istat, from): (String, String) = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT dm.istat_code, d.code FROM district_municipality dm
               JOIN district d ON d.id = dm.district_id
              WHERE dm.istat_code IS NOT d.lead_istat ORDER BY dm.istat_code LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    for args in [
        vec!["districts", "comuni", &from, "--remove", &istat],
        vec![
            "districts",
            "create",
            "XX-UNO",
            "--name",
            "Ambito uno",
            "--comune",
            &istat,
        ],
        vec!["districts", "rename", "XX-UNO", "--name", "Ambito primo"],
        vec![
            "districts",
            "capofila",
            "XX-UNO",
            "--comune",
            &istat,
            "--act-date",
            "2025-02-01",
            "--act",
            "Verbale n. 1/2025",
        ],
        vec!["districts", "rename", "XX-UNO", "--name", "Ambito secondo"],
        vec!["districts", "rename", "XX-UNO", "--name", "Ambito terzo"],
    ] {
        let out = casa(&db, &home, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    db
}

fn verify(db: &Path, extra: &[&str]) -> (i32, String) {
    let home = db.parent().unwrap().join("home");
    let mut args = vec!["audit", "verify"];
    args.extend(extra);
    let out = casa(db, &home, &args);
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", stdout(&out), stderr(&out)),
    )
}

fn ids(db: &Path) -> Vec<i64> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut s = c.prepare("SELECT id FROM audit ORDER BY id").unwrap();
    s.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_whole_trail_verifies_and_records_its_origin() {
    let dir = tempfile::tempdir().unwrap();
    let db = prepared(dir.path());
    let (code, out) = verify(&db, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("integro"), "{out}");
    let home = dir.path().join("home");
    let listed = stdout(&casa(
        &db,
        &home,
        &["audit", "list", "--entity", "district", "--format", "json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 6, "{listed}");
    assert!(
        rows.iter().all(|r| r["origin"] == "locale amministratore"),
        "{listed}"
    );
    let check = casa(&db, &home, &["db", "check"]);
    assert!(check.status.success(), "{}", stdout(&check));
    assert!(
        stdout(&check).contains("catena integra"),
        "{}",
        stdout(&check)
    );
}

#[test]
fn deleting_editing_or_reordering_records_is_named_by_number() {
    let dir = tempfile::tempdir().unwrap();
    let base = prepared(dir.path());
    let n = ids(&base).len() as i64;
    assert!(n >= 6, "{n} records");
    let cases: Vec<(&str, String, String)> = vec![
        (
            "deleted",
            format!("DELETE FROM audit WHERE id = {}", n - 2),
            format!("record {} mancante", n - 2),
        ),
        (
            "edited",
            format!("UPDATE audit SET operator = 'mallory' WHERE id = {}", n - 1),
            format!("record {} modificato", n - 1),
        ),
        (
            "reordered (two records swap numbers)",
            format!(
                "UPDATE audit SET id = -1 WHERE id = {a}; UPDATE audit SET id = {a} WHERE id = {b}; UPDATE audit SET id = {b} WHERE id = -1;",
                a = n - 3,
                b = n - 2
            ),
            format!("record {}", n - 3),
        ),
        (
            "edited with its hash recomputed by hand",
            format!(
                "UPDATE audit SET after = '{{}}', hash = 'ab' || substr(hash, 3) WHERE id = {}",
                n - 1
            ),
            format!("record {}", n - 1),
        ),
    ];
    for (what, sql, want) in cases {
        let db = dir.path().join(format!("{}.sqlite", what.len()));
        std::fs::copy(&base, &db).unwrap();
        sqlite3(&db, &sql);
        let (code, out) = verify(&db, &[]);
        assert_eq!(code, 1, "{what}: {out}");
        assert!(out.contains(&want), "{what}: expected {want:?} in:\n{out}");
        let home = dir.path().join("home");
        let check = casa(&db, &home, &["db", "check"]);
        assert_eq!(check.status.code(), Some(1), "{what}: db check");
        assert!(stdout(&check).contains(&want), "{what}: {}", stdout(&check));
    }
}

#[test]
fn a_checkpoint_catches_deleted_newest_records_and_a_recomputed_chain() {
    let dir = tempfile::tempdir().unwrap();
    let db = prepared(dir.path());
    let home = dir.path().join("home");
    let cp = casa(&db, &home, &["audit", "checkpoint"]);
    assert!(cp.status.success(), "{}", stderr(&cp));
    let cp_file = dir.path().join("cp.json");
    std::fs::write(&cp_file, &cp.stdout).unwrap();
    let cp_arg = cp_file.to_str().unwrap();
    assert_eq!(verify(&db, &["--checkpoint", cp_arg]).0, 0);
    let n = *ids(&db).last().unwrap();
    // The newest two records deleted: the chain left is whole, the checkpoint is not met.
    let cut = dir.path().join("cut.sqlite");
    std::fs::copy(&db, &cut).unwrap();
    sqlite3(&cut, &format!("DELETE FROM audit WHERE id >= {}", n - 1));
    assert_eq!(
        verify(&cut, &[]).0,
        0,
        "without a checkpoint it looks whole"
    );
    let (code, out) = verify(&cut, &["--checkpoint", cp_arg]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("record da {} a {n} mancanti", n - 1)),
        "{out}"
    );
    // Later changes are fine with an older checkpoint.
    let out = casa(
        &db,
        &home,
        &["districts", "rename", "XX-UNO", "--name", "Ambito quarto"],
    );
    assert!(out.status.success());
    assert_eq!(verify(&db, &["--checkpoint", cp_arg]).0, 0);
    // Standard input works too (a remote operator sends the checkpoint this way).
    let piped = Command::new(env!("CARGO_BIN_EXE_casa"))
        .args([
            "--operator",
            "regione",
            "audit",
            "verify",
            "--checkpoint",
            "-",
        ])
        .env("CASA_DB", &db)
        .env("HOME", &home)
        .stdin(std::fs::File::open(&cp_file).unwrap())
        .output()
        .unwrap();
    assert!(piped.status.success(), "{}", stderr(&piped));
    // --out FILE writes as every casa file is written: a .json name, never over an existing
    // file without --force; the file is the same checkpoint.
    let written = dir.path().join("cp-file.json");
    let w = written.to_str().unwrap();
    let out = casa(&db, &home, &["audit", "checkpoint", "--out", w]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(verify(&db, &["--checkpoint", w]).0, 0);
    let again = casa(&db, &home, &["audit", "checkpoint", "--out", w]);
    assert_eq!(again.status.code(), Some(4), "{}", stderr(&again));
    assert!(stderr(&again).contains("esiste già"), "{}", stderr(&again));
    let forced = casa(&db, &home, &["audit", "checkpoint", "--out", w, "--force"]);
    assert!(forced.status.success(), "{}", stderr(&forced));
    let wrong = dir.path().join("cp.xlsx");
    let out = casa(
        &db,
        &home,
        &["audit", "checkpoint", "--out", wrong.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    assert!(!wrong.exists());
    // The whole chain recomputed after an edit (as casa would, the algorithm is public):
    // whole again, but not the checkpoint's.
    let forged = dir.path().join("forged.sqlite");
    std::fs::copy(&db, &forged).unwrap();
    {
        let c = rusqlite::Connection::open(&forged).unwrap();
        c.execute("UPDATE audit SET operator = 'mallory' WHERE id = 2", [])
            .unwrap();
        let rows: Vec<casa::domain::audit_chain::Link> = {
            let mut s = c
                .prepare("SELECT id, at, operator, origin, action, entity, entity_id, before, after FROM audit ORDER BY id")
                .unwrap();
            s.query_map([], |r| {
                Ok(casa::domain::audit_chain::Link {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    operator: r.get(2)?,
                    origin: r.get(3)?,
                    action: r.get(4)?,
                    entity: r.get(5)?,
                    entity_id: r.get(6)?,
                    before: r.get(7)?,
                    after: r.get(8)?,
                })
            })
            .unwrap()
            .map(Result::unwrap)
            .collect()
        };
        c.execute("DROP INDEX audit_chain_prev", []).unwrap();
        let mut prev = casa::domain::audit_chain::GENESIS.to_string();
        for l in rows {
            let h = casa::domain::audit_chain::hash(&prev, &l);
            c.execute(
                "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE id = ?1",
                rusqlite::params![l.id, prev, h],
            )
            .unwrap();
            prev = h;
        }
    }
    assert_eq!(
        verify(&forged, &[]).0,
        0,
        "recomputed: whole without a checkpoint"
    );
    let (code, out) = verify(&forged, &["--checkpoint", cp_arg]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("record {}", cp_head(&cp_file))),
        "{out}"
    );
}

fn cp_head(file: &Path) -> i64 {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    v["record"].as_i64().unwrap()
}

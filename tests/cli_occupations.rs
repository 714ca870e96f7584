//! `casa occupations` through the real binary: the feed's round trip (export, import into a
//! database that has never seen it, export again: the same bytes, and xmllint agrees), an
//! import refused with every problem by line, element and attribute (exit 4, nothing stored),
//! and hostile files refused under a 256 MiB address-space limit.

mod support;

use std::path::Path;
use std::process::Command;
use support::cli::Env;

fn xmllint_ok(file: &Path) {
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/anpu-occupazioni.xsd");
    let out = Command::new("xmllint")
        .args(["--noout", "--nonet", "--schema"])
        .arg(&xsd)
        .arg(file)
        .output()
        .expect("xmllint is needed (Debian package libxml2-utils; bash .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database with the reference data and an operator of ALER Milano's register only.
fn empty_with_aler_operator() -> Env {
    let env = Env::demo(&["--units", "1", "--applications", "0"]);
    env.ok(
        "regione",
        &[
            "operators",
            "add",
            "registro.mi",
            "--role",
            "ente",
            "--owner",
            "aler.mi",
            "--service",
            "occupanti",
            "--surname",
            "Neri",
            "--name",
            "Ada",
            "--tax-code",
            "RSSMRA70A41H501W",
            "--email",
            "a@example.it",
        ],
    );
    env
}

#[test]
fn export_import_into_another_database_export_is_the_same_document() {
    let a = Env::demo(&["--units", "3000", "--applications", "0"]);
    let first = a.dir().join("aler-mi.xml");
    let out = a.ok(
        "aler.mi",
        &[
            "occupations",
            "export",
            "--owner",
            "aler.mi",
            "--out",
            first.to_str().unwrap(),
        ],
    );
    assert!(out.contains("azione I"), "{out}");
    xmllint_ok(&first);
    let n = std::fs::read_to_string(&first)
        .unwrap()
        .matches("<occupazioni ")
        .count();
    assert!(n >= 5, "{n} records");
    // Nothing left to send.
    let again = a.ok(
        "aler.mi",
        &[
            "occupations",
            "export",
            "--owner",
            "aler.mi",
            "--out",
            a.dir().join("x.xml").to_str().unwrap(),
        ],
    );
    assert!(
        again.contains("Nessuna occupazione da trasmettere"),
        "{again}"
    );

    let b = empty_with_aler_operator();
    let before = b.json(
        "regione",
        &[
            "occupations",
            "count",
            "--owner",
            "aler.mi",
            "--format",
            "json",
        ],
    );
    let imported = b.ok(
        "registro.mi",
        &["occupations", "import", first.to_str().unwrap()],
    );
    assert!(imported.contains(&format!("{n} inserite")), "{imported}");
    let after = b.json(
        "regione",
        &[
            "occupations",
            "count",
            "--owner",
            "aler.mi",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        after["count"].as_i64().unwrap() - before["count"].as_i64().unwrap(),
        n as i64
    );
    // Again: nothing changes.
    let twice = b.ok(
        "registro.mi",
        &["occupations", "import", first.to_str().unwrap()],
    );
    assert!(twice.contains("0 inserite, 0 modificate"), "{twice}");
    let second = b.dir().join("back.xml");
    b.ok(
        "registro.mi",
        &[
            "occupations",
            "export",
            "--owner",
            "aler.mi",
            "--out",
            second.to_str().unwrap(),
        ],
    );
    assert_eq!(
        std::fs::read_to_string(&second).unwrap(),
        std::fs::read_to_string(&first).unwrap(),
        "the round trip gives the same document"
    );
}

#[test]
fn a_wrong_file_is_refused_with_every_problem_and_nothing_stored() {
    let env = empty_with_aler_operator();
    let src = Env::demo(&["--units", "3000", "--applications", "0"]);
    let good = src.dir().join("good.xml");
    src.ok(
        "aler.mi",
        &[
            "occupations",
            "export",
            "--owner",
            "aler.mi",
            "--tutte",
            "--out",
            good.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&good).unwrap();
    let bad = env.dir().join("bad.xml");
    std::fs::write(
        &bad,
        text.replacen(" idTipoOccupazione=\"", " idTipoOccupazione=\"7", 1)
            .replacen(" dtInizioOccupazione=\"", " dtInizioOccupazione=\"x", 1),
    )
    .unwrap();
    let before = std::fs::read(&env.db).unwrap();
    let err = env.fails(
        4,
        "registro.mi",
        &["occupations", "import", bad.to_str().unwrap()],
    );
    assert!(err.contains("riga 4, elemento occupazioni n. 1"), "{err}");
    assert!(err.contains("attributo dtInizioOccupazione"), "{err}");
    assert!(err.contains("attributo idTipoOccupazione"), "{err}");
    assert!(err.contains("nessuna occupazione importata"), "{err}");
    assert_eq!(std::fs::read(&env.db).unwrap(), before, "nothing stored");
    // The helpdesk and an operator of another owner are not allowed.
    env.fails(
        3,
        "helpdesk",
        &["occupations", "import", good.to_str().unwrap()],
    );
    env.fails(
        3,
        "comune.015146",
        &["occupations", "import", good.to_str().unwrap()],
    );
    // --dry-run says it is valid and stores nothing.
    let dry = env.ok(
        "registro.mi",
        &["occupations", "import", "--dry-run", good.to_str().unwrap()],
    );
    assert!(dry.contains("valide"), "{dry}");
    assert_eq!(std::fs::read(&env.db).unwrap(), before);
}

/// Runs casa limited to 256 MiB of address space.
fn limited(env: &Env, args: &[&str]) -> std::process::Output {
    Command::new("prlimit")
        .arg("--as=268435456")
        .arg(env!("CARGO_BIN_EXE_casa"))
        .args(["--operator", "registro.mi"])
        .args(args)
        .env("CASA_DB", &env.db)
        .env("HOME", env.dir())
        .env("XDG_DATA_HOME", env.dir().join("data"))
        .env("XDG_CONFIG_HOME", env.dir().join("config"))
        .output()
        .expect("prlimit (util-linux)")
}

#[test]
fn hostile_files_are_refused_within_a_memory_limit() {
    let env = empty_with_aler_operator();
    let head = "<?xml version=\"1.0\"?>\n";
    let root = "<anpu:richiesta xmlns:anpu=\"http://osservatorio.lispa.it/anpu/schemas/messages\">";
    let mut lol = String::from("<!DOCTYPE lolz [<!ENTITY lol \"lol\">");
    for i in 1..10 {
        lol.push_str(&format!(
            "<!ENTITY lol{i} \"{}\">",
            format!(
                "&lol{};",
                if i == 1 {
                    String::new()
                } else {
                    (i - 1).to_string()
                }
            )
            .repeat(10)
        ));
    }
    lol.push_str("]>\n");
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "laughs.xml",
            format!(
                "{head}{lol}{root}<intestazione cfEnteProprietario=\"&lol9;\" azione=\"I\"/></anpu:richiesta>\n"
            ),
            "DOCTYPE",
        ),
        (
            "external.xml",
            format!(
                "{head}<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n{root}<intestazione cfEnteProprietario=\"&x;\" azione=\"I\"/></anpu:richiesta>\n"
            ),
            "DOCTYPE",
        ),
        (
            "huge-attribute.xml",
            format!(
                "{head}{root}\n  <intestazione cfEnteProprietario=\"{}\" azione=\"I\"/>\n</anpu:richiesta>\n",
                "A".repeat(40 << 20)
            ),
            "più lunga di 64 KiB",
        ),
    ];
    let before = std::fs::read(&env.db).unwrap();
    for (name, text, want) in cases {
        let f = env.dir().join(name);
        std::fs::write(&f, text).unwrap();
        let out = limited(&env, &["occupations", "import", f.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(4), "{name}: {err}");
        assert!(err.contains(want), "{name}: {err}");
        assert!(
            !err.contains("passwd") || err.contains("DOCTYPE"),
            "{name}: {err}"
        );
    }
    // A file over the size limit is refused before it is read.
    let big = env.dir().join("big.xml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(65 << 20).unwrap();
    let out = limited(&env, &["occupations", "import", big.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stderr).contains("troppo grande"));
    assert_eq!(std::fs::read(&env.db).unwrap(), before, "nothing stored");
}

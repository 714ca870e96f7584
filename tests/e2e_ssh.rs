//! Operators over SSH, for real: OpenSSH's sshd on 127.0.0.1 in front of casa's service
//! account (see tests/support/sshd.rs), the ssh client, generated keys. Through ssh: the
//! interface in a pseudo-terminal shows the key's operator; two operators' commands see
//! different units; a non-administrator's key is refused --operator, --db and CASA_OPERATOR
//! (exit 3); an export streams to standard output and opens; an unknown key files a
//! registration request, the Regione validates it over ssh, and the key then works. After every
//! command the data folder is 0700 and the database files 0600, the account's, and a second
//! Unix user cannot read them. Fails, never skips, without root or OpenSSH.

#[path = "support/pty.rs"]
mod pty;
#[path = "support/sshd.rs"]
mod sshd;

use pty::{CommandBuilder, PtySession};
use sshd::{ACCOUNT, Key, Mode, Server, keygen};
use std::process::Output;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// After each command: modes, owner, and the second user shut out.
fn check_files(s: &Server, after: &str) {
    for (path, mode, owner) in s.file_modes() {
        let want = if path == s.data { 0o700 } else { 0o600 };
        assert_eq!(
            mode,
            want,
            "after {after}: {} has mode {mode:o}",
            path.display()
        );
        assert_eq!(
            owner,
            ACCOUNT,
            "after {after}: {} owned by {owner}",
            path.display()
        );
        let readable = if path == s.data {
            s.other_user_reads(&path.join("casa.sqlite"))
        } else {
            s.other_user_reads(&path)
        };
        assert!(
            !readable,
            "after {after}: a second Unix user reads {}",
            path.display()
        );
    }
}

fn ok(s: &Server, key: &Key, command: &str) -> String {
    let out = s.ssh(key, command, None);
    assert_eq!(
        code(&out),
        0,
        "ssh {command}: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    check_files(s, command);
    text(&out.stdout)
}

fn ids(json: &str) -> Vec<i64> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect()
}

#[test]
fn operators_reach_casa_through_openssh_by_their_keys() {
    let mut s = Server::new(3000);
    let dir = s.dir.path().to_path_buf();
    let regione = keygen(&dir, "regione");
    let milano = keygen(&dir, "milano");
    let aler = keygen(&dir, "aler");
    s.add_key("regione", &regione);
    s.add_key("comune.015146", &milano);
    s.add_key("aler.mi", &aler);
    let lines = s.write_authorized_keys();
    assert_eq!(lines.lines().count(), 3, "{lines}");
    assert!(
        lines
            .lines()
            .all(|l| l.starts_with("restrict,pty,command=\"")),
        "{lines}"
    );
    check_files(&s, "demo");

    // --- the authorized_keys file casa printed, pasted as it is
    s.start(Mode::File);

    // The interface in a terminal, as the key's operator.
    let mut cmd = CommandBuilder::new("ssh");
    cmd.arg("-tt");
    cmd.args(s.ssh_args(&milano));
    let mut t = PtySession::spawn_command(cmd, &[], 100, 30);
    t.wait_for("Ricerca alloggi", 30);
    t.wait_for("comune.015146", 5);
    let home = t.screen();
    assert!(home.contains("Chiavi SSH"), "{home}");
    assert!(
        !home.contains("Registro operazioni"),
        "the audit is not a Comune's: {home}"
    );
    t.send("q");
    assert!(t.wait_exit(20), "the session ended badly:\n{}", t.screen());
    check_files(&s, "the interface");

    // Commands as two operators see different units.
    let a = ids(&ok(&s, &milano, "units search --limit 40 --format json"));
    let b = ids(&ok(&s, &aler, "units search --limit 40 --format json"));
    assert!(!a.is_empty() && !b.is_empty(), "{a:?} {b:?}");
    assert!(
        a.iter().all(|x| !b.contains(x)),
        "shared units: {a:?} {b:?}"
    );
    let count = ok(&s, &milano, "units count --stato LIBERO");
    assert!(count.trim().parse::<i64>().is_ok(), "{count}");

    // Choosing another operator or database from a non-administrator's key: refused.
    for cmd in [
        "--operator regione units count",
        "units count --operator regione",
        "--db /tmp/other.sqlite units count",
        "operators add mallory --role regione --surname M --name M --tax-code RSSMRA80A01H501U --email m@x.it",
        "units export --comune 015146 --out /tmp/e2e-server-file.xlsx",
        "demo --units 10",
    ] {
        let out = s.ssh(&milano, cmd, None);
        assert_eq!(code(&out), 3, "{cmd}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("errore"),
            "{cmd}: {}",
            text(&out.stderr)
        );
        check_files(&s, cmd);
    }
    assert!(!std::path::Path::new("/tmp/e2e-server-file.xlsx").exists());
    let mut env_cmd = std::process::Command::new("ssh");
    env_cmd
        .args(["-o", "SetEnv=CASA_OPERATOR=regione"])
        .args(s.ssh_args(&milano))
        .args(["--", "units count"]);
    let out = env_cmd.output().unwrap();
    assert_eq!(
        code(&out),
        3,
        "CASA_OPERATOR sent by the client: {}",
        text(&out.stderr)
    );
    assert!(
        text(&out.stderr).contains("CASA_OPERATOR"),
        "{}",
        text(&out.stderr)
    );

    // An export streamed to standard output, opened.
    let out = s.ssh(
        &milano,
        "units export --comune 015146 --format xlsx --out -",
        None,
    );
    assert_eq!(code(&out), 0, "{}", text(&out.stderr));
    let file = dir.join("elenchi.xlsx");
    std::fs::write(&file, &out.stdout).unwrap();
    {
        use calamine::Reader;
        let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&file).expect("an .xlsx");
        let sheets = wb.sheet_names().to_vec();
        assert_eq!(sheets.len(), 3, "{sheets:?}");
        let rows: usize = sheets
            .iter()
            .map(|n| wb.worksheet_range(n).unwrap().rows().count())
            .sum();
        assert!(rows > 3, "{rows} rows");
    }
    check_files(&s, "export");

    // A file sent on standard input: the Comune's rows of the example, imported (checked
    // first, then written); from a terminal, without a file, it is refused.
    let example = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/units_example.csv"
    ))
    .unwrap();
    let mut lines = example.lines();
    let mut mine: String = lines.next().unwrap().to_string() + "\n";
    for l in lines.filter(|l| l.contains(";01199250158;")) {
        mine.push_str(l);
        mine.push('\n');
    }
    let checked = s.ssh(&milano, "units import --dry-run -", Some(&mine));
    assert_eq!(code(&checked), 0, "{}", text(&checked.stderr));
    assert!(
        text(&checked.stdout).contains("da creare 7 alloggi"),
        "{}",
        text(&checked.stdout)
    );
    let before = ok(&s, &milano, "units count")
        .trim()
        .parse::<i64>()
        .unwrap();
    ok(&s, &milano, "units count"); // the modes, again
    let imported = s.ssh(&milano, "units import -", Some(&mine));
    assert_eq!(code(&imported), 0, "{}", text(&imported.stderr));
    let after = ok(&s, &milano, "units count")
        .trim()
        .parse::<i64>()
        .unwrap();
    assert_eq!(after, before + 7);
    let bad = s.ssh(
        &milano,
        "units import -",
        Some(&mine.replace(";MI;", ";XX;")),
    );
    assert_eq!(code(&bad), 4, "{}", text(&bad.stderr));
    assert!(
        text(&bad.stderr).contains("riga 2"),
        "{}",
        text(&bad.stderr)
    );
    check_files(&s, "units import -");

    // --- AuthorizedKeysCommand: known keys as before, unknown keys may register
    s.start(Mode::Command);
    assert!(ok(&s, &regione, "audit verify").contains("integro"));
    let anna = keygen(&dir, "anna");
    // In a terminal an unknown key gets the SCHEDA UTENTE and nothing else.
    let mut cmd = CommandBuilder::new("ssh");
    cmd.arg("-tt");
    cmd.args(s.ssh_args(&anna));
    let mut t = PtySession::spawn_command(cmd, &[], 80, 24);
    t.wait_for("SCHEDA UTENTE", 30);
    let form = t.screen();
    assert!(form.contains("richiedente"), "{form}");
    assert!(
        !form.contains("Ricerca alloggi") && !form.contains("regione"),
        "a registration-only session shows no data: {form}"
    );
    t.send("\x1bOR"); // F3, Esci
    assert!(t.wait_exit(20), "the form did not close:\n{}", t.screen());
    check_files(&s, "the registration form");
    let refused = s.ssh(&anna, "units count", None);
    assert_eq!(code(&refused), 3, "{}", text(&refused.stderr));
    assert!(text(&refused.stderr).contains("registrazione"));
    let filed = ok(
        &s,
        &anna,
        "registrations request --surname Bianchi --name Anna --username anna.bianchi --tax-code RSSMRA70A41H501W --email anna@comune.milano.it --owner 015146 --service anagrafe --service programmazione",
    );
    assert!(filed.contains("in attesa"), "{filed}");
    let id = filed
        .split("n. ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .unwrap()
        .to_string();
    // Nothing granted while pending.
    assert_eq!(code(&s.ssh(&anna, "units count", None)), 3);
    // Only the Regione validates.
    assert_eq!(
        code(&s.ssh(&milano, &format!("registrations validate {id}"), None)),
        3
    );
    let validated = ok(&s, &regione, &format!("registrations validate {id}"));
    assert!(validated.contains("anna.bianchi"), "{validated}");
    let anna_units = ids(&ok(&s, &anna, "units search --limit 40 --format json"));
    assert_eq!(
        anna_units, a,
        "Anna sees what the other operator of Milano sees"
    );
    let audit = ok(&s, &regione, "audit list --limit 3 --format json");
    assert!(
        audit.contains(&anna.fingerprint) || audit.contains(&regione.fingerprint),
        "{audit}"
    );
    assert!(audit.contains("registrazione.valida"), "{audit}");
    assert!(ok(&s, &regione, "audit verify").contains("integro"));

    // Unknown keys are rate-limited per client address (each connection comes from a new
    // port: the address alone counts): Anna's and two more requests from 127.0.0.1, then no.
    for (i, name) in ["bruno", "carla", "dario"].into_iter().enumerate() {
        let k = keygen(&dir, name);
        let out = s.ssh(
            &k,
            &format!(
                "registrations request --surname Verdi --name {name} --username {name}.verdi --tax-code RSSMRA70A41H501W --email {name}@comune.milano.it --owner 015146 --service anagrafe"
            ),
            None,
        );
        if i < 2 {
            assert_eq!(code(&out), 0, "{name}: {}", text(&out.stderr));
        } else {
            assert_ne!(code(&out), 0, "{name}: a fourth request in an hour");
            assert!(
                text(&out.stderr).contains("troppe richieste"),
                "{name}: {}",
                text(&out.stderr)
            );
        }
        check_files(&s, name);
    }
}

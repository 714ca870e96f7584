//! What `casa doctor` checks of a shared set-up, in Italian: the data folder (0700) and the
//! database with its `-wal` and `-shm` (0600) belong to the account running casa and nobody
//! else can read them; the sshd snippet for that account (when readable) forces casa's command
//! for every key; a plain `authorized_keys` holds only forced commands.

use crate::private_files;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(String),
    /// Something to fix: `casa doctor` exits 1.
    Problem(String),
    /// Worth knowing, not wrong.
    Note(String),
}

impl Finding {
    pub fn is_problem(&self) -> bool {
        matches!(self, Finding::Problem(_))
    }

    /// The line `casa doctor` prints (the glyph says it, not a colour).
    pub fn line(&self) -> String {
        match self {
            Finding::Ok(m) => format!("✔ {m}"),
            Finding::Problem(m) => format!("✖ {m}"),
            Finding::Note(m) => format!("! {m}"),
        }
    }
}

/// The account and files to check.
pub struct Setup<'a> {
    pub db: &'a Path,
    pub uid: u32,
    pub user: &'a str,
    pub home: Option<PathBuf>,
    /// sshd's configuration files (the main one first).
    pub sshd_files: Vec<PathBuf>,
    /// The database's keys as `authorized_keys` should carry them (fingerprints).
    pub registered: Vec<String>,
}

fn mode_text(m: u32) -> String {
    format!("{:04o}", m & 0o7777)
}

/// Modes and ownership of the data folder and the database files.
pub fn files(s: &Setup) -> Vec<Finding> {
    let mut out = Vec::new();
    let dir =
        s.db.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
    match std::fs::metadata(dir) {
        Ok(m) if m.uid() != s.uid => out.push(Finding::Problem(format!(
            "la cartella {} appartiene all'utente {} e non a {} che esegue casa: chown {} {}",
            dir.display(),
            m.uid(),
            s.user,
            s.user,
            dir.display()
        ))),
        Ok(m) if m.mode() & 0o077 != 0 => out.push(Finding::Problem(format!(
            "la cartella {} ha modo {}: altri utenti vi accedono; chmod 700 {}",
            dir.display(),
            mode_text(m.mode()),
            dir.display()
        ))),
        Ok(_) => out.push(Finding::Ok(format!(
            "cartella {}: solo {} vi accede (0700)",
            dir.display(),
            s.user
        ))),
        Err(e) => out.push(Finding::Problem(format!(
            "cartella {} non accessibile: {e}",
            dir.display()
        ))),
    }
    for p in private_files::database_files(s.db) {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if !m.is_file() => out.push(Finding::Problem(format!(
                "{} non è un file regolare",
                p.display()
            ))),
            Ok(m) if m.uid() != s.uid => out.push(Finding::Problem(format!(
                "{} appartiene all'utente {} e non a {}: chown {} {}",
                p.display(),
                m.uid(),
                s.user,
                s.user,
                p.display()
            ))),
            Ok(m) if m.mode() & 0o777 != private_files::FILE_MODE => {
                out.push(Finding::Problem(format!(
                    "{} ha modo {}: deve essere 0600 (leggibile solo da {}); casa lo corregge alla prossima apertura in scrittura, o chmod 600 {}",
                    p.display(),
                    mode_text(m.mode()),
                    s.user,
                    p.display()
                )))
            }
            Ok(_) => out.push(Finding::Ok(format!("{}: 0600, di {}", p.display(), s.user))),
            Err(_) if p == s.db => out.push(Finding::Note(format!(
                "il database {} non esiste ancora (casa init lo crea)",
                p.display()
            ))),
            Err(_) => {}
        }
    }
    out
}

/// sshd's configuration lines that apply to `user`: those in a `Match User` block naming it,
/// with the file and line they come from.
fn match_block(s: &Setup) -> (Vec<(String, String, String)>, Vec<Finding>) {
    let mut found = Vec::new();
    let mut notes = Vec::new();
    for f in &s.sshd_files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => {
                notes.push(Finding::Note(format!(
                    "{} non leggibile ({e}): la configurazione di sshd non è stata controllata",
                    f.display()
                )));
                continue;
            }
        };
        let mut inside = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (kw, rest) = line
                .split_once(|c: char| c.is_whitespace() || c == '=')
                .unwrap_or((line, ""));
            let rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '=');
            if kw.eq_ignore_ascii_case("match") {
                let words: Vec<&str> = rest.split_whitespace().collect();
                inside = words.len() == 2
                    && words[0].eq_ignore_ascii_case("user")
                    && words[1].split(',').any(|u| u == s.user);
                continue;
            }
            if inside {
                found.push((
                    kw.to_ascii_lowercase(),
                    rest.to_string(),
                    format!("{}:{}", f.display(), i + 1),
                ));
            }
        }
    }
    (found, notes)
}

/// The sshd snippet (`Match User …` with `AuthorizedKeysCommand`) or, without one, the
/// account's `authorized_keys`.
pub fn sshd(s: &Setup) -> Vec<Finding> {
    let (block, mut out) = match_block(s);
    let get = |k: &str| block.iter().find(|(kw, _, _)| kw == k);
    if let Some((_, cmd, at)) = get("authorizedkeyscommand") {
        if cmd.contains("ssh authorized-keys") && !cmd.contains(" session ") {
            out.push(Finding::Ok(format!(
                "sshd ({at}): le chiavi dell'utente {} sono quelle di casa (AuthorizedKeysCommand)",
                s.user
            )));
        } else {
            out.push(Finding::Problem(format!(
                "sshd ({at}): AuthorizedKeysCommand non chiama `casa … ssh authorized-keys %t %k`: {cmd}"
            )));
        }
        let db = s.db.to_string_lossy();
        if !cmd.contains(db.as_ref()) {
            out.push(Finding::Problem(format!(
                "sshd ({at}): AuthorizedKeysCommand non indica il database {db} (--db)"
            )));
        }
        if let Some(bin) = cmd.split_whitespace().next() {
            out.extend(root_owned_path(Path::new(bin), at));
        }
        match get("authorizedkeyscommanduser") {
            Some((_, u, _)) if u == s.user => {}
            Some((_, u, at)) => out.push(Finding::Problem(format!(
                "sshd ({at}): AuthorizedKeysCommandUser è {u}: deve essere {} (l'unico che legge il database)",
                s.user
            ))),
            None => out.push(Finding::Problem(format!(
                "sshd ({at}): manca AuthorizedKeysCommandUser {}",
                s.user
            ))),
        }
        match get("authorizedkeysfile") {
            Some((_, v, _)) if v == "none" => {}
            _ => out.push(Finding::Note(
                "sshd: senza `AuthorizedKeysFile none` nel blocco, vale anche ~/.ssh/authorized_keys dell'account: tenerlo vuoto o con sole righe di casa".into(),
            )),
        }
        for (kw, v, at) in &block {
            if (kw == "passwordauthentication" || kw == "kbdinteractiveauthentication")
                && v.eq_ignore_ascii_case("yes")
            {
                out.push(Finding::Problem(format!(
                    "sshd ({at}): {kw} yes: gli operatori devono entrare solo con la chiave"
                )));
            }
            if kw == "forcecommand" {
                out.push(Finding::Problem(format!(
                    "sshd ({at}): ForceCommand sostituisce il comando di ogni chiave: toglierlo, casa lo indica per chiave"
                )));
            }
        }
        return out;
    }
    let Some(home) = &s.home else {
        return out;
    };
    let ak = home.join(".ssh/authorized_keys");
    match std::fs::read_to_string(&ak) {
        Ok(text) => {
            let mut lines = 0;
            for (i, l) in text.lines().enumerate() {
                let l = l.trim();
                if l.is_empty() || l.starts_with('#') {
                    continue;
                }
                lines += 1;
                let forced = l.starts_with("restrict") && l.contains(" session --");
                if !forced {
                    out.push(Finding::Problem(format!(
                        "{}:{}: una chiave senza il comando forzato di casa apre una shell sull'account di servizio; rigenerare il file con casa ssh authorized-keys",
                        ak.display(),
                        i + 1
                    )));
                }
            }
            let missing: Vec<&String> = s
                .registered
                .iter()
                .filter(|fp| !text.contains(fp.as_str()))
                .collect();
            if !missing.is_empty() {
                out.push(Finding::Problem(format!(
                    "{}: {} chiavi registrate in casa non sono nel file (ad es. {}): casa ssh authorized-keys > {}",
                    ak.display(),
                    missing.len(),
                    missing[0],
                    ak.display()
                )));
            }
            if lines > 0 && !out.iter().any(Finding::is_problem) {
                out.push(Finding::Ok(format!(
                    "{}: {lines} chiavi, tutte con il comando forzato di casa",
                    ak.display()
                )));
            }
        }
        Err(_) if out.is_empty() => out.push(Finding::Note(format!(
            "nessuna configurazione SSH per l'utente {} (uso locale; per il servizio condiviso vedere il README, «Operators over SSH»)",
            s.user
        ))),
        Err(_) => {}
    }
    out
}

/// sshd runs an AuthorizedKeysCommand only from a root-owned path nobody else can write.
fn root_owned_path(bin: &Path, at: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut p = Some(bin);
    while let Some(cur) = p {
        if cur.as_os_str().is_empty() {
            break;
        }
        match std::fs::metadata(cur) {
            Ok(m) if m.uid() != 0 || m.mode() & 0o022 != 0 => {
                out.push(Finding::Problem(format!(
                    "sshd ({at}): {} deve appartenere a root e non essere scrivibile da altri (modo {}, utente {}): sshd rifiuterebbe il comando",
                    cur.display(),
                    mode_text(m.mode()),
                    m.uid()
                )));
                break;
            }
            Ok(_) => {}
            Err(e) => {
                out.push(Finding::Problem(format!(
                    "sshd ({at}): {} non accessibile: {e}",
                    cur.display()
                )));
                break;
            }
        }
        p = cur.parent();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn setup<'a>(db: &'a Path, files: Vec<PathBuf>, home: Option<PathBuf>) -> Setup<'a> {
        Setup {
            db,
            uid: private_files::current_uid(),
            user: "casa",
            home,
            sshd_files: files,
            registered: vec!["SHA256:abc".into()],
        }
    }

    #[test]
    fn open_modes_are_problems_private_ones_are_fine() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        private_files::create_dir_all(&data).unwrap();
        let db = data.join("casa.sqlite");
        private_files::create_file(&db).unwrap();
        assert!(
            !files(&setup(&db, vec![], None))
                .iter()
                .any(Finding::is_problem)
        );
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        let f = files(&setup(&db, vec![], None));
        let problems: Vec<String> = f
            .iter()
            .filter(|x| x.is_problem())
            .map(Finding::line)
            .collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("chmod 700"), "{problems:?}");
        assert!(problems[1].contains("0644"), "{problems:?}");
    }

    #[test]
    fn the_sshd_snippet_and_authorized_keys_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("casa.sqlite");
        let conf = dir.path().join("sshd_config");
        std::fs::write(
            &conf,
            format!(
                "Port 22\nMatch User casa\n  AuthorizedKeysFile none\n  AuthorizedKeysCommand /usr/bin/casa --db {} ssh authorized-keys %t %k\n  AuthorizedKeysCommandUser nobody\n  PasswordAuthentication yes\n",
                db.display()
            ),
        )
        .unwrap();
        let f = sshd(&setup(&db, vec![conf], None));
        let text: Vec<String> = f.iter().map(Finding::line).collect();
        assert!(text.iter().any(|l| l.starts_with('✔')), "{text:?}");
        assert!(
            text.iter()
                .any(|l| l.contains("AuthorizedKeysCommandUser è nobody")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|l| l.contains("passwordauthentication yes")),
            "{text:?}"
        );
        // Without a snippet: the account's authorized_keys.
        let home = dir.path().join("home");
        std::fs::create_dir_all(home.join(".ssh")).unwrap();
        std::fs::write(
            home.join(".ssh/authorized_keys"),
            "restrict,pty,command=\"casa --db x session --key SHA256:abc\" ssh-ed25519 AAAA\nssh-ed25519 BBBB shell@pc\n",
        )
        .unwrap();
        let f = sshd(&setup(&db, vec![], Some(home)));
        let problems: Vec<String> = f
            .iter()
            .filter(|x| x.is_problem())
            .map(Finding::line)
            .collect();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains(":2:"), "{problems:?}");
    }
}

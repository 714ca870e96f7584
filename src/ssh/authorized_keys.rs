//! The `authorized_keys` lines of the service account: one per key, each forcing a casa
//! session for it. OpenSSH runs the forced command with the account's shell (`sh -c`), so
//! every word is shell-quoted, and the whole command sits in `command="…"`, where only `"`
//! needs escaping (OpenSSH's option parser turns `\"` into `"` and keeps other bytes).

use crate::service::keys::KeyUse;
use anyhow::{Result, bail};
use std::path::Path;

/// The options of every line: no forwarding of any kind, no agent, no X11, no user rc (all
/// that `restrict` forbids), but a terminal for the interface.
pub const OPTIONS: &str = "restrict,pty";

fn text(what: &str, p: &Path) -> Result<String> {
    let Some(s) = p.to_str() else {
        bail!(
            "{what} {} non è UTF-8: non può stare in authorized_keys",
            p.display()
        );
    };
    if s.chars().any(char::is_control) {
        bail!("{what} {s:?} contiene caratteri di controllo: non può stare in authorized_keys");
    }
    Ok(s.to_string())
}

/// The forced command: `casa --db DB session …`, each word shell-quoted.
pub fn forced_command(casa: &Path, db: &Path, session: &[&str]) -> Result<String> {
    let mut words = vec![
        text("il programma", casa)?,
        "--db".into(),
        text("il database", db)?,
    ];
    words.push("session".into());
    words.extend(session.iter().map(|s| s.to_string()));
    Ok(shell_words::join(words))
}

/// One `authorized_keys` line for `use_`.
pub fn line(casa: &Path, db: &Path, use_: &KeyUse) -> Result<String> {
    let (command, key, comment) = match use_ {
        KeyUse::Operator { key, username } => (
            forced_command(casa, db, &["--key", &key.fingerprint])?,
            key,
            format!("casa:{username}"),
        ),
        KeyUse::Registration { key } => (
            forced_command(casa, db, &["--register-key", &key.openssh])?,
            key,
            "casa:registrazione".to_string(),
        ),
    };
    Ok(format!(
        "{OPTIONS},command=\"{}\" {} {comment}",
        command.replace('"', "\\\""),
        key.openssh
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::operator_key;

    const KEY: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJXSnNl9PDODifUAMA4o+qyh5OUTE6Y+lklK2n7dxTNf anna@pc";

    #[test]
    fn lines_quote_paths_for_the_shell_and_the_option_parser() {
        let key = operator_key::parse(KEY).unwrap();
        let l = line(
            Path::new("/usr/local/bin/casa"),
            Path::new("/srv/casa dati/casa \"1\".sqlite"),
            &KeyUse::Operator {
                key: key.clone(),
                username: "anna".into(),
            },
        )
        .unwrap();
        assert!(
            l.starts_with("restrict,pty,command=\"/usr/local/bin/casa --db "),
            "{l}"
        );
        assert!(
            l.contains(&format!("session --key {}", key.fingerprint)),
            "{l}"
        );
        assert!(l.ends_with(&format!("{} casa:anna", key.openssh)), "{l}");
        // What sshd hands the shell: the quoted string with \" turned back into ".
        let start = l.find("command=\"").unwrap() + 9;
        let end = l.rfind("\" ssh-ed25519").unwrap();
        let command = l[start..end].replace("\\\"", "\"");
        let words = shell_words::split(&command).unwrap();
        assert_eq!(words[2], "/srv/casa dati/casa \"1\".sqlite");
        assert_eq!(words[3..5], ["session".to_string(), "--key".to_string()]);
        let reg = line(
            Path::new("/usr/local/bin/casa"),
            Path::new("/srv/casa.sqlite"),
            &KeyUse::Registration { key: key.clone() },
        )
        .unwrap();
        assert!(reg.contains("--register-key 'ssh-ed25519 AAAA"), "{reg}");
        assert!(
            line(
                Path::new("/bin/ca\nsa"),
                Path::new("/x"),
                &KeyUse::Registration { key }
            )
            .is_err()
        );
    }
}

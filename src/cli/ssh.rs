//! `casa ssh authorized-keys [KEY…]`: the lines of the service account's `authorized_keys`, or
//! what OpenSSH's `AuthorizedKeysCommand` asks for one key (`%t %k`).

use super::{Global, InvalidInput, db_path};
use crate::domain::operator_key;
use crate::service::keys::{self, KeyUse};
use crate::ssh::authorized_keys;
use anyhow::{Result, anyhow};
use clap::Subcommand;
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum SshCommand {
    /// Print the authorized_keys lines of every registered key, or of the one key given (as
    /// AuthorizedKeysCommand: `casa --db DB ssh authorized-keys %t %k`); an unknown key given
    /// gets a registration-only session
    AuthorizedKeys {
        /// A key: `TYPE BASE64` (%t %k) or a whole .pub line
        key: Vec<String>,
        /// Never offer registration to an unknown key (print nothing for it)
        #[arg(long)]
        no_registration: bool,
        /// The casa program the lines run (default: this one)
        #[arg(long, value_name = "PATH")]
        casa: Option<PathBuf>,
    },
}

pub fn run(g: &Global, cmd: SshCommand) -> Result<()> {
    let SshCommand::AuthorizedKeys {
        key,
        no_registration,
        casa,
    } = cmd;
    let db = std::path::absolute(db_path(g)?)?;
    let casa = match casa {
        Some(c) => std::path::absolute(c)?,
        None => std::env::current_exe()?,
    };
    let key = if key.is_empty() {
        None
    } else {
        Some(operator_key::parse_tokens(&key).map_err(|e| anyhow!(InvalidInput(e.0)))?)
    };
    let uses = keys::authorized(&db, key.as_ref(), !no_registration)?;
    let mut out = String::new();
    for u in &uses {
        out.push_str(&authorized_keys::line(&casa, &db, u)?);
        out.push('\n');
    }
    print!("{out}");
    if key.is_none() {
        let operators = uses
            .iter()
            .filter(|u| matches!(u, KeyUse::Operator { .. }))
            .count();
        eprintln!("{operators} chiavi registrate.");
    }
    Ok(())
}

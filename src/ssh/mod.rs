//! Operators over SSH. OpenSSH authenticates each operator's key on one service account and
//! runs casa as that key's forced command (`casa --db DB session --key SHA256:…`); casa maps
//! the key to its operator. Nothing here serves SSH itself: `authorized_keys` writes the lines
//! OpenSSH reads (or answers its `AuthorizedKeysCommand`), `session` is the forced command,
//! `remote` checks a command line a remote operator sends, `setup_check` is what `casa doctor`
//! says about the set-up.

pub mod authorized_keys;
pub mod remote;
pub mod session;
pub mod setup_check;
pub mod stdin_file;

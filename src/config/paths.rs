//! Where casa keeps its database, configuration and logs.

use anyhow::{Result, anyhow};
use directories::ProjectDirs;
use std::path::PathBuf;

fn dirs() -> Result<ProjectDirs> {
    ProjectDirs::from("it", "casa", "casa").ok_or_else(|| {
        anyhow!("impossibile determinare la cartella dell'utente (HOME non impostata?)")
    })
}

/// Data directory (`~/.local/share/casa` on Linux).
pub fn data_dir() -> Result<PathBuf> {
    Ok(dirs()?.data_dir().to_path_buf())
}

/// Configuration directory (`~/.config/casa` on Linux): keymap and theme overrides.
pub fn config_dir() -> Result<PathBuf> {
    Ok(dirs()?.config_dir().to_path_buf())
}

/// The database used when neither `--db` nor `CASA_DB` is given.
pub fn default_db() -> Result<PathBuf> {
    Ok(data_dir()?.join("casa.sqlite"))
}

/// The demo database used by `--demo`.
pub fn demo_db() -> Result<PathBuf> {
    Ok(data_dir()?.join("demo.sqlite"))
}

/// Log file (tracing writes here, never to the screen).
pub fn log_file() -> Result<PathBuf> {
    Ok(data_dir()?.join("casa.log"))
}

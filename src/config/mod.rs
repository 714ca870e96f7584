//! What casa reads from the user's environment besides the command line: where its files are
//! (data, configuration, log), the keymap and theme files with their errors in Italian, the
//! NO_COLOR convention, the log level. Shared by both front ends.

pub mod paths;

use crate::app::keymap::Keymap;
use crate::service::InvalidInput;
use crate::ui::Theme;
use anyhow::Result;
use std::path::PathBuf;

/// The user's keymap file (`keymap.toml` in the configuration directory).
pub fn keymap_path() -> Result<PathBuf> {
    Ok(paths::config_dir()?.join("keymap.toml"))
}

/// Loads the user's keymap, or the default one when there is no file; a bad file is reported
/// with its line and reason.
pub fn load_keymap() -> Result<Keymap> {
    Keymap::load(&keymap_path()?)
        .map_err(|e| InvalidInput(format!("mappa dei tasti non valida: {e}")).into())
}

/// True when NO_COLOR is set to anything non-empty (https://no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// Loads the theme: NO_COLOR → mono; else `name` (`--theme`/`CASA_THEME`); else the default.
pub fn load_theme(name: Option<&str>) -> Result<Theme> {
    Theme::select(name, no_color_requested(), &paths::config_dir()?)
        .map_err(|e| InvalidInput(format!("tema non valido: {e}")).into())
}

/// Sends the log (tracing) to the log file, never to the screen; `CASA_LOG` sets the level.
pub fn init_logging() {
    let Ok(path) = paths::log_file() else {
        return;
    };
    // The log names operators and what they did: for the account's owner only.
    if let Some(dir) = path.parent() {
        let _ = crate::private_files::create_dir_all(dir);
    }
    let Ok(file) = crate::private_files::open_append(&path) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CASA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
}

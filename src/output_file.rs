//! Files casa writes — exports, reports, backups — under one rule for every writer:
//!
//! - `-` means standard output (issue #11 streams exports over SSH with it);
//! - the name's extension must be the format written (`rankings export --out r.csv` is refused,
//!   not an .xlsx under a .csv name);
//! - only regular files are written: a device (`/dev/null`, `/dev/full`), a FIFO, a socket or
//!   a directory is refused, `--force` or not (as root, replacing `/dev/null` with a file
//!   breaks the machine);
//! - an existing file is refused unless `--force`;
//! - the content goes to a temporary file created exclusively (O_EXCL, a random name, never
//!   following a link) in the target's directory, and is renamed over the name only when
//!   complete: a link planted under a predictable `OUT.part` name can no longer redirect the
//!   write to another file, and a reader never sees half a file. Without `--force` the rename
//!   refuses to replace a file that appeared meanwhile.
//!
//! Standard output gets the same all-or-nothing behaviour: the content is written to a
//! temporary file first and copied out when complete.

use std::fs::File;
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

/// What is being written: the extensions its name may have and how to describe it.
#[derive(Debug, Clone, Copy)]
pub struct Kind {
    /// Accepted extensions, lower case (empty: any name).
    pub extensions: &'static [&'static str],
    /// Italian description, completing "il file scritto è …".
    pub what: &'static str,
    /// Binary content: never dumped on a terminal.
    pub binary: bool,
    /// Permissions of the new file before the umask (a backup holds personal data: owner only).
    pub mode: u32,
}

pub const XLSX: Kind = Kind {
    extensions: &["xlsx"],
    what: "un file Excel .xlsx",
    binary: true,
    mode: 0o666,
};

pub const CSV: Kind = Kind {
    extensions: &["csv"],
    what: "un file .csv",
    binary: false,
    mode: 0o666,
};

pub const XML: Kind = Kind {
    extensions: &["xml"],
    what: "un documento XML",
    binary: false,
    mode: 0o666,
};

/// An audit checkpoint (`casa audit checkpoint`): a small JSON text.
pub const JSON: Kind = Kind {
    extensions: &["json"],
    what: "un file .json",
    binary: false,
    mode: 0o666,
};

pub const DATABASE: Kind = Kind {
    extensions: &[],
    what: "una copia del database",
    binary: true,
    mode: 0o600,
};

/// A destination that cannot be used (exists, not a regular file, wrong extension, no such
/// directory): the user's input is wrong, nothing was written. The command line exits 4.
#[derive(Debug)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refused {}

/// Where to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Stdout,
    File(PathBuf),
}

/// A destination and whether an existing file may be replaced (`--force`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub dest: Destination,
    pub force: bool,
}

fn describe(meta: &std::fs::Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "una cartella"
    } else if t.is_char_device() || t.is_block_device() {
        "un dispositivo"
    } else if t.is_fifo() {
        "una FIFO (pipe con nome)"
    } else if t.is_socket() {
        "un socket"
    } else {
        "un file speciale"
    }
}

impl Target {
    /// The target named by an option's value: `-` is standard output.
    pub fn new(arg: &Path, force: bool) -> Target {
        let dest = if arg.as_os_str() == "-" {
            Destination::Stdout
        } else {
            Destination::File(arg.to_path_buf())
        };
        Target { dest, force }
    }

    pub fn is_stdout(&self) -> bool {
        self.dest == Destination::Stdout
    }

    /// The name to show in messages (cleaned of control characters).
    pub fn shown(&self) -> String {
        match &self.dest {
            Destination::Stdout => "lo standard output".into(),
            Destination::File(p) => crate::safe_text::clean(&p.display().to_string()).into_owned(),
        }
    }

    /// The extension of the file name, lower case.
    pub fn extension(&self) -> Option<String> {
        match &self.dest {
            Destination::Stdout => None,
            Destination::File(p) => p
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase),
        }
    }

    /// Prints what was written: on stdout, or on stderr when the content went to stdout.
    pub fn announce(&self, message: &str) {
        if self.is_stdout() {
            eprintln!("{message}");
        } else {
            println!("{message}");
        }
    }

    /// Checks that the target can take `kind`, before any work is done. `create` checks again.
    pub fn ensure_usable(&self, kind: &Kind) -> Result<(), Refused> {
        let path = match &self.dest {
            Destination::Stdout => {
                use std::io::IsTerminal;
                if kind.binary && std::io::stdout().is_terminal() {
                    return Err(Refused(format!(
                        "{} non si stampa sul terminale: reindirizzare lo standard output su un file (> FILE) o indicare un nome di file",
                        kind.what
                    )));
                }
                return Ok(());
            }
            Destination::File(p) => p,
        };
        let shown = self.shown();
        if path.file_name().is_none() || path.as_os_str().to_string_lossy().ends_with('/') {
            return Err(Refused(format!("{shown} non è un nome di file")));
        }
        match std::fs::metadata(path) {
            Ok(meta) if !meta.is_file() => {
                return Err(Refused(format!(
                    "{shown} è {}, non un file regolare: casa scrive solo file regolari (nemmeno con --force)",
                    describe(&meta)
                )));
            }
            Ok(_) if !self.force => {
                return Err(Refused(format!(
                    "{shown} esiste già: non viene sovrascritto (usare --force per sostituirlo)"
                )));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // A dangling link is still a name in use.
                if std::fs::symlink_metadata(path).is_ok() && !self.force {
                    return Err(Refused(format!(
                        "{shown} esiste già (collegamento simbolico): non viene sovrascritto (usare --force per sostituirlo)"
                    )));
                }
            }
            Err(e) => {
                return Err(Refused(format!(
                    "{shown}: {}",
                    crate::italian::io_error(&e)
                )));
            }
        }
        if !kind.extensions.is_empty() {
            let ext = self.extension().unwrap_or_default();
            if !kind.extensions.contains(&ext.as_str()) {
                let wanted = kind
                    .extensions
                    .iter()
                    .map(|e| format!(".{e}"))
                    .collect::<Vec<_>>()
                    .join(" o ");
                return Err(Refused(format!(
                    "{shown}: il file scritto è {}, il nome deve terminare con {wanted} (oppure - per lo standard output)",
                    kind.what
                )));
            }
        }
        let dir = parent_dir(path);
        match std::fs::metadata(&dir) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(Refused(format!(
                "{} non è una cartella",
                crate::safe_text::clean(&dir.display().to_string())
            ))),
            Err(e) => Err(Refused(format!(
                "cartella {}: {}",
                crate::safe_text::clean(&dir.display().to_string()),
                crate::italian::io_error(&e)
            ))),
        }
    }

    /// Checks the target and creates the temporary file the content is written to.
    pub fn create(&self, kind: &Kind) -> anyhow::Result<OutputFile> {
        self.ensure_usable(kind)?;
        let mut builder = tempfile::Builder::new();
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(std::fs::Permissions::from_mode(kind.mode));
        }
        let temp = match &self.dest {
            Destination::Stdout => builder.prefix("casa-").suffix(".part").tempfile(),
            Destination::File(p) => {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                builder
                    .prefix(&format!(".{name}."))
                    .suffix(".part")
                    .tempfile_in(parent_dir(p))
            }
        }
        .map_err(|e| {
            Refused(format!(
                "impossibile creare {}: {}",
                self.shown(),
                crate::italian::io_error(&e)
            ))
        })?;
        Ok(OutputFile {
            target: self.clone(),
            temp,
        })
    }
}

/// `path`, or when a file of that name exists the first free `NAME-2.EXT`, `NAME-3.EXT`, … (for
/// names casa chooses itself, such as the interface's plan reports: never an overwrite).
pub fn free_name(path: &Path) -> PathBuf {
    if std::fs::symlink_metadata(path).is_err() {
        return path.to_path_buf();
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let ext = path
        .extension()
        .map(|e| format!(".{}", e.to_string_lossy()))
        .unwrap_or_default();
    (2u32..)
        .map(|n| path.with_file_name(format!("{stem}-{n}{ext}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| path.to_path_buf())
}

/// The directory a file goes in ("." for a bare name).
pub fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A file being written: removed when dropped before `commit` (error, cancel).
pub struct OutputFile {
    target: Target,
    temp: tempfile::NamedTempFile,
}

impl OutputFile {
    /// The temporary file, for writers that need a path (SQLite).
    pub fn path(&self) -> &Path {
        self.temp.path()
    }

    /// The temporary file, for writers that take a `Write`.
    pub fn file(&mut self) -> &mut File {
        self.temp.as_file_mut()
    }

    pub fn target(&self) -> &Target {
        &self.target
    }

    /// Makes the content visible under its name (or copies it to standard output).
    pub fn commit(mut self) -> anyhow::Result<()> {
        let shown = self.target.shown();
        let fail = |e: std::io::Error| {
            anyhow::anyhow!(
                "impossibile scrivere {shown}: {}",
                crate::italian::io_error(&e)
            )
        };
        let path = match &self.target.dest {
            Destination::Stdout => {
                let file = self.temp.as_file_mut();
                file.flush().map_err(fail)?;
                file.rewind().map_err(fail)?;
                let stdout = std::io::stdout();
                let mut out = stdout.lock();
                std::io::copy(file, &mut out).map_err(fail)?;
                out.flush().map_err(fail)?;
                return Ok(());
            }
            Destination::File(p) => p.clone(),
        };
        self.temp.as_file().sync_all().map_err(fail)?;
        // A device or directory put there while we wrote is still never replaced.
        if let Ok(meta) = std::fs::metadata(&path)
            && !meta.is_file()
        {
            return Err(Refused(format!(
                "{shown} è {}, non un file regolare: non viene sostituito",
                describe(&meta)
            ))
            .into());
        }
        let persisted = if self.target.force {
            self.temp.persist(&path).map(drop)
        } else {
            self.temp.persist_noclobber(&path).map(drop)
        };
        if let Err(e) = persisted {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                return Err(Refused(format!(
                    "{shown} è stato creato da altri durante la scrittura: non viene sovrascritto (usare --force per sostituirlo)"
                ))
                .into());
            }
            return Err(fail(e.error));
        }
        if let Ok(d) = File::open(parent_dir(&path)) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(t: &Target, kind: &Kind, text: &str) -> anyhow::Result<()> {
        let mut f = t.create(kind)?;
        f.file().write_all(text.as_bytes())?;
        f.commit()
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_refuses_existing_and_replaces_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a.csv");
        write(&Target::new(&out, false), &CSV, "uno").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "uno");
        let e = write(&Target::new(&out, false), &CSV, "due").unwrap_err();
        assert!(e.to_string().contains("esiste già"), "{e}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "uno");
        write(&Target::new(&out, true), &CSV, "tre").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "tre");
        assert_eq!(entries(dir.path()), ["a.csv"]);
    }

    #[test]
    fn a_planted_part_link_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("important.conf");
        std::fs::write(&victim, "segreto").unwrap();
        let out = dir.path().join("elenchi.xlsx");
        std::os::unix::fs::symlink(&victim, dir.path().join("elenchi.xlsx.part")).unwrap();
        write(&Target::new(&out, false), &XLSX, "dati").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "segreto");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "dati");
    }

    #[test]
    fn refuses_devices_directories_and_wrong_extensions() {
        for (path, force) in [("/dev/null", true), ("/dev/full", false), ("/tmp", true)] {
            let e = Target::new(Path::new(path), force)
                .ensure_usable(&DATABASE)
                .unwrap_err();
            assert!(e.0.contains("non un file regolare"), "{e}");
        }
        let e = Target::new(Path::new("r.csv"), false)
            .ensure_usable(&XLSX)
            .unwrap_err();
        assert!(e.0.contains(".xlsx"), "{e}");
        let e = Target::new(Path::new("/non/esiste/r.xlsx"), false)
            .ensure_usable(&XLSX)
            .unwrap_err();
        assert!(e.0.contains("/non/esiste"), "{e}");
        assert!(Target::new(Path::new("-"), false).is_stdout());
    }

    #[test]
    fn dropped_before_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a.xlsx");
        let mut f = Target::new(&out, false).create(&XLSX).unwrap();
        f.file().write_all(b"mezzo").unwrap();
        drop(f);
        assert!(entries(dir.path()).is_empty());
    }
}

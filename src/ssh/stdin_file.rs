//! Files a remote operator sends on standard input: `ssh casa@host units import - < alloggi.csv`.
//! In a session every path is `-` (the server's files are not the operator's), and the
//! importers read a named file (an .xlsx is a zip archive, read by seeking), so the input is
//! first copied into a private temporary folder (0700, the file 0600), named by what it is —
//! an .xlsx when it starts like a zip archive, else the command's text format — and the
//! command reads that copy; the folder goes when the command ends.

use crate::bounded::{self, limits};
use crate::cli::Command;
use crate::service::InvalidInput;
use anyhow::{Result, anyhow};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// The most standard input may bring: the largest import file (a CSV); each reader then
/// applies its own, smaller limits.
pub const MAX_BYTES: u64 = limits::CSV_BYTES;

/// When `c` reads the file `-`, copies standard input aside and points `c` at the copy; the
/// folder to keep until `c` has run.
pub fn substitute(c: &mut Command) -> Result<Option<tempfile::TempDir>> {
    let Some((file, text_ext)) = crate::cli::file_read(c) else {
        return Ok(None);
    };
    if file.as_os_str() != "-" {
        return Ok(None);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(anyhow!(InvalidInput(
            "il file si manda sullo standard input, non da tastiera: ssh casa@host … - < FILE (senza -t)"
                .into()
        )));
    }
    let (dir, path) = spool(&mut stdin.lock(), text_ext, MAX_BYTES)?;
    *file = path;
    Ok(Some(dir))
}

/// Copies at most `max` bytes of `input` into a private folder, as `standard-input.EXT`.
fn spool(input: &mut dyn Read, text_ext: &str, max: u64) -> Result<(tempfile::TempDir, PathBuf)> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::Builder::new()
        .prefix("casa-stdin-")
        .permissions(std::fs::Permissions::from_mode(
            crate::private_files::DIR_MODE,
        ))
        .tempdir()?;
    let part = dir.path().join("standard-input.part");
    crate::private_files::create_file(&part)?;
    let mut out = std::fs::OpenOptions::new().write(true).open(&part)?;
    let copied = std::io::copy(&mut input.take(max + 1), &mut out)?;
    out.flush()?;
    if copied > max {
        return Err(anyhow!(bounded::Refused(format!(
            "lo standard input è troppo grande (al massimo {})",
            bounded::size_text(max)
        ))));
    }
    let ext = if starts_like_zip(&part)? {
        "xlsx"
    } else {
        text_ext
    };
    let path = dir.path().join(format!("standard-input.{ext}"));
    std::fs::rename(&part, &path)?;
    Ok((dir, path))
}

fn starts_like_zip(path: &Path) -> Result<bool> {
    let mut head = [0u8; 4];
    let mut f = std::fs::File::open(path)?;
    let n = f.read(&mut head)?;
    Ok(n == 4 && head == *b"PK\x03\x04")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn text_and_excel_are_named_by_what_they_are_privately_and_within_the_limit() {
        let (dir, csv) = spool(&mut &b"ID;COMUNE\n1;Milano\n"[..], "csv", 1024).unwrap();
        assert_eq!(csv.file_name().unwrap(), "standard-input.csv");
        assert_eq!(std::fs::read(&csv).unwrap(), b"ID;COMUNE\n1;Milano\n");
        assert_eq!(std::fs::metadata(dir.path()).unwrap().mode() & 0o777, 0o700);
        assert_eq!(std::fs::metadata(&csv).unwrap().mode() & 0o777, 0o600);
        let (_d, xlsx) = spool(&mut &b"PK\x03\x04rest"[..], "csv", 1024).unwrap();
        assert_eq!(xlsx.extension().unwrap(), "xlsx");
        let (_d, xml) = spool(&mut &b"<?xml version='1.0'?>"[..], "xml", 1024).unwrap();
        assert_eq!(xml.extension().unwrap(), "xml");
        let e = spool(&mut &[b'x'; 1025][..], "csv", 1024).unwrap_err();
        assert!(e.to_string().contains("troppo grande"), "{e}");
        let (_d, exact) = spool(&mut &[b'x'; 1024][..], "csv", 1024).unwrap();
        assert_eq!(std::fs::metadata(exact).unwrap().len(), 1024);
    }

    #[test]
    fn only_commands_that_read_a_file_given_as_dash_are_changed() {
        use clap::FromArgMatches;
        let parse = |line: &str| {
            let m = crate::cli::command()
                .try_get_matches_from(line.split(' '))
                .unwrap();
            crate::cli::Cli::from_arg_matches(&m)
                .unwrap()
                .command
                .unwrap()
        };
        for line in [
            "casa units import -",
            "casa applications import - --notice 1",
            "casa occupations import -",
            "casa rules check -",
            "casa rules load -",
        ] {
            assert!(crate::cli::file_read(&mut parse(line)).is_some(), "{line}");
        }
        for line in ["casa units count", "casa audit verify --checkpoint -"] {
            assert!(crate::cli::file_read(&mut parse(line)).is_none(), "{line}");
        }
        // A named file is left alone (the session's check refuses it before).
        assert!(
            substitute(&mut parse("casa units import a.csv"))
                .unwrap()
                .is_none()
        );
    }
}

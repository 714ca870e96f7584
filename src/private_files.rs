//! Files only their owner may read: the database (with its `-wal` and `-shm`), its folder,
//! the log. On a shared server one service account owns them and operators reach casa
//! through SSH, never through the files, so casa sets these modes itself, whatever the umask:
//! folders 0700, files 0600.

use std::fs::{DirBuilder, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
// O_CREAT | O_EXCL (create_new) never follows a symbolic link: it fails on one.
use std::path::{Path, PathBuf};

/// Mode of a folder casa creates.
pub const DIR_MODE: u32 = 0o700;
/// Mode of the database, its `-wal` and `-shm`, the log.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` and its missing parents, each new one with mode 0700 (exactly: the umask can
/// only take bits away, and is undone). Folders that existed are left as they are.
pub fn create_dir_all(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    if let Some(parent) = dir.parent() {
        create_dir_all(parent)?;
    }
    match DirBuilder::new().mode(DIR_MODE).create(dir) {
        Ok(()) => std::fs::set_permissions(dir, Permissions::from_mode(DIR_MODE)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Creates `path` empty with mode 0600 if it does not exist (never following a link planted
/// under its name: O_EXCL fails on one), so that SQLite, which gives the `-wal` and `-shm` the database's own mode,
/// starts from the right one.
pub fn create_file(path: &Path) -> io::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(FILE_MODE)
        .open(path)
    {
        Ok(f) => f.set_permissions(Permissions::from_mode(FILE_MODE)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Opens `path` for appending, creating it with mode 0600.
pub fn open_append(path: &Path) -> io::Result<std::fs::File> {
    let f = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(FILE_MODE)
        .open(path)?;
    tighten_file(&f)?;
    Ok(f)
}

fn tighten_file(f: &std::fs::File) -> io::Result<()> {
    let meta = f.metadata()?;
    if meta.mode() & 0o777 != FILE_MODE && meta.uid() == current_uid() {
        f.set_permissions(Permissions::from_mode(FILE_MODE))?;
    }
    Ok(())
}

/// Sets mode 0600 on the database and on its `-wal` and `-shm` when they exist and belong to
/// this user (an older casa, or a copy, may have left them readable by others).
pub fn tighten_database(db: &Path) -> io::Result<()> {
    for p in database_files(db) {
        match std::fs::metadata(&p) {
            Ok(meta)
                if meta.is_file()
                    && meta.uid() == current_uid()
                    && meta.mode() & 0o777 != FILE_MODE =>
            {
                std::fs::set_permissions(&p, Permissions::from_mode(FILE_MODE))?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The database file and its `-wal` and `-shm` companions.
pub fn database_files(db: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = db.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [db.to_path_buf(), with("-wal"), with("-shm")]
}

/// The effective user id of this process (from /proc, to need no libc crate).
pub fn current_uid() -> u32 {
    std::fs::metadata("/proc/self")
        .map(|m| m.uid())
        .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().mode() & 0o777
    }

    #[test]
    fn new_folders_and_files_are_private_whatever_was_asked() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b");
        create_dir_all(&deep).unwrap();
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&deep), 0o700);
        let db = deep.join("x.sqlite");
        create_file(&db).unwrap();
        assert_eq!(mode(&db), 0o600);
        // An existing file made readable by others is tightened, with its -wal.
        std::fs::set_permissions(&db, Permissions::from_mode(0o644)).unwrap();
        let wal = database_files(&db)[1].clone();
        std::fs::write(&wal, b"").unwrap();
        std::fs::set_permissions(&wal, Permissions::from_mode(0o666)).unwrap();
        tighten_database(&db).unwrap();
        assert_eq!((mode(&db), mode(&wal)), (0o600, 0o600));
        let log = deep.join("casa.log");
        drop(open_append(&log).unwrap());
        assert_eq!(mode(&log), 0o600);
    }

    #[test]
    fn a_link_under_the_database_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, b"keep").unwrap();
        let link = dir.path().join("db.sqlite");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        // It exists (as a link): nothing is created or changed through it.
        create_file(&link).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"keep");
    }
}

//! Files that hold secrets (the init response, the Nomad servers' token): created 0600, written
//! through a temporary sibling, fsync'd, renamed into place, and the directory fsync'd, so a
//! crash leaves either the old file or the complete new one — never a torn secret.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// A 0600 temporary file beside `target`, created before anything irreversible happens so an
/// unwritable place fails early. [`PendingSecretFile::commit`] moves it into place.
pub struct PendingSecretFile {
    temp: PathBuf,
    target: PathBuf,
    file: Option<File>,
    replace: bool,
}

/// Fails when `target` exists: a file holding secrets is never overwritten. For commands that
/// must refuse before doing anything else (minting a token, printing a warning).
pub fn ensure_absent(target: &Path) -> Result<()> {
    if target.exists() {
        bail!(
            "{} already exists: nvctl never overwrites a file holding secrets; move it away or choose another path",
            target.display()
        );
    }
    Ok(())
}

impl PendingSecretFile {
    /// Prepares to write a new file at `target`, which must not exist (secrets are never
    /// overwritten).
    pub fn create_new(target: &Path) -> Result<PendingSecretFile> {
        ensure_absent(target)?;
        Self::open(target, false)
    }

    /// Prepares to replace `target` (which may exist), e.g. when rotating a token.
    pub fn replace(target: &Path) -> Result<PendingSecretFile> {
        Self::open(target, true)
    }

    fn open(target: &Path, replace: bool) -> Result<PendingSecretFile> {
        let name = target
            .file_name()
            .with_context(|| format!("{} is not a file path", target.display()))?;
        let temp = target.with_file_name(format!(
            ".{}.nvctl-{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = open_private(&temp)
            .with_context(|| format!("cannot create a file in {}", parent(target).display()))?;
        crate::interrupt::register_temp(&temp);
        Ok(PendingSecretFile {
            temp,
            target: target.to_path_buf(),
            file: Some(file),
            replace,
        })
    }

    /// Writes `contents`, fsyncs, renames into place and fsyncs the directory.
    pub fn commit(mut self, contents: &[u8]) -> Result<()> {
        let mut file = self.file.take().context("secret file already written")?;
        file.write_all(contents)
            .and_then(|_| file.sync_all())
            .with_context(|| format!("cannot write {}", self.temp.display()))?;
        drop(file);
        if !self.replace && self.target.exists() {
            bail!(
                "{} appeared while nvctl was working: not overwriting it",
                self.target.display()
            );
        }
        std::fs::rename(&self.temp, &self.target)
            .with_context(|| format!("cannot move the new file to {}", self.target.display()))?;
        crate::interrupt::forget_temp(&self.temp);
        sync_dir(&self.target);
        Ok(())
    }

    pub fn target(&self) -> &Path {
        &self.target
    }
}

impl Drop for PendingSecretFile {
    fn drop(&mut self) {
        // Not committed (an error came first): leave no empty temp file behind.
        if self.temp.exists() {
            let _ = std::fs::remove_file(&self.temp);
        }
        crate::interrupt::forget_temp(&self.temp);
    }
}

/// Writes `contents` to a new 0600 file at `path` (which must not exist) and makes it durable
/// at once: for what must survive a crash the very next instant (a secret's raw answer, a note
/// that a secret was asked for). No temporary file: a torn write here still holds bytes that
/// exist nowhere else.
pub fn write_private_now(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file =
        open_private(path).with_context(|| format!("cannot create {}", path.display()))?;
    file.write_all(contents)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    sync_dir(path);
    Ok(())
}

/// Removes `path` and makes the removal durable; a file already gone is fine.
pub fn remove_durably(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {
            sync_dir(path);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot remove {}", path.display())),
    }
}

/// A new or renamed directory entry is only durable once the directory is on disk.
fn sync_dir(path: &Path) {
    if let Ok(dir) = File::open(parent(path)) {
        let _ = dir.sync_all();
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<File> {
    OpenOptions::new().write(true).create_new(true).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_new_refuses_an_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "old").unwrap();
        assert!(PendingSecretFile::create_new(&path).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
    }

    #[test]
    fn commit_writes_a_private_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        PendingSecretFile::create_new(&path)
            .unwrap()
            .commit(b"secret\n")
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "secret\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_uncommitted_file_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        drop(PendingSecretFile::create_new(&path).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn replace_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "old").unwrap();
        PendingSecretFile::replace(&path)
            .unwrap()
            .commit(b"new")
            .unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn unwritable_directory_fails_before_anything_else() {
        let path = Path::new("/nonexistent-dir-for-nvctl/token");
        assert!(PendingSecretFile::create_new(path).is_err());
    }
}

//! One process per session file: an exclusive lock on `<path>.lock`.
//!
//! The lock is the OS's (`File::try_lock`: `flock` on Unix, `LockFileEx` on Windows), held by
//! the open file and so released when the process ends in any way, `kill -9` included. A lock
//! file left behind by a dead process is therefore just a file: the next open locks it again.
//! The holder writes its process id into the file so the refused one can say who holds it.
//! A second open in the same process is refused too (the lock belongs to the open file, not
//! to the process).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::SessionError;

/// A held lock; dropping it releases the lock (the file stays).
#[derive(Debug)]
pub(crate) struct SessionLock {
    file: File,
    path: PathBuf,
}

impl SessionLock {
    /// Takes the lock of session file `session`, or says who holds it.
    pub(crate) fn acquire(session: &Path) -> Result<SessionLock, SessionError> {
        let mut name = session.as_os_str().to_owned();
        name.push(".lock");
        let path = PathBuf::from(name);
        let io = |source| SessionError::Io {
            path: path.clone(),
            source,
        };
        // Not truncated before the lock is ours: the holder's pid must stay readable.
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(SessionError::InUse {
                    path: session.to_owned(),
                    pid: holder_pid(&mut file),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(SessionLock { file, path })
    }
}

/// The pid in a held lock file. The holder writes it right after locking, so an empty file
/// is read again a few times before giving up.
fn holder_pid(file: &mut File) -> Option<u32> {
    for _ in 0..20 {
        let mut text = String::new();
        if file.seek(SeekFrom::Start(0)).is_ok()
            && file.read_to_string(&mut text).is_ok()
            && let Ok(pid) = text.trim().parse()
        {
            return Some(pid);
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    None
}

impl Drop for SessionLock {
    fn drop(&mut self) {
        // Leave no stale pid behind; the lock itself goes with the file handle.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
        log::trace!("released {}", self.path.display());
    }
}

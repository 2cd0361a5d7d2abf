//! The files of a SQLite database beside its pages: whether the database and its directory can
//! be written (judged before SQLite opens them, so a read-only file is refused by name instead
//! of failing on the first checkpoint), and the bound on the write-ahead log.
//!
//! The WAL bound: SQLite's passive checkpoints copy the log back but never make the writer start
//! it over while writes continue (a reader or a newer frame is always in the way), so under
//! steady load the -wal file grows without limit (issue 9: 67 MB → 647 MB in 20 s). After each
//! commit of the writing connection (one `stat`, no transaction open) the engine looks at the
//! log's size and, past the limit, runs a TRUNCATE checkpoint: it waits briefly for the writer
//! lock and for readers of older snapshots, copies what the background passive checkpoints have
//! not (`checkpointer.rs`) and cuts the file to zero. One that cannot get its locks in
//! `CHECKPOINT_WAIT` is tried again after `RETRY_AFTER`, so a reader holding an old snapshot
//! does not stall every commit.

use std::cell::Cell;
use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// Size of the -wal file past which the writer truncates it (also `journal_size_limit`).
pub const WAL_LIMIT_BYTES: u64 = 16 * 1024 * 1024;
const RETRY_AFTER: Duration = Duration::from_millis(100);
const CHECKPOINT_WAIT: Duration = Duration::from_millis(200);
/// The writing connection's usual busy timeout, restored after a checkpoint.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Why `path` cannot be written by this process, if it cannot (permissions, a read-only mount,
/// an immutable attribute). Asked of the kernel (`access(2)`), which also answers for root.
pub fn not_writable(path: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let c = CString::new(path.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    if unsafe { libc::access(c.as_ptr(), libc::W_OK) } == 0 {
        return None;
    }
    let err = std::io::Error::last_os_error();
    Some(match err.raw_os_error() {
        Some(libc::ENOENT) => return None,
        Some(libc::EACCES) => "permission denied".into(),
        Some(libc::EROFS) => "read-only file system".into(),
        Some(libc::EPERM) => "immutable".into(),
        _ => err.to_string(),
    })
}

/// The directory SQLite creates the -wal and -shm files in.
pub fn directory_of(path: &Path) -> PathBuf {
    match path.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => dir.to_path_buf(),
        None => PathBuf::from("."),
    }
}

/// Why a database at `path` could not be written, naming the file or directory at fault.
pub fn write_problem(path: &Path) -> Option<String> {
    if let Some(why) = not_writable(path) {
        return Some(format!("the file is read-only for this process ({why}); the engine writes every checkpoint to it"));
    }
    let dir = directory_of(path);
    if let Some(why) = not_writable(&dir) {
        // Existing, writable -wal and -shm files are all SQLite needs of the directory.
        let side = |suffix: &str| {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            PathBuf::from(p)
        };
        let (wal, shm) = (side("-wal"), side("-shm"));
        let usable = |p: &Path| p.exists() && not_writable(p).is_none();
        if !(usable(&wal) && usable(&shm)) {
            return Some(format!(
                "its directory {} is read-only for this process ({why}); SQLite keeps the write-ahead log ({} and {}) beside the database",
                dir.display(),
                file_name(&wal),
                file_name(&shm)
            ));
        }
    }
    None
}

fn file_name(p: &Path) -> String {
    p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Keeps the -wal file of one database under `limit` bytes (`None`: SQLite's own passive
/// checkpoints only, for the test that shows why this exists).
pub struct WalBound {
    wal: Option<PathBuf>,
    limit: Cell<Option<u64>>,
    /// After a checkpoint that waited in vain, none before this.
    not_before: Cell<Option<Instant>>,
}

impl WalBound {
    pub fn new(db_path: &str) -> WalBound {
        let wal = (db_path != ":memory:").then(|| PathBuf::from(format!("{db_path}-wal")));
        WalBound { wal, limit: Cell::new(Some(WAL_LIMIT_BYTES)), not_before: Cell::new(None) }
    }

    pub fn set_limit(&self, limit: Option<u64>) {
        self.limit.set(limit);
    }

    /// Called after each commit of the writing connection (no transaction open).
    pub fn after_commit(&self, conn: &Connection) {
        let (Some(wal), Some(limit)) = (&self.wal, self.limit.get()) else { return };
        if self.not_before.get().is_some_and(|t| Instant::now() < t) {
            return;
        }
        let size = std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0);
        if size <= limit {
            return;
        }
        // Busy with the log and copied frames at -1: another connection's passive checkpoint
        // holds the checkpoint lock, and the next commit tries again. Busy after waiting: a
        // reader of an old snapshot; try again later. Errors are the next write's to report.
        let answer = truncate(conn);
        let waited = matches!(answer, Ok((1, log)) if log >= 0);
        self.not_before.set(waited.then(|| Instant::now() + RETRY_AFTER));
    }
}

/// Copies the log back and cuts it to zero, waiting at most `CHECKPOINT_WAIT` for the locks;
/// answers SQLite's (busy, log frames) pair.
pub fn truncate(conn: &Connection) -> rusqlite::Result<(i64, i64)> {
    conn.busy_timeout(CHECKPOINT_WAIT)?;
    let answer = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)));
    conn.busy_timeout(BUSY_TIMEOUT)?;
    answer
}

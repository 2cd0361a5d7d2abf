//! Copies the write-ahead log back into the database file on a background thread, so the fsync
//! and page copying of SQLite's WAL checkpoints stay off the checkpoint path of invocations.

use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::periodic::Periodic;

const INTERVAL: Duration = Duration::from_millis(100);

pub(crate) struct WalCheckpointer {
    _thread: Periodic,
}

impl WalCheckpointer {
    pub fn start(path: &str) -> Option<WalCheckpointer> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ok()?;
        conn.busy_timeout(Duration::from_millis(50)).ok()?;
        let thread = Periodic::start("durable-wal-checkpoint", INTERVAL, move || {
            // PASSIVE never blocks writers; whatever it cannot copy now it copies later.
            let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
            true
        })?;
        Some(WalCheckpointer { _thread: thread })
    }
}

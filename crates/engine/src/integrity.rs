//! `PRAGMA integrity_check` on the engine's database, for operators and the chaos campaign
//! (`durable-node check`): SQLite's own verdict on the file after crashes.

use crate::engine::Engine;
use crate::error::Result;
use crate::store::Store;

impl Store {
    /// SQLite's `PRAGMA integrity_check`: `["ok"]` for an intact file, otherwise one line per
    /// problem found (SQLite stops after 100).
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<String>>>()?)
    }
}

impl Engine {
    /// Checks the whole database file (see [`Store::integrity_check`]). Read-only.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.read(|s| s.integrity_check())
    }
}

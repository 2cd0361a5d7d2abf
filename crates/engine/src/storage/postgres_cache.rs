//! The execution rows a PostgreSQL write transaction holds locked, as it last read or wrote
//! them. A locked row cannot change under the transaction except by its own writes (which
//! update the cache), so reading it again needs no round trip: a group commit locks all its
//! executions in one query and then serves each request from here. Lives for one transaction;
//! a rollback to a savepoint empties it (the row may be back to an older state).

use std::cell::RefCell;
use std::collections::HashMap;

use super::ExecRow;
use crate::model::Operation;

#[derive(Default)]
pub(super) struct RowCache {
    by_id: RefCell<HashMap<i64, ExecRow>>,
    ids: RefCell<HashMap<String, i64>>,
    /// The last history event id of each locked execution (its events are appended only by
    /// writers holding its lock).
    last_events: RefCell<HashMap<i64, i64>>,
    /// Every record of a locked execution in start order, until one of them is written.
    ops: RefCell<HashMap<i64, Vec<CachedOp>>>,
}

/// A record as the operations table holds it: with its start order and its last change.
pub(super) struct CachedOp {
    pub op: Operation,
    pub seq: i64,
    pub change_seq: i64,
}

impl RowCache {
    pub fn clear(&self) {
        self.by_id.borrow_mut().clear();
        self.ids.borrow_mut().clear();
        self.last_events.borrow_mut().clear();
        self.ops.borrow_mut().clear();
    }

    pub fn ops(&self, exec_id: i64) -> Option<Vec<Operation>> {
        self.ops.borrow().get(&exec_id).map(|ops| ops.iter().map(|c| c.op.clone()).collect())
    }

    /// The records changed after `change_seq`, in start order; `None` when not cached.
    pub fn ops_changed_since(&self, exec_id: i64, change_seq: i64) -> Option<Vec<Operation>> {
        let ops = self.ops.borrow();
        Some(ops.get(&exec_id)?.iter().filter(|c| c.change_seq > change_seq).map(|c| c.op.clone()).collect())
    }

    /// One record and its start order (`Some(None)`: the execution has no such record);
    /// `None` when the execution's records are not cached.
    pub fn op(&self, exec_id: i64, id: &str) -> Option<Option<(Operation, i64)>> {
        let ops = self.ops.borrow();
        Some(ops.get(&exec_id)?.iter().find(|c| c.op.id == id).map(|c| (c.op.clone(), c.seq)))
    }

    pub fn set_ops(&self, exec_id: i64, ops: Vec<CachedOp>) {
        self.ops.borrow_mut().insert(exec_id, ops);
    }

    /// A record of the execution was written: its list is no longer known.
    pub fn forget_ops(&self, exec_id: i64) {
        self.ops.borrow_mut().remove(&exec_id);
    }

    pub fn last_event(&self, exec_id: i64) -> Option<i64> {
        self.last_events.borrow().get(&exec_id).copied()
    }

    pub fn set_last_event(&self, exec_id: i64, event_id: i64) {
        self.last_events.borrow_mut().insert(exec_id, event_id);
    }

    pub fn by_id(&self, id: i64) -> Option<ExecRow> {
        self.by_id.borrow().get(&id).cloned()
    }

    pub fn by_arn(&self, arn: &str) -> Option<ExecRow> {
        let id = *self.ids.borrow().get(arn)?;
        self.by_id(id)
    }

    pub fn has_arn(&self, arn: &str) -> bool {
        self.ids.borrow().contains_key(arn)
    }

    pub fn put(&self, row: &ExecRow) {
        self.ids.borrow_mut().insert(row.arn.clone(), row.id);
        self.by_id.borrow_mut().insert(row.id, row.clone());
    }

    /// The row changed in a way the cache does not follow (a lease renewal), or is gone.
    pub fn forget(&self, id: i64) {
        if let Some(row) = self.by_id.borrow_mut().remove(&id) {
            self.ids.borrow_mut().remove(&row.arn);
        }
        self.last_events.borrow_mut().remove(&id);
        self.ops.borrow_mut().remove(&id);
    }
}

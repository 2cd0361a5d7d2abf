//! Firing timers: the one place where the passing of time changes operation records. Each due
//! timer is handed to its operation's state machine (waits elapse, retries become ready,
//! callbacks time out), which records its event and wakes the execution.

use crate::core::Core;
use crate::error::Result;
use crate::lifecycle::apply_outside;
use crate::model::ExecutionStatus;
use crate::ops::OpEvent;
use crate::storage::{DueTimer, Storage, TaskFilter};

/// Timers fired per transaction, so one firing burst cannot hold the lock for long.
const BATCH: i64 = 256;

/// Fires every timer due at `now`. Returns how many changed a record.
pub(crate) fn fire_due(core: &Core, now: i64) -> Result<usize> {
    let mut fired = 0;
    loop {
        let (changed, seen) = core.write(|s| {
            let due = s.due_timers(now, BATCH)?;
            let mut changed = 0;
            for timer in &due {
                s.clear_timer(timer.exec_id, &timer.op_id, timer.kind)?;
                if fire_one(s, timer, now)? {
                    changed += 1;
                }
            }
            Ok((changed, due.len()))
        })?;
        fired += changed;
        if (seen as i64) < BATCH {
            break;
        }
    }
    if fired > 0 {
        core.wake_waiters();
    }
    Ok(fired)
}

fn fire_one(s: &dyn Storage, timer: &DueTimer, now: i64) -> Result<bool> {
    let mut exec = s.exec_by_id(timer.exec_id)?;
    if exec.status != ExecutionStatus::Running {
        return Ok(false);
    }
    let Some((op, seq)) = s.get_op(timer.exec_id, &timer.op_id)? else { return Ok(false) };
    apply_outside(s, &mut exec, &op, seq, OpEvent::Timer(timer.kind), now)
}

/// When the next timer of the selected executions fires, or an idle one is due (engine clock).
pub(crate) fn next_due(core: &Core, filter: &TaskFilter) -> Result<Option<i64>> {
    core.read(|s| s.next_due_time(filter))
}

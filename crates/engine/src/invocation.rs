//! The invocation lifecycle: claiming an execution that is due (with a lease, so two engines
//! on one storage never run the same invocation), building the invocation input, recording how
//! the invocation ended, and recovering invocations whose owner went away.

use std::collections::HashSet;

use crate::checkpoint::{paginate, prune};
use crate::core::{lock, ActiveInvocation, Core};
use crate::error::{EngineError, Result};
use crate::history;
use crate::lifecycle::{append_events, finish_execution, pause_takes_effect, to_execution};
use crate::model::{ErrorObject, Execution, ExecutionStatus, InvocationOutput, InvocationStatus, Operation, OperationType};
use crate::ops::execution::ExecEvent;
use crate::storage::{in_savepoint, ExecRow, Storage};
use crate::token::TokenClaims;

/// An invocation the caller must now run: the AWS invocation input plus what the caller needs
/// to find the handler.
#[derive(Debug, Clone)]
pub struct Task {
    pub function_name: String,
    pub arn: String,
    pub token: String,
    pub request_id: String,
    pub invocation_number: i64,
    pub operations: Vec<Operation>,
    pub next_marker: Option<String>,
    pub updated_operation_ids: Vec<String>,
}

pub(crate) const CRASH_ERROR_TYPE: &str = "Runtime.ExitError";

/// Records the end of an invocation that will never report (its owner died or its lease
/// expired) and makes the execution due again.
pub(crate) fn recover(s: &dyn Storage, exec: &mut ExecRow, now: i64) -> Result<()> {
    let error = ErrorObject::new(CRASH_ERROR_TYPE, "The invocation ended without a result: its process exited or its lease expired.");
    let mut events = Vec::new();
    if let Some(lease) = exec.invocation.lease.take() {
        events.push(history::invocation_completed(lease.started_ms, now, &lease.request_id, Some(&error)));
    }
    events.extend(pause_takes_effect(exec, now));
    append_events(s, exec.id, &events)?;
    exec.wake_ms = Some(now);
    s.update_exec(exec)
}

/// Marks `exec` as being invoked by this engine and builds its invocation input. The caller
/// registers the returned invocation with `activate` once the claim has committed: a claim
/// whose transaction failed (or is retried) must leave no trace in this engine.
pub(crate) fn begin(core: &Core, s: &dyn Storage, exec: &mut ExecRow, now: i64) -> Result<(Task, ActiveInvocation)> {
    let inv = &mut exec.invocation;
    let updated: Vec<String> = if inv.count > 0 && exec.change_seq > inv.delivered_seq {
        s.ops_changed_since(exec.id, inv.delivered_seq)?.into_iter().map(|op| op.id).collect()
    } else {
        Vec::new()
    };
    inv.count += 1;
    let lease = core.me.lease(now, core.config.lease_ms);
    let request_id = lease.request_id.clone();
    let expires = lease.expires_ms;
    inv.lease = Some(lease);
    inv.delivered_seq = exec.change_seq;
    exec.wake_ms = None;
    s.update_exec(exec)?;
    let epoch = exec.invocation.count;
    let all = s.ops_in_order(exec.id)?;
    let known_ops: HashSet<String> = all.iter().map(|op| op.id.clone()).collect();
    let op_count = all.iter().filter(|op| op.op_type != OperationType::Execution).count() as i64;
    let next_event_id = s.last_event_id(exec.id)? + 1;
    let pruned = prune(all);
    let initial_state = Some((exec.arn.clone(), pruned.clone()));
    let active = ActiveInvocation { epoch, token_seq: 0, delivered_seq: exec.change_seq, lease_expires_ms: expires, op_count, known_ops, progressed: false, next_event_id, initial_state };
    let page = paginate(pruned, 0, core.config.page_size);
    let task = Task {
        function_name: exec.function_name.clone(),
        arn: exec.arn.clone(),
        token: core.tokens.issue(TokenClaims { exec_id: exec.id, epoch, seq: 0 }),
        request_id,
        invocation_number: epoch,
        operations: page.operations,
        next_marker: page.next_marker,
        updated_operation_ids: updated,
    };
    Ok((task, active))
}

/// Registers invocations whose claim committed: from now on this engine renews their leases
/// and accepts their tokens.
pub(crate) fn activate(core: &Core, claimed: Vec<(Task, ActiveInvocation)>, exec_ids: &[i64]) -> Vec<Task> {
    let mut active = lock(&core.active);
    claimed
        .into_iter()
        .zip(exec_ids)
        .map(|((task, invocation), id)| {
            active.insert(*id, invocation);
            crate::timers::note_activity(core, 1);
            task
        })
        .collect()
}

/// Loads the execution whose active invocation `token` names (any token of it), even if a
/// checkpoint has already ended the execution.
fn invocation_exec(core: &Core, s: &dyn Storage, arn: &str, token: &str) -> Result<ExecRow> {
    let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })?;
    let ours = exec.invocation.lease.as_ref().is_some_and(|l| l.owner == core.me.owner);
    let current = core.tokens.verify(token).is_some_and(|c| c.exec_id == exec.id && c.epoch == exec.invocation.count);
    if !ours || !current {
        return Err(EngineError::InvalidToken { reason: format!("the token does not belong to the active invocation of {arn}") });
    }
    Ok(exec)
}

/// Records the invocation's end; returns whether it checkpointed anything.
fn end_invocation(core: &Core, s: &dyn Storage, exec: &mut ExecRow, now: i64, error: Option<&ErrorObject>) -> Result<bool> {
    if let Some(lease) = exec.invocation.lease.take() {
        append_events(s, exec.id, &[history::invocation_completed(lease.started_ms, now, &lease.request_id, error)])?;
    }
    let mut progressed = false;
    core.set_busy(&exec.arn, false);
    if let Some(done) = lock(&core.active).remove(&exec.id) {
        exec.invocation.delivered_seq = done.delivered_seq;
        progressed = done.progressed;
        crate::timers::note_activity(core, -1);
    }
    Ok(progressed)
}

/// Records what the handler answered (PROTOCOL.md §2.2, §10).
pub(crate) fn complete(core: &Core, arn: &str, token: &str, output: &InvocationOutput) -> Result<Execution> {
    let now = core.now();
    let execution = core.write(|s| complete_in(core, s, arn, token, output, now))?;
    core.wake_waiters();
    Ok(execution)
}

/// Group completion: what several invocations answered, recorded in one transaction (as
/// `checkpoint_many` groups checkpoints), each isolated by a savepoint.
pub(crate) fn complete_many(core: &Core, ends: &[(String, String, InvocationOutput)]) -> Result<Vec<Result<Execution>>> {
    let now = core.now();
    let outcomes = core.write(|s| {
        let arns: Vec<&str> = ends.iter().map(|(arn, _, _)| arn.as_str()).collect();
        s.prefetch_execs(&arns)?;
        // An invocation that answered PENDING has its records read (is anything pending?).
        let ids: Vec<i64> = arns.iter().filter_map(|arn| s.exec_by_arn(arn).ok().flatten().map(|e| e.id)).collect();
        s.prefetch_ops(&ids)?;
        Ok(ends.iter().map(|(arn, token, output)| in_savepoint(s, || complete_in(core, s, arn, token, output, now))).collect())
    })?;
    core.wake_waiters();
    Ok(outcomes)
}

fn complete_in(core: &Core, s: &dyn Storage, arn: &str, token: &str, output: &InvocationOutput, now: i64) -> Result<Execution> {
    let mut exec = invocation_exec(core, s, arn, token)?;
    end_invocation(core, s, &mut exec, now, None)?;
    exec.invocation.failed = 0;
    // A verdict ends the execution even if a pause was requested meanwhile (the pause had
    // nothing left to interrupt); a PAUSED one is not invoked again until resumed.
    if exec.status.is_live() {
        match output.status {
            InvocationStatus::Succeeded => {
                finish_execution(s, &mut exec, ExecEvent::Succeed(output.result.clone()), now)?;
            }
            InvocationStatus::Failed => {
                finish_execution(s, &mut exec, ExecEvent::Fail(output.error.clone().unwrap_or_default()), now)?;
            }
            InvocationStatus::Pending => {
                if exec.change_seq > exec.invocation.delivered_seq {
                    // Something changed that this invocation never saw (a callback
                    // completed during it, say): invoke again now, even if that change
                    // left nothing pending.
                    exec.wake_ms = Some(now);
                } else if s.ops_in_order(exec.id)?.iter().any(Operation::is_pending_on_service) {
                    exec.wake_ms = None;
                } else {
                    let error = ErrorObject::new("InvalidParameterValueException", "Cannot return PENDING status with no pending operations.");
                    finish_execution(s, &mut exec, ExecEvent::Fail(error), now)?;
                }
            }
        }
    }
    if let Some(paused) = pause_takes_effect(&mut exec, now) {
        append_events(s, exec.id, &[paused])?;
    }
    s.update_exec(&exec)?;
    Ok(to_execution(&exec))
}

/// Records that the invocation itself failed (the handler threw instead of answering). The
/// one place retries of invocations are decided: the execution is invoked again after a delay
/// that doubles with each failure in a row (as Lambda retries a failed invocation, with
/// backoff), and after `max_failed_invocations` failures in a row that checkpointed nothing it
/// ends FAILED with the last error, named.
pub(crate) fn fail(core: &Core, arn: &str, token: &str, error: &ErrorObject) -> Result<Execution> {
    let now = core.now();
    let execution = core.write(|s| {
        let mut exec = invocation_exec(core, s, arn, token)?;
        let progressed = end_invocation(core, s, &mut exec, now, Some(error))?;
        if exec.status == ExecutionStatus::Paused {
            // The pause took effect and refused its checkpoints: interrupted, not failing. It
            // is invoked again as soon as it is resumed.
            exec.wake_ms = Some(now);
            s.update_exec(&exec)?;
            return Ok(to_execution(&exec));
        }
        exec.invocation.failed = if progressed { 1 } else { exec.invocation.failed + 1 };
        let failed = exec.invocation.failed;
        if exec.status.is_live() {
            if failed >= core.config.max_failed_invocations {
                let cause = error.error_message.as_deref().unwrap_or("no message");
                let kind = error.error_type.as_deref().unwrap_or("Error");
                let message = format!("the invocation failed {failed} times in a row without checkpointing anything; the last failure: {kind}: {cause}");
                let ended = ErrorObject { error_message: Some(message), ..error.clone() };
                finish_execution(s, &mut exec, ExecEvent::Fail(ended), now)?;
            } else {
                let backoff = core.config.invocation_retry_delay_ms.saturating_mul(1 << (failed - 1).clamp(0, 20));
                exec.wake_ms = Some(now + backoff.min(crate::config::MAX_RETRY_DELAY_MS));
            }
        }
        if let Some(paused) = pause_takes_effect(&mut exec, now) {
            append_events(s, exec.id, &[paused])?;
        }
        s.update_exec(&exec)?;
        Ok(to_execution(&exec))
    })?;
    core.stats.invocation_failed(error.error_type.as_deref().unwrap_or("Error"), 1);
    core.wake_waiters();
    Ok(execution)
}

//! An execution's life outside its invocations: creating it, persisting what an operation's
//! state machine decided, waking it when something changed, ending it (and telling a
//! chained-invoke caller). Every writer of records and events goes through here.

use crate::config::DurableConfig;
use crate::error::{EngineError, Result};
use crate::history::{self, Event};
use crate::ids;
use crate::model::{Execution, ExecutionStatus, Operation, OperationStatus, OperationType};
use crate::ops::execution::{self as exec_sm, ControlState, ExecEvent};
use crate::ops::{self, ChildOutcome, Effect, OpEvent, Transition, Verdict};
use crate::storage::{ExecRow, InvocationState, Storage};

const NAME_LIMIT: usize = 64;

/// Function and execution names: 1 to 64 letters, digits, '-' and '_'.
pub(crate) fn check_name(field: &str, value: &str) -> Result<()> {
    let ok_chars = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if value.is_empty() || value.len() > NAME_LIMIT || !ok_chars {
        return Err(EngineError::parameter(
            field,
            format!("{value:?}"),
            format!("must be 1 to {NAME_LIMIT} characters of letters, digits, '-' and '_'"),
        ));
    }
    Ok(())
}

/// Who started an execution that a chained invoke created.
pub(crate) struct ParentLink<'a> {
    pub exec_id: i64,
    pub op_id: &'a str,
    pub root_arn: &'a str,
}

/// Inserts a new running execution, its EXECUTION operation and `ExecutionStarted`; it is due
/// for its first invocation at once.
pub(crate) fn create_execution(
    s: &dyn Storage,
    function_name: &str,
    name: Option<&str>,
    input: Option<&str>,
    parent: Option<ParentLink<'_>>,
    now: i64,
    durable: DurableConfig,
) -> Result<ExecRow> {
    let timeout_s = durable.execution_timeout_s;
    let invocation_id = ids::random_id();
    let exec_name = name.map(str::to_string).unwrap_or_else(|| invocation_id.clone());
    let arn = ids::execution_arn(function_name, &exec_name, &invocation_id);
    let mut row = ExecRow {
        id: 0,
        root_arn: parent.as_ref().map(|p| p.root_arn.to_string()).unwrap_or_else(|| arn.clone()),
        parent_exec_id: parent.as_ref().map(|p| p.exec_id),
        parent_op_id: parent.as_ref().map(|p| p.op_id.to_string()),
        arn,
        function_name: function_name.to_string(),
        name: exec_name,
        exec_op_id: invocation_id,
        input: input.map(str::to_string),
        status: ExecutionStatus::Running,
        result: None,
        error: None,
        start_ms: now,
        end_ms: None,
        timeout_s,
        change_seq: 0,
        wake_ms: Some(now),
        invocation: InvocationState::default(),
        deadline_ms: Some(now + timeout_s * 1000),
        purge_ms: None,
        retention_days: durable.retention_days,
        pause: None,
    };
    row.id = s.insert_exec(&row)?;
    let mut op = Operation::new(&row.exec_op_id, OperationType::Execution, OperationStatus::Started, now);
    op.input_payload = row.input.clone();
    s.put_op(row.id, &op, 0, 0)?;
    append_events(s, row.id, &[history::execution_started(&op, timeout_s, now)])?;
    Ok(row)
}

pub(crate) fn resolve(s: &dyn Storage, arn_or_name: &str) -> Result<ExecRow> {
    if let Some(row) = s.exec_by_arn(arn_or_name)? {
        return Ok(row);
    }
    let mut named = s.execs_named(arn_or_name)?;
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(EngineError::ExecutionNotFound { arn: arn_or_name.to_string() }),
        n => Err(EngineError::parameter(
            "execution",
            format!("{arn_or_name:?}"),
            format!("{n} executions of different functions have this name; use the ARN"),
        )),
    }
}

pub(crate) fn to_execution(row: &ExecRow) -> Execution {
    Execution {
        arn: row.arn.clone(),
        name: row.name.clone(),
        function_name: row.function_name.clone(),
        status: row.status,
        input: row.input.clone(),
        result: row.result.clone(),
        error: row.error.clone(),
        start_ms: row.start_ms,
        end_ms: row.end_ms,
        timeout_s: row.timeout_s,
        retention_days: row.retention_days,
        deadline_ms: row.deadline_ms,
        pause: row.pause.clone(),
    }
}

/// What the control state machine (ops/execution.rs) reads of an execution.
pub(crate) fn control_state(exec: &ExecRow) -> ControlState {
    ControlState {
        status: exec.status,
        invoking: exec.invocation.lease.is_some(),
        start_ms: exec.start_ms,
        deadline_ms: exec.deadline_ms,
        pause: exec.pause.clone(),
    }
}

/// Takes what the control state machine decided into the row (the caller writes it back).
pub(crate) fn set_control_state(exec: &mut ExecRow, state: ControlState) {
    exec.status = state.status;
    exec.deadline_ms = state.deadline_ms;
    exec.pause = state.pause;
}

/// A PAUSING execution whose invocation reached a checkpoint or ended: PAUSED from now on.
/// Returns the `ExecutionPaused` event to record, if the pause took effect.
pub(crate) fn pause_takes_effect(exec: &mut ExecRow, now: i64) -> Option<Event> {
    let mut state = control_state(exec);
    let event = exec_sm::pause_takes_effect(&exec.exec_op_id, &mut state, now)?;
    set_control_state(exec, state);
    Some(event)
}

/// Numbers events after the last one stored, so processes sharing storage never collide.
pub(crate) struct EventLog {
    exec_id: i64,
    next: i64,
}

impl EventLog {
    pub fn open(s: &dyn Storage, exec_id: i64) -> Result<EventLog> {
        Ok(EventLog { exec_id, next: s.last_event_id(exec_id)? + 1 })
    }

    /// A log whose next id is known (kept by the invocation that appends to it).
    pub fn at(exec_id: i64, next: i64) -> EventLog {
        EventLog { exec_id, next }
    }

    pub fn next_id(&self) -> i64 {
        self.next
    }

    /// Stores `events` in order; returns the id given to the first one.
    pub fn append(&mut self, s: &dyn Storage, events: &[Event]) -> Result<i64> {
        let first = self.next;
        for event in events {
            s.insert_event(self.exec_id, self.next, event)?;
            self.next += 1;
        }
        Ok(first)
    }
}

pub(crate) fn append_events(s: &dyn Storage, exec_id: i64, events: &[Event]) -> Result<()> {
    EventLog::open(s, exec_id)?.append(s, events).map(|_| ())
}

/// Marks a change made outside an invocation and makes the execution due for one.
pub(crate) fn wake(exec: &mut ExecRow, now: i64) {
    exec.change_seq += 1;
    if exec.wake_ms.is_none_or(|w| w > now) {
        exec.wake_ms = Some(now);
    }
}

/// Runs an operation's state machine on an event from outside the execution (a timer, a
/// callback completion, a child's end) and persists the outcome. Returns whether it applied.
pub(crate) fn apply_outside(s: &dyn Storage, exec: &mut ExecRow, op: &Operation, seq: i64, event: OpEvent<'_>, now: i64) -> Result<bool> {
    let Verdict::Apply(t) = ops::transition(op.op_type, Some(op), event, now)? else { return Ok(false) };
    let Transition { record, events, effects } = t;
    for effect in &effects {
        match effect {
            Effect::ArmTimer { kind, due_ms } => s.arm_timer(exec.id, &op.id, *kind, *due_ms)?,
            Effect::ClearTimers => s.clear_timers(exec.id, &op.id)?,
            Effect::WakeExecution => wake(exec, now),
            Effect::StartTarget => {}
        }
    }
    if let Some(record) = record {
        s.put_op(exec.id, &record, seq, exec.change_seq)?;
    }
    append_events(s, exec.id, &events)?;
    s.update_exec(exec)?;
    Ok(true)
}

/// Ends a running execution: status, outcome, terminal event, no more timers or invocations,
/// a chained-invoke caller told. The caller writes `exec` back. Returns false (and changes
/// nothing) when it had already ended.
pub(crate) fn finish_execution(s: &dyn Storage, exec: &mut ExecRow, event: ExecEvent, now: i64) -> Result<bool> {
    let Some(end) = exec_sm::transition(&exec.exec_op_id, exec.status, event, now) else { return Ok(false) };
    exec.status = end.status;
    exec.result = end.result;
    exec.error = end.error;
    exec.end_ms = Some(now);
    exec.wake_ms = None;
    exec.deadline_ms = None;
    exec.pause = None;
    exec.purge_ms = Some(now + exec.retention_days * 86_400_000);
    append_events(s, exec.id, &[end.event])?;
    s.clear_exec_timers(exec.id)?;
    s.end_op(exec.id, &exec.exec_op_id, end.status.operation_status(), now, exec.change_seq)?;
    report_to_parent(s, exec, now)?;
    Ok(true)
}

/// Writes an ended execution's outcome to the CHAINED_INVOKE operation that started it.
fn report_to_parent(s: &dyn Storage, child: &ExecRow, now: i64) -> Result<()> {
    let (Some(parent_id), Some(op_id)) = (child.parent_exec_id, child.parent_op_id.as_deref()) else { return Ok(()) };
    // A caller whose data is gone (deleted, or past its retention) has no operation to tell.
    let Some((op, seq)) = s.get_op(parent_id, op_id)? else { return Ok(()) };
    let mut parent = s.exec_by_id(parent_id)?;
    if !parent.status.is_live() {
        return Ok(());
    }
    let outcome = ChildOutcome { status: child.status, result: child.result.clone(), error: child.error.clone() };
    apply_outside(s, &mut parent, &op, seq, OpEvent::ChildEnded(&outcome), now).map(|_| ())
}

/// Creates the target execution of a started CHAINED_INVOKE and records
/// `ChainedInvokeStarted`; returns that event's id (the operation's start order).
pub(crate) fn start_target(s: &dyn Storage, caller: &ExecRow, op: &Operation, events: &mut EventLog, now: i64, durable: DurableConfig) -> Result<i64> {
    let target = op.invoke_function.as_deref().unwrap_or_default();
    let function = ops::invoke::function_name_of(target);
    let parent = ParentLink { exec_id: caller.id, op_id: &op.id, root_arn: &caller.root_arn };
    let child = create_execution(s, function, None, op.input_payload.as_deref(), Some(parent), now, durable)?;
    events.append(s, &[history::chained_invoke_started(op, Some(&child.arn), now)])
}

//! Operation state machines: one pure module per operation type, each opening with its
//! transition table (current status, event) → (new status, history events, effects). A
//! checkpoint update is validated and applied by the same table entry, as are timer firings,
//! callback completions and child outcomes. No storage here: callers persist the `Transition`.

pub mod callback;
pub mod context;
pub mod execution;
pub mod invoke;
pub mod step;
pub mod wait;

use crate::error::{EngineError, Result};
use crate::history::Event;
use crate::model::{Action, ErrorObject, ExecutionStatus, Operation, OperationStatus, OperationType, OperationUpdate, TimerKind};

/// Something that happens to an operation.
#[derive(Debug, Clone, Copy)]
pub enum OpEvent<'a> {
    /// A checkpoint update (its type and action already parsed by the request rules).
    Update(&'a OperationUpdate, Action),
    /// A timer of this operation fired.
    Timer(TimerKind),
    /// A callback was completed from outside the execution.
    Callback(&'a CallbackCompletion),
    /// The execution a chained invoke started has ended.
    ChildEnded(&'a ChildOutcome),
}

#[derive(Debug, Clone, PartialEq)]
pub enum CallbackCompletion {
    Success(Option<String>),
    Failure(ErrorObject),
    Heartbeat,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChildOutcome {
    pub status: ExecutionStatus,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
}

/// What a transition asks the caller to do beside writing the record and events.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    ArmTimer { kind: TimerKind, due_ms: i64 },
    /// The operation needs no timer any more.
    ClearTimers,
    /// A chained invoke started: create the target execution (and record its started event).
    StartTarget,
    /// The change happened outside an invocation: the execution must be invoked to see it.
    WakeExecution,
}

/// An accepted event.
#[derive(Debug, Clone)]
pub struct Transition {
    /// The record to write; `None` leaves it as it is.
    pub record: Option<Operation>,
    pub events: Vec<Event>,
    pub effects: Vec<Effect>,
}

impl Transition {
    fn to(record: Operation) -> Self {
        Transition { record: Some(record), events: Vec::new(), effects: Vec::new() }
    }

    fn event(mut self, e: Event) -> Self {
        self.events.push(e);
        self
    }

    fn effect(mut self, e: Effect) -> Self {
        self.effects.push(e);
        self
    }
}

/// The verdict of a state machine. Updates and callback completions that do not fit are
/// errors; timers and child outcomes that no longer apply are ignored.
#[derive(Debug, Clone)]
pub enum Verdict {
    Apply(Transition),
    Ignore,
}

/// Whether `action` is ever valid for `op_type` (the request rules ask before any record).
pub fn accepts(op_type: OperationType, action: Action) -> bool {
    let actions: &[Action] = match op_type {
        OperationType::Step => step::ACTIONS,
        OperationType::Wait => wait::ACTIONS,
        OperationType::Callback => callback::ACTIONS,
        OperationType::Context => context::ACTIONS,
        OperationType::ChainedInvoke => invoke::ACTIONS,
        OperationType::Execution => execution::ACTIONS,
    };
    actions.contains(&action)
}

/// Runs the state machine of `op_type` on `current` (None: the operation does not exist yet).
pub fn transition(op_type: OperationType, current: Option<&Operation>, event: OpEvent<'_>, now: i64) -> Result<Verdict> {
    if let (Some(record), OpEvent::Update(update, _)) = (current, event) {
        if record.op_type != op_type {
            return Err(refuse(update, format!("operation is recorded as {} but the update is for a {}", record.op_type, op_type)));
        }
    }
    match op_type {
        OperationType::Step => step::transition(current, event, now),
        OperationType::Wait => wait::transition(current, event, now),
        OperationType::Callback => callback::transition(current, event, now),
        OperationType::Context => context::transition(current, event, now),
        OperationType::ChainedInvoke => invoke::transition(current, event, now),
        // The execution's own record changes with the execution (lifecycle.rs).
        OperationType::Execution => Ok(Verdict::Ignore),
    }
}

/// The refusal of an update, naming the operation as the code named it.
pub(crate) fn refuse(update: &OperationUpdate, reason: impl Into<String>) -> EngineError {
    EngineError::checkpoint(&update.id, update.name.as_deref(), &update.action, reason)
}

/// A new record for an operation's first update.
fn fresh(update: &OperationUpdate, op_type: OperationType, now: i64) -> Operation {
    let mut op = Operation::new(&update.id, op_type, OperationStatus::Started, now);
    op.parent_id = update.parent_id.clone();
    op.name = update.name.clone();
    op.sub_type = update.sub_type.clone();
    op
}

/// The record to change: the current one, or a fresh one for a first update.
fn base(current: Option<&Operation>, update: &OperationUpdate, op_type: OperationType, now: i64) -> Operation {
    current.cloned().unwrap_or_else(|| fresh(update, op_type, now))
}

/// FAIL carries no payload and SUCCEED no error (PROTOCOL.md §4.2).
fn exclusive_payload_error(update: &OperationUpdate, action: Action) -> Result<()> {
    if action == Action::Fail && update.payload.is_some() {
        return Err(refuse(update, "Cannot provide a Payload for FAIL action."));
    }
    if action == Action::Succeed && update.error.is_some() {
        return Err(refuse(update, "Cannot provide an Error for SUCCEED action."));
    }
    Ok(())
}

/// Durations the engine turns into timers must be finite, non-negative seconds within a year
/// (the service's longest wait).
pub const MAX_TIMER_SECONDS: f64 = 31_622_400.0;

fn check_seconds(update: &OperationUpdate, field: &str, value: Option<f64>) -> Result<()> {
    if let Some(v) = value {
        if !v.is_finite() || !(0.0..=MAX_TIMER_SECONDS).contains(&v) {
            return Err(refuse(update, format!("{field} must be between 0 and {MAX_TIMER_SECONDS} seconds, got {v}")));
        }
    }
    Ok(())
}

/// Seconds on the wire are numbers; timers and history use whole seconds.
fn whole_seconds(value: Option<f64>) -> i64 {
    value.map(|v| v.round() as i64).unwrap_or(0)
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    pub fn update(t: &str, a: &str) -> OperationUpdate {
        OperationUpdate { id: "op".into(), name: Some("my-op".into()), op_type: t.into(), action: a.into(), ..Default::default() }
    }

    pub fn record(t: OperationType, s: OperationStatus) -> Operation {
        Operation::new("op", t, s, 0)
    }

    pub fn applied(v: Result<Verdict>) -> Transition {
        match v {
            Ok(Verdict::Apply(t)) => t,
            other => panic!("expected a transition, got {other:?}"),
        }
    }

    pub fn reason(v: Result<Verdict>) -> String {
        match v {
            Err(EngineError::InvalidCheckpoint { reason, .. }) => reason,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    pub fn ignored(v: Result<Verdict>) -> bool {
        matches!(v, Ok(Verdict::Ignore))
    }
}

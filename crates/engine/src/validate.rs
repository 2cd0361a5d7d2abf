//! Checkpoint validation, the one place that decides whether an update may be applied
//! (PROTOCOL.md §4.1-4.3): request-level rules, valid actions per type, valid transitions from
//! the current record, and payload limits. Nothing here touches storage.

use std::collections::HashMap;

use crate::error::{EngineError, Result};
use crate::model::{Action, Operation, OperationStatus, OperationType, OperationUpdate};

/// Per-operation payload limit (the SDK's 256 KiB checkpoint threshold).
pub const PAYLOAD_LIMIT: usize = 262_144;
/// The execution result may be as large as a synchronous Lambda response.
pub const EXECUTION_PAYLOAD_LIMIT: usize = 6_291_456;
/// Error objects are limited as the service model limits error fields.
pub const ERROR_LIMIT: usize = 1_048_576;
/// Updates per checkpoint request.
pub const MAX_UPDATES: usize = 1_000;
/// Operations one execution may create (its own EXECUTION record not counted).
pub const MAX_OPERATIONS: i64 = 3_000;

/// A new operation may be created only while the execution is under its operation limit.
pub fn check_operation_count(update: &OperationUpdate, existing: i64) -> Result<()> {
    if existing >= MAX_OPERATIONS {
        return Err(reject(
            update,
            format!("the execution already has {existing} operations, the limit is {MAX_OPERATIONS} operations per execution"),
        ));
    }
    Ok(())
}

/// An update whose type and action have been parsed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parsed {
    pub op_type: OperationType,
    pub action: Action,
}

/// Request-level rules (§4.3) plus parsing and per-type action checks (§4.1) and sizes.
pub fn validate_request(updates: &[OperationUpdate]) -> Result<Vec<Parsed>> {
    if updates.len() > MAX_UPDATES {
        return Err(EngineError::parameter(
            "Updates",
            format!("({} updates)", updates.len()),
            format!("at most {MAX_UPDATES} updates per checkpoint"),
        ));
    }
    let mut parsed = Vec::with_capacity(updates.len());
    let mut seen: HashMap<&str, (OperationType, Action)> = HashMap::new();
    for (index, update) in updates.iter().enumerate() {
        if update.id.is_empty() {
            return Err(EngineError::checkpoint("(none)", &update.action, "Operation update must have an Id."));
        }
        let op_type = OperationType::parse(&update.op_type)
            .map_err(|_| EngineError::checkpoint(&update.id, &update.action, format!("Unknown operation type {:?}.", update.op_type)))?;
        let action = Action::parse(&update.action)
            .map_err(|_| EngineError::checkpoint(&update.id, &update.action, format!("Unknown action {:?}.", update.action)))?;
        if !action_allowed(op_type, action) {
            return Err(reject(update, format!("Invalid action for the given operation type ({op_type}).")));
        }
        if op_type == OperationType::Execution && index + 1 != updates.len() {
            let reason = if updates[index + 1..].iter().any(|u| u.op_type == "EXECUTION") {
                "Cannot checkpoint multiple EXECUTION updates."
            } else {
                "EXECUTION checkpoint must be the last update."
            };
            return Err(reject(update, reason));
        }
        if let Some((first_type, first_action)) = seen.get(update.id.as_str()) {
            let allowed = matches!(first_type, OperationType::Step | OperationType::Context)
                && *first_type == op_type
                && *first_action == Action::Start
                && action != Action::Start;
            if !allowed {
                return Err(reject(update, "Cannot update the same operation twice in a single request."));
            }
        }
        seen.insert(update.id.as_str(), (op_type, action));
        check_sizes(update, op_type)?;
        parsed.push(Parsed { op_type, action });
    }
    Ok(parsed)
}

fn action_allowed(op_type: OperationType, action: Action) -> bool {
    use Action::*;
    match op_type {
        OperationType::Step => matches!(action, Start | Succeed | Fail | Retry),
        OperationType::Context => matches!(action, Start | Succeed | Fail),
        OperationType::Wait | OperationType::Callback | OperationType::ChainedInvoke => {
            matches!(action, Start | Cancel)
        }
        OperationType::Execution => matches!(action, Succeed | Fail),
    }
}

fn check_sizes(update: &OperationUpdate, op_type: OperationType) -> Result<()> {
    if let Some(payload) = &update.payload {
        let limit = if op_type == OperationType::Execution { EXECUTION_PAYLOAD_LIMIT } else { PAYLOAD_LIMIT };
        if payload.len() > limit {
            return Err(EngineError::PayloadTooLarge {
                field: format!("Payload of operation {} ({} {})", update.id, update.op_type, update.action),
                size: payload.len(),
                limit,
            });
        }
    }
    if let Some(error) = &update.error {
        let size = serde_json::to_string(error).map(|s| s.len()).unwrap_or(0);
        if size > ERROR_LIMIT {
            return Err(EngineError::PayloadTooLarge {
                field: format!("Error of operation {} ({} {})", update.id, update.op_type, update.action),
                size,
                limit: ERROR_LIMIT,
            });
        }
    }
    Ok(())
}

fn reject(update: &OperationUpdate, reason: impl Into<String>) -> EngineError {
    EngineError::checkpoint(&update.id, &update.action, reason)
}

/// Whether `update` may be applied to `current` (§4.2). `current` is the record as it stands
/// after the earlier updates of the same request.
pub fn validate_transition(update: &OperationUpdate, parsed: Parsed, current: Option<&Operation>) -> Result<()> {
    use OperationStatus as S;
    let Parsed { op_type, action } = parsed;
    if let Some(record) = current {
        if record.op_type != op_type && op_type != OperationType::Execution {
            return Err(reject(
                update,
                format!("operation is recorded as {} but the update is for a {}", record.op_type, op_type),
            ));
        }
    }
    let status = current.map(|r| r.status);
    let t = op_type.as_str();
    match (op_type, action) {
        (OperationType::Step, Action::Start) => {
            if !matches!(status, None | Some(S::Ready)) {
                return Err(reject(update, format!("Invalid current {t} state to start.")));
            }
        }
        (OperationType::Step, Action::Succeed | Action::Fail) => {
            if !matches!(status, None | Some(S::Started) | Some(S::Ready)) {
                return Err(reject(update, format!("Invalid current {t} state to close.")));
            }
            exclusive_payload_error(update, action)?;
        }
        (OperationType::Step, Action::Retry) => {
            if !matches!(status, None | Some(S::Started) | Some(S::Ready)) {
                return Err(reject(update, format!("Invalid current {t} state to re-attempt.")));
            }
            let delay = update.step_options.as_ref().and_then(|o| o.next_attempt_delay_seconds);
            match delay {
                None => return Err(reject(update, "Invalid StepOptions for the given action.")),
                Some(d) if !d.is_finite() || d < 0.0 => {
                    return Err(reject(update, format!("StepOptions.NextAttemptDelaySeconds must be a non-negative number, got {d}")))
                }
                _ => {}
            }
            if update.payload.is_some() && update.error.is_some() {
                return Err(reject(update, "Cannot provide both error and payload to RETRY a STEP."));
            }
        }
        (OperationType::Context, Action::Start) => {
            if status.is_some() {
                return Err(reject(update, "Cannot start a CONTEXT that already exists."));
            }
        }
        (OperationType::Context, Action::Succeed | Action::Fail) => {
            if !matches!(status, None | Some(S::Started)) {
                return Err(reject(update, "Invalid current CONTEXT state to close."));
            }
            exclusive_payload_error(update, action)?;
        }
        (OperationType::Wait | OperationType::Callback | OperationType::ChainedInvoke, Action::Start) => {
            if status.is_some() {
                return Err(reject(update, format!("Cannot start a {t} that already exists.")));
            }
            validate_start_options(update, op_type)?;
        }
        (OperationType::Wait | OperationType::Callback | OperationType::ChainedInvoke, Action::Cancel) => {
            if status != Some(S::Started) {
                return Err(reject(update, format!("Cannot cancel a {t} that does not exist or has already completed.")));
            }
        }
        (OperationType::Execution, _) => exclusive_payload_error(update, action)?,
        _ => return Err(reject(update, "Invalid action for the given operation type.")),
    }
    Ok(())
}

fn exclusive_payload_error(update: &OperationUpdate, action: Action) -> Result<()> {
    if action == Action::Fail && update.payload.is_some() {
        return Err(reject(update, "Cannot provide a Payload for FAIL action."));
    }
    if action == Action::Succeed && update.error.is_some() {
        return Err(reject(update, "Cannot provide an Error for SUCCEED action."));
    }
    Ok(())
}

/// Durations the engine turns into timers must be finite, non-negative whole seconds that fit
/// within a year (the service's longest wait).
pub const MAX_TIMER_SECONDS: f64 = 31_622_400.0;

fn check_seconds(update: &OperationUpdate, field: &str, value: Option<f64>) -> Result<()> {
    if let Some(v) = value {
        if !v.is_finite() || v < 0.0 || v > MAX_TIMER_SECONDS {
            return Err(reject(update, format!("{field} must be between 0 and {MAX_TIMER_SECONDS} seconds, got {v}")));
        }
    }
    Ok(())
}

fn validate_start_options(update: &OperationUpdate, op_type: OperationType) -> Result<()> {
    match op_type {
        OperationType::Wait => {
            let seconds = update.wait_options.as_ref().and_then(|o| o.wait_seconds);
            if seconds.is_none() {
                return Err(reject(update, "WaitOptions.WaitSeconds is required to start a WAIT."));
            }
            check_seconds(update, "WaitOptions.WaitSeconds", seconds)
        }
        OperationType::Callback => {
            let options = update.callback_options.clone().unwrap_or_default();
            check_seconds(update, "CallbackOptions.TimeoutSeconds", options.timeout_seconds)?;
            check_seconds(update, "CallbackOptions.HeartbeatTimeoutSeconds", options.heartbeat_timeout_seconds)
        }
        OperationType::ChainedInvoke => match &update.chained_invoke_options {
            Some(o) if !o.function_name.is_empty() => Ok(()),
            _ => Err(reject(update, "ChainedInvokeOptions.FunctionName is required to start a CHAINED_INVOKE.")),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{StepOptions, WaitOptions};

    fn update(id: &str, t: &str, a: &str) -> OperationUpdate {
        OperationUpdate { id: id.into(), op_type: t.into(), action: a.into(), ..Default::default() }
    }

    fn record(t: OperationType, s: OperationStatus) -> Operation {
        Operation::new("x", t, s, 0)
    }

    fn parsed(u: &OperationUpdate) -> Parsed {
        validate_request(std::slice::from_ref(u)).unwrap()[0]
    }

    fn reason(e: EngineError) -> String {
        match e {
            EngineError::InvalidCheckpoint { reason, .. } => reason,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn actions_per_type() {
        assert!(validate_request(&[update("a", "WAIT", "SUCCEED")]).is_err());
        assert!(validate_request(&[update("a", "CONTEXT", "RETRY")]).is_err());
        assert!(validate_request(&[update("a", "EXECUTION", "START")]).is_err());
        let e = validate_request(&[update("a", "BOGUS", "START")]).unwrap_err();
        assert!(reason(e).contains("Unknown operation type"));
        assert!(validate_request(&[update("a", "STEP", "RETRY")]).is_ok());
    }

    #[test]
    fn request_rules() {
        let e = validate_request(&[update("", "STEP", "START")]).unwrap_err();
        assert_eq!(reason(e), "Operation update must have an Id.");
        let e = validate_request(&[update("x", "EXECUTION", "SUCCEED"), update("a", "STEP", "START")]).unwrap_err();
        assert_eq!(reason(e), "EXECUTION checkpoint must be the last update.");
        let e = validate_request(&[update("x", "EXECUTION", "SUCCEED"), update("y", "EXECUTION", "FAIL")]).unwrap_err();
        assert_eq!(reason(e), "Cannot checkpoint multiple EXECUTION updates.");
        assert!(validate_request(&[update("a", "STEP", "START"), update("a", "STEP", "SUCCEED")]).is_ok());
        let e = validate_request(&[update("a", "STEP", "SUCCEED"), update("a", "STEP", "SUCCEED")]).unwrap_err();
        assert!(reason(e).contains("same operation twice"));
        let e = validate_request(&[update("a", "WAIT", "START"), update("a", "WAIT", "CANCEL")]).unwrap_err();
        assert!(reason(e).contains("same operation twice"));
    }

    #[test]
    fn payload_limit_names_operation_and_limit() {
        let mut u = update("big", "STEP", "SUCCEED");
        u.payload = Some("x".repeat(PAYLOAD_LIMIT + 1));
        match validate_request(&[u]).unwrap_err() {
            EngineError::PayloadTooLarge { field, size, limit } => {
                assert!(field.contains("big"));
                assert_eq!(size, PAYLOAD_LIMIT + 1);
                assert_eq!(limit, PAYLOAD_LIMIT);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn step_transitions() {
        use OperationStatus as S;
        let start = update("s", "STEP", "START");
        assert!(validate_transition(&start, parsed(&start), None).is_ok());
        assert!(validate_transition(&start, parsed(&start), Some(&record(OperationType::Step, S::Ready))).is_ok());
        for s in [S::Started, S::Pending, S::Succeeded, S::Failed] {
            let e = validate_transition(&start, parsed(&start), Some(&record(OperationType::Step, s))).unwrap_err();
            assert_eq!(reason(e), "Invalid current STEP state to start.");
        }
        let succeed = update("s", "STEP", "SUCCEED");
        for s in [S::Started, S::Ready] {
            assert!(validate_transition(&succeed, parsed(&succeed), Some(&record(OperationType::Step, s))).is_ok());
        }
        for s in [S::Pending, S::Succeeded, S::Failed] {
            let e = validate_transition(&succeed, parsed(&succeed), Some(&record(OperationType::Step, s))).unwrap_err();
            assert_eq!(reason(e), "Invalid current STEP state to close.");
        }
        let mut fail = update("s", "STEP", "FAIL");
        fail.payload = Some("1".into());
        assert_eq!(reason(validate_transition(&fail, parsed(&fail), None).unwrap_err()), "Cannot provide a Payload for FAIL action.");
        let retry = update("s", "STEP", "RETRY");
        assert_eq!(reason(validate_transition(&retry, parsed(&retry), None).unwrap_err()), "Invalid StepOptions for the given action.");
        let mut retry = retry;
        retry.step_options = Some(StepOptions { next_attempt_delay_seconds: Some(1.0) });
        assert!(validate_transition(&retry, parsed(&retry), Some(&record(OperationType::Step, S::Started))).is_ok());
        let e = validate_transition(&retry, parsed(&retry), Some(&record(OperationType::Step, S::Pending))).unwrap_err();
        assert_eq!(reason(e), "Invalid current STEP state to re-attempt.");
    }

    #[test]
    fn wait_transitions_and_options() {
        let mut start = update("w", "WAIT", "START");
        assert!(reason(validate_transition(&start, parsed(&start), None).unwrap_err()).contains("WaitSeconds is required"));
        start.wait_options = Some(WaitOptions { wait_seconds: Some(-1.0) });
        assert!(reason(validate_transition(&start, parsed(&start), None).unwrap_err()).contains("got -1"));
        start.wait_options = Some(WaitOptions { wait_seconds: Some(10.0) });
        assert!(validate_transition(&start, parsed(&start), None).is_ok());
        let e = validate_transition(&start, parsed(&start), Some(&record(OperationType::Wait, OperationStatus::Started))).unwrap_err();
        assert_eq!(reason(e), "Cannot start a WAIT that already exists.");
        let cancel = update("w", "WAIT", "CANCEL");
        assert!(validate_transition(&cancel, parsed(&cancel), None).is_err());
        assert!(validate_transition(&cancel, parsed(&cancel), Some(&record(OperationType::Wait, OperationStatus::Started))).is_ok());
    }

    #[test]
    fn type_mismatch_with_record_is_rejected() {
        let start = update("w", "STEP", "START");
        let e = validate_transition(&start, parsed(&start), Some(&record(OperationType::Wait, OperationStatus::Started))).unwrap_err();
        assert!(reason(e).contains("recorded as WAIT"));
    }

    #[test]
    fn context_transitions() {
        let start = update("c", "CONTEXT", "START");
        assert!(validate_transition(&start, parsed(&start), Some(&record(OperationType::Context, OperationStatus::Started))).is_err());
        let ok = update("c", "CONTEXT", "SUCCEED");
        assert!(validate_transition(&ok, parsed(&ok), None).is_ok());
        let e = validate_transition(&ok, parsed(&ok), Some(&record(OperationType::Context, OperationStatus::Succeeded))).unwrap_err();
        assert_eq!(reason(e), "Invalid current CONTEXT state to close.");
    }
}

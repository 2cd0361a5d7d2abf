//! The rules of a checkpoint request as a whole (PROTOCOL.md §4.1, §4.3): ids present, types and
//! actions known and valid for the type (as the operation's state machine lists them), the
//! EXECUTION update last, no operation updated twice, payload and error limits, the operation
//! count. Whether an update fits its record is the operation's state machine's (ops/).

use std::collections::HashMap;

use crate::error::{EngineError, Result};
use crate::model::{Action, OperationType, OperationUpdate};
use crate::ops::{accepts, refuse as reject};

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
            return Err(EngineError::checkpoint("(none)", update.name.as_deref(), &update.action, "Operation update must have an Id."));
        }
        let op_type = OperationType::parse(&update.op_type)
            .map_err(|_| reject(update, format!("Unknown operation type {:?}.", update.op_type)))?;
        let action = Action::parse(&update.action)
            .map_err(|_| reject(update, format!("Unknown action {:?}.", update.action)))?;
        if !accepts(op_type, action) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn update(id: &str, t: &str, a: &str) -> OperationUpdate {
        OperationUpdate { id: id.into(), op_type: t.into(), action: a.into(), ..Default::default() }
    }

    fn reason(e: EngineError) -> String {
        match e {
            EngineError::InvalidCheckpoint { reason, .. } => reason,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn actions_per_type_come_from_the_state_machines() {
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
}

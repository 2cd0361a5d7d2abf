//! The engine's typed errors. Each variant has a stable code (the napi binding passes it to the
//! TypeScript layer, which rebuilds the exported class of the same code), an AWS exception name
//! (what the HTTP API answers and how the SDK classifies a checkpoint failure) and its fields, so
//! nothing the message says is lost across the boundary. Messages name what the user wrote (the
//! step name, the execution name) beside the ids.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum EngineError {
    /// A checkpoint update was rejected; names the operation (id and the name the code gave
    /// it), the action and why.
    #[error("checkpoint rejected for operation {op_id}{} ({action}): {reason}", named(.name))]
    InvalidCheckpoint { op_id: String, name: Option<String>, action: String, reason: String },

    /// A request-level rule was broken (bad field, bad value) outside a single update.
    #[error("invalid {field} {value}: {reason}")]
    InvalidParameter { field: String, value: String, reason: String },

    /// A payload is over its limit.
    #[error("{field} is {size} bytes, over the limit of {limit} bytes")]
    PayloadTooLarge { field: String, size: usize, limit: usize },

    /// Never says what the valid token is: a token is a capability.
    #[error("Invalid Checkpoint Token: {reason}")]
    InvalidToken { reason: String },

    #[error("durable execution not found: {arn}")]
    ExecutionNotFound { arn: String },

    #[error("execution name {name:?} is already used by {arn} with a different input")]
    ExecutionAlreadyStarted { name: String, arn: String },

    /// The operation needs a running execution (stop) and this one has ended.
    #[error("durable execution {name:?} ({arn}) is not running: it is {status}")]
    ExecutionNotRunning { arn: String, name: String, status: String },

    #[error("callback not found: {callback_id}")]
    CallbackNotFound { callback_id: String },

    #[error("callback {callback_id} is already closed ({status}): the callback ID token has either expired or the callback has already been closed")]
    CallbackClosed { callback_id: String, status: String },

    /// Replay found a record that does not match the operation the code asked for.
    #[error("[Unrecoverable Execution] Non-deterministic execution detected: Operation {what} mismatch for step \"{step_id}\". Expected {what} \"{recorded}\", but got \"{requested}\". This indicates non-deterministic control flow in your workflow code.")]
    NonDeterministic { step_id: String, what: String, recorded: String, requested: String },

    #[error("{path} is not a durable-node database: {reason}")]
    NotADatabase { path: String, reason: String },

    #[error("cannot open database {path}: {reason}")]
    DatabaseOpen { path: String, reason: String },

    #[error("storage error: {0}")]
    Storage(String),

    /// The database server cannot be reached (down, restarting, network cut) and did not come
    /// back within the engine's reconnect budget. Nothing of the failed call was committed,
    /// unless `reason` says the connection broke during COMMIT (then its outcome is unknown).
    #[error("storage unavailable: {reason}")]
    StorageUnavailable { reason: String },

    /// A transaction kept losing to concurrent ones (deadlock, serialization failure, a
    /// duplicate key inserted at the same moment) after the engine's retries.
    #[error("storage conflict: {reason}")]
    StorageConflict { reason: String },

    /// `migrate` found invocations whose lease has not expired: a worker is (or may be) still
    /// running them. Names one of them and its holder.
    #[error("cannot migrate from {path}: {count} invocation(s) hold a live lease, e.g. {arn} held by worker {owner} (pid {pid} on host {host}) until {expires}; stop the workers and run migrate again once their leases are released or expired")]
    MigrationSourceBusy { path: String, count: usize, arn: String, owner: String, pid: String, host: String, expires: String },

    /// `migrate` writes only into an empty store.
    #[error("cannot migrate to {path}: it already holds {executions} execution(s); migrate writes only into an empty database")]
    MigrationTargetNotEmpty { path: String, executions: i64 },

    #[error("engine is closed")]
    Closed,
}

fn named(name: &Option<String>) -> String {
    name.as_ref().map(|n| format!(" ({n:?})")).unwrap_or_default()
}

impl EngineError {
    /// Stable code, never renamed: the TypeScript layer maps it to an error class.
    pub fn code(&self) -> &'static str {
        match self {
            EngineError::InvalidCheckpoint { .. } => "ERR_INVALID_CHECKPOINT",
            EngineError::InvalidParameter { .. } => "ERR_INVALID_PARAMETER",
            EngineError::PayloadTooLarge { .. } => "ERR_PAYLOAD_TOO_LARGE",
            EngineError::InvalidToken { .. } => "ERR_INVALID_TOKEN",
            EngineError::ExecutionNotFound { .. } => "ERR_EXECUTION_NOT_FOUND",
            EngineError::ExecutionAlreadyStarted { .. } => "ERR_EXECUTION_ALREADY_STARTED",
            EngineError::ExecutionNotRunning { .. } => "ERR_EXECUTION_NOT_RUNNING",
            EngineError::CallbackNotFound { .. } => "ERR_CALLBACK_NOT_FOUND",
            EngineError::CallbackClosed { .. } => "ERR_CALLBACK_CLOSED",
            EngineError::NonDeterministic { .. } => "ERR_NON_DETERMINISTIC",
            EngineError::NotADatabase { .. } => "ERR_NOT_A_DATABASE",
            EngineError::DatabaseOpen { .. } => "ERR_DATABASE_OPEN",
            EngineError::Storage(_) => "ERR_STORAGE",
            EngineError::StorageUnavailable { .. } => "ERR_STORAGE_UNAVAILABLE",
            EngineError::StorageConflict { .. } => "ERR_STORAGE_CONFLICT",
            EngineError::MigrationSourceBusy { .. } => "ERR_MIGRATION_SOURCE_BUSY",
            EngineError::MigrationTargetNotEmpty { .. } => "ERR_MIGRATION_TARGET_NOT_EMPTY",
            EngineError::Closed => "ERR_CLOSED",
        }
    }

    /// The exception name the Lambda service would answer with.
    pub fn aws_name(&self) -> &'static str {
        match self {
            EngineError::InvalidCheckpoint { .. }
            | EngineError::InvalidParameter { .. }
            | EngineError::PayloadTooLarge { .. }
            | EngineError::InvalidToken { .. }
            | EngineError::ExecutionNotRunning { .. } => "InvalidParameterValueException",
            EngineError::ExecutionNotFound { .. } | EngineError::CallbackNotFound { .. } => {
                "ResourceNotFoundException"
            }
            EngineError::ExecutionAlreadyStarted { .. } => "DurableExecutionAlreadyStartedException",
            EngineError::CallbackClosed { .. } => "CallbackTimeoutException",
            EngineError::NonDeterministic { .. } => "NonDeterministicExecutionError",
            EngineError::NotADatabase { .. }
            | EngineError::DatabaseOpen { .. }
            | EngineError::Storage(_)
            | EngineError::StorageUnavailable { .. }
            | EngineError::StorageConflict { .. }
            | EngineError::MigrationSourceBusy { .. }
            | EngineError::MigrationTargetNotEmpty { .. }
            | EngineError::Closed => "ServiceException",
        }
    }

    /// The variant's fields by their camelCase names, as the TypeScript classes expose them.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let s = |v: &String| v.clone();
        match self {
            EngineError::InvalidCheckpoint { op_id, name, action, reason } => {
                let mut f = vec![("operationId", s(op_id)), ("action", s(action)), ("reason", s(reason))];
                if let Some(n) = name {
                    f.push(("operationName", n.clone()));
                }
                f
            }
            EngineError::InvalidParameter { field, value, reason } => vec![("field", s(field)), ("value", s(value)), ("reason", s(reason))],
            EngineError::PayloadTooLarge { field, size, limit } => {
                vec![("field", s(field)), ("size", size.to_string()), ("limit", limit.to_string())]
            }
            EngineError::InvalidToken { reason } => vec![("reason", s(reason))],
            EngineError::ExecutionNotFound { arn } => vec![("executionArn", s(arn))],
            EngineError::ExecutionAlreadyStarted { name, arn } => vec![("executionName", s(name)), ("executionArn", s(arn))],
            EngineError::ExecutionNotRunning { arn, name, status } => {
                vec![("executionArn", s(arn)), ("executionName", s(name)), ("status", s(status))]
            }
            EngineError::CallbackNotFound { callback_id } => vec![("callbackId", s(callback_id))],
            EngineError::CallbackClosed { callback_id, status } => vec![("callbackId", s(callback_id)), ("status", s(status))],
            EngineError::NonDeterministic { step_id, what, recorded, requested } => vec![
                ("stepId", s(step_id)),
                ("mismatch", s(what)),
                ("recorded", s(recorded)),
                ("requested", s(requested)),
            ],
            EngineError::NotADatabase { path, reason } | EngineError::DatabaseOpen { path, reason } => {
                vec![("path", s(path)), ("reason", s(reason))]
            }
            EngineError::Storage(reason) => vec![("reason", s(reason))],
            EngineError::StorageUnavailable { reason } | EngineError::StorageConflict { reason } => vec![("reason", s(reason))],
            EngineError::MigrationSourceBusy { path, count, arn, owner, pid, host, expires } => vec![
                ("path", s(path)),
                ("count", count.to_string()),
                ("executionArn", s(arn)),
                ("owner", s(owner)),
                ("pid", s(pid)),
                ("host", s(host)),
                ("expires", s(expires)),
            ],
            EngineError::MigrationTargetNotEmpty { path, executions } => vec![("path", s(path)), ("executions", executions.to_string())],
            EngineError::Closed => vec![],
        }
    }

    /// One value of every variant, for the parity test of the TypeScript classes. The match
    /// below makes adding a variant without a sample a compile error.
    pub fn samples() -> Vec<EngineError> {
        let t = String::from;
        let all = vec![
            EngineError::InvalidCheckpoint { op_id: t("c4ca4238a0b92382"), name: Some(t("charge")), action: t("START"), reason: t("r") },
            EngineError::InvalidParameter { field: t("MaxItems"), value: t("0"), reason: t("r") },
            EngineError::PayloadTooLarge { field: t("callback result"), size: 2, limit: 1 },
            EngineError::InvalidToken { reason: t("r") },
            EngineError::ExecutionNotFound { arn: t("arn") },
            EngineError::ExecutionAlreadyStarted { name: t("n"), arn: t("arn") },
            EngineError::ExecutionNotRunning { arn: t("arn"), name: t("n"), status: t("SUCCEEDED") },
            EngineError::CallbackNotFound { callback_id: t("cb") },
            EngineError::CallbackClosed { callback_id: t("cb"), status: t("SUCCEEDED") },
            EngineError::NonDeterministic { step_id: t("1"), what: t("name"), recorded: t("a"), requested: t("b") },
            EngineError::NotADatabase { path: t("p"), reason: t("r") },
            EngineError::DatabaseOpen { path: t("p"), reason: t("r") },
            EngineError::Storage(t("r")),
            EngineError::StorageUnavailable { reason: t("r") },
            EngineError::StorageConflict { reason: t("r") },
            EngineError::MigrationSourceBusy { path: t("p"), count: 1, arn: t("arn"), owner: t("o"), pid: t("1"), host: t("h"), expires: t("2026-01-01T00:00:00Z") },
            EngineError::MigrationTargetNotEmpty { path: t("p"), executions: 1 },
            EngineError::Closed,
        ];
        for e in &all {
            match e {
                EngineError::InvalidCheckpoint { .. }
                | EngineError::InvalidParameter { .. }
                | EngineError::PayloadTooLarge { .. }
                | EngineError::InvalidToken { .. }
                | EngineError::ExecutionNotFound { .. }
                | EngineError::ExecutionAlreadyStarted { .. }
                | EngineError::ExecutionNotRunning { .. }
                | EngineError::CallbackNotFound { .. }
                | EngineError::CallbackClosed { .. }
                | EngineError::NonDeterministic { .. }
                | EngineError::NotADatabase { .. }
                | EngineError::DatabaseOpen { .. }
                | EngineError::Storage(_)
                | EngineError::StorageUnavailable { .. }
                | EngineError::StorageConflict { .. }
                | EngineError::MigrationSourceBusy { .. }
                | EngineError::MigrationTargetNotEmpty { .. }
                | EngineError::Closed => {}
            }
        }
        all
    }

    pub fn checkpoint(op_id: &str, name: Option<&str>, action: &str, reason: impl Into<String>) -> Self {
        EngineError::InvalidCheckpoint {
            op_id: op_id.to_string(),
            name: name.map(str::to_string),
            action: action.to_string(),
            reason: reason.into(),
        }
    }

    pub fn parameter(field: &str, value: impl std::fmt::Display, reason: impl Into<String>) -> Self {
        EngineError::InvalidParameter { field: field.to_string(), value: value.to_string(), reason: reason.into() }
    }
}

impl From<rusqlite::Error> for EngineError {
    fn from(e: rusqlite::Error) -> Self {
        EngineError::Storage(e.to_string())
    }
}

impl From<serde_json::Error> for EngineError {
    fn from(e: serde_json::Error) -> Self {
        EngineError::Storage(format!("stored JSON is corrupt: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, EngineError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sample_has_a_distinct_code_and_its_fields() {
        let samples = EngineError::samples();
        let mut codes: Vec<_> = samples.iter().map(|e| e.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), samples.len());
        let e = &samples[0];
        assert!(e.to_string().contains("(\"charge\")"), "{e}");
        assert!(e.fields().contains(&("operationName", "charge".to_string())));
    }
}

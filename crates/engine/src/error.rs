//! The engine's typed errors. Each variant has a stable code (used by the napi binding to pick
//! the exported TypeScript error class) and an AWS exception name (used by the HTTP API and by
//! the SDK layer to classify checkpoint failures the way the official SDK does).

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq)]
pub enum EngineError {
    /// A checkpoint update was rejected; names the operation id, the action and why.
    #[error("checkpoint rejected for operation {op_id} ({action}): {reason}")]
    InvalidCheckpoint { op_id: String, action: String, reason: String },

    /// A request-level rule was broken (bad field, bad value) outside a single update.
    #[error("invalid {field} {value}: {reason}")]
    InvalidParameter { field: String, value: String, reason: String },

    /// A payload is over its limit.
    #[error("{field} is {size} bytes, over the limit of {limit} bytes")]
    PayloadTooLarge { field: String, size: usize, limit: usize },

    #[error("Invalid Checkpoint Token: {reason}")]
    InvalidToken { reason: String },

    #[error("durable execution not found: {arn}")]
    ExecutionNotFound { arn: String },

    #[error("execution name {name:?} is already used by {arn} with a different input")]
    ExecutionAlreadyStarted { name: String, arn: String },

    /// The operation needs a running execution (stop) and this one has ended.
    #[error("durable execution {arn} is not running: it is {status}")]
    ExecutionNotRunning { arn: String, status: String },

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

    #[error("engine is closed")]
    Closed,
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
            | EngineError::Closed => "ServiceException",
        }
    }

    pub fn checkpoint(op_id: &str, action: &str, reason: impl Into<String>) -> Self {
        EngineError::InvalidCheckpoint { op_id: op_id.to_string(), action: action.to_string(), reason: reason.into() }
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

//! PostgreSQL rows as the engine's records: the same columns and meanings as SQLite's
//! (sqlite_rows.rs), errors stored as JSON text, unknown names refused as corrupt.

use tokio_postgres::types::FromSql;
use tokio_postgres::Row;

use super::{ExecRow, InvocationState, Lease};
use crate::error::{EngineError, Result};
use crate::model::{ErrorObject, ExecutionStatus, Operation, OperationStatus, OperationType};

pub(super) fn get<'a, T: FromSql<'a>>(r: &'a Row, i: usize) -> Result<T> {
    r.try_get(i).map_err(|e| EngineError::Storage(format!("column {i}: {e}")))
}

fn json_error(text: Option<String>) -> Option<ErrorObject> {
    text.and_then(|t| serde_json::from_str(&t).ok())
}

pub(super) fn error_text(e: &Option<ErrorObject>) -> Option<String> {
    e.as_ref().map(|e| serde_json::to_string(e).unwrap_or_default())
}

fn unknown(what: &str, text: &str) -> EngineError {
    EngineError::Storage(format!("unknown {what} {text:?} in the database"))
}

pub(super) fn exec_from_row(r: &Row) -> Result<ExecRow> {
    let status: String = get(r, 6)?;
    let active = get::<i64>(r, 15)? != 0;
    let lease = if active {
        Some(Lease {
            owner: get::<Option<String>>(r, 16)?.unwrap_or_default(),
            host: get(r, 26)?,
            pid: get(r, 17)?,
            expires_ms: get::<Option<i64>>(r, 18)?.unwrap_or(0),
            started_ms: get::<Option<i64>>(r, 19)?.unwrap_or(0),
            request_id: get::<Option<String>>(r, 20)?.unwrap_or_default(),
        })
    } else {
        None
    };
    Ok(ExecRow {
        id: get(r, 0)?,
        arn: get(r, 1)?,
        function_name: get(r, 2)?,
        name: get(r, 3)?,
        exec_op_id: get(r, 4)?,
        input: get(r, 5)?,
        status: ExecutionStatus::parse(&status).map_err(|_| unknown("execution status", &status))?,
        result: get(r, 7)?,
        error: json_error(get(r, 8)?),
        start_ms: get(r, 9)?,
        end_ms: get(r, 10)?,
        timeout_s: get(r, 11)?,
        change_seq: get(r, 12)?,
        wake_ms: get(r, 13)?,
        invocation: InvocationState { count: get(r, 14)?, lease, delivered_seq: get(r, 21)?, failed: get(r, 22)? },
        root_arn: get(r, 23)?,
        parent_exec_id: get(r, 24)?,
        parent_op_id: get(r, 25)?,
        deadline_ms: get(r, 27)?,
        purge_ms: get(r, 28)?,
        retention_days: get(r, 29)?,
        pause: super::sqlite::json_pause(get(r, 30)?),
    })
}

/// Maps the op columns starting at column `o` of a row.
pub(super) fn op_at(r: &Row, o: usize) -> Result<Operation> {
    let type_text: String = get(r, o + 3)?;
    let status_text: String = get(r, o + 5)?;
    Ok(Operation {
        id: get(r, o)?,
        parent_id: get(r, o + 1)?,
        name: get(r, o + 2)?,
        op_type: OperationType::parse(&type_text).map_err(|_| unknown("operation type", &type_text))?,
        sub_type: get(r, o + 4)?,
        status: OperationStatus::parse(&status_text).map_err(|_| unknown("operation status", &status_text))?,
        start_ms: get(r, o + 6)?,
        end_ms: get(r, o + 7)?,
        input_payload: get(r, o + 8)?,
        result: get(r, o + 9)?,
        error: json_error(get(r, o + 10)?),
        attempt: get::<Option<i64>>(r, o + 11)?.map(|a| a as u32),
        next_attempt_ms: get(r, o + 12)?,
        scheduled_end_ms: get(r, o + 13)?,
        replay_children: get::<Option<i64>>(r, o + 14)?.map(|v| v != 0),
        callback_id: get(r, o + 15)?,
        wait_seconds: get(r, o + 16)?,
        callback_timeout_s: get(r, o + 17)?,
        callback_heartbeat_s: get(r, o + 18)?,
        invoke_function: get(r, o + 19)?,
        invoke_tenant: get(r, o + 20)?,
    })
}


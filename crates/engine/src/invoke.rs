//! Chained invokes: a CHAINED_INVOKE operation starts an execution of the target function (a
//! child execution linked to the operation), and when that execution ends its outcome is
//! written back to the operation, which wakes the caller. Plain (non-durable) targets run as
//! one-invocation executions, so the engine treats every target the same way.

use crate::engine::{create_execution, Engine, EventLog};
use crate::error::{EngineError, Result};
use crate::history;
use crate::model::{ErrorObject, ExecutionStatus, Operation, OperationStatus};
use crate::store::{ExecRow, Store};
use crate::timers::wake;

/// `FunctionName` may be a name, a qualified name or an ARN; the engine registers plain names.
pub fn function_name_of(target: &str) -> &str {
    let unqualified = match target.strip_prefix("arn:") {
        Some(_) => target.split(':').nth(6).unwrap_or(target),
        None => target.split(':').next().unwrap_or(target),
    };
    unqualified
}

impl Engine {
    /// Creates the target execution of a started CHAINED_INVOKE and records
    /// `ChainedInvokeStarted`; returns that event's id (the operation's start order).
    pub(crate) fn start_target(&self, s: &Store, caller: &ExecRow, op: &Operation, events: &mut EventLog, now: i64) -> Result<i64> {
        let target = op.invoke_function.as_deref().unwrap_or_default();
        let function = function_name_of(target);
        let valid = !function.is_empty() && function.len() <= 64 && function.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return Err(EngineError::checkpoint(&op.id, "START", format!("ChainedInvokeOptions.FunctionName {target:?} is not a function name")));
        }
        let child = create_execution(
            s,
            function,
            None,
            op.input_payload.as_deref(),
            Some((caller.id, &op.id, &caller.root_arn)),
            now,
            self.config.execution_timeout_s,
        )?;
        events.append(s, &[history::chained_invoke_started(op, Some(&child.arn), now)])
    }
}

/// Writes an ended execution's outcome to the CHAINED_INVOKE operation that started it.
pub(crate) fn report_to_parent(s: &Store, child: &ExecRow, now: i64) -> Result<()> {
    let (Some(parent_id), Some(op_id)) = (child.parent_exec_id, child.parent_op_id.as_deref()) else { return Ok(()) };
    let mut parent = s.exec_by_id(parent_id)?;
    let Some((mut op, seq)) = s.get_op_with_seq(parent_id, op_id)? else { return Ok(()) };
    if parent.status != ExecutionStatus::Running.as_str() || op.status != OperationStatus::Started {
        return Ok(());
    }
    let status = ExecutionStatus::parse(&child.status)?;
    op.status = match status {
        ExecutionStatus::Succeeded => OperationStatus::Succeeded,
        ExecutionStatus::TimedOut => OperationStatus::TimedOut,
        ExecutionStatus::Stopped => OperationStatus::Stopped,
        _ => OperationStatus::Failed,
    };
    if op.status == OperationStatus::Succeeded {
        op.result = child.result.clone();
    } else {
        op.error = Some(child.error.clone().unwrap_or_else(|| ErrorObject::new("Error", &format!("invoked execution {}", child.status))));
    }
    op.end_ms = Some(now);
    wake(&mut parent, now);
    s.put_op(parent_id, &op, seq, parent.change_seq)?;
    EventLog::open(s, parent_id)?.append(s, &[history::chained_invoke_finished(&op, now)])?;
    s.update_exec(&parent)
}

#[cfg(test)]
mod tests {
    use super::function_name_of;

    #[test]
    fn targets_reduce_to_function_names() {
        assert_eq!(function_name_of("echo"), "echo");
        assert_eq!(function_name_of("echo:live"), "echo");
        assert_eq!(function_name_of("arn:aws:lambda:us-east-1:123456789012:function:echo:$LATEST"), "echo");
    }
}

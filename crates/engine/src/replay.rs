//! Replay, the SDK side of an invocation: the operation records the invocation was given (and
//! every record later checkpoint answers returned), looked up by the step id the code is at.
//! The one place that decides whether a recorded operation matches what the code asks for
//! (API.md §4.4). Pure and synchronous: no I/O.

use std::collections::HashMap;

use crate::error::{EngineError, Result};
use crate::ids::hash_step_id;
use crate::model::{Operation, OperationType};

#[derive(Debug, Default)]
pub struct Replay {
    ops: HashMap<String, Operation>,
}

/// What the code asks for at a step id.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub op_type: OperationType,
    pub sub_type: Option<&'a str>,
    pub name: Option<&'a str>,
}

impl Replay {
    pub fn new(ops: Vec<Operation>) -> Self {
        let mut replay = Replay::default();
        replay.merge(ops);
        replay
    }

    /// Adds or replaces records; returns the ids that are new or whose status changed.
    pub fn merge(&mut self, ops: Vec<Operation>) -> Vec<String> {
        let mut changed = Vec::new();
        for op in ops {
            let differs = self.ops.get(&op.id).is_none_or(|old| old.status != op.status);
            if differs {
                changed.push(op.id.clone());
            }
            self.ops.insert(op.id.clone(), op);
        }
        changed
    }

    pub fn get(&self, id: &str) -> Option<&Operation> {
        self.ops.get(id)
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The wire id of `step_id` and its record, if any. A record of another type, name or
    /// sub-type is a non-determinism error naming the step, what was recorded and what the
    /// code asked for.
    pub fn check(&self, step_id: &str, call: Call<'_>) -> Result<(String, Option<&Operation>)> {
        let id = hash_step_id(step_id);
        let Some(record) = self.ops.get(&id) else { return Ok((id, None)) };
        let mismatch = |what: &str, recorded: Option<&str>, requested: Option<&str>| EngineError::NonDeterministic {
            step_id: step_id.to_string(),
            what: what.to_string(),
            recorded: recorded.unwrap_or("undefined").to_string(),
            requested: requested.unwrap_or("undefined").to_string(),
        };
        if record.op_type != call.op_type {
            return Err(mismatch("type", Some(record.op_type.as_str()), Some(call.op_type.as_str())));
        }
        if record.name.as_deref() != call.name {
            return Err(mismatch("name", record.name.as_deref(), call.name));
        }
        if record.sub_type.as_deref() != call.sub_type {
            return Err(mismatch("subtype", record.sub_type.as_deref(), call.sub_type));
        }
        Ok((id, Some(record)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OperationStatus;

    fn step(step_id: &str, name: Option<&str>) -> Operation {
        let mut op = Operation::new(&hash_step_id(step_id), OperationType::Step, OperationStatus::Succeeded, 0);
        op.name = name.map(str::to_string);
        op.sub_type = Some("Step".into());
        op
    }

    fn call<'a>(t: OperationType, name: Option<&'a str>) -> Call<'a> {
        Call { op_type: t, sub_type: Some(if t == OperationType::Wait { "Wait" } else { "Step" }), name }
    }

    #[test]
    fn fresh_ids_have_no_record() {
        let replay = Replay::new(vec![]);
        let (id, record) = replay.check("1", call(OperationType::Step, None)).unwrap();
        assert_eq!(id, "c4ca4238a0b92382");
        assert!(record.is_none());
    }

    #[test]
    fn matching_record_replays() {
        let replay = Replay::new(vec![step("1", Some("validate"))]);
        let (_, record) = replay.check("1", call(OperationType::Step, Some("validate"))).unwrap();
        assert_eq!(record.unwrap().status, OperationStatus::Succeeded);
    }

    #[test]
    fn renamed_retyped_and_resubtyped_operations_are_non_deterministic() {
        let replay = Replay::new(vec![step("1", Some("validate"))]);
        let err = replay.check("1", call(OperationType::Step, Some("charge"))).unwrap_err();
        assert_eq!(
            err.to_string(),
            "[Unrecoverable Execution] Non-deterministic execution detected: Operation name mismatch for step \"1\". Expected name \"validate\", but got \"charge\". This indicates non-deterministic control flow in your workflow code."
        );
        let err = replay.check("1", call(OperationType::Wait, Some("validate"))).unwrap_err();
        assert!(err.to_string().contains("type mismatch") && err.to_string().contains("Expected type \"STEP\", but got \"WAIT\""));
        let err = replay
            .check("1", Call { op_type: OperationType::Step, sub_type: Some("WaitForCondition"), name: Some("validate") })
            .unwrap_err();
        assert!(err.to_string().contains("subtype mismatch"));
        let err = replay.check("1", call(OperationType::Step, None)).unwrap_err();
        assert!(err.to_string().contains("but got \"undefined\""));
    }

    #[test]
    fn merge_reports_status_changes_only() {
        let mut replay = Replay::new(vec![step("1", None)]);
        assert!(replay.merge(vec![step("1", None)]).is_empty());
        let mut changed = step("1", None);
        changed.status = OperationStatus::Failed;
        assert_eq!(replay.merge(vec![changed, step("2", None)]).len(), 2);
    }
}

//! The data-plane operations an SDK calls during an invocation (PROTOCOL.md §5):
//! `CheckpointDurableExecution` and `GetDurableExecutionState`, with the token scheme and the
//! pruning of completed child contexts. Validation is delegated to `validate`, record changes
//! to `apply`.

use std::collections::{HashMap, HashSet};

use crate::apply::{apply, Effect};
use crate::engine::{finish_execution, lock_map, Engine, EventLog};
use crate::error::{EngineError, Result};
use crate::model::{Action, ExecutionStatus, Operation, OperationStatus, OperationType, OperationUpdate};
use crate::store::{ExecRow, Store};
use crate::validate::{check_operation_count, validate_request, validate_transition};

/// What a checkpoint answers: the next token and every record that changed since the previous
/// answer to this invocation.
#[derive(Debug, Clone)]
pub struct CheckpointOutcome {
    pub token: String,
    pub operations: Vec<Operation>,
}

/// One request of a group commit.
#[derive(Debug, Clone)]
pub struct CheckpointRequest {
    pub arn: String,
    pub token: String,
    pub updates: Vec<OperationUpdate>,
}

#[derive(Debug, Clone)]
pub struct StatePage {
    pub operations: Vec<Operation>,
    pub next_marker: Option<String>,
}

pub(crate) fn make_token(exec_id: i64, invocation: i64, seq: i64) -> String {
    format!("{exec_id}.{invocation}.{seq}")
}

fn parse_token(token: &str) -> Option<(i64, i64, i64)> {
    let mut parts = token.split('.').map(|p| p.parse::<i64>().ok());
    match (parts.next()??, parts.next()??, parts.next()??, parts.next()) {
        (a, b, c, None) => Some((a, b, c)),
        _ => None,
    }
}

impl Engine {
    /// A token is valid for the current step of an invocation this engine runs, of a running
    /// execution. Returns the sequence number it carries.
    pub(crate) fn check_token(&self, exec: &ExecRow, token: &str, consume: bool) -> Result<i64> {
        let invalid = |reason: String| Err(EngineError::InvalidToken { reason });
        if exec.status != ExecutionStatus::Running.as_str() {
            return invalid(format!("execution {} is {}", exec.arn, exec.status));
        }
        let Some((exec_id, number, seq)) = parse_token(token) else {
            return invalid(format!("{token:?} is not a checkpoint token"));
        };
        let active = lock_map(&self.active);
        let current = active.get(&exec.id).filter(|a| exec.inv_active && a.number == exec.inv_count);
        match current {
            Some(a) if exec_id == exec.id && number == a.number => {
                if consume && seq != a.token_seq {
                    return invalid(format!(
                        "{token:?} was already used; the current token is {}",
                        make_token(exec.id, a.number, a.token_seq)
                    ));
                }
                Ok(seq)
            }
            _ => invalid(format!("{token:?} does not belong to an active invocation of {} run by this engine", exec.arn)),
        }
    }

    pub fn checkpoint(&self, arn: &str, token: &str, updates: &[OperationUpdate]) -> Result<CheckpointOutcome> {
        let parsed = validate_request(updates)?;
        if updates.is_empty() {
            // A poll: let timers that are due change records before answering.
            self.fire_due_timers(self.clock.now_ms())?;
        }
        let now = self.clock.now_ms();
        let (outcome, wake) = self.write(|s| self.checkpoint_in(s, arn, token, updates, &parsed, now))?;
        if wake {
            self.notify.notify_waiters();
        }
        Ok(outcome)
    }

    /// Group commit: several checkpoints (of different invocations) applied in one transaction,
    /// so they share one commit (and one fsync with synchronous=FULL). Each request is isolated
    /// by a savepoint: a rejected one leaves nothing behind and does not affect the others.
    pub fn checkpoint_many(&self, requests: &[CheckpointRequest]) -> Result<Vec<Result<CheckpointOutcome>>> {
        let parsed: Vec<Result<Vec<crate::validate::Parsed>>> = requests.iter().map(|r| validate_request(&r.updates)).collect();
        if requests.iter().any(|r| r.updates.is_empty()) {
            self.fire_due_timers(self.clock.now_ms())?;
        }
        let now = self.clock.now_ms();
        let mut wake = false;
        let outcomes = self.write(|s| {
            let mut outcomes = Vec::with_capacity(requests.len());
            for (request, parsed) in requests.iter().zip(parsed) {
                let outcome = parsed.and_then(|parsed| {
                    s.savepoint()?;
                    match self.checkpoint_in(s, &request.arn, &request.token, &request.updates, &parsed, now) {
                        Ok(done) => {
                            s.release_savepoint()?;
                            Ok(done)
                        }
                        Err(e) => {
                            s.rollback_savepoint()?;
                            Err(e)
                        }
                    }
                });
                outcomes.push(outcome.map(|(outcome, woke)| {
                    wake |= woke;
                    outcome
                }));
            }
            Ok(outcomes)
        })?;
        if wake {
            self.notify.notify_waiters();
        }
        Ok(outcomes)
    }

    /// One checkpoint inside an open transaction: returns the answer and whether a task became
    /// due (a chained invoke started).
    fn checkpoint_in(
        &self,
        s: &Store,
        arn: &str,
        token: &str,
        updates: &[OperationUpdate],
        parsed: &[crate::validate::Parsed],
        now: i64,
    ) -> Result<(CheckpointOutcome, bool)> {
        let mut exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })?;
        self.check_token(&exec, token, true)?;
        let mut op_count = lock_map(&self.active).get(&exec.id).map_or(0, |a| a.op_count);
        let mut events = EventLog::open(s, exec.id)?;
        let mut touched: HashMap<String, (Operation, i64)> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut wake_now = false;
        for (update, p) in updates.iter().zip(parsed.iter().copied()) {
            if p.op_type == OperationType::Execution {
                finish_by_update(s, &mut exec, update, p.action, now)?;
                continue;
            }
            let current = match touched.get(&update.id) {
                Some((op, seq)) => Some((op.clone(), *seq)),
                None => s.get_op_with_seq(exec.id, &update.id)?,
            };
            if current.is_none() {
                if let Some(parent) = &update.parent_id {
                    check_parent(s, &exec, &touched, update, parent)?;
                }
                check_operation_count(update, op_count)?;
                op_count += 1;
            }
            let (record, seq) = match current {
                Some((op, seq)) => (Some(op), Some(seq)),
                None => (None, None),
            };
            validate_transition(update, p, record.as_ref())?;
            let applied = apply(update, p, record, now);
            let mut first_event = events.append(s, &applied.events)?;
            for effect in &applied.effects {
                match effect {
                    Effect::ArmTimer { kind, due_ms } => s.arm_timer(exec.id, &update.id, kind.as_str(), *due_ms)?,
                    Effect::ClearTimers => s.clear_timers(exec.id, &update.id)?,
                    Effect::InvokeTarget => {
                        first_event = self.start_target(s, &exec, &applied.record, &mut events, now)?;
                        wake_now = true;
                    }
                }
            }
            if !touched.contains_key(&update.id) {
                order.push(update.id.clone());
            }
            // A record's start order is the number of the first event it produced.
            touched.insert(update.id.clone(), (applied.record, seq.unwrap_or(first_event)));
        }
        for id in &order {
            let (op, seq) = &touched[id];
            s.put_op(exec.id, op, *seq, exec.change_seq)?;
        }
        let mut active = lock_map(&self.active);
        let invocation = active.get_mut(&exec.id).ok_or_else(|| EngineError::InvalidToken { reason: "invocation ended".into() })?;
        let operations = if exec.change_seq > invocation.delivered_seq {
            s.ops_changed_since(exec.id, invocation.delivered_seq)?
        } else {
            let mut ops: Vec<(Operation, i64)> = order.iter().map(|id| touched[id].clone()).collect();
            ops.sort_by_key(|(_, seq)| *seq);
            ops.into_iter().map(|(op, _)| op).collect()
        };
        invocation.delivered_seq = exec.change_seq;
        invocation.token_seq += 1;
        invocation.op_count = op_count;
        if invocation.lease_ms - now < self.config.lease_ms / 2 {
            invocation.lease_ms = now + self.config.lease_ms;
            s.renew_lease(exec.id, invocation.lease_ms)?;
        }
        if exec.status != ExecutionStatus::Running.as_str() {
            s.update_exec(&exec)?;
        }
        let token = make_token(exec.id, invocation.number, invocation.token_seq);
        Ok((CheckpointOutcome { token, operations }, wake_now))
    }

    /// One page of the pruned execution state, for the active invocation's token.
    pub fn get_execution_state(&self, arn: &str, token: &str, marker: Option<&str>, max_items: Option<usize>) -> Result<StatePage> {
        let page = max_items.unwrap_or(100);
        if page == 0 || page > 1000 {
            return Err(EngineError::parameter("MaxItems", page, "must be between 1 and 1000"));
        }
        let offset = match marker {
            None | Some("") => 0,
            Some(m) => m.parse::<usize>().map_err(|_| EngineError::parameter("Marker", format!("{m:?}"), "not a marker returned by this API"))?,
        };
        self.read(|s| {
            let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })?;
            self.check_token(&exec, token, false)?;
            Ok(paginate(pruned_state(s, exec.id)?, offset, page))
        })
    }
}

pub(crate) fn paginate(all: Vec<Operation>, offset: usize, page: usize) -> StatePage {
    let total = all.len();
    let operations: Vec<Operation> = all.into_iter().skip(offset).take(page).collect();
    let next = offset + operations.len();
    StatePage { operations, next_marker: (next < total).then(|| next.to_string()) }
}

/// All operations in start order, without the descendants of completed contexts that do not
/// replay their children (PROTOCOL.md §5.4).
pub(crate) fn pruned_state(s: &Store, exec_id: i64) -> Result<Vec<Operation>> {
    let all = s.ops_in_order(exec_id)?;
    let mut hidden: HashSet<String> = HashSet::new();
    // Parents start before their children, so one pass in start order sees parents first.
    let mut closed_contexts: HashSet<String> = HashSet::new();
    for op in &all {
        let parent_hidden = op.parent_id.as_ref().is_some_and(|p| hidden.contains(p) || closed_contexts.contains(p));
        if parent_hidden {
            hidden.insert(op.id.clone());
            continue;
        }
        let done = matches!(op.status, OperationStatus::Succeeded | OperationStatus::Failed);
        if op.op_type == OperationType::Context && done && op.replay_children != Some(true) {
            closed_contexts.insert(op.id.clone());
        }
    }
    Ok(all.into_iter().filter(|op| !hidden.contains(&op.id)).collect())
}

fn check_parent(
    s: &Store,
    exec: &ExecRow,
    touched: &HashMap<String, (Operation, i64)>,
    update: &OperationUpdate,
    parent: &str,
) -> Result<()> {
    let parent_type = match touched.get(parent) {
        Some((op, _)) => Some(op.op_type),
        None => s.get_op(exec.id, parent)?.map(|op| op.op_type),
    };
    if parent_type != Some(OperationType::Context) {
        return Err(EngineError::checkpoint(&update.id, &update.action, format!("Invalid parent operation id {parent}.")));
    }
    Ok(())
}

/// An EXECUTION update ends the execution with its payload or error (PROTOCOL.md §2.2).
fn finish_by_update(s: &Store, exec: &mut ExecRow, update: &OperationUpdate, action: Action, now: i64) -> Result<()> {
    let (status, result, error) = if action == Action::Succeed {
        (ExecutionStatus::Succeeded, update.payload.clone(), None)
    } else {
        (ExecutionStatus::Failed, None, update.error.clone())
    };
    finish_execution(s, exec, status, result, error, now)
}

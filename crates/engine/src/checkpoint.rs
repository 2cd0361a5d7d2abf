//! The data-plane operations an SDK calls during an invocation (PROTOCOL.md §5):
//! `CheckpointDurableExecution` (alone or group-committed) and `GetDurableExecutionState`, with
//! the token check and the pruning of completed child contexts. Whether an update fits is the
//! request rules' (request.rs) and its operation's state machine's (ops/).

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use crate::core::{lock, Core};
use crate::error::{EngineError, Result};
use crate::lifecycle::{finish_execution, start_target, EventLog};
use crate::model::{Action, ExecutionStatus, Operation, OperationStatus, OperationType, OperationUpdate};
use crate::ops::execution::ExecEvent;
use crate::ops::{self, Effect, OpEvent, Verdict};
use crate::request::{check_operation_count, validate_request, Parsed};
use crate::storage::{in_savepoint, ExecRow, Storage};
use crate::token::TokenClaims;

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

/// Steps an accepted request ended (for the steps-completed counter).
fn steps_ended(updates: &[OperationUpdate]) -> u64 {
    updates.iter().filter(|u| u.op_type == "STEP" && (u.action == "SUCCEED" || u.action == "FAIL")).count() as u64
}

/// A token is valid for the current step of an invocation this engine runs, of a running
/// execution. Errors never show a valid token.
pub(crate) fn check_token(core: &Core, exec: &ExecRow, token: &str, consume: bool) -> Result<TokenClaims> {
    check_claims(core, exec, core.tokens.verify(token), consume)
}

/// `check_token` on claims already verified (`None`: the token is not one of ours).
fn check_claims(core: &Core, exec: &ExecRow, claims: Option<TokenClaims>, consume: bool) -> Result<TokenClaims> {
    let invalid = |reason: String| Err(EngineError::InvalidToken { reason });
    // A PAUSING execution's invocation still checkpoints (the pause takes effect then); once
    // PAUSED, or ended, it does not.
    if !matches!(exec.status, ExecutionStatus::Running | ExecutionStatus::Pausing) {
        return invalid(format!("execution {:?} ({}) is {}", exec.name, exec.arn, exec.status));
    }
    let Some(claims) = claims else {
        return invalid(format!("the token is not a checkpoint token issued for {}", exec.arn));
    };
    let active = lock(&core.active);
    let current = active.get(&exec.id).filter(|a| exec.invocation.lease.is_some() && a.epoch == exec.invocation.count);
    match current {
        Some(a) if claims.exec_id == exec.id && claims.epoch == a.epoch => {
            if consume && claims.seq != a.token_seq {
                return invalid(format!("the token was already used (invocation {} of {})", a.epoch, exec.arn));
            }
            Ok(claims)
        }
        _ => invalid(format!("the token does not belong to an active invocation of {} run by this engine", exec.arn)),
    }
}

pub(crate) fn checkpoint(core: &Core, arn: &str, token: &str, updates: &[OperationUpdate]) -> Result<CheckpointOutcome> {
    let parsed = validate_request(updates)?;
    if updates.is_empty() {
        // A poll: let timers that are due change records before answering.
        crate::timers::fire_due(core, core.now())?;
    }
    let now = core.now();
    let began = Instant::now();
    let done = core.write(|s| checkpoint_in(core, s, arn, token, updates, &parsed, now));
    core.stats.checkpointed(1, began.elapsed());
    let (outcome, wake) = done?;
    core.stats.steps_completed(steps_ended(updates));
    if wake {
        core.wake_waiters();
    }
    Ok(outcome)
}

/// Group commit: several checkpoints (of different invocations) applied in one transaction,
/// so they share one commit (and one fsync with synchronous=FULL). Each request is isolated
/// by a savepoint: a rejected one leaves nothing behind and does not affect the others.
pub(crate) fn checkpoint_many(core: &Core, requests: &[CheckpointRequest]) -> Result<Vec<Result<CheckpointOutcome>>> {
    let parsed: Vec<Result<Vec<Parsed>>> = requests.iter().map(|r| validate_request(&r.updates)).collect();
    if requests.iter().any(|r| r.updates.is_empty()) {
        crate::timers::fire_due(core, core.now())?;
    }
    let now = core.now();
    let mut wake = false;
    let began = Instant::now();
    let outcomes = core.write(|s| {
        let arns: Vec<&str> = requests.iter().map(|r| r.arn.as_str()).collect();
        s.prefetch_execs(&arns)?;
        let mut outcomes = Vec::with_capacity(requests.len());
        for (request, parsed) in requests.iter().zip(parsed) {
            let outcome = parsed.and_then(|parsed| in_savepoint(s, || checkpoint_in(core, s, &request.arn, &request.token, &request.updates, &parsed, now)));
            outcomes.push(outcome.map(|(outcome, woke)| {
                wake |= woke;
                outcome
            }));
        }
        Ok(outcomes)
    });
    core.stats.checkpointed(requests.len(), began.elapsed());
    let outcomes = outcomes?;
    let ended = requests.iter().zip(&outcomes).filter(|(_, o)| o.is_ok()).map(|(r, _)| steps_ended(&r.updates)).sum();
    core.stats.steps_completed(ended);
    if wake {
        core.wake_waiters();
    }
    Ok(outcomes)
}

/// One checkpoint inside an open transaction: returns the answer and whether a task became
/// due (a chained invoke started).
fn checkpoint_in(
    core: &Core,
    s: &dyn Storage,
    arn: &str,
    token: &str,
    updates: &[OperationUpdate],
    parsed: &[Parsed],
    now: i64,
) -> Result<(CheckpointOutcome, bool)> {
    let claims = core.tokens.verify(token);
    let mut exec = load_for_token(s, arn, claims)?;
    check_claims(core, &exec, claims, true)?;
    let (mut op_count, cached_next_event) = {
        let active = lock(&core.active);
        let a = active.get(&exec.id);
        let valid = a.filter(|a| a.delivered_seq == exec.change_seq).map(|a| a.next_event_id);
        (a.map_or(0, |a| a.op_count), valid)
    };
    let mut events = match cached_next_event {
        Some(next) => EventLog::at(exec.id, next),
        None => EventLog::open(s, exec.id)?,
    };
    let mut created: Vec<String> = Vec::new();
    let mut touched: HashMap<String, (Operation, i64)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut wake_now = false;
    let mut ended = false;
    for (update, p) in updates.iter().zip(parsed.iter().copied()) {
        if p.op_type == OperationType::Execution {
            // An EXECUTION update ends the execution with its payload or error (§2.2).
            let event = if p.action == Action::Succeed {
                ExecEvent::Succeed(update.payload.clone())
            } else {
                ExecEvent::Fail(update.error.clone().unwrap_or_default())
            };
            ended |= finish_execution(s, &mut exec, event, now)?;
            continue;
        }
        let current = match touched.get(&update.id) {
            Some((op, seq)) => Some((op.clone(), *seq)),
            None if !known(core, exec.id, &update.id) => None,
            None => s.get_op(exec.id, &update.id)?,
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
        let Verdict::Apply(t) = ops::transition(p.op_type, record.as_ref(), OpEvent::Update(update, p.action), now)? else {
            continue;
        };
        let record = t.record.or(record).expect("an update always leaves a record");
        let mut first_event = events.append(s, &t.events)?;
        for effect in &t.effects {
            match effect {
                Effect::ArmTimer { kind, due_ms } => s.arm_timer(exec.id, &update.id, *kind, *due_ms)?,
                Effect::ClearTimers => s.clear_timers(exec.id, &update.id)?,
                Effect::StartTarget => {
                    first_event = start_target(s, &exec, &record, &mut events, now, core.config.durable())?;
                    wake_now = true;
                }
                // The invocation itself made this change: nothing to wake.
                Effect::WakeExecution => {}
            }
        }
        if !touched.contains_key(&update.id) {
            order.push(update.id.clone());
            if seq.is_none() {
                created.push(update.id.clone());
            }
        }
        // A record's start order is the number of the first event it produced.
        touched.insert(update.id.clone(), (record, seq.unwrap_or(first_event)));
    }
    for id in &order {
        let (op, seq) = &touched[id];
        s.put_op(exec.id, op, *seq, exec.change_seq)?;
    }
    if let Some(paused) = crate::lifecycle::pause_takes_effect(&mut exec, now) {
        events.append(s, &[paused])?;
        ended = true;
    }
    let mut active = lock(&core.active);
    let invocation = active.get_mut(&exec.id).ok_or_else(|| EngineError::InvalidToken { reason: "the invocation ended".into() })?;
    let operations = if exec.change_seq > invocation.delivered_seq {
        s.ops_changed_since(exec.id, invocation.delivered_seq)?
    } else {
        let mut ops: Vec<(Operation, i64)> = order.iter().map(|id| touched[id].clone()).collect();
        ops.sort_by_key(|(_, seq)| *seq);
        ops.into_iter().map(|(op, _)| op).collect()
    };
    invocation.delivered_seq = exec.change_seq;
    invocation.token_seq += 1;
    invocation.initial_state = None;
    invocation.op_count = op_count;
    invocation.progressed |= !updates.is_empty();
    invocation.next_event_id = events.next_id();
    invocation.known_ops.extend(created);
    if invocation.lease_expires_ms - now < core.config.lease_ms / 2 {
        invocation.lease_expires_ms = now + core.config.lease_ms;
        s.renew_lease(exec.id, &core.me.owner, invocation.epoch, invocation.lease_expires_ms)?;
    }
    // The row changes only when the execution ended or paused (a step writes only its record).
    if ended {
        s.update_exec(&exec)?;
    }
    let token = core.tokens.issue(TokenClaims { exec_id: exec.id, epoch: invocation.epoch, seq: invocation.token_seq });
    Ok((CheckpointOutcome { token, operations }, wake_now))
}

/// One page of the pruned execution state, for the active invocation's token.
pub(crate) fn get_execution_state(core: &Core, arn: &str, token: &str, marker: Option<&str>, max_items: Option<usize>) -> Result<StatePage> {
    let page = max_items.unwrap_or(100);
    if page == 0 || page > 1000 {
        return Err(EngineError::parameter("MaxItems", page, "must be between 1 and 1000"));
    }
    let offset = match marker {
        None | Some("") => 0,
        Some(m) => m.parse::<usize>().map_err(|_| EngineError::parameter("Marker", format!("{m:?}"), "not a marker returned by this API"))?,
    };
    core.read(|s| {
        let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })?;
        check_token(core, &exec, token, false)?;
        Ok(paginate(pruned_state(s, exec.id)?, offset, page))
    })
}

/// Every record of the invocation's state (pruned, unpaged), for the SDK side in process. Opened
/// before its first checkpoint, it is the state the invocation was claimed with (what its task
/// carried), without a read.
pub(crate) fn invocation_state(core: &Core, arn: &str, token: &str) -> Result<Vec<Operation>> {
    if let Some(claims) = core.tokens.verify(token) {
        let mut active = lock(&core.active);
        let unopened = active.get_mut(&claims.exec_id).filter(|a| a.epoch == claims.epoch && a.token_seq == 0 && claims.seq == 0);
        if let Some(state) = unopened.and_then(|a| a.initial_state.take_if(|(of, _)| of == arn)) {
            return Ok(state.1);
        }
    }
    core.read(|s| {
        let exec = s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })?;
        check_token(core, &exec, token, false)?;
        pruned_state(s, exec.id)
    })
}

pub(crate) fn paginate(all: Vec<Operation>, offset: usize, page: usize) -> StatePage {
    let total = all.len();
    let operations: Vec<Operation> = all.into_iter().skip(offset).take(page).collect();
    let next = offset + operations.len();
    StatePage { operations, next_marker: (next < total).then(|| next.to_string()) }
}

/// All operations in start order, without the descendants of completed contexts that do not
/// replay their children (PROTOCOL.md §5.4).
pub(crate) fn pruned_state(s: &dyn Storage, exec_id: i64) -> Result<Vec<Operation>> {
    Ok(prune(s.ops_in_order(exec_id)?))
}

/// `all` in start order without the descendants of completed contexts that do not replay them.
pub(crate) fn prune(all: Vec<Operation>) -> Vec<Operation> {
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
    all.into_iter().filter(|op| !hidden.contains(&op.id)).collect()
}

/// The execution a checkpoint is for: found by the id its token carries (a primary-key
/// lookup), or by ARN when the token is not one of ours (to name what is wrong).
fn load_for_token(s: &dyn Storage, arn: &str, claims: Option<TokenClaims>) -> Result<ExecRow> {
    if let Some(claims) = claims {
        let exec = s.exec_by_id(claims.exec_id)?;
        if exec.arn == arn {
            return Ok(exec);
        }
    }
    s.exec_by_arn(arn)?.ok_or_else(|| EngineError::ExecutionNotFound { arn: arn.to_string() })
}

/// Whether the execution may have a record `id` (false only when this engine knows it has not).
fn known(core: &Core, exec_id: i64, id: &str) -> bool {
    lock(&core.active).get(&exec_id).is_none_or(|a| a.known_ops.contains(id))
}

fn check_parent(s: &dyn Storage, exec: &ExecRow, touched: &HashMap<String, (Operation, i64)>, update: &OperationUpdate, parent: &str) -> Result<()> {
    let parent_type = match touched.get(parent) {
        Some((op, _)) => Some(op.op_type),
        None => s.get_op(exec.id, parent)?.map(|(op, _)| op.op_type),
    };
    if parent_type != Some(OperationType::Context) {
        return Err(ops::refuse(update, format!("Invalid parent operation id {parent}.")));
    }
    Ok(())
}

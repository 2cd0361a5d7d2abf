//! Reads for people and tools: executions listed by page with filters, the change feed a live
//! list follows, one execution's timeline (its operations with each attempt, its invocations),
//! one operation whole, the history by page, and the figures metrics report. Each is built from
//! indexed storage queries (`Storage::query_execs`, `events_page`, …); nothing here filters a
//! full read. The console, the HTTP API and the CLI all read through these.

use serde_json::Value;

use crate::core::Core;
use crate::error::{EngineError, Result};
use crate::history;
use crate::lifecycle::{resolve, to_execution};
use crate::model::{ErrorObject, Execution, ExecutionStatus, Operation, OperationType};
use crate::storage::{ExecCursor, ExecQuery, ExecRow, QueueGauges};

/// The most rows one page may ask for.
pub const MAX_PAGE: usize = 1000;

/// One page of a listing: executions without their input and result (a page of a hundred
/// executions would otherwise carry up to 600 MB), and where the next page starts.
#[derive(Debug, Clone)]
pub struct ExecutionPage {
    pub executions: Vec<Execution>,
    pub next_marker: Option<String>,
}

/// An execution row that changed, with its change number (`Storage::execs_changed_since`).
#[derive(Debug, Clone)]
pub struct Change {
    pub change_no: i64,
    pub execution: Execution,
}

/// One attempt of a step (or check of a waitForCondition): from its start to its outcome, and
/// when the next attempt was due if it failed and was retried.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub number: u32,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    /// "STARTED" while running, then "SUCCEEDED", "FAILED" (retried or final).
    pub status: &'static str,
    pub error: Option<ErrorObject>,
    /// When the retry after this attempt was due.
    pub retry_at_ms: Option<i64>,
}

/// One invocation as a band on the time axis.
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationSpan {
    pub number: i64,
    pub start_ms: i64,
    /// None while it runs.
    pub end_ms: Option<i64>,
    pub request_id: String,
    pub error: Option<ErrorObject>,
}

/// An operation record as a page shows it: payloads cut to the asked length (with their full
/// sizes, so the page can offer the rest), and its attempts.
#[derive(Debug, Clone)]
pub struct OperationView {
    pub operation: Operation,
    pub input_size: usize,
    pub result_size: usize,
    pub truncated: bool,
    pub attempts: Vec<Attempt>,
    /// CHAINED_INVOKE: the execution it started.
    pub target_arn: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Timeline {
    pub execution: Execution,
    /// Full sizes of the execution's input and result (the copies above may be cut).
    pub input_size: usize,
    pub result_size: usize,
    pub root_arn: String,
    /// A chained invoke's execution: the caller's ARN and operation id.
    pub parent: Option<(String, String)>,
    pub invocations: Vec<InvocationSpan>,
    pub operations: Vec<OperationView>,
    /// The id of the last history event: a page that saw this number is up to date.
    pub last_event_id: i64,
    pub now_ms: i64,
}

/// What an execution looks like to a poller deciding whether to read it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version {
    pub status: ExecutionStatus,
    pub last_event_id: i64,
}

/// Who an execution is and where it hangs in a tree of chained invokes (tracing).
#[derive(Debug, Clone, PartialEq)]
pub struct Links {
    pub name: String,
    pub function_name: String,
    pub start_ms: i64,
    pub root_arn: String,
    /// A chained invoke's execution: the caller's ARN and operation id.
    pub parent: Option<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub events: Vec<Value>,
    pub next_marker: Option<String>,
}

pub fn check_limit(field: &str, limit: usize) -> Result<usize> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(EngineError::parameter(field, limit, format!("must be from 1 to {MAX_PAGE}")));
    }
    Ok(limit)
}

/// A listing marker is the sort key of the last row shown: "<start ms>.<id>".
pub fn parse_exec_marker(marker: &str) -> Result<ExecCursor> {
    let bad = || EngineError::parameter("Marker", format!("{marker:?}"), "is not a marker returned by this listing");
    let (start, id) = marker.split_once('.').ok_or_else(bad)?;
    Ok(ExecCursor { start_ms: start.parse().map_err(|_| bad())?, id: id.parse().map_err(|_| bad())? })
}

fn listed(row: &ExecRow) -> Execution {
    let mut e = to_execution(row);
    e.input = None;
    e.result = None;
    e
}

pub(crate) fn list(core: &Core, query: &ExecQuery) -> Result<ExecutionPage> {
    let limit = check_limit("MaxItems", query.limit)?;
    // One row more than the page tells whether there is a next page without a count.
    let mut q = query.clone();
    q.limit = limit + 1;
    let mut rows = core.read(|s| s.query_execs(&q))?;
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next_marker = if more { rows.last().map(|r| format!("{}.{}", r.start_ms, r.id)) } else { None };
    Ok(ExecutionPage { executions: rows.iter().map(listed).collect(), next_marker })
}

pub(crate) fn changes_since(core: &Core, since: i64, limit: usize) -> Result<Vec<Change>> {
    let limit = check_limit("limit", limit)?;
    let rows = core.read(|s| s.execs_changed_since(since, limit))?;
    Ok(rows.iter().map(|(n, row)| Change { change_no: *n, execution: listed(row) }).collect())
}

pub(crate) fn last_change(core: &Core) -> Result<i64> {
    core.read(|s| s.last_exec_change())
}

pub(crate) fn version(core: &Core, arn_or_name: &str) -> Result<Version> {
    core.read(|s| {
        let exec = resolve(s, arn_or_name)?;
        Ok(Version { status: exec.status, last_event_id: s.last_event_id(exec.id)? })
    })
}

pub(crate) fn links(core: &Core, arn_or_name: &str) -> Result<Links> {
    core.read(|s| {
        let exec = resolve(s, arn_or_name)?;
        let parent = match (exec.parent_exec_id, &exec.parent_op_id) {
            (Some(pid), Some(op)) => Some((s.exec_by_id(pid)?.arn, op.clone())),
            _ => None,
        };
        Ok(Links { name: exec.name, function_name: exec.function_name, start_ms: exec.start_ms, root_arn: exec.root_arn, parent })
    })
}

pub(crate) fn history_page(core: &Core, arn_or_name: &str, marker: Option<&str>, limit: usize, reverse: bool) -> Result<HistoryPage> {
    let limit = check_limit("MaxItems", limit)?;
    let after = match marker.filter(|m| !m.is_empty()) {
        Some(m) => Some(m.parse::<i64>().map_err(|_| EngineError::parameter("Marker", format!("{m:?}"), "is not a marker returned by this history"))?),
        None => None,
    };
    let rows = core.read(|s| {
        let exec = resolve(s, arn_or_name)?;
        s.events_page(exec.id, after, limit + 1, reverse)
    })?;
    let more = rows.len() > limit;
    let rows = &rows[..rows.len().min(limit)];
    let next_marker = if more { rows.last().map(|(id, ..)| id.to_string()) } else { None };
    let events = rows.iter().map(|(id, event_type, ts, body)| history::render(event_type, *id, *ts, body)).collect();
    Ok(HistoryPage { events, next_marker })
}

pub(crate) fn operation(core: &Core, arn_or_name: &str, id: &str) -> Result<Operation> {
    core.read(|s| {
        let exec = resolve(s, arn_or_name)?;
        s.get_op(exec.id, id)?.map(|(op, _)| op).ok_or_else(|| EngineError::parameter("operation id", format!("{id:?}"), format!("execution {} has no such operation", exec.arn)))
    })
}

pub(crate) fn counts_by_status(core: &Core) -> Result<Vec<(ExecutionStatus, i64)>> {
    core.read(|s| s.count_execs_by_status())
}

pub(crate) fn queue_gauges(core: &Core) -> Result<QueueGauges> {
    let now = core.now();
    core.read(|s| s.queue_gauges(now))
}

/// Cuts a payload to at most `limit` bytes at a character boundary.
fn cut(text: &mut Option<String>, limit: usize) -> (usize, bool) {
    let Some(t) = text.as_mut() else { return (0, false) };
    let size = t.len();
    if size <= limit {
        return (size, false);
    }
    let mut end = limit;
    while !t.is_char_boundary(end) {
        end -= 1;
    }
    t.truncate(end);
    (size, true)
}

pub(crate) fn timeline(core: &Core, arn_or_name: &str, payload_limit: usize) -> Result<Timeline> {
    let now_ms = core.now();
    let (exec, parent, ops, events) = core.read(|s| {
        let exec = resolve(s, arn_or_name)?;
        let parent = match (exec.parent_exec_id, &exec.parent_op_id) {
            (Some(pid), Some(op)) => Some((s.exec_by_id(pid)?.arn, op.clone())),
            _ => None,
        };
        Ok((exec.clone(), parent, s.ops_in_order(exec.id)?, s.events(exec.id)?))
    })?;
    let derived = crate::inspect_events::derive(&events, &exec);
    let operations = ops
        .into_iter()
        .filter(|op| op.op_type != OperationType::Execution)
        .map(|mut op| {
            let (input_size, cut_input) = cut(&mut op.input_payload, payload_limit);
            let (result_size, cut_result) = cut(&mut op.result, payload_limit);
            let attempts = derived.attempts.get(&op.id).cloned().unwrap_or_default();
            let target_arn = derived.targets.get(&op.id).cloned();
            OperationView { operation: op, input_size, result_size, truncated: cut_input || cut_result, attempts, target_arn }
        })
        .collect();
    let mut execution = to_execution(&exec);
    let (input_size, _) = cut(&mut execution.input, payload_limit);
    let (result_size, _) = cut(&mut execution.result, payload_limit);
    Ok(Timeline {
        execution,
        input_size,
        result_size,
        root_arn: exec.root_arn.clone(),
        parent,
        invocations: derived.invocations,
        operations,
        last_event_id: events.last().map(|e| e.0).unwrap_or(0),
        now_ms,
    })
}

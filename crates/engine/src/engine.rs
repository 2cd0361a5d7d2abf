//! The engine facade: one SQLite store, one clock and the wake-up signal shared by the
//! checkpoint path, the invocation lifecycle and the scheduler (each in its own module).
//! This module owns opening, starting executions and the read APIs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use serde_json::Value;
use tokio::sync::Notify;

use crate::clock::Clock;
use crate::error::{EngineError, Result};
use crate::history;
use crate::ids;
use crate::model::{ErrorObject, Execution, ExecutionStatus, Operation, OperationStatus, OperationType};
use crate::store::{ExecRow, Store};

#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Use the virtual clock: timers fire as soon as nothing is running.
    pub skip_time: bool,
    /// How long an invocation may go without a checkpoint before another owner may take it.
    pub lease_ms: i64,
    /// Operations per page of execution state.
    pub page_size: usize,
    /// Delay before re-invoking after a failed invocation.
    pub invocation_retry_delay_ms: i64,
    /// `ExecutionTimeout` recorded on new executions (seconds).
    pub execution_timeout_s: i64,
    /// Poll interval for changes made by other processes on the same file.
    pub poll_ms: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            skip_time: false,
            lease_ms: 15 * 60 * 1000,
            page_size: 1000,
            invocation_retry_delay_ms: 1000,
            execution_timeout_s: 31_622_400,
            poll_ms: 50,
        }
    }
}

/// An invocation this engine is running. Its token sequence and delivery mark live here, not in
/// the database, so a checkpoint writes only the records it changes (the invocation dies with
/// this engine anyway).
#[derive(Debug, Clone)]
pub(crate) struct ActiveInvocation {
    pub number: i64,
    pub token_seq: i64,
    /// The execution's `change_seq` as of the last answer to this invocation.
    pub delivered_seq: i64,
    pub lease_ms: i64,
    /// Operations the execution has (EXECUTION excluded), for the per-execution limit.
    pub op_count: i64,
}

pub struct Engine {
    store: Mutex<Store>,
    pub(crate) clock: Clock,
    pub(crate) notify: Notify,
    pub(crate) owner: String,
    pub(crate) pid: i64,
    /// Invocations run by this engine, by execution id.
    pub(crate) active: Mutex<HashMap<i64, ActiveInvocation>>,
    /// Recent checkpoint answers by ClientToken (idempotency.rs).
    pub(crate) answers: Mutex<crate::idempotency::Answers>,
    closed: AtomicBool,
    /// Set by `stop_tasks`: no more invocations are handed out.
    pub(crate) tasks_stopped: AtomicBool,
    pub(crate) config: EngineConfig,
    checkpointer: Mutex<Option<crate::checkpointer::WalCheckpointer>>,
}

/// Result of `start_execution`.
#[derive(Debug, Clone)]
pub struct Started {
    pub execution: Execution,
    /// False when an execution with this name and input already existed.
    pub created: bool,
}

const NAME_LIMIT: usize = 64;
const INPUT_LIMIT: usize = crate::validate::EXECUTION_PAYLOAD_LIMIT;

fn check_name(field: &str, value: &str) -> Result<()> {
    let ok_chars = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if value.is_empty() || value.len() > NAME_LIMIT || !ok_chars {
        return Err(EngineError::parameter(
            field,
            format!("{value:?}"),
            format!("must be 1 to {NAME_LIMIT} characters of letters, digits, '-' and '_'"),
        ));
    }
    Ok(())
}

/// Who started an execution that a chained invoke created: (execution id, operation id, root ARN).
pub(crate) type ParentLink<'a> = (i64, &'a str, &'a str);

/// Inserts a new running execution, its EXECUTION operation and `ExecutionStarted`; it is due
/// for its first invocation at once.
pub(crate) fn create_execution(
    s: &Store,
    function_name: &str,
    name: Option<&str>,
    input: Option<&str>,
    parent: Option<ParentLink<'_>>,
    now: i64,
    timeout_s: i64,
) -> Result<ExecRow> {
    let invocation_id = ids::random_id();
    let exec_name = name.map(str::to_string).unwrap_or_else(|| invocation_id.clone());
    let arn = ids::execution_arn(function_name, &exec_name, &invocation_id);
    let mut row = ExecRow {
        id: 0,
        root_arn: parent.map(|(_, _, root)| root.to_string()).unwrap_or_else(|| arn.clone()),
        parent_exec_id: parent.map(|(id, _, _)| id),
        parent_op_id: parent.map(|(_, op, _)| op.to_string()),
        arn,
        function_name: function_name.to_string(),
        name: exec_name,
        exec_op_id: invocation_id,
        input: input.map(str::to_string),
        status: ExecutionStatus::Running.as_str().to_string(),
        result: None,
        error: None,
        start_ms: now,
        end_ms: None,
        timeout_s,
        change_seq: 0,
        wake_ms: Some(now),
        inv_count: 0,
        inv_active: false,
        inv_owner: None,
        inv_pid: None,
        inv_lease_ms: None,
        inv_start_ms: None,
        inv_request_id: None,
        delivered_seq: 0,
        failed_invocations: 0,
    };
    row.id = s.insert_exec(&row)?;
    let mut op = Operation::new(&row.exec_op_id, OperationType::Execution, OperationStatus::Started, now);
    op.input_payload = row.input.clone();
    s.put_op(row.id, &op, 0, 0)?;
    append_events(s, &row, &[history::execution_started(&op, timeout_s, now)])?;
    Ok(row)
}

impl Engine {
    pub fn open(path: &str, config: EngineConfig) -> Result<Engine> {
        let store = Store::open(path)?;
        // With a background checkpointer the connection never checkpoints on its own.
        let checkpointer = if path == ":memory:" { None } else { crate::checkpointer::WalCheckpointer::start(path) };
        if checkpointer.is_some() {
            store.conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        }
        Ok(Engine {
            checkpointer: Mutex::new(checkpointer),
            store: Mutex::new(store),
            clock: Clock::new(config.skip_time),
            notify: Notify::new(),
            owner: ids::random_id(),
            pid: std::process::id() as i64,
            active: Mutex::new(HashMap::new()),
            answers: Mutex::new(Default::default()),
            closed: AtomicBool::new(false),
            tasks_stopped: AtomicBool::new(false),
            config,
        })
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        lock_map(&self.checkpointer).take();
        self.notify.notify_waiters();
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    pub(crate) fn lock(&self) -> Result<MutexGuard<'_, Store>> {
        if self.is_closed() {
            return Err(EngineError::Closed);
        }
        // A panic while holding the lock cannot leave a half-applied transaction behind
        // (SQLite rolls it back), so a poisoned lock is still safe to use.
        Ok(self.store.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `f` in one IMMEDIATE transaction: everything it wrote commits, or nothing does.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let store = self.lock()?;
        store.run("BEGIN IMMEDIATE")?;
        match f(&store) {
            Ok(value) => match store.run("COMMIT") {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = store.run("ROLLBACK");
                    Err(e)
                }
            },
            Err(e) => {
                let _ = store.run("ROLLBACK");
                Err(e)
            }
        }
    }

    pub(crate) fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let store = self.lock()?;
        f(&store)
    }

    pub fn set_synchronous_full(&self, full: bool) -> Result<()> {
        self.read(|s| s.set_synchronous_full(full))
    }

    /// Starts an execution of `function_name`, or attaches to the one already named `name`
    /// when its input is the same (AWS `DurableExecutionName` idempotency).
    pub fn start_execution(&self, function_name: &str, name: Option<&str>, input: Option<&str>) -> Result<Started> {
        check_name("function name", function_name)?;
        if let Some(n) = name {
            check_name("execution name", n)?;
        }
        if let Some(i) = input {
            if i.len() > INPUT_LIMIT {
                return Err(EngineError::PayloadTooLarge { field: "execution input".into(), size: i.len(), limit: INPUT_LIMIT });
            }
        }
        let started = self.write(|s| {
            if let Some(n) = name {
                if let Some(existing) = s.exec_by_name(function_name, n)? {
                    if existing.input.as_deref() != input {
                        return Err(EngineError::ExecutionAlreadyStarted { name: n.to_string(), arn: existing.arn });
                    }
                    return Ok(Started { execution: to_execution(&existing), created: false });
                }
            }
            let row = create_execution(s, function_name, name, input, None, self.clock.now_ms(), self.config.execution_timeout_s)?;
            Ok(Started { execution: to_execution(&row), created: true })
        })?;
        if started.created {
            self.notify.notify_waiters();
        }
        Ok(started)
    }

    /// Finds an execution by ARN, or by name when the name is unambiguous.
    pub fn find_execution(&self, arn_or_name: &str) -> Result<ExecRow> {
        self.read(|s| resolve(s, arn_or_name))
    }

    pub fn get_execution(&self, arn_or_name: &str) -> Result<Execution> {
        Ok(to_execution(&self.find_execution(arn_or_name)?))
    }

    pub fn list_executions(&self, status: Option<&str>, function_name: Option<&str>) -> Result<Vec<Execution>> {
        if let Some(st) = status {
            ExecutionStatus::parse(st)?;
        }
        self.read(|s| Ok(s.list_execs(status, function_name)?.iter().map(to_execution).collect()))
    }

    /// The history in the `GetDurableExecutionHistory` event shape.
    pub fn history(&self, arn_or_name: &str) -> Result<Vec<Value>> {
        self.read(|s| {
            let exec = resolve(s, arn_or_name)?;
            Ok(s.events(exec.id)?
                .iter()
                .map(|(id, event_type, ts, body)| history::render(event_type, *id, *ts, body))
                .collect())
        })
    }

    /// Every operation record of an execution in start order (unpruned; for tools and tests).
    pub fn operations(&self, arn_or_name: &str) -> Result<Vec<Operation>> {
        self.read(|s| {
            let exec = resolve(s, arn_or_name)?;
            s.ops_in_order(exec.id)
        })
    }
}

pub(crate) fn resolve(s: &Store, arn_or_name: &str) -> Result<ExecRow> {
    if let Some(row) = s.exec_by_arn(arn_or_name)? {
        return Ok(row);
    }
    let mut named = s.execs_named(arn_or_name)?;
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(EngineError::ExecutionNotFound { arn: arn_or_name.to_string() }),
        n => Err(EngineError::parameter(
            "execution",
            format!("{arn_or_name:?}"),
            format!("{n} executions of different functions have this name; use the ARN"),
        )),
    }
}

pub(crate) fn to_execution(row: &ExecRow) -> Execution {
    Execution {
        arn: row.arn.clone(),
        name: row.name.clone(),
        function_name: row.function_name.clone(),
        status: ExecutionStatus::parse(&row.status).unwrap_or(ExecutionStatus::Running),
        input: row.input.clone(),
        result: row.result.clone(),
        error: row.error.clone(),
        start_ms: row.start_ms,
        end_ms: row.end_ms,
    }
}

/// Numbers events after the last one stored, so processes sharing the file never collide.
pub(crate) struct EventLog {
    exec_id: i64,
    next: i64,
}

impl EventLog {
    pub fn open(s: &Store, exec_id: i64) -> Result<EventLog> {
        Ok(EventLog { exec_id, next: s.last_event_id(exec_id)? + 1 })
    }

    /// Stores `events` in order; returns the id given to the first one.
    pub fn append(&mut self, s: &Store, events: &[history::Event]) -> Result<i64> {
        let first = self.next;
        for event in events {
            s.insert_event(self.exec_id, self.next, event)?;
            self.next += 1;
        }
        Ok(first)
    }
}

pub(crate) fn append_events(s: &Store, exec: &ExecRow, events: &[history::Event]) -> Result<()> {
    EventLog::open(s, exec.id)?.append(s, events).map(|_| ())
}

pub(crate) fn lock_map<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Ends an execution: status, outcome, terminal event, no more timers or invocations.
pub(crate) fn finish_execution(
    s: &Store,
    exec: &mut ExecRow,
    status: ExecutionStatus,
    result: Option<String>,
    error: Option<ErrorObject>,
    now: i64,
) -> Result<()> {
    let event = match status {
        ExecutionStatus::Succeeded => history::execution_succeeded(&exec.exec_op_id, &result, now),
        ExecutionStatus::Failed => history::execution_failed(&exec.exec_op_id, &error, now),
        ExecutionStatus::Stopped => history::execution_stopped(&exec.exec_op_id, &error, now),
        ExecutionStatus::TimedOut => history::execution_timed_out(&exec.exec_op_id, &error, now),
        ExecutionStatus::Running => return Ok(()),
    };
    exec.status = status.as_str().to_string();
    exec.result = result;
    exec.error = error;
    exec.end_ms = Some(now);
    exec.wake_ms = None;
    append_events(s, exec, &[event])?;
    s.clear_exec_timers(exec.id)?;
    if let Some(mut op) = s.get_op(exec.id, &exec.exec_op_id)? {
        op.status = match status {
            ExecutionStatus::Succeeded => OperationStatus::Succeeded,
            ExecutionStatus::Failed => OperationStatus::Failed,
            ExecutionStatus::Stopped => OperationStatus::Stopped,
            ExecutionStatus::TimedOut => OperationStatus::TimedOut,
            ExecutionStatus::Running => OperationStatus::Started,
        };
        op.end_ms = Some(now);
        s.put_op(exec.id, &op, 0, exec.change_seq)?;
    }
    crate::invoke::report_to_parent(s, exec, now)
}

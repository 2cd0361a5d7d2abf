//! The engine facade: opens storage and clock, and hands every call to the service that owns
//! it (checkpoint, invocation, timers, callbacks, control, scheduler). No decisions here.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::checkpoint::{self, CheckpointOutcome, CheckpointRequest, StatePage};
use crate::clock::{Clock, SystemClock, VirtualClock};
use crate::config::{DurableConfig, EngineConfig};
use crate::control::{self, ControlRequest};
use crate::periodic::Periodic;
use crate::core::{lock, Core};
use crate::error::{EngineError, Result};
use crate::history;
use crate::idempotency::{self, Answers};
use crate::inspect::{self, Change, ExecutionPage, HistoryPage, Links, Timeline, Version};
use crate::stats::StatsSnapshot;
use crate::invocation::{self, Task};
use crate::lifecycle::{check_name, create_execution, resolve, to_execution};
use crate::model::{ErrorObject, Execution, ExecutionStatus, InvocationOutput, Operation, OperationUpdate};
use crate::request::EXECUTION_PAYLOAD_LIMIT;
use crate::storage::{is_postgres_url, ExecQuery, PgStorage, QueueGauges, SqliteStorage, Storage, TaskFilter};
use crate::{callbacks, scheduler, timers};

/// Result of `start_execution`.
#[derive(Debug, Clone)]
pub struct Started {
    pub execution: Execution,
    /// False when an execution with this name and input already existed.
    pub created: bool,
}

pub struct Engine {
    core: Arc<Core>,
    /// Recent checkpoint answers by ClientToken (idempotency.rs).
    answers: Mutex<Answers>,
    checkpointer: Mutex<Option<crate::checkpointer::WalCheckpointer>>,
    renewer: Mutex<Option<Periodic>>,
}

impl Engine {
    /// Opens a SQLite file (created if missing; its directory must exist), ":memory:", or a
    /// PostgreSQL database (`postgres://…`, schema created or migrated on first use), with the
    /// system clock, or the virtual one when `skip_time` is set.
    pub fn open(path: &str, config: EngineConfig) -> Result<Engine> {
        config.validate()?;
        let clock: Arc<dyn Clock> = if config.skip_time { Arc::new(VirtualClock::default()) } else { Arc::new(SystemClock) };
        if is_postgres_url(path) {
            return Ok(Engine::open_with(Box::new(PgStorage::open(path)?), clock, config));
        }
        let storage = SqliteStorage::open(path)?;
        storage.set_wal_limit(config.wal_limit_bytes);
        // With a background checkpointer the connection never checkpoints on its own.
        let checkpointer = if path == ":memory:" { None } else { crate::checkpointer::WalCheckpointer::start(path) };
        if checkpointer.is_some() {
            storage.disable_autocheckpoint()?;
        }
        let engine = Engine::open_with(Box::new(storage), clock, config);
        *lock(&engine.checkpointer) = checkpointer;
        Ok(engine)
    }

    /// An engine on any storage and clock (tests use a manual clock; other backends their own
    /// storage).
    pub fn open_with(storage: Box<dyn Storage>, clock: Arc<dyn Clock>, config: EngineConfig) -> Engine {
        let core = Arc::new(Core::new(storage, clock, config));
        Core::connect_waker(&core);
        let renewer = control::start_renewer(&core);
        Engine { core, answers: Mutex::new(Answers::default()), checkpointer: Mutex::new(None), renewer: Mutex::new(renewer) }
    }

    pub fn now_ms(&self) -> i64 {
        self.core.now()
    }

    pub fn close(&self) {
        // The background checkpointer stops first: the storage's last checkpoint needs its lock.
        lock(&self.checkpointer).take();
        self.core.close();
        lock(&self.renewer).take();
    }

    pub fn set_synchronous_full(&self, full: bool) -> Result<()> {
        self.core.read(|s| s.set_synchronous_full(full))
    }

    /// Starts an execution of `function_name`, or attaches to the one already named `name`
    /// when its input is the same (AWS `DurableExecutionName` idempotency).
    pub fn start_execution(&self, function_name: &str, name: Option<&str>, input: Option<&str>) -> Result<Started> {
        self.start_execution_with(function_name, name, input, self.core.config.durable())
    }

    /// What new executions get when their start names no durable config.
    pub fn default_durable_config(&self) -> DurableConfig {
        self.core.config.durable()
    }

    /// `start_execution` with this execution's own `ExecutionTimeout` and retention.
    pub fn start_execution_with(&self, function_name: &str, name: Option<&str>, input: Option<&str>, durable: DurableConfig) -> Result<Started> {
        durable.check()?;
        check_name("function name", function_name)?;
        if let Some(n) = name {
            check_name("execution name", n)?;
        }
        if let Some(i) = input {
            if i.len() > EXECUTION_PAYLOAD_LIMIT {
                return Err(EngineError::PayloadTooLarge { field: "execution input".into(), size: i.len(), limit: EXECUTION_PAYLOAD_LIMIT });
            }
        }
        let core = &self.core;
        let started = core.write_retrying(|s| {
            if let Some(n) = name {
                if let Some(existing) = s.exec_by_name(function_name, n)? {
                    if existing.input.as_deref() != input {
                        return Err(EngineError::ExecutionAlreadyStarted { name: n.to_string(), arn: existing.arn });
                    }
                    return Ok(Started { execution: to_execution(&existing), created: false });
                }
            }
            let row = create_execution(s, function_name, name, input, None, core.now(), durable)?;
            Ok(Started { execution: to_execution(&row), created: true })
        })?;
        if started.created {
            crate::timers::note_activity(core, 0);
            core.wake_waiters();
        }
        Ok(started)
    }

    pub fn get_execution(&self, arn_or_name: &str) -> Result<Execution> {
        self.core.read(|s| Ok(to_execution(&resolve(s, arn_or_name)?)))
    }

    pub fn list_executions(&self, status: Option<&str>, function_name: Option<&str>) -> Result<Vec<Execution>> {
        let status = status.map(ExecutionStatus::parse).transpose()?;
        self.core.read(|s| Ok(s.list_execs(status, function_name)?.iter().map(to_execution).collect()))
    }

    /// The history in the `GetDurableExecutionHistory` event shape.
    pub fn history(&self, arn_or_name: &str) -> Result<Vec<Value>> {
        self.core.read(|s| {
            let exec = resolve(s, arn_or_name)?;
            Ok(s.events(exec.id)?.iter().map(|(id, event_type, ts, body)| history::render(event_type, *id, *ts, body)).collect())
        })
    }

    /// Every operation record of an execution in start order (unpruned; for tools and tests).
    pub fn operations(&self, arn_or_name: &str) -> Result<Vec<Operation>> {
        self.core.read(|s| s.ops_in_order(resolve(s, arn_or_name)?.id))
    }

    pub fn checkpoint(&self, arn: &str, token: &str, updates: &[OperationUpdate]) -> Result<CheckpointOutcome> {
        checkpoint::checkpoint(&self.core, arn, token, updates)
    }

    /// `checkpoint`, answering a repeated ClientToken with the first answer.
    pub fn checkpoint_with_client_token(&self, arn: &str, token: &str, client_token: Option<&str>, updates: &[OperationUpdate]) -> Result<CheckpointOutcome> {
        let Some(client_token) = client_token else { return self.checkpoint(arn, token, updates) };
        let key = format!("{arn}\n{client_token}");
        let digest = idempotency::digest(token, updates);
        let now = self.core.now();
        if let Some(outcome) = lock(&self.answers).get(&key, digest, now) {
            return Ok(outcome);
        }
        let outcome = self.checkpoint(arn, token, updates)?;
        lock(&self.answers).remember(key, digest, now, outcome.clone());
        Ok(outcome)
    }

    pub fn checkpoint_many(&self, requests: &[CheckpointRequest]) -> Result<Vec<Result<CheckpointOutcome>>> {
        checkpoint::checkpoint_many(&self.core, requests)
    }

    pub fn get_execution_state(&self, arn: &str, token: &str, marker: Option<&str>, max_items: Option<usize>) -> Result<StatePage> {
        checkpoint::get_execution_state(&self.core, arn, token, marker, max_items)
    }

    /// The whole state an invocation starts from (what `get_execution_state` pages through).
    pub fn invocation_state(&self, arn: &str, token: &str) -> Result<Vec<Operation>> {
        checkpoint::invocation_state(&self.core, arn, token)
    }

    /// Waits for the next invocation to run among the executions `filter` selects. Returns
    /// `None` when the filter names one execution and it has finished, or the engine closed.
    pub async fn next_task(&self, filter: &TaskFilter) -> Result<Option<Task>> {
        Ok(scheduler::next_tasks(&self.core, filter, 1, false).await?.pop())
    }

    /// Like `next_task`, but only while an invocation of the selected executions is busy
    /// (`None` once none is), and without moving a skipping clock (scheduler.rs).
    pub async fn next_task_while_running(&self, filter: &TaskFilter) -> Result<Option<Task>> {
        Ok(scheduler::next_tasks(&self.core, filter, 1, true).await?.pop())
    }

    /// The running invocation of `arn` became busy (user code runs: it cannot end now) or not;
    /// the invocation's state machine decides (vm.rs `user_code`).
    pub fn set_busy(&self, arn: &str, busy: bool) {
        self.core.set_busy(arn, busy)
    }



    /// Like `next_task`, but claims up to `max` due invocations at once (one transaction).
    pub async fn next_tasks(&self, filter: &TaskFilter, max: usize) -> Result<Vec<Task>> {
        scheduler::next_tasks(&self.core, filter, max, false).await
    }

    /// Claims up to `max` invocations that are due now, without waiting.
    pub fn try_next_tasks(&self, filter: &TaskFilter, max: usize) -> Result<Vec<Task>> {
        scheduler::try_next_tasks(&self.core, filter, max)
    }

    /// When the next timer of the executions `filter` selects fires (engine clock, ms).
    pub fn next_due_time(&self, filter: &TaskFilter) -> Result<Option<i64>> {
        timers::next_due(&self.core, filter)
    }

    pub fn advance_clock_to(&self, target_ms: i64) -> Result<()> {
        scheduler::advance_clock_to(&self.core, target_ms)
    }

    /// Wakes waiters of `next_task` (after a test moved a manual clock, say).
    pub fn wake(&self) {
        self.core.wake_waiters();
    }

    pub fn complete_invocation(&self, arn: &str, token: &str, output: &InvocationOutput) -> Result<Execution> {
        invocation::complete(&self.core, arn, token, output)
    }

    /// `complete_invocation` for several invocations in one transaction (group completion).
    pub fn complete_invocations(&self, ends: &[(String, String, InvocationOutput)]) -> Result<Vec<Result<Execution>>> {
        invocation::complete_many(&self.core, ends)
    }

    pub fn fail_invocation(&self, arn: &str, token: &str, error: &ErrorObject) -> Result<Execution> {
        invocation::fail(&self.core, arn, token, error)
    }

    pub fn send_callback_success(&self, callback_id: &str, result: Option<&str>) -> Result<()> {
        callbacks::success(&self.core, callback_id, result)
    }

    pub fn send_callback_failure(&self, callback_id: &str, error: Option<ErrorObject>) -> Result<()> {
        callbacks::failure(&self.core, callback_id, error)
    }

    pub fn send_callback_heartbeat(&self, callback_id: &str) -> Result<()> {
        callbacks::heartbeat(&self.core, callback_id)
    }

    pub fn stop_execution(&self, arn_or_name: &str, error: Option<ErrorObject>) -> Result<i64> {
        control::stop(&self.core, arn_or_name, error)
    }

    /// PauseDurableExecution: PAUSED now, or PAUSING until the running invocation's next
    /// checkpoint. Returns the request time (ms).
    pub fn pause_execution(&self, arn_or_name: &str, request: &ControlRequest) -> Result<i64> {
        control::pause(&self.core, arn_or_name, request)
    }

    /// ResumeDurableExecution: RUNNING again (invoked if an operation completed meanwhile or
    /// the pause interrupted an invocation). Returns the request time (ms).
    pub fn resume_execution(&self, arn_or_name: &str, request: &ControlRequest) -> Result<i64> {
        control::resume(&self.core, arn_or_name, request)
    }

    /// DeleteDurableExecution: DELETING until the next scheduler pass removes its data (see
    /// `run_due_timers`). Returns `DeletionRequestTimestamp` (ms).
    pub fn delete_execution(&self, arn_or_name: &str) -> Result<i64> {
        control::delete(&self.core, arn_or_name)
    }

    /// Fires what is due on the engine's clock without claiming anything: timers, execution
    /// deadlines, and the removal of deleted or expired executions. The scheduler does this on
    /// every pass; a process that runs no scheduler (a CLI command) calls it. Returns how many
    /// things changed.
    pub fn run_due_timers(&self) -> Result<usize> {
        timers::fire_due(&self.core, self.core.now())
    }

    pub fn renew_leases(&self) -> Result<usize> {
        control::renew_leases(&self.core)
    }

    pub fn stop_tasks(&self) {
        control::stop_tasks(&self.core)
    }

    pub fn active_invocations(&self) -> usize {
        control::active_invocations(&self.core)
    }

    /// (checkpoint requests applied, transactions they were applied in) since opening.
    pub fn checkpoint_stats(&self) -> (u64, u64) {
        let s = self.core.stats.snapshot();
        (s.checkpoint_requests, s.checkpoint_transactions)
    }

    /// Every counter this engine keeps since it opened (metrics).
    pub fn stats(&self) -> StatsSnapshot {
        self.core.stats.snapshot()
    }

    // Reads for people and tools (inspect.rs): pages, not full reads.

    /// One page of executions (`query.limit` from 1 to 1000), newest first unless asked.
    pub fn list_page(&self, query: &ExecQuery) -> Result<ExecutionPage> {
        inspect::list(&self.core, query)
    }

    /// Execution rows changed after change number `since`, in change order (a live list).
    pub fn execution_changes(&self, since: i64, limit: usize) -> Result<Vec<Change>> {
        inspect::changes_since(&self.core, since, limit)
    }

    /// The latest change number of any execution row.
    pub fn last_execution_change(&self) -> Result<i64> {
        inspect::last_change(&self.core)
    }

    /// Status and last event id: what a poller compares to decide whether to read again.
    pub fn execution_version(&self, arn_or_name: &str) -> Result<Version> {
        inspect::version(&self.core, arn_or_name)
    }

    /// The execution with its operations, their attempts and its invocations, payloads cut
    /// to `payload_limit` bytes.
    pub fn timeline(&self, arn_or_name: &str, payload_limit: usize) -> Result<Timeline> {
        inspect::timeline(&self.core, arn_or_name, payload_limit)
    }

    /// Name, start and place in a tree of chained invokes (a tracer's parent span).
    pub fn execution_links(&self, arn_or_name: &str) -> Result<Links> {
        inspect::links(&self.core, arn_or_name)
    }

    /// One operation record, whole.
    pub fn operation(&self, arn_or_name: &str, id: &str) -> Result<Operation> {
        inspect::operation(&self.core, arn_or_name, id)
    }

    /// One page of the history (`GetDurableExecutionHistory` shapes); the marker is the last
    /// event id of the previous page.
    pub fn history_page(&self, arn_or_name: &str, marker: Option<&str>, limit: usize, reverse: bool) -> Result<HistoryPage> {
        inspect::history_page(&self.core, arn_or_name, marker, limit, reverse)
    }

    pub fn counts_by_status(&self) -> Result<Vec<(ExecutionStatus, i64)>> {
        inspect::counts_by_status(&self.core)
    }

    pub fn queue_gauges(&self) -> Result<QueueGauges> {
        inspect::queue_gauges(&self.core)
    }

    /// The storage's own check of its files (SQLite: `PRAGMA integrity_check`). Read-only.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.core.read(|s| s.integrity_check())
    }

    /// The storage's kind ("sqlite", "postgres") and schema version, for `check`.
    pub fn storage_info(&self) -> Result<(&'static str, i64)> {
        self.core.read(|s| Ok((s.backend(), s.schema_version()?)))
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.close();
    }
}

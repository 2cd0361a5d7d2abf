//! The napi binding of durable-engine: JS objects in the wire shapes (PascalCase fields) are
//! converted to engine types and back, and engine errors cross as `{code, awsName, message,
//! fields}` (the JSON text of a thrown error's message, or an object in group answers), from
//! which the TypeScript layer rebuilds its exported classes. No protocol logic lives here.

use std::sync::Arc;

use durable_engine as engine;
use napi::bindgen_prelude::*;
use napi_derive::napi;

mod commit;
mod control;
mod convert;
mod inspect;
mod invocation;
mod process;

use convert::*;
pub use invocation::{CommitResult, NativeInvocation};

/// No filter selects every execution.
fn engine_filter(filter: Option<TaskFilter>) -> engine::TaskFilter {
    filter.map(|f| engine::TaskFilter { arn: f.arn, functions: f.functions }).unwrap_or_default()
}

/// An engine error as it crosses to JavaScript.
#[napi(object)]
pub struct EngineErrorInfo {
    pub code: String,
    pub aws_name: String,
    pub message: String,
    pub fields: std::collections::HashMap<String, String>,
}

fn error_info(e: &engine::EngineError) -> EngineErrorInfo {
    EngineErrorInfo {
        code: e.code().to_string(),
        aws_name: e.aws_name().to_string(),
        message: e.to_string(),
        fields: e.fields().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
    }
}

fn js_err(e: engine::EngineError) -> Error {
    let info = error_info(&e);
    let json = serde_json::json!({ "code": info.code, "awsName": info.aws_name, "message": info.message, "fields": info.fields });
    Error::new(Status::GenericFailure, json.to_string())
}

/// Throws the engine's sample of error variant `index` through the real error path (the
/// parity test of the TypeScript classes walks every variant); null past the last one.
#[napi]
pub fn engine_error_sample(index: u32) -> Result<Option<String>> {
    match engine::EngineError::samples().into_iter().nth(index as usize) {
        Some(e) => Err(js_err(e)),
        None => Ok(None),
    }
}

/// Creates database `name` on the PostgreSQL server `server_url` points at; returns its URL
/// (test harnesses and `migrate` make fresh databases).
#[napi]
pub fn postgres_create_database(server_url: String, name: String) -> Result<String> {
    engine::storage::postgres_admin::create_database(&server_url, &name).map_err(js_err)
}

/// Drops database `name` on that server, ending sessions still connected to it.
#[napi]
pub fn postgres_drop_database(server_url: String, name: String) -> Result<()> {
    engine::storage::postgres_admin::drop_database(&server_url, &name).map_err(js_err)
}

/// Runs SQL on a PostgreSQL database (tests that build states the engine never writes).
#[napi]
pub fn postgres_execute(url: String, sql: String) -> Result<()> {
    engine::storage::postgres_admin::execute(&url, &sql).map_err(js_err)
}

/// What `migrateStorage` copied.
#[napi(object)]
pub struct MigrationReport {
    pub executions: f64,
    /// Of those, still running: they resume on the target.
    pub running: f64,
    pub operations: f64,
    pub events: f64,
    pub timers: f64,
}

/// Copies every execution of database `from` into the empty database `to` (a SQLite file or a
/// postgres:// URL each), in one transaction on the target (`durable-node migrate`).
#[napi]
pub fn migrate_storage(from: String, to: String) -> Result<MigrationReport> {
    let r = engine::migrate::migrate(&from, &to).map_err(js_err)?;
    Ok(MigrationReport { executions: r.executions as f64, running: r.running as f64, operations: r.operations as f64, events: r.events as f64, timers: r.timers as f64 })
}

/// Numbers are checked against the engine's ranges (`limits.rs`) by their option name.
#[napi(object)]
pub struct EngineOptions {
    pub skip_time: Option<bool>,
    pub lease_ms: Option<f64>,
    pub page_size: Option<f64>,
    pub invocation_retry_delay_ms: Option<f64>,
    /// Failed invocations in a row, with nothing checkpointed, that end the execution FAILED.
    pub max_failed_invocations: Option<f64>,
    pub poll_ms: Option<f64>,
    pub synchronous_full: Option<bool>,
    /// With skipTime: jump to a callback deadline only after this many ms of quiet (tests).
    pub callback_quiet_ms: Option<f64>,
    /// This machine's identity for leases (default: boot id and PID namespace).
    pub host_id: Option<String>,
    /// Tests: a clock that stands still at this time (ms) until `advanceClockTo` moves it.
    pub manual_clock_ms: Option<f64>,
    /// `ExecutionTimeout` of new executions (seconds, 1 to 31,622,400; default 366 days).
    pub execution_timeout: Option<f64>,
    /// `RetentionPeriodInDays` of new executions (1 to 90; default 14).
    pub retention_period_in_days: Option<f64>,
}

/// `value` checked against the range named `name` (`limits.rs`), refused naming `shown_as`.
fn limited(name: &str, shown_as: &str, value: Either<f64, String>) -> Result<i64> {
    let limit = engine::limits::find(name).ok_or_else(|| js_err(engine::EngineError::parameter("limit", name, "is not a known limit")))?;
    match value {
        Either::A(n) => limit.check_number(shown_as, n),
        Either::B(text) => limit.check_text(shown_as, &text),
    }
    .map_err(js_err)
}

/// Checks a value a user gave (a number, or a flag's text) against the engine's table of
/// ranges: answers the whole number, or throws InvalidParameterError naming `shownAs` (a flag
/// such as `--timeout`, a config field; default the limit's name), the value and the range.
#[napi]
pub fn check_limit(name: String, value: Either<f64, String>, shown_as: Option<String>) -> Result<f64> {
    let shown = shown_as.unwrap_or_else(|| name.clone());
    Ok(limited(&name, &shown, value)? as f64)
}

#[napi(object)]
pub struct StorageInfo {
    /// "sqlite" or "postgres".
    pub backend: String,
    pub schema_version: u32,
}

#[napi(object)]
pub struct CheckpointStats {
    pub requests: f64,
    pub transactions: f64,
}

#[napi(object)]
pub struct TaskFilter {
    pub arn: Option<String>,
    pub functions: Option<Vec<String>>,
}

#[napi]
pub struct NativeEngine {
    inner: Arc<engine::Engine>,
}

#[napi]
impl NativeEngine {
    /// Opens a database file (created if missing; its directory must exist), ":memory:", or a
    /// PostgreSQL database (`postgres://…`).
    #[napi(factory)]
    pub fn open(path: String, options: Option<EngineOptions>) -> Result<NativeEngine> {
        let mut config = engine::EngineConfig::default();
        let mut full = false;
        let mut manual = None;
        if let Some(o) = options {
            let opt = |name: &str, v: Option<f64>| v.map(|v| limited(name, name, Either::A(v))).transpose();
            config.skip_time = o.skip_time.unwrap_or(false);
            if let Some(v) = opt("leaseMs", o.lease_ms)? {
                config.lease_ms = v;
            }
            if let Some(v) = opt("pageSize", o.page_size)? {
                config.page_size = v as usize;
            }
            if let Some(v) = opt("invocationRetryDelayMs", o.invocation_retry_delay_ms)? {
                config.invocation_retry_delay_ms = v;
            }
            if let Some(v) = opt("maxFailedInvocations", o.max_failed_invocations)? {
                config.max_failed_invocations = v;
            }
            if let Some(v) = opt("pollMs", o.poll_ms)? {
                config.poll_ms = v as u64;
            }
            full = o.synchronous_full.unwrap_or(false);
            config.callback_quiet_ms = opt("callbackQuietMs", o.callback_quiet_ms)?;
            config.host_id = o.host_id;
            manual = opt("manualClockMs", o.manual_clock_ms)?;
            if let Some(v) = opt("executionTimeout", o.execution_timeout)? {
                config.execution_timeout_s = v;
            }
            if let Some(v) = opt("retentionPeriodInDays", o.retention_period_in_days)? {
                config.retention_days = v;
            }
        }
        config.validate().map_err(js_err)?;
        let inner = match manual {
            Some(start) => {
                let storage = engine::storage::SqliteStorage::open(&path).map_err(js_err)?;
                engine::Engine::open_with(Box::new(storage), Arc::new(engine::clock::ManualClock::new(start)), config)
            }
            None => engine::Engine::open(&path, config).map_err(js_err)?,
        };
        if full {
            inner.set_synchronous_full(true).map_err(js_err)?;
        }
        Ok(NativeEngine { inner: Arc::new(inner) })
    }

    /// Milliseconds since the epoch on the engine clock (virtual when skipping time).
    #[napi]
    pub fn now(&self) -> f64 {
        self.inner.now_ms() as f64
    }

    /// When the next timer of the selected executions fires (engine clock, ms), if any.
    #[napi]
    pub fn next_due_time(&self, filter: Option<TaskFilter>) -> Result<Option<f64>> {
        let filter = engine_filter(filter);
        Ok(self.inner.next_due_time(&filter).map_err(js_err)?.map(|t| t as f64))
    }

    /// Moves a time-skipping (or manual) engine's clock forward to `targetMs`.
    #[napi]
    pub fn advance_clock_to(&self, target_ms: f64) -> Result<()> {
        self.inner.advance_clock_to(target_ms as i64).map_err(js_err)
    }

    /// Starts an execution (or attaches to the one of the same name and input); `config`
    /// overrides the engine's ExecutionTimeout and RetentionPeriodInDays for this one.
    #[napi]
    pub fn start_execution(&self, function_name: String, name: Option<String>, input: Option<String>, config: Option<control::StartConfig>) -> Result<StartedExecution> {
        let durable = control::durable_config(&self.inner, config)?;
        let started = self
            .inner
            .start_execution_with(&function_name, name.as_deref(), input.as_deref(), durable)
            .map_err(js_err)?;
        Ok(StartedExecution { execution: started.execution.into(), created: started.created })
    }

    /// CheckpointDurableExecution; a repeated `clientToken` gets the first answer again.
    #[napi]
    pub fn checkpoint(&self, arn: String, token: String, updates: Vec<WireOperationUpdate>, client_token: Option<String>) -> Result<CheckpointResponse> {
        let updates: Vec<engine::OperationUpdate> = updates.into_iter().map(Into::into).collect();
        let outcome = self.inner.checkpoint_with_client_token(&arn, &token, client_token.as_deref(), &updates).map_err(js_err)?;
        Ok(outcome.into())
    }

    /// Group commit: checkpoints of several invocations in one transaction. Each answer is a
    /// response or the coded error message of that request alone.
    #[napi]
    pub fn checkpoint_many(&self, requests: Vec<WireCheckpointRequest>) -> Result<Vec<CheckpointResult>> {
        let requests: Vec<engine::CheckpointRequest> = requests.into_iter().map(Into::into).collect();
        let outcomes = self.inner.checkpoint_many(&requests).map_err(js_err)?;
        Ok(outcomes
            .into_iter()
            .map(|outcome| match outcome {
                Ok(outcome) => CheckpointResult { response: Some(outcome.into()), error: None },
                Err(e) => CheckpointResult { response: None, error: Some(error_info(&e)) },
            })
            .collect())
    }

    #[napi]
    pub fn get_execution_state(&self, arn: String, token: String, marker: Option<String>, max_items: Option<u32>) -> Result<ExecutionState> {
        let page = self
            .inner
            .get_execution_state(&arn, &token, marker.as_deref(), max_items.map(|m| m as usize))
            .map_err(js_err)?;
        Ok(ExecutionState { operations: page.operations.iter().map(Into::into).collect(), next_marker: page.next_marker })
    }

    /// Resolves with the next invocation to run, or null when the filtered execution finished.
    /// With `whileRunning`, only while an invocation of the filtered executions is busy (null
    /// once none is), never moving a skipping clock.
    #[napi]
    pub async fn next_task(&self, filter: Option<TaskFilter>, while_running: Option<bool>) -> Result<Option<InvocationTask>> {
        let inner = self.inner.clone();
        let filter = engine_filter(filter);
        let task = if while_running == Some(true) { inner.next_task_while_running(&filter).await } else { inner.next_task(&filter).await };
        Ok(task.map_err(js_err)?.map(Into::into))
    }

    /// Resolves with up to `max` invocations to run (at least one), or an empty list when the
    /// filtered execution finished or the engine stopped handing out tasks.
    #[napi]
    pub async fn next_tasks(&self, filter: Option<TaskFilter>, max: u32) -> Result<Vec<InvocationTask>> {
        let inner = self.inner.clone();
        let filter = engine_filter(filter);
        let tasks = inner.next_tasks(&filter, max as usize).await.map_err(js_err)?;
        Ok(tasks.into_iter().map(Into::into).collect())
    }

    #[napi]
    pub fn complete_invocation(&self, arn: String, token: String, output: InvocationOutput) -> Result<ExecutionRecord> {
        let output = output.try_into().map_err(js_err)?;
        self.inner.complete_invocation(&arn, &token, &output).map(Into::into).map_err(js_err)
    }

    #[napi]
    pub fn fail_invocation(&self, arn: String, token: String, error: WireErrorObject) -> Result<ExecutionRecord> {
        self.inner.fail_invocation(&arn, &token, &error.into()).map(Into::into).map_err(js_err)
    }

    #[napi]
    pub fn get_execution(&self, arn_or_name: String) -> Result<ExecutionRecord> {
        self.inner.get_execution(&arn_or_name).map(Into::into).map_err(js_err)
    }

    #[napi]
    pub fn list_executions(&self, status: Option<String>, function_name: Option<String>) -> Result<Vec<ExecutionRecord>> {
        let list = self.inner.list_executions(status.as_deref(), function_name.as_deref()).map_err(js_err)?;
        Ok(list.into_iter().map(Into::into).collect())
    }

    /// The history events in the `GetDurableExecutionHistory` shape.
    #[napi]
    pub fn history(&self, arn_or_name: String) -> Result<Vec<serde_json::Value>> {
        self.inner.history(&arn_or_name).map_err(js_err)
    }

    /// Every operation record, unpruned, in start order.
    #[napi]
    pub fn operations(&self, arn_or_name: String) -> Result<Vec<WireOperation>> {
        let ops = self.inner.operations(&arn_or_name).map_err(js_err)?;
        Ok(ops.iter().map(Into::into).collect())
    }

    /// Completes a callback with the result text (absent or empty = no result).
    #[napi]
    pub fn send_callback_success(&self, callback_id: String, result: Option<String>) -> Result<()> {
        self.inner.send_callback_success(&callback_id, result.as_deref()).map_err(js_err)
    }

    #[napi]
    pub fn send_callback_failure(&self, callback_id: String, error: Option<WireErrorObject>) -> Result<()> {
        self.inner.send_callback_failure(&callback_id, error.map(Into::into)).map_err(js_err)
    }

    #[napi]
    pub fn send_callback_heartbeat(&self, callback_id: String) -> Result<()> {
        self.inner.send_callback_heartbeat(&callback_id).map_err(js_err)
    }

    /// StopDurableExecution: stops a running execution; resolves with the stop time (ms).
    #[napi]
    pub fn stop_execution(&self, arn_or_name: String, error: Option<WireErrorObject>) -> Result<f64> {
        self.inner.stop_execution(&arn_or_name, error.map(Into::into)).map(|t| t as f64).map_err(js_err)
    }

    /// Extends the leases of the invocations this engine runs; returns how many.
    #[napi]
    pub fn renew_leases(&self) -> Result<u32> {
        self.inner.renew_leases().map(|n| n as u32).map_err(js_err)
    }

    /// Stops handing out invocations (graceful shutdown); running ones can still finish.
    #[napi]
    pub fn stop_tasks(&self) {
        self.inner.stop_tasks();
    }

    /// The storage's own check (SQLite: `PRAGMA integrity_check`; PostgreSQL: the engine's
    /// row rules): `["ok"]` when intact.
    #[napi]
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        self.inner.integrity_check().map_err(js_err)
    }

    /// Which backend the engine runs on and its schema version.
    #[napi]
    pub fn storage_info(&self) -> Result<StorageInfo> {
        let (backend, version) = self.inner.storage_info().map_err(js_err)?;
        Ok(StorageInfo { backend: backend.to_string(), schema_version: version as u32 })
    }

    /// Checkpoint requests applied since opening, and the transactions they shared.
    #[napi]
    pub fn checkpoint_stats(&self) -> CheckpointStats {
        let (requests, transactions) = self.inner.checkpoint_stats();
        CheckpointStats { requests: requests as f64, transactions: transactions as f64 }
    }

    /// Invocations handed out by this engine that have not ended.
    #[napi]
    pub fn active_invocations(&self) -> u32 {
        self.inner.active_invocations() as u32
    }

    #[napi]
    pub fn close(&self) {
        self.inner.close();
    }

    /// The state machine of an invocation this engine handed out, committing in process; its
    /// records come from the engine directly (nothing crosses to JavaScript and back).
    #[napi]
    pub fn open_invocation(&self, arn: String, token: String) -> Result<NativeInvocation> {
        let ops = self.inner.invocation_state(&arn, &token).map_err(js_err)?;
        Ok(NativeInvocation { vm: engine::vm::InvocationVm::new(&arn, &token, ops), engine: Some(self.inner.clone()) })
    }

    /// Sends the next batch (at most `max` updates) of each invocation, all in one
    /// transaction, and merges each answer into its invocation in Rust. `null` for an
    /// invocation with nothing to send.
    #[napi]
    pub fn commit_invocations(&self, mut invocations: Vec<ClassInstance<NativeInvocation>>, max: u32, poll: bool) -> Result<Vec<Option<CommitResult>>> {
        let mut vms: Vec<&mut engine::vm::InvocationVm> = invocations.iter_mut().map(|i| &mut i.vm).collect();
        engine::vm::commit(&self.inner, &mut vms, max as usize, poll).map(commit::commit_results).map_err(js_err)
    }
}

/// The wire id of a step id (first 16 hex characters of its MD5).
#[napi]
pub fn hash_step_id(step_id: String) -> String {
    engine::ids::hash_step_id(&step_id)
}

//! The control plane across napi: pause, resume and delete, running what is due without a
//! scheduler, the durable config of a start, and the fields GetDurableExecution adds to the
//! execution record (`DurableConfig`, `PauseDetails`, `ExpectedExecutionTimeoutTimestamp`).
//! Conversion only; the decisions are the engine's (crates/engine/src/control.rs).

use durable_engine as engine;
use engine::clock::iso;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::ExecutionRecord;
use crate::{js_err, NativeEngine};

/// PauseDurableExecution / ResumeDurableExecution parameters (the request body's fields).
#[napi(object)]
pub struct ControlOptions {
    #[napi(js_name = "ClientToken")]
    pub client_token: Option<String>,
    #[napi(js_name = "Reason")]
    pub reason: Option<String>,
    /// Pause only (default true).
    #[napi(js_name = "ExecutionTimeoutPaused")]
    pub execution_timeout_paused: Option<bool>,
}

/// A start's own durable config (the function's `DurableConfig` on AWS).
#[napi(object)]
pub struct StartConfig {
    #[napi(js_name = "ExecutionTimeout")]
    pub execution_timeout: Option<f64>,
    #[napi(js_name = "RetentionPeriodInDays")]
    pub retention_period_in_days: Option<f64>,
}

#[napi(object)]
pub struct DurableConfigRecord {
    #[napi(js_name = "ExecutionTimeout")]
    pub execution_timeout: f64,
    #[napi(js_name = "RetentionPeriodInDays")]
    pub retention_period_in_days: u32,
}

#[napi(object)]
pub struct PauseDetailsRecord {
    #[napi(js_name = "PauseRequestTimestamp")]
    pub pause_request_timestamp: String,
    #[napi(js_name = "Reason")]
    pub reason: Option<String>,
    #[napi(js_name = "ExecutionTimeoutPaused")]
    pub execution_timeout_paused: bool,
}

/// The execution record with what GetDurableExecution adds to it.
#[napi(object)]
pub struct ExecutionDescription {
    pub record: ExecutionRecord,
    #[napi(js_name = "DurableConfig")]
    pub durable_config: DurableConfigRecord,
    /// Present while PAUSING or PAUSED.
    #[napi(js_name = "PauseDetails")]
    pub pause_details: Option<PauseDetailsRecord>,
    /// Absent once the execution ended.
    #[napi(js_name = "ExpectedExecutionTimeoutTimestamp")]
    pub expected_execution_timeout_timestamp: Option<String>,
}

/// The engine's durable config with a start's overrides, each a whole number within the API's
/// range (limits.rs), refused naming the field otherwise.
pub(crate) fn durable_config(engine: &engine::Engine, config: Option<StartConfig>) -> Result<engine::DurableConfig> {
    let mut durable = engine.default_durable_config();
    let whole = |name: &str, shown: &str, v: f64| -> Result<i64> {
        let limit = engine::limits::find(name).expect("a limit of limits.rs");
        limit.check_number(shown, v).map_err(js_err)
    };
    if let Some(c) = config {
        if let Some(t) = c.execution_timeout {
            durable.execution_timeout_s = whole("executionTimeout", "ExecutionTimeout", t)?;
        }
        if let Some(d) = c.retention_period_in_days {
            durable.retention_days = whole("retentionPeriodInDays", "RetentionPeriodInDays", d)?;
        }
    }
    Ok(durable)
}

fn request(options: Option<ControlOptions>) -> engine::ControlRequest {
    options
        .map(|o| engine::ControlRequest { client_token: o.client_token, reason: o.reason, timeout_paused: o.execution_timeout_paused })
        .unwrap_or_default()
}

#[napi]
impl NativeEngine {
    /// PauseDurableExecution; resolves with the request time (ms).
    #[napi]
    pub fn pause_execution(&self, arn_or_name: String, options: Option<ControlOptions>) -> Result<f64> {
        self.inner.pause_execution(&arn_or_name, &request(options)).map(|t| t as f64).map_err(js_err)
    }

    /// ResumeDurableExecution; resolves with the request time (ms).
    #[napi]
    pub fn resume_execution(&self, arn_or_name: String, options: Option<ControlOptions>) -> Result<f64> {
        self.inner.resume_execution(&arn_or_name, &request(options)).map(|t| t as f64).map_err(js_err)
    }

    /// DeleteDurableExecution; returns DeletionRequestTimestamp (ms). DELETING until the next
    /// scheduler pass (or `runDueTimers`) removes the data.
    #[napi]
    pub fn delete_execution(&self, arn_or_name: String) -> Result<f64> {
        self.inner.delete_execution(&arn_or_name).map(|t| t as f64).map_err(js_err)
    }

    /// Fires what is due now (timers, execution deadlines, removals) without claiming anything.
    #[napi]
    pub fn run_due_timers(&self) -> Result<u32> {
        self.inner.run_due_timers().map(|n| n as u32).map_err(js_err)
    }

    /// The execution as GetDurableExecution describes it.
    #[napi]
    pub fn describe_execution(&self, arn_or_name: String) -> Result<ExecutionDescription> {
        let e = self.inner.get_execution(&arn_or_name).map_err(js_err)?;
        let durable_config = DurableConfigRecord { execution_timeout: e.timeout_s as f64, retention_period_in_days: e.retention_days as u32 };
        let pause_details = e.pause.as_ref().map(|p| PauseDetailsRecord {
            pause_request_timestamp: iso(p.request_ms),
            reason: p.reason.clone(),
            execution_timeout_paused: p.timeout_paused,
        });
        let expected = e.deadline_ms.filter(|_| e.status.is_live()).map(iso);
        Ok(ExecutionDescription { record: e.into(), durable_config, pause_details, expected_execution_timeout_timestamp: expected })
    }
}

//! The engine's reads for people and tools (listing pages, the change feed, timelines, history
//! pages, metrics figures) as JS objects, and the timeline as JSON text. Conversion only: the
//! queries are the engine's (crates/engine/src/inspect.rs). Timestamps of these read models
//! cross as epoch ms.

use durable_engine as engine;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{ExecutionRecord, WireErrorObject, WireOperation};
use crate::{js_err, NativeEngine};

/// Which executions a page lists; every field narrows it. `marker` is a page's `nextMarker`.
#[napi(object)]
pub struct ListQuery {
    pub function_name: Option<String>,
    pub statuses: Option<Vec<String>>,
    pub name: Option<String>,
    pub name_prefix: Option<String>,
    pub started_after_ms: Option<f64>,
    pub started_before_ms: Option<f64>,
    pub oldest_first: Option<bool>,
    pub marker: Option<String>,
    pub limit: u32,
}

#[napi(object)]
pub struct ListPage {
    pub executions: Vec<ExecutionRecord>,
    pub next_marker: Option<String>,
}

#[napi(object)]
pub struct ExecutionChange {
    pub change_no: f64,
    pub execution: ExecutionRecord,
}

#[napi(object)]
pub struct ExecutionVersion {
    pub status: String,
    pub last_event_id: f64,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineAttempt {
    pub number: u32,
    pub start_ms: f64,
    pub end_ms: Option<f64>,
    pub status: String,
    pub error: Option<WireErrorObject>,
    pub retry_at_ms: Option<f64>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineInvocation {
    pub number: f64,
    pub start_ms: f64,
    pub end_ms: Option<f64>,
    pub request_id: String,
    pub error: Option<WireErrorObject>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimelineOperation {
    pub operation: WireOperation,
    pub input_size: u32,
    pub result_size: u32,
    pub truncated: bool,
    pub attempts: Vec<TimelineAttempt>,
    pub target_arn: Option<String>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExecutionTimeline {
    pub execution: ExecutionRecord,
    pub function_name: String,
    pub input_size: u32,
    pub result_size: u32,
    pub root_arn: String,
    pub parent_arn: Option<String>,
    pub parent_operation_id: Option<String>,
    pub invocations: Vec<TimelineInvocation>,
    pub operations: Vec<TimelineOperation>,
    pub last_event_id: f64,
    pub now_ms: f64,
}

#[napi(object)]
pub struct ExecutionLinks {
    pub name: String,
    pub function_name: String,
    pub start_ms: f64,
    pub root_arn: String,
    pub parent_arn: Option<String>,
    pub parent_operation_id: Option<String>,
}

#[napi(object)]
pub struct HistoryPage {
    pub events: Vec<serde_json::Value>,
    pub next_marker: Option<String>,
}

#[napi(object)]
pub struct NamedCount {
    pub name: String,
    pub count: f64,
}

/// Everything `GET /metrics` reports from the engine, read at once.
#[napi(object)]
pub struct EngineMetrics {
    pub checkpoint_requests: f64,
    pub checkpoint_transactions: f64,
    /// Upper bounds of the latency buckets (µs); `latency_buckets` has one more (+Inf).
    pub latency_bounds_us: Vec<f64>,
    pub latency_buckets: Vec<f64>,
    pub latency_sum_us: f64,
    pub steps_completed: f64,
    pub lease_takeovers: f64,
    pub invocation_failures: Vec<NamedCount>,
    pub executions_by_status: Vec<NamedCount>,
    pub due_unclaimed: f64,
    pub pending_timers: f64,
    pub active_invocations: f64,
}

fn ms(v: i64) -> f64 {
    v as f64
}

fn attempt(a: &engine::inspect::Attempt) -> TimelineAttempt {
    TimelineAttempt {
        number: a.number,
        start_ms: ms(a.start_ms),
        end_ms: a.end_ms.map(ms),
        status: a.status.to_string(),
        error: a.error.as_ref().map(Into::into),
        retry_at_ms: a.retry_at_ms.map(ms),
    }
}

fn query(q: ListQuery) -> engine::Result<engine::ExecQuery> {
    let statuses = q.statuses.unwrap_or_default().iter().map(|s| engine::ExecutionStatus::parse(s)).collect::<engine::Result<Vec<_>>>()?;
    let after = q.marker.filter(|m| !m.is_empty()).map(|m| engine::inspect::parse_exec_marker(&m)).transpose()?;
    Ok(engine::ExecQuery {
        function_name: q.function_name,
        statuses,
        name: q.name,
        name_prefix: q.name_prefix,
        started_after_ms: q.started_after_ms.map(|v| v as i64),
        started_before_ms: q.started_before_ms.map(|v| v as i64),
        oldest_first: q.oldest_first.unwrap_or(false),
        after,
        limit: q.limit as usize,
    })
}

#[napi]
impl NativeEngine {
    /// One page of executions (without input and result), newest first unless `oldestFirst`.
    #[napi]
    pub fn list_page(&self, q: ListQuery) -> Result<ListPage> {
        let page = self.inner.list_page(&query(q).map_err(js_err)?).map_err(js_err)?;
        Ok(ListPage { executions: page.executions.into_iter().map(Into::into).collect(), next_marker: page.next_marker })
    }

    /// Execution rows changed after change number `since`, in change order.
    #[napi]
    pub fn execution_changes(&self, since: f64, limit: u32) -> Result<Vec<ExecutionChange>> {
        let changes = self.inner.execution_changes(since as i64, limit as usize).map_err(js_err)?;
        Ok(changes.into_iter().map(|c| ExecutionChange { change_no: c.change_no as f64, execution: c.execution.into() }).collect())
    }

    #[napi]
    pub fn last_execution_change(&self) -> Result<f64> {
        Ok(self.inner.last_execution_change().map_err(js_err)? as f64)
    }

    #[napi]
    pub fn execution_version(&self, arn_or_name: String) -> Result<ExecutionVersion> {
        let v = self.inner.execution_version(&arn_or_name).map_err(js_err)?;
        Ok(ExecutionVersion { status: v.status.as_str().to_string(), last_event_id: v.last_event_id as f64 })
    }

    /// The execution, its operations with their attempts, and its invocations, as JSON text (a
    /// page shows it as it is: one string crosses instead of thousands of objects); payloads cut
    /// to `payloadLimit` bytes (their full sizes alongside).
    #[napi]
    pub fn timeline_json(&self, arn_or_name: String, payload_limit: u32) -> Result<String> {
        let timeline = self.timeline_of(&arn_or_name, payload_limit)?;
        serde_json::to_string(&timeline).map_err(|e| Error::from_reason(e.to_string()))
    }
}

impl NativeEngine {
    fn timeline_of(&self, arn_or_name: &str, payload_limit: u32) -> Result<ExecutionTimeline> {
        let t = self.inner.timeline(arn_or_name, payload_limit as usize).map_err(js_err)?;
        let function_name = t.execution.function_name.clone();
        let (parent_arn, parent_operation_id) = t.parent.map(|(a, o)| (Some(a), Some(o))).unwrap_or_default();
        Ok(ExecutionTimeline {
            execution: t.execution.into(),
            function_name,
            input_size: t.input_size as u32,
            result_size: t.result_size as u32,
            root_arn: t.root_arn,
            parent_arn,
            parent_operation_id,
            invocations: t
                .invocations
                .iter()
                .map(|i| TimelineInvocation {
                    number: i.number as f64,
                    start_ms: ms(i.start_ms),
                    end_ms: i.end_ms.map(ms),
                    request_id: i.request_id.clone(),
                    error: i.error.as_ref().map(Into::into),
                })
                .collect(),
            operations: t
                .operations
                .iter()
                .map(|o| TimelineOperation {
                    operation: (&o.operation).into(),
                    input_size: o.input_size as u32,
                    result_size: o.result_size as u32,
                    truncated: o.truncated,
                    attempts: o.attempts.iter().map(attempt).collect(),
                    target_arn: o.target_arn.clone(),
                })
                .collect(),
            last_event_id: t.last_event_id as f64,
            now_ms: ms(t.now_ms),
        })
    }
}

#[napi]
impl NativeEngine {
    /// Name, start, root and caller of an execution (for tracing: its parent span).
    #[napi]
    pub fn execution_links(&self, arn_or_name: String) -> Result<ExecutionLinks> {
        let l = self.inner.execution_links(&arn_or_name).map_err(js_err)?;
        let (parent_arn, parent_operation_id) = l.parent.map(|(a, o)| (Some(a), Some(o))).unwrap_or_default();
        Ok(ExecutionLinks { name: l.name, function_name: l.function_name, start_ms: ms(l.start_ms), root_arn: l.root_arn, parent_arn, parent_operation_id })
    }

    /// One operation record, whole.
    #[napi]
    pub fn operation(&self, arn_or_name: String, id: String) -> Result<WireOperation> {
        Ok((&self.inner.operation(&arn_or_name, &id).map_err(js_err)?).into())
    }

    /// One page of the history; `marker` is the previous page's `nextMarker`.
    #[napi]
    pub fn history_page(&self, arn_or_name: String, marker: Option<String>, limit: u32, reverse: bool) -> Result<HistoryPage> {
        let page = self.inner.history_page(&arn_or_name, marker.as_deref(), limit as usize, reverse).map_err(js_err)?;
        Ok(HistoryPage { events: page.events, next_marker: page.next_marker })
    }

    #[napi]
    pub fn metrics(&self) -> Result<EngineMetrics> {
        let s = self.inner.stats();
        let counts = self.inner.counts_by_status().map_err(js_err)?;
        let g = self.inner.queue_gauges().map_err(js_err)?;
        let n = |v: u64| v as f64;
        Ok(EngineMetrics {
            checkpoint_requests: n(s.checkpoint_requests),
            checkpoint_transactions: n(s.checkpoint_transactions),
            latency_bounds_us: engine::stats::LATENCY_BOUNDS_US.iter().map(|b| *b as f64).collect(),
            latency_buckets: s.latency_buckets.iter().map(|b| n(*b)).collect(),
            latency_sum_us: n(s.latency_sum_us),
            steps_completed: n(s.steps_completed),
            lease_takeovers: n(s.lease_takeovers),
            invocation_failures: s.invocation_failures.into_iter().map(|(name, c)| NamedCount { name, count: n(c) }).collect(),
            executions_by_status: counts.into_iter().map(|(st, c)| NamedCount { name: st.as_str().to_string(), count: c as f64 }).collect(),
            due_unclaimed: g.due_unclaimed as f64,
            pending_timers: g.pending_timers as f64,
            active_invocations: g.active_invocations as f64,
        })
    }
}

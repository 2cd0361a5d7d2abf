//! Wire-shaped JS objects (PascalCase fields, as on the AWS API) and their conversions to and
//! from the engine's types. Timestamps of records for the service-facing APIs cross as ISO-8601
//! strings (the AWS shapes); records an invocation's state machine hands to the SDK carry epoch
//! milliseconds. Either is accepted coming in (the service itself sends epoch milliseconds).

use durable_engine as engine;
use engine::clock::iso;
use napi::bindgen_prelude::Either;
use napi_derive::napi;

/// A timestamp: ISO-8601 text or epoch milliseconds.
pub type Stamp = Either<String, f64>;

/// A timestamp in JSON as it is in JS: text stays text, milliseconds a number.
fn stamp<S: serde::Serializer>(value: &Option<Stamp>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(Either::A(text)) => s.serialize_str(text),
        Some(Either::B(ms)) => s.serialize_f64(*ms),
        None => s.serialize_none(),
    }
}

#[napi(object)]
#[derive(Clone, Default)]
#[derive(serde::Serialize)]
pub struct WireErrorObject {
    #[napi(js_name = "ErrorMessage")]
    #[serde(rename = "ErrorMessage", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[napi(js_name = "ErrorType")]
    #[serde(rename = "ErrorType", skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[napi(js_name = "ErrorData")]
    #[serde(rename = "ErrorData", skip_serializing_if = "Option::is_none")]
    pub error_data: Option<String>,
    #[napi(js_name = "StackTrace")]
    #[serde(rename = "StackTrace", skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<Vec<String>>,
}

impl From<WireErrorObject> for engine::ErrorObject {
    fn from(e: WireErrorObject) -> Self {
        engine::ErrorObject { error_message: e.error_message, error_type: e.error_type, error_data: e.error_data, stack_trace: e.stack_trace }
    }
}

impl From<&engine::ErrorObject> for WireErrorObject {
    fn from(e: &engine::ErrorObject) -> Self {
        WireErrorObject {
            error_message: e.error_message.clone(),
            error_type: e.error_type.clone(),
            error_data: e.error_data.clone(),
            stack_trace: e.stack_trace.clone(),
        }
    }
}

#[napi(object)]
pub struct WireContextOptions {
    #[napi(js_name = "ReplayChildren")]
    pub replay_children: Option<bool>,
}

#[napi(object)]
pub struct WireStepOptions {
    #[napi(js_name = "NextAttemptDelaySeconds")]
    pub next_attempt_delay_seconds: Option<f64>,
}

#[napi(object)]
pub struct WireWaitOptions {
    #[napi(js_name = "WaitSeconds")]
    pub wait_seconds: Option<f64>,
}

#[napi(object)]
pub struct WireCallbackOptions {
    #[napi(js_name = "TimeoutSeconds")]
    pub timeout_seconds: Option<f64>,
    #[napi(js_name = "HeartbeatTimeoutSeconds")]
    pub heartbeat_timeout_seconds: Option<f64>,
}

#[napi(object)]
pub struct WireChainedInvokeOptions {
    #[napi(js_name = "FunctionName")]
    pub function_name: String,
    #[napi(js_name = "TenantId")]
    pub tenant_id: Option<String>,
}

#[napi(object)]
pub struct WireOperationUpdate {
    #[napi(js_name = "Id")]
    pub id: String,
    #[napi(js_name = "ParentId")]
    pub parent_id: Option<String>,
    #[napi(js_name = "Name")]
    pub name: Option<String>,
    #[napi(js_name = "Type")]
    pub op_type: String,
    #[napi(js_name = "SubType")]
    pub sub_type: Option<String>,
    #[napi(js_name = "Action")]
    pub action: String,
    #[napi(js_name = "Payload")]
    pub payload: Option<String>,
    #[napi(js_name = "Error")]
    pub error: Option<WireErrorObject>,
    #[napi(js_name = "ContextOptions")]
    pub context_options: Option<WireContextOptions>,
    #[napi(js_name = "StepOptions")]
    pub step_options: Option<WireStepOptions>,
    #[napi(js_name = "WaitOptions")]
    pub wait_options: Option<WireWaitOptions>,
    #[napi(js_name = "CallbackOptions")]
    pub callback_options: Option<WireCallbackOptions>,
    #[napi(js_name = "ChainedInvokeOptions")]
    pub chained_invoke_options: Option<WireChainedInvokeOptions>,
}

impl From<WireOperationUpdate> for engine::OperationUpdate {
    fn from(u: WireOperationUpdate) -> Self {
        engine::OperationUpdate {
            id: u.id,
            parent_id: u.parent_id,
            name: u.name,
            op_type: u.op_type,
            sub_type: u.sub_type,
            action: u.action,
            payload: u.payload,
            error: u.error.map(Into::into),
            context_options: u.context_options.map(|o| engine::ContextOptions { replay_children: o.replay_children }),
            step_options: u.step_options.map(|o| engine::StepOptions { next_attempt_delay_seconds: o.next_attempt_delay_seconds }),
            wait_options: u.wait_options.map(|o| engine::WaitOptions { wait_seconds: o.wait_seconds }),
            callback_options: u.callback_options.map(|o| engine::CallbackOptions {
                timeout_seconds: o.timeout_seconds,
                heartbeat_timeout_seconds: o.heartbeat_timeout_seconds,
            }),
            chained_invoke_options: u
                .chained_invoke_options
                .map(|o| engine::ChainedInvokeOptions { function_name: o.function_name, tenant_id: o.tenant_id }),
        }
    }
}

impl From<&engine::OperationUpdate> for WireOperationUpdate {
    fn from(u: &engine::OperationUpdate) -> Self {
        WireOperationUpdate {
            id: u.id.clone(),
            parent_id: u.parent_id.clone(),
            name: u.name.clone(),
            op_type: u.op_type.clone(),
            sub_type: u.sub_type.clone(),
            action: u.action.clone(),
            payload: u.payload.clone(),
            error: u.error.as_ref().map(Into::into),
            context_options: u.context_options.as_ref().map(|o| WireContextOptions { replay_children: o.replay_children }),
            step_options: u.step_options.as_ref().map(|o| WireStepOptions { next_attempt_delay_seconds: o.next_attempt_delay_seconds }),
            wait_options: u.wait_options.as_ref().map(|o| WireWaitOptions { wait_seconds: o.wait_seconds }),
            callback_options: u.callback_options.as_ref().map(|o| WireCallbackOptions {
                timeout_seconds: o.timeout_seconds,
                heartbeat_timeout_seconds: o.heartbeat_timeout_seconds,
            }),
            chained_invoke_options: u
                .chained_invoke_options
                .as_ref()
                .map(|o| WireChainedInvokeOptions { function_name: o.function_name.clone(), tenant_id: o.tenant_id.clone() }),
        }
    }
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct ExecutionDetails {
    #[napi(js_name = "InputPayload")]
    #[serde(rename = "InputPayload", skip_serializing_if = "Option::is_none")]
    pub input_payload: Option<String>,
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct ContextDetails {
    #[napi(js_name = "ReplayChildren")]
    #[serde(rename = "ReplayChildren", skip_serializing_if = "Option::is_none")]
    pub replay_children: Option<bool>,
    #[napi(js_name = "Result")]
    #[serde(rename = "Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[napi(js_name = "Error")]
    #[serde(rename = "Error", skip_serializing_if = "Option::is_none")]
    pub error: Option<WireErrorObject>,
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct StepDetails {
    #[napi(js_name = "Attempt")]
    #[serde(rename = "Attempt", skip_serializing_if = "Option::is_none")]
    pub attempt: Option<u32>,
    #[napi(js_name = "NextAttemptTimestamp")]
    #[serde(rename = "NextAttemptTimestamp", skip_serializing_if = "Option::is_none", serialize_with = "stamp")]
    pub next_attempt_timestamp: Option<Either<String, f64>>,
    #[napi(js_name = "Result")]
    #[serde(rename = "Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[napi(js_name = "Error")]
    #[serde(rename = "Error", skip_serializing_if = "Option::is_none")]
    pub error: Option<WireErrorObject>,
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct WaitDetails {
    #[napi(js_name = "ScheduledEndTimestamp")]
    #[serde(rename = "ScheduledEndTimestamp", skip_serializing_if = "Option::is_none", serialize_with = "stamp")]
    pub scheduled_end_timestamp: Option<Either<String, f64>>,
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct CallbackDetails {
    #[napi(js_name = "CallbackId")]
    #[serde(rename = "CallbackId", skip_serializing_if = "Option::is_none")]
    pub callback_id: Option<String>,
    #[napi(js_name = "Result")]
    #[serde(rename = "Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[napi(js_name = "Error")]
    #[serde(rename = "Error", skip_serializing_if = "Option::is_none")]
    pub error: Option<WireErrorObject>,
}

#[napi(object)]
#[derive(serde::Serialize)]
pub struct ChainedInvokeDetails {
    #[napi(js_name = "Result")]
    #[serde(rename = "Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[napi(js_name = "Error")]
    #[serde(rename = "Error", skip_serializing_if = "Option::is_none")]
    pub error: Option<WireErrorObject>,
}

/// An operation record in the wire shape (PROTOCOL.md §3).
#[napi(object)]
#[derive(serde::Serialize)]
pub struct WireOperation {
    #[napi(js_name = "Id")]
    #[serde(rename = "Id")]
    pub id: String,
    #[napi(js_name = "ParentId")]
    #[serde(rename = "ParentId", skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[napi(js_name = "Name")]
    #[serde(rename = "Name", skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[napi(js_name = "Type")]
    #[serde(rename = "Type")]
    pub op_type: String,
    #[napi(js_name = "SubType")]
    #[serde(rename = "SubType", skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    #[napi(js_name = "Status")]
    #[serde(rename = "Status")]
    pub status: String,
    #[napi(js_name = "StartTimestamp")]
    #[serde(rename = "StartTimestamp", skip_serializing_if = "Option::is_none", serialize_with = "stamp")]
    pub start_timestamp: Option<Either<String, f64>>,
    #[napi(js_name = "EndTimestamp")]
    #[serde(rename = "EndTimestamp", skip_serializing_if = "Option::is_none", serialize_with = "stamp")]
    pub end_timestamp: Option<Either<String, f64>>,
    #[napi(js_name = "ExecutionDetails")]
    #[serde(rename = "ExecutionDetails", skip_serializing_if = "Option::is_none")]
    pub execution_details: Option<ExecutionDetails>,
    #[napi(js_name = "ContextDetails")]
    #[serde(rename = "ContextDetails", skip_serializing_if = "Option::is_none")]
    pub context_details: Option<ContextDetails>,
    #[napi(js_name = "StepDetails")]
    #[serde(rename = "StepDetails", skip_serializing_if = "Option::is_none")]
    pub step_details: Option<StepDetails>,
    #[napi(js_name = "WaitDetails")]
    #[serde(rename = "WaitDetails", skip_serializing_if = "Option::is_none")]
    pub wait_details: Option<WaitDetails>,
    #[napi(js_name = "CallbackDetails")]
    #[serde(rename = "CallbackDetails", skip_serializing_if = "Option::is_none")]
    pub callback_details: Option<CallbackDetails>,
    #[napi(js_name = "ChainedInvokeDetails")]
    #[serde(rename = "ChainedInvokeDetails", skip_serializing_if = "Option::is_none")]
    pub chained_invoke_details: Option<ChainedInvokeDetails>,
}

impl From<&engine::Operation> for WireOperation {
    fn from(op: &engine::Operation) -> Self {
        wire_operation(op, |ms| Either::A(iso(ms)))
    }
}

/// A record for the SDK side: timestamps as epoch milliseconds.
pub fn sdk_operation(op: &engine::Operation) -> WireOperation {
    wire_operation(op, |ms| Either::B(ms as f64))
}

fn wire_operation(op: &engine::Operation, stamp: impl Fn(i64) -> Stamp) -> WireOperation {
    use engine::OperationType as T;
    {
        let error = || op.error.as_ref().map(Into::into);
        let mut out = WireOperation {
            id: op.id.clone(),
            parent_id: op.parent_id.clone(),
            name: op.name.clone(),
            op_type: op.op_type.as_str().to_string(),
            sub_type: op.sub_type.clone(),
            status: op.status.as_str().to_string(),
            start_timestamp: Some(stamp(op.start_ms)),
            end_timestamp: op.end_ms.map(&stamp),
            execution_details: None,
            context_details: None,
            step_details: None,
            wait_details: None,
            callback_details: None,
            chained_invoke_details: None,
        };
        match op.op_type {
            T::Execution => out.execution_details = Some(ExecutionDetails { input_payload: op.input_payload.clone() }),
            T::Context => {
                out.context_details =
                    Some(ContextDetails { replay_children: op.replay_children, result: op.result.clone(), error: error() })
            }
            T::Step => {
                out.step_details = Some(StepDetails {
                    attempt: op.attempt,
                    next_attempt_timestamp: op.next_attempt_ms.map(&stamp),
                    result: op.result.clone(),
                    error: error(),
                })
            }
            T::Wait => out.wait_details = Some(WaitDetails { scheduled_end_timestamp: op.scheduled_end_ms.map(&stamp) }),
            T::Callback => {
                out.callback_details =
                    Some(CallbackDetails { callback_id: op.callback_id.clone(), result: op.result.clone(), error: error() })
            }
            T::ChainedInvoke => out.chained_invoke_details = Some(ChainedInvokeDetails { result: op.result.clone(), error: error() }),
        }
        out
    }
}

fn parse_ts(field: &str, value: Option<Stamp>) -> engine::Result<Option<i64>> {
    match value {
        None => Ok(None),
        Some(Either::B(ms)) if ms.is_finite() => Ok(Some(ms as i64)),
        Some(Either::B(ms)) => Err(engine::EngineError::parameter(field, ms, "not a timestamp (epoch milliseconds)")),
        Some(Either::A(text)) => chrono::DateTime::parse_from_rfc3339(&text)
            .map(|d| Some(d.timestamp_millis()))
            .map_err(|e| engine::EngineError::parameter(field, format!("{text:?}"), format!("not an ISO-8601 timestamp ({e})"))),
    }
}

/// Records received over the wire (for replay), back into engine records.
pub fn to_engine_ops(ops: Vec<WireOperation>) -> engine::Result<Vec<engine::Operation>> {
    ops.into_iter().map(to_engine_op).collect()
}

fn to_engine_op(w: WireOperation) -> engine::Result<engine::Operation> {
    let op_type = engine::OperationType::parse(&w.op_type)?;
    let status = engine::OperationStatus::parse(&w.status)?;
    let start = parse_ts("StartTimestamp", w.start_timestamp)?.unwrap_or(0);
    let mut op = engine::Operation::new(&w.id, op_type, status, start);
    op.parent_id = w.parent_id;
    op.name = w.name;
    op.sub_type = w.sub_type;
    op.end_ms = parse_ts("EndTimestamp", w.end_timestamp)?;
    if let Some(d) = w.execution_details {
        op.input_payload = d.input_payload;
    }
    if let Some(d) = w.context_details {
        op.replay_children = d.replay_children;
        op.result = d.result;
        op.error = d.error.map(Into::into);
    }
    if let Some(d) = w.step_details {
        op.attempt = d.attempt;
        op.next_attempt_ms = parse_ts("NextAttemptTimestamp", d.next_attempt_timestamp)?;
        op.result = d.result;
        op.error = d.error.map(Into::into);
    }
    if let Some(d) = w.wait_details {
        op.scheduled_end_ms = parse_ts("ScheduledEndTimestamp", d.scheduled_end_timestamp)?;
    }
    if let Some(d) = w.callback_details {
        op.callback_id = d.callback_id;
        op.result = d.result;
        op.error = d.error.map(Into::into);
    }
    if let Some(d) = w.chained_invoke_details {
        op.result = d.result;
        op.error = d.error.map(Into::into);
    }
    Ok(op)
}

#[napi(object)]
pub struct ExecutionState {
    #[napi(js_name = "Operations")]
    pub operations: Vec<WireOperation>,
    #[napi(js_name = "NextMarker")]
    pub next_marker: Option<String>,
}

#[napi(object)]
pub struct CheckpointResponse {
    #[napi(js_name = "CheckpointToken")]
    pub checkpoint_token: String,
    #[napi(js_name = "NewExecutionState")]
    pub new_execution_state: ExecutionState,
}

impl From<engine::CheckpointOutcome> for CheckpointResponse {
    fn from(outcome: engine::CheckpointOutcome) -> Self {
        CheckpointResponse {
            checkpoint_token: outcome.token,
            new_execution_state: ExecutionState { operations: outcome.operations.iter().map(Into::into).collect(), next_marker: None },
        }
    }
}

/// One request of a group commit.
#[napi(object)]
pub struct WireCheckpointRequest {
    #[napi(js_name = "DurableExecutionArn")]
    pub durable_execution_arn: String,
    #[napi(js_name = "CheckpointToken")]
    pub checkpoint_token: String,
    #[napi(js_name = "Updates")]
    pub updates: Vec<WireOperationUpdate>,
}

impl From<WireCheckpointRequest> for engine::CheckpointRequest {
    fn from(r: WireCheckpointRequest) -> Self {
        engine::CheckpointRequest {
            arn: r.durable_execution_arn,
            token: r.checkpoint_token,
            updates: r.updates.into_iter().map(Into::into).collect(),
        }
    }
}

/// The answer to one request of a group commit: its response, or its error.
#[napi(object)]
pub struct CheckpointResult {
    pub response: Option<CheckpointResponse>,
    pub error: Option<crate::EngineErrorInfo>,
}

/// One member of a group completion: what an invocation answered.
#[napi(object)]
pub struct InvocationEnd {
    pub arn: String,
    pub token: String,
    pub output: InvocationOutput,
}

/// The answer to one member of a group completion: its execution, or its error.
#[napi(object)]
pub struct EndResult {
    pub record: Option<ExecutionRecord>,
    pub error: Option<crate::EngineErrorInfo>,
}

/// An invocation to run: the AWS invocation input plus routing fields.
#[napi(object)]
pub struct InvocationTask {
    pub function_name: String,
    pub request_id: String,
    pub invocation_number: u32,
    #[napi(js_name = "DurableExecutionArn")]
    pub durable_execution_arn: String,
    #[napi(js_name = "CheckpointToken")]
    pub checkpoint_token: String,
    #[napi(js_name = "UpdatedOperationIds")]
    pub updated_operation_ids: Vec<String>,
    #[napi(js_name = "InitialExecutionState")]
    pub initial_execution_state: ExecutionState,
}

impl From<engine::Task> for InvocationTask {
    fn from(t: engine::Task) -> Self {
        InvocationTask {
            function_name: t.function_name,
            request_id: t.request_id,
            invocation_number: t.invocation_number as u32,
            durable_execution_arn: t.arn,
            checkpoint_token: t.token,
            updated_operation_ids: t.updated_operation_ids,
            initial_execution_state: ExecutionState {
                operations: t.operations.iter().map(Into::into).collect(),
                next_marker: t.next_marker,
            },
        }
    }
}

#[napi(object)]
pub struct InvocationOutput {
    #[napi(js_name = "Status")]
    pub status: String,
    #[napi(js_name = "Result")]
    pub result: Option<String>,
    #[napi(js_name = "Error")]
    pub error: Option<WireErrorObject>,
}

impl TryFrom<InvocationOutput> for engine::InvocationOutput {
    type Error = engine::EngineError;
    fn try_from(o: InvocationOutput) -> engine::Result<Self> {
        Ok(engine::InvocationOutput {
            status: engine::InvocationStatus::parse(&o.status)?,
            result: o.result,
            error: o.error.map(Into::into),
        })
    }
}

/// The `GetDurableExecution` shape (PROTOCOL.md §8).
#[napi(object)]
#[derive(serde::Serialize)]
pub struct ExecutionRecord {
    #[napi(js_name = "DurableExecutionArn")]
    #[serde(rename = "DurableExecutionArn")]
    pub durable_execution_arn: String,
    #[napi(js_name = "DurableExecutionName")]
    #[serde(rename = "DurableExecutionName")]
    pub durable_execution_name: String,
    #[napi(js_name = "FunctionArn")]
    #[serde(rename = "FunctionArn")]
    pub function_arn: String,
    #[napi(js_name = "Status")]
    #[serde(rename = "Status")]
    pub status: String,
    #[napi(js_name = "InputPayload")]
    #[serde(rename = "InputPayload", skip_serializing_if = "Option::is_none")]
    pub input_payload: Option<String>,
    #[napi(js_name = "Result")]
    #[serde(rename = "Result", skip_serializing_if = "Option::is_none")]
    pub result: Option<String>,
    #[napi(js_name = "Error")]
    #[serde(rename = "Error", skip_serializing_if = "Option::is_none")]
    pub error: Option<WireErrorObject>,
    #[napi(js_name = "StartTimestamp")]
    #[serde(rename = "StartTimestamp")]
    pub start_timestamp: String,
    #[napi(js_name = "EndTimestamp")]
    #[serde(rename = "EndTimestamp", skip_serializing_if = "Option::is_none")]
    pub end_timestamp: Option<String>,
}

impl From<engine::Execution> for ExecutionRecord {
    fn from(e: engine::Execution) -> Self {
        let succeeded = e.status == engine::ExecutionStatus::Succeeded;
        let failed = matches!(e.status, engine::ExecutionStatus::Failed | engine::ExecutionStatus::TimedOut | engine::ExecutionStatus::Stopped);
        ExecutionRecord {
            durable_execution_arn: e.arn,
            durable_execution_name: e.name,
            function_arn: engine::ids::function_arn(&e.function_name),
            status: e.status.as_str().to_string(),
            input_payload: e.input,
            result: if succeeded { e.result } else { None },
            error: if failed { e.error.as_ref().map(Into::into) } else { None },
            start_timestamp: iso(e.start_ms),
            end_timestamp: e.end_ms.map(iso),
        }
    }
}

#[napi(object)]
pub struct StartedExecution {
    pub execution: ExecutionRecord,
    /// False when an execution with the same name and input already existed.
    pub created: bool,
}

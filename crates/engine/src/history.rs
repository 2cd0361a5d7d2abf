//! History events in the service's shapes (PROTOCOL.md §9): the event types, one constructor
//! per event type. Events are stored without `EventId`/`EventTimestamp`, which `render` adds
//! when read.

use serde_json::{json, Map, Value};

use crate::clock::iso;
use crate::model::{ErrorObject, Operation};

macro_rules! event_types {
    ($($variant:ident),+ $(,)?) => {
        /// The `EventType` of a history event.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum EventType { $($variant),+ }

        impl EventType {
            pub fn as_str(self) -> &'static str {
                match self { $(EventType::$variant => stringify!($variant)),+ }
            }
        }
    };
}

event_types!(
    CallbackCancelled,
    CallbackFailed,
    CallbackStarted,
    CallbackSucceeded,
    CallbackTimedOut,
    ChainedInvokeCancelled,
    ChainedInvokeFailed,
    ChainedInvokeStarted,
    ChainedInvokeStopped,
    ChainedInvokeSucceeded,
    ChainedInvokeTimedOut,
    ContextFailed,
    ContextStarted,
    ContextSucceeded,
    ExecutionFailed,
    ExecutionPaused,
    ExecutionResumed,
    ExecutionStarted,
    ExecutionStopped,
    ExecutionSucceeded,
    ExecutionTimedOut,
    InvocationCompleted,
    StepFailed,
    StepStarted,
    StepSucceeded,
    WaitCancelled,
    WaitStarted,
    WaitSucceeded,
);

/// One event before it is numbered.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub event_type: EventType,
    pub timestamp_ms: i64,
    /// Envelope fields taken from the operation (`Id`, `Name`, `ParentId`, `SubType`).
    pub envelope: Map<String, Value>,
    pub details: Value,
}

impl Event {
    fn for_op(event_type: EventType, op: &Operation, timestamp_ms: i64, details: Value) -> Self {
        let mut envelope = Map::new();
        if let Some(sub_type) = &op.sub_type {
            envelope.insert("SubType".into(), json!(sub_type));
        }
        envelope.insert("Id".into(), json!(op.id));
        if let Some(name) = &op.name {
            envelope.insert("Name".into(), json!(name));
        }
        if let Some(parent) = &op.parent_id {
            envelope.insert("ParentId".into(), json!(parent));
        }
        Event { event_type, timestamp_ms, envelope, details }
    }

    fn for_execution(event_type: EventType, execution_op_id: &str, timestamp_ms: i64, details: Value) -> Self {
        let mut envelope = Map::new();
        envelope.insert("Id".into(), json!(execution_op_id));
        Event { event_type, timestamp_ms, envelope, details }
    }

    /// The stored body: the envelope plus the details member named after the event type.
    pub fn body(&self) -> Value {
        let mut body = self.envelope.clone();
        body.insert(format!("{}Details", self.event_type.as_str()), self.details.clone());
        Value::Object(body)
    }
}

/// Adds the numbering and timestamp to a stored body, in the wire field order.
pub fn render(event_type: &str, event_id: i64, timestamp_ms: i64, body: &str) -> Value {
    let stored: Map<String, Value> = serde_json::from_str(body).unwrap_or_default();
    let mut out = Map::new();
    out.insert("EventType".into(), json!(event_type));
    if let Some(v) = stored.get("SubType") {
        out.insert("SubType".into(), v.clone());
    }
    out.insert("EventId".into(), json!(event_id));
    for key in ["Id", "Name"] {
        if let Some(v) = stored.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    out.insert("EventTimestamp".into(), json!(iso(timestamp_ms)));
    for (k, v) in stored {
        if !out.contains_key(&k) {
            out.insert(k, v);
        }
    }
    Value::Object(out)
}

fn payload(p: &Option<String>) -> Value {
    match p {
        Some(text) => json!({ "Payload": text, "Truncated": false }),
        None => json!({}),
    }
}

fn error(e: &Option<ErrorObject>) -> Value {
    match e {
        Some(err) => json!({ "Payload": err, "Truncated": false }),
        None => json!({}),
    }
}

fn retry_details(attempt: Option<u32>, next_delay: Option<i64>) -> Value {
    let mut d = Map::new();
    if let Some(a) = attempt {
        d.insert("CurrentAttempt".into(), json!(a));
    }
    if let Some(n) = next_delay {
        d.insert("NextAttemptDelaySeconds".into(), json!(n));
    }
    Value::Object(d)
}

pub fn execution_started(op: &Operation, timeout_s: i64, ts: i64) -> Event {
    Event::for_execution(EventType::ExecutionStarted,
        &op.id,
        ts,
        json!({ "Input": payload(&op.input_payload), "ExecutionTimeout": timeout_s }),
    )
}

pub fn execution_succeeded(op_id: &str, result: &Option<String>, ts: i64) -> Event {
    Event::for_execution(EventType::ExecutionSucceeded, op_id, ts, json!({ "Result": payload(result) }))
}

pub fn execution_failed(op_id: &str, err: &Option<ErrorObject>, ts: i64) -> Event {
    Event::for_execution(EventType::ExecutionFailed, op_id, ts, json!({ "Error": error(err) }))
}

pub fn execution_stopped(op_id: &str, err: &Option<ErrorObject>, ts: i64) -> Event {
    Event::for_execution(EventType::ExecutionStopped, op_id, ts, json!({ "Error": error(err) }))
}

pub fn execution_timed_out(op_id: &str, err: &Option<ErrorObject>, ts: i64) -> Event {
    Event::for_execution(EventType::ExecutionTimedOut, op_id, ts, json!({ "Error": error(err) }))
}

fn reason(details: &mut Value, reason: Option<&str>) {
    if let Some(r) = reason {
        details["Reason"] = json!({ "Payload": r, "Truncated": false });
    }
}

/// The event's timestamp is when the pause took effect; the request's time is in the details.
pub fn execution_paused(op_id: &str, request_ms: i64, why: Option<&str>, timeout_paused: bool, ts: i64) -> Event {
    let mut details = json!({ "PauseRequestTimestamp": iso(request_ms), "ExecutionTimeoutPaused": timeout_paused });
    reason(&mut details, why);
    Event::for_execution(EventType::ExecutionPaused, op_id, ts, details)
}

pub fn execution_resumed(op_id: &str, request_ms: i64, why: Option<&str>, ts: i64) -> Event {
    let mut details = json!({ "ResumeRequestTimestamp": iso(request_ms) });
    reason(&mut details, why);
    Event::for_execution(EventType::ExecutionResumed, op_id, ts, details)
}

pub fn invocation_completed(start_ms: i64, end_ms: i64, request_id: &str, err: Option<&ErrorObject>) -> Event {
    let mut details = json!({
        "StartTimestamp": iso(start_ms),
        "EndTimestamp": iso(end_ms),
        "RequestId": request_id,
    });
    if let Some(e) = err {
        details["Error"] = json!({ "Payload": e, "Truncated": false });
    }
    Event { event_type: EventType::InvocationCompleted, timestamp_ms: end_ms, envelope: Map::new(), details }
}

pub fn step_started(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::StepStarted, op, ts, json!({}))
}

pub fn step_succeeded(op: &Operation, next_delay: Option<i64>, ts: i64) -> Event {
    Event::for_op(EventType::StepSucceeded,
        op,
        ts,
        json!({ "Result": payload(&op.result), "RetryDetails": retry_details(op.attempt, next_delay) }),
    )
}

pub fn step_failed(op: &Operation, next_delay: Option<i64>, ts: i64) -> Event {
    Event::for_op(EventType::StepFailed,
        op,
        ts,
        json!({ "Error": error(&op.error), "RetryDetails": retry_details(op.attempt, next_delay) }),
    )
}

pub fn wait_started(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::WaitStarted,
        op,
        ts,
        json!({ "Duration": op.wait_seconds, "ScheduledEndTimestamp": op.scheduled_end_ms.map(iso) }),
    )
}

pub fn wait_succeeded(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::WaitSucceeded, op, ts, json!({ "Duration": op.wait_seconds }))
}

pub fn wait_cancelled(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::WaitCancelled, op, ts, json!({ "Error": error(&op.error) }))
}

pub fn context_started(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::ContextStarted, op, ts, json!({}))
}

pub fn context_succeeded(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::ContextSucceeded, op, ts, json!({ "Result": payload(&op.result) }))
}

pub fn context_failed(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::ContextFailed, op, ts, json!({ "Error": error(&op.error) }))
}

pub fn callback_started(op: &Operation, ts: i64) -> Event {
    let mut details = json!({ "CallbackId": op.callback_id });
    if let Some(t) = op.callback_timeout_s.filter(|t| *t > 0) {
        details["Timeout"] = json!(t);
    }
    if let Some(h) = op.callback_heartbeat_s.filter(|h| *h > 0) {
        details["HeartbeatTimeout"] = json!(h);
    }
    Event::for_op(EventType::CallbackStarted, op, ts, details)
}

pub fn callback_succeeded(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::CallbackSucceeded, op, ts, json!({ "Result": payload(&op.result) }))
}

pub fn callback_failed(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::CallbackFailed, op, ts, json!({ "Error": error(&op.error) }))
}

pub fn callback_timed_out(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::CallbackTimedOut, op, ts, json!({ "Error": error(&op.error) }))
}

pub fn callback_cancelled(op: &Operation, ts: i64) -> Event {
    Event::for_op(EventType::CallbackCancelled, op, ts, json!({ "Error": error(&op.error) }))
}

pub fn chained_invoke_started(op: &Operation, target_arn: Option<&str>, ts: i64) -> Event {
    let mut details = json!({
        "FunctionName": op.invoke_function,
        "Input": payload(&op.input_payload),
        "ExecutedVersion": "$LATEST",
    });
    if let Some(t) = &op.invoke_tenant {
        details["TenantId"] = json!(t);
    }
    if let Some(arn) = target_arn {
        details["DurableExecutionArn"] = json!(arn);
    }
    Event::for_op(EventType::ChainedInvokeStarted, op, ts, details)
}

pub fn chained_invoke_finished(op: &Operation, ts: i64) -> Event {
    use crate::model::OperationStatus as S;
    let (event_type, details) = match op.status {
        S::Succeeded => (EventType::ChainedInvokeSucceeded, json!({ "Result": payload(&op.result) })),
        S::TimedOut => (EventType::ChainedInvokeTimedOut, json!({ "Error": error(&op.error) })),
        S::Stopped => (EventType::ChainedInvokeStopped, json!({ "Error": error(&op.error) })),
        S::Cancelled => (EventType::ChainedInvokeCancelled, json!({ "Error": error(&op.error) })),
        _ => (EventType::ChainedInvokeFailed, json!({ "Error": error(&op.error) })),
    };
    Event::for_op(event_type, op, ts, details)
}

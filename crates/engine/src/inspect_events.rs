//! What the history says that the records do not: when each attempt of a step started and
//! ended and why it failed, when each invocation ran, which execution a chained invoke started.
//! One pass over an execution's events (their stored bodies), for `inspect::timeline`.

use std::collections::HashMap;

use serde_json::Value;

use crate::inspect::{Attempt, InvocationSpan};
use crate::model::ErrorObject;
use crate::storage::{ExecRow, StoredEvent};

#[derive(Debug, Default)]
pub(crate) struct Derived {
    pub attempts: HashMap<String, Vec<Attempt>>,
    pub invocations: Vec<InvocationSpan>,
    pub targets: HashMap<String, String>,
}

fn iso_ms(v: Option<&Value>) -> Option<i64> {
    let text = v?.as_str()?;
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|d| d.timestamp_millis())
}

/// `{"Payload": ErrorObject}` in a details member.
fn error_of(details: &Value) -> Option<ErrorObject> {
    details.get("Error")?.get("Payload").and_then(|p| serde_json::from_value(p.clone()).ok())
}

pub(crate) fn derive(events: &[StoredEvent], exec: &ExecRow) -> Derived {
    let mut d = Derived::default();
    for (_, event_type, ts, body) in events {
        let ts = *ts;
        let kind = event_type.as_str();
        let wanted = matches!(kind, "StepStarted" | "StepSucceeded" | "StepFailed" | "InvocationCompleted" | "ChainedInvokeStarted");
        if !wanted {
            continue;
        }
        let Ok(body) = serde_json::from_str::<Value>(body) else { continue };
        let details = body.get(format!("{kind}Details")).cloned().unwrap_or(Value::Null);
        let id = body.get("Id").and_then(Value::as_str).unwrap_or_default().to_string();
        match kind {
            "InvocationCompleted" => d.invocations.push(InvocationSpan {
                number: d.invocations.len() as i64 + 1,
                start_ms: iso_ms(details.get("StartTimestamp")).unwrap_or(ts),
                end_ms: Some(iso_ms(details.get("EndTimestamp")).unwrap_or(ts)),
                request_id: details.get("RequestId").and_then(Value::as_str).unwrap_or_default().to_string(),
                error: error_of(&details),
            }),
            "ChainedInvokeStarted" => {
                if let Some(arn) = details.get("DurableExecutionArn").and_then(Value::as_str) {
                    d.targets.insert(id, arn.to_string());
                }
            }
            "StepStarted" => {
                let list = d.attempts.entry(id).or_default();
                let number = list.len() as u32 + 1;
                list.push(Attempt { number, start_ms: ts, end_ms: None, status: "STARTED", error: None, retry_at_ms: None });
            }
            _ => {
                let list = d.attempts.entry(id).or_default();
                // A step that recorded no START (at-least-once semantics may skip it) began when
                // the previous attempt's retry was due, or when its outcome was recorded.
                if list.last().is_none_or(|a| a.end_ms.is_some()) {
                    let start = list.last().and_then(|a| a.retry_at_ms).unwrap_or(ts).min(ts);
                    list.push(Attempt { number: list.len() as u32 + 1, start_ms: start, end_ms: None, status: "STARTED", error: None, retry_at_ms: None });
                }
                let attempt = list.last_mut().expect("pushed above");
                attempt.end_ms = Some(ts);
                let retry = details.get("RetryDetails");
                if let Some(n) = retry.and_then(|r| r.get("CurrentAttempt")).and_then(Value::as_u64) {
                    attempt.number = n as u32;
                }
                if kind == "StepSucceeded" {
                    attempt.status = "SUCCEEDED";
                } else {
                    attempt.status = "FAILED";
                    attempt.error = error_of(&details);
                    attempt.retry_at_ms = retry.and_then(|r| r.get("NextAttemptDelaySeconds")).and_then(Value::as_i64).map(|s| ts + s * 1000);
                }
            }
        }
    }
    if let Some(lease) = &exec.invocation.lease {
        d.invocations.push(InvocationSpan {
            number: exec.invocation.count,
            start_ms: lease.started_ms,
            end_ms: None,
            request_id: lease.request_id.clone(),
            error: None,
        });
    }
    d
}

//! What the history says that the records do not: when each attempt of a step started and
//! ended and why it failed, when each invocation ran, which execution a chained invoke started.
//! One pass over an execution's events (their stored bodies), for `inspect::timeline`.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use crate::inspect::{Attempt, InvocationSpan};
use crate::model::ErrorObject;
use crate::storage::{ExecRow, StoredEvent};

#[derive(Debug, Default)]
pub(crate) struct Derived {
    pub attempts: HashMap<String, Vec<Attempt>>,
    pub invocations: Vec<InvocationSpan>,
    pub targets: HashMap<String, String>,
}

fn iso_ms(v: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(v?).ok().map(|d| d.timestamp_millis())
}

// The members of stored event bodies this pass reads; serde skips the rest (payloads) without
// building them, which is most of the cost of an execution with thousands of steps.
#[derive(Deserialize)]
struct ErrorMember {
    #[serde(rename = "Payload")]
    payload: Option<ErrorObject>,
}

#[derive(Deserialize)]
struct Retry {
    #[serde(rename = "CurrentAttempt")]
    current_attempt: Option<u32>,
    #[serde(rename = "NextAttemptDelaySeconds")]
    next_attempt_delay_seconds: Option<i64>,
}

#[derive(Deserialize)]
struct Details<'a> {
    #[serde(rename = "Error")]
    error: Option<ErrorMember>,
    #[serde(rename = "RetryDetails")]
    retry: Option<Retry>,
    #[serde(rename = "StartTimestamp", borrow)]
    start: Option<Cow<'a, str>>,
    #[serde(rename = "EndTimestamp", borrow)]
    end: Option<Cow<'a, str>>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
    #[serde(rename = "DurableExecutionArn")]
    target_arn: Option<String>,
}

#[derive(Deserialize)]
struct Body<'a> {
    #[serde(rename = "Id", default)]
    id: String,
    #[serde(
        alias = "StepSucceededDetails",
        alias = "StepFailedDetails",
        alias = "InvocationCompletedDetails",
        alias = "ChainedInvokeStartedDetails",
        borrow
    )]
    details: Option<Details<'a>>,
}

pub(crate) fn derive(events: &[StoredEvent], exec: &ExecRow) -> Derived {
    let mut d = Derived::default();
    for (_, event_type, ts, body) in events {
        let ts = *ts;
        let kind = event_type.as_str();
        if !matches!(kind, "StepStarted" | "StepSucceeded" | "StepFailed" | "InvocationCompleted" | "ChainedInvokeStarted") {
            continue;
        }
        let Ok(body) = serde_json::from_str::<Body>(body) else { continue };
        let details = body.details;
        let id = body.id;
        match kind {
            "InvocationCompleted" => {
                let details = details.unwrap_or_else(|| Details { error: None, retry: None, start: None, end: None, request_id: None, target_arn: None });
                d.invocations.push(InvocationSpan {
                    number: d.invocations.len() as i64 + 1,
                    start_ms: iso_ms(details.start.as_deref()).unwrap_or(ts),
                    end_ms: Some(iso_ms(details.end.as_deref()).unwrap_or(ts)),
                    request_id: details.request_id.unwrap_or_default(),
                    error: details.error.and_then(|e| e.payload),
                });
            }
            "ChainedInvokeStarted" => {
                if let Some(arn) = details.and_then(|d| d.target_arn) {
                    d.targets.insert(id, arn);
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
                let (error, retry) = details.map(|d| (d.error, d.retry)).unwrap_or((None, None));
                if let Some(n) = retry.as_ref().and_then(|r| r.current_attempt) {
                    attempt.number = n;
                }
                if kind == "StepSucceeded" {
                    attempt.status = "SUCCEEDED";
                } else {
                    attempt.status = "FAILED";
                    attempt.error = error.and_then(|e| e.payload);
                    attempt.retry_at_ms = retry.and_then(|r| r.next_attempt_delay_seconds).map(|s| ts + s * 1000);
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

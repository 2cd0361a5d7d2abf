//! The protocol's data model (PROTOCOL.md §3-4): operation types, statuses and actions, the
//! operation record and the checkpoint update. Serde names are the wire names (PascalCase).

use serde::{Deserialize, Serialize};

use crate::error::{EngineError, Result};

macro_rules! wire_enum {
    ($name:ident, $field:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parses the wire text; an unknown value is a parameter error naming the field.
            pub fn parse(text: &str) -> Result<Self> {
                match text {
                    $($text => Ok($name::$variant),)+
                    other => Err(EngineError::parameter(
                        $field,
                        format!("{other:?}"),
                        concat!("expected one of: ", $($text, " "),+),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(OperationType, "Type" {
    Execution = "EXECUTION",
    Step = "STEP",
    Wait = "WAIT",
    Callback = "CALLBACK",
    ChainedInvoke = "CHAINED_INVOKE",
    Context = "CONTEXT",
});

wire_enum!(OperationStatus, "Status" {
    Started = "STARTED",
    Pending = "PENDING",
    Ready = "READY",
    Succeeded = "SUCCEEDED",
    Failed = "FAILED",
    Cancelled = "CANCELLED",
    TimedOut = "TIMED_OUT",
    Stopped = "STOPPED",
});

wire_enum!(Action, "Action" {
    Start = "START",
    Succeed = "SUCCEED",
    Fail = "FAIL",
    Retry = "RETRY",
    Cancel = "CANCEL",
});

wire_enum!(ExecutionStatus, "ExecutionStatus" {
    Running = "RUNNING",
    Succeeded = "SUCCEEDED",
    Failed = "FAILED",
    TimedOut = "TIMED_OUT",
    Stopped = "STOPPED",
    Deleting = "DELETING",
    Pausing = "PAUSING",
    Paused = "PAUSED",
});

wire_enum!(InvocationStatus, "Status" {
    Succeeded = "SUCCEEDED",
    Failed = "FAILED",
    Pending = "PENDING",
});

impl OperationStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OperationStatus::Succeeded
                | OperationStatus::Failed
                | OperationStatus::Cancelled
                | OperationStatus::TimedOut
                | OperationStatus::Stopped
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorObject {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_trace: Option<Vec<String>>,
}

impl ErrorObject {
    pub fn new(error_type: &str, message: &str) -> Self {
        ErrorObject {
            error_type: Some(error_type.to_string()),
            error_message: Some(message.to_string()),
            ..Default::default()
        }
    }
}

/// One operation record as the engine stores it. Timestamps are epoch milliseconds of the
/// engine clock. Fields after `callback_id` are service-side bookkeeping, never on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub id: String,
    pub parent_id: Option<String>,
    pub name: Option<String>,
    pub op_type: OperationType,
    pub sub_type: Option<String>,
    pub status: OperationStatus,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    /// EXECUTION: the input payload.
    pub input_payload: Option<String>,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
    /// STEP: attempts whose outcome was recorded.
    pub attempt: Option<u32>,
    pub next_attempt_ms: Option<i64>,
    pub scheduled_end_ms: Option<i64>,
    pub replay_children: Option<bool>,
    pub callback_id: Option<String>,
    pub wait_seconds: Option<i64>,
    pub callback_timeout_s: Option<i64>,
    pub callback_heartbeat_s: Option<i64>,
    pub invoke_function: Option<String>,
    pub invoke_tenant: Option<String>,
}

impl Operation {
    pub fn new(id: &str, op_type: OperationType, status: OperationStatus, start_ms: i64) -> Self {
        Operation {
            id: id.to_string(),
            parent_id: None,
            name: None,
            op_type,
            sub_type: None,
            status,
            start_ms,
            end_ms: None,
            input_payload: None,
            result: None,
            error: None,
            attempt: None,
            next_attempt_ms: None,
            scheduled_end_ms: None,
            replay_children: None,
            callback_id: None,
            wait_seconds: None,
            callback_timeout_s: None,
            callback_heartbeat_s: None,
            invoke_function: None,
            invoke_tenant: None,
        }
    }

    /// True while the code waiting on this operation must wait for the service: a wait,
    /// callback or chained invoke still STARTED, a step whose retry is not due (PENDING).
    pub fn awaits_service(&self) -> bool {
        match self.op_type {
            OperationType::Wait | OperationType::Callback | OperationType::ChainedInvoke => self.status == OperationStatus::Started,
            OperationType::Step => self.status == OperationStatus::Pending,
            _ => false,
        }
    }

    /// True while the service still owes this operation a change (PROTOCOL.md §2.2: what
    /// makes a PENDING invocation output valid).
    pub fn is_pending_on_service(&self) -> bool {
        match self.op_type {
            OperationType::Wait | OperationType::Callback | OperationType::ChainedInvoke => {
                self.status == OperationStatus::Started
            }
            OperationType::Step => {
                matches!(self.status, OperationStatus::Pending | OperationStatus::Ready)
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContextOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay_children: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_delay_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WaitOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CallbackOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_seconds: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub heartbeat_timeout_seconds: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChainedInvokeOptions {
    pub function_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
}

/// One element of a checkpoint's `Updates` (PROTOCOL.md §4). `Type` and `Action` stay text
/// until validation so an unknown value is reported against the update that carried it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct OperationUpdate {
    #[serde(default)]
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "Type", default)]
    pub op_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sub_type: Option<String>,
    #[serde(default)]
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_options: Option<ContextOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_options: Option<StepOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wait_options: Option<WaitOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub callback_options: Option<CallbackOptions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chained_invoke_options: Option<ChainedInvokeOptions>,
}

/// What an invocation answered (PROTOCOL.md §2.2).
#[derive(Debug, Clone, PartialEq)]
pub struct InvocationOutput {
    pub status: InvocationStatus,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
}

/// The execution record (the `GetDurableExecution` shape, PROTOCOL.md §8).
#[derive(Debug, Clone, PartialEq)]
pub struct Execution {
    pub arn: String,
    pub name: String,
    pub function_name: String,
    pub status: ExecutionStatus,
    pub input: Option<String>,
    pub result: Option<String>,
    pub error: Option<ErrorObject>,
    pub start_ms: i64,
    pub end_ms: Option<i64>,
    /// `DurableConfig.ExecutionTimeout` (seconds).
    pub timeout_s: i64,
    /// `DurableConfig.RetentionPeriodInDays`.
    pub retention_days: i64,
    /// When the execution times out (`ExpectedExecutionTimeoutTimestamp`); `None` once ended.
    pub deadline_ms: Option<i64>,
    /// Present while PAUSING or PAUSED.
    pub pause: Option<PauseState>,
}

impl ExecutionStatus {
    /// Ended: SUCCEEDED, FAILED, TIMED_OUT or STOPPED (DELETING is on its way out, not ended).
    pub fn is_terminal(self) -> bool {
        matches!(self, ExecutionStatus::Succeeded | ExecutionStatus::Failed | ExecutionStatus::TimedOut | ExecutionStatus::Stopped)
    }

    /// Not ended: RUNNING, PAUSING or PAUSED. Its timers fire, its callbacks may complete and
    /// it can still end; only a RUNNING one is invoked.
    pub fn is_live(self) -> bool {
        matches!(self, ExecutionStatus::Running | ExecutionStatus::Pausing | ExecutionStatus::Paused)
    }

    /// The status the execution's own EXECUTION record takes.
    pub fn operation_status(self) -> OperationStatus {
        match self {
            ExecutionStatus::Running | ExecutionStatus::Pausing | ExecutionStatus::Paused | ExecutionStatus::Deleting => OperationStatus::Started,
            ExecutionStatus::Succeeded => OperationStatus::Succeeded,
            ExecutionStatus::Failed => OperationStatus::Failed,
            ExecutionStatus::TimedOut => OperationStatus::TimedOut,
            ExecutionStatus::Stopped => OperationStatus::Stopped,
        }
    }
}

/// A pause requested of an execution (`PauseDurableExecution`), kept with the execution while
/// it is PAUSING or PAUSED (GetDurableExecution's `PauseDetails`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PauseState {
    pub request_ms: i64,
    pub reason: Option<String>,
    pub timeout_paused: bool,
    /// When the pause took effect (PAUSED); `None` while PAUSING.
    pub paused_ms: Option<i64>,
    /// With the timeout paused: the deadline the execution had when the pause took effect.
    pub deadline_before_ms: Option<i64>,
}

/// What a timer does when it fires; stored with the timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimerKind {
    Wait,
    Retry,
    CallbackTimeout,
    CallbackHeartbeat,
}

impl TimerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimerKind::Wait => "wait",
            TimerKind::Retry => "retry",
            TimerKind::CallbackTimeout => "cb_timeout",
            TimerKind::CallbackHeartbeat => "cb_heartbeat",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "wait" => TimerKind::Wait,
            "retry" => TimerKind::Retry,
            "cb_timeout" => TimerKind::CallbackTimeout,
            "cb_heartbeat" => TimerKind::CallbackHeartbeat,
            _ => return None,
        })
    }
}

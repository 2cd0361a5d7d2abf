//! The napi class of one invocation's SDK-side state machine (durable_engine::vm) and the
//! answers it gives: conversions only, every decision is the engine's.

use std::sync::Arc;

use durable_engine as engine;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::*;
use crate::{js_err, EngineErrorInfo};

/// The SDK-side state machine of one invocation (durable_engine::vm): replay records, token,
/// queue, suspension rule. Made by `NativeEngine.openInvocation` it commits in process, with
/// no record crossing to JavaScript; made with `new` it hands batches to an external client.
#[napi]
pub struct NativeInvocation {
    pub(crate) vm: engine::vm::InvocationVm,
    pub(crate) engine: Option<Arc<engine::Engine>>,
}

#[napi(object)]
pub struct ReplayCheck {
    /// The hashed operation id to put on the wire.
    pub id: String,
    /// "fresh", "replay", "resume" or "wait": what the operation does next (vm::Position).
    pub kind: String,
    /// For "resume": the attempt about to run.
    pub attempt: Option<u32>,
    /// For "wait": when the service said the record changes (engine clock, ms).
    pub until_ms: Option<f64>,
    pub operation: Option<WireOperation>,
}

/// What one commit did for one invocation.
#[napi(object)]
pub struct CommitResult {
    /// How many of the oldest queued updates it carried.
    pub updates: u32,
    /// Ids of records new or changed by the answer.
    pub changed: Vec<String>,
    pub error: Option<EngineErrorInfo>,
}

#[napi]
impl NativeInvocation {
    #[napi(constructor)]
    pub fn new(arn: String, token: String, operations: Vec<WireOperation>) -> Result<Self> {
        let ops = to_engine_ops(operations).map_err(js_err)?;
        Ok(NativeInvocation { vm: engine::vm::InvocationVm::new(&arn, &token, ops), engine: None })
    }

    /// The wire id for `stepId` and its record; throws ERR_NON_DETERMINISTIC on a mismatch.
    #[napi]
    pub fn check(&mut self, step_id: String, op_type: String, sub_type: Option<String>, name: Option<String>) -> Result<ReplayCheck> {
        let op_type = engine::OperationType::parse(&op_type).map_err(js_err)?;
        let call = engine::replay::Call { op_type, sub_type: sub_type.as_deref(), name: name.as_deref() };
        let (id, record) = self.vm.check(&step_id, call).map_err(js_err)?;
        let (kind, attempt, until_ms) = match engine::vm::Position::of(record) {
            engine::vm::Position::Fresh => ("fresh", None, None),
            engine::vm::Position::Replay => ("replay", None, None),
            engine::vm::Position::Resume { attempt } => ("resume", Some(attempt), None),
            engine::vm::Position::Wait { until_ms } => ("wait", None, until_ms.map(|t| t as f64)),
        };
        Ok(ReplayCheck { kind: kind.to_string(), attempt, until_ms, operation: record.map(sdk_operation), id })
    }

    /// A context opens: replaying or not (the rest of replay mode is decided in Rust).
    #[napi]
    pub fn open_context(&mut self, prefix: String, replaying: bool) {
        self.vm.open_context(&prefix, replaying);
    }

    #[napi]
    pub fn replaying(&self, prefix: String) -> bool {
        self.vm.replaying(&prefix)
    }

    #[napi]
    pub fn enter_execution(&mut self, prefix: String) {
        self.vm.enter_execution(&prefix);
    }

    /// The context replayed an ended operation; `nextStepId` is the step it comes to next.
    #[napi]
    pub fn replayed(&mut self, prefix: String, next_step_id: String) {
        self.vm.replayed(&prefix, &next_step_id);
    }

    #[napi]
    pub fn has_step(&self, step_id: String) -> bool {
        self.vm.has_step(&step_id)
    }

    /// A record, timestamps in epoch milliseconds.
    #[napi]
    pub fn get(&self, id: String) -> Option<WireOperation> {
        self.vm.get(&id).map(sdk_operation)
    }

    /// Whether the step id's operation has ended.
    #[napi]
    pub fn step_ended(&self, step_id: String) -> bool {
        self.vm.step_ended(&step_id)
    }

    /// Whether code waiting on record `id` may go on (it no longer awaits the service).
    #[napi]
    pub fn ready(&self, id: String) -> bool {
        self.vm.ready(&id)
    }

    /// Queues an update; false when it is dropped (ended, or inside a finished child context).
    #[napi]
    pub fn enqueue(&mut self, update: WireOperationUpdate) -> bool {
        self.vm.enqueue(update.into())
    }

    /// For an external client: the next batch to send, unless one is in flight.
    #[napi]
    pub fn take_batch(&mut self, max: u32, poll: bool) -> Option<Vec<WireOperationUpdate>> {
        self.vm.take_batch(max as usize, poll).map(|b| b.iter().map(Into::into).collect())
    }

    /// For an external client: merges its answer; returns how many updates it carried and the
    /// ids of records new or changed.
    #[napi]
    pub fn answer(&mut self, token: String, operations: Vec<WireOperation>) -> Result<CommitResult> {
        let ops = to_engine_ops(operations).map_err(js_err)?;
        let done = self.vm.answer(&token, ops);
        Ok(CommitResult { updates: done.updates as u32, changed: done.changed, error: None })
    }

    /// The batch in flight failed: the invocation ends.
    #[napi]
    pub fn failed(&mut self) {
        self.vm.failed();
    }

    #[napi]
    pub fn mark_finished(&mut self, step_id: String) {
        self.vm.mark_finished(&step_id);
    }

    /// User code starts (+1) or ends (-1); true when the invocation just became busy (it
    /// cannot end now), false when it just stopped being busy, null otherwise.
    #[napi]
    pub fn user_code(&mut self, delta: i32) -> Option<bool> {
        let changed = self.vm.user_code(delta);
        if let (Some(busy), Some(engine)) = (changed, &self.engine) {
            engine.set_busy(self.vm.arn(), busy);
        }
        changed
    }

    #[napi]
    pub fn waiting(&mut self, id: String, delta: i32) {
        self.vm.waiting(&id, delta);
    }

    /// The operation's promise is held but not awaited yet (until `awaited`).
    #[napi]
    pub fn held(&mut self, id: String) {
        self.vm.held(&id);
    }

    /// User code awaited the promise of the operation at `stepId`.
    #[napi]
    pub fn awaited(&mut self, step_id: String) {
        self.vm.awaited(&step_id);
    }

    /// The suspension rule: -1 busy, 0 suspend now (the invocation has ended), else the ms
    /// after which to ask again.
    #[napi]
    pub fn suspend_check(&mut self) -> f64 {
        match self.vm.suspend_check(std::time::Instant::now()) {
            engine::vm::SuspendCheck::Busy => -1.0,
            engine::vm::SuspendCheck::Now => 0.0,
            engine::vm::SuspendCheck::After(d) => (d.as_secs_f64() * 1000.0).max(1.0),
        }
    }

    /// Real ms until the record `id` should be polled after `polls` polls that found it
    /// unchanged (vm.rs decides, on the engine's clock).
    #[napi]
    pub fn poll_delay(&self, id: String, polls: u32) -> f64 {
        let now = self.engine.as_ref().map_or_else(|| chrono::Utc::now().timestamp_millis(), |e| e.now_ms());
        self.vm.poll_delay(&id, now, polls) as f64
    }

    #[napi]
    pub fn terminate(&mut self) {
        self.vm.terminate();
    }

    #[napi(getter)]
    pub fn token(&self) -> String {
        self.vm.token().to_string()
    }

    #[napi(getter)]
    pub fn terminated(&self) -> bool {
        self.vm.is_terminated()
    }

    /// Nothing queued and nothing in flight.
    #[napi(getter)]
    pub fn drained(&self) -> bool {
        self.vm.drained()
    }
}


//! The SDK side of one invocation, as a state machine the TypeScript layer drives: the records
//! it replays (the invocation input plus every checkpoint answer, merged here), the token, the
//! queue of updates not yet sent and the batch in flight, the child contexts that finished, the
//! user code running and the operations waiting — and from these the suspension rule. Pure and
//! synchronous; `commit` sends batches through an in-process engine without any record crossing
//! to JavaScript.
//!
//! | state        | event                          | next          | answer                         |
//! |--------------|--------------------------------|---------------|--------------------------------|
//! | running      | enqueue (not inside a finished context) | running | queued (true)                |
//! | running      | take batch (queue not empty, none in flight) | in flight | the updates (≤ max)     |
//! | in flight    | answer (token, records)        | running       | ids of records new or changed  |
//! | in flight    | failure                        | terminated    |                                |
//! | running      | suspend check: idle ≥ cooldown | terminated    | suspend now                    |
//! | running      | suspend check: idle < cooldown | running       | check again after the rest     |
//! | any          | terminate                      | terminated    | later updates dropped          |
//!
//! Idle: nothing queued or in flight, no user code running, and some operation outside a
//! finished child context waiting for the service.

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::model::{Operation, OperationUpdate};
use crate::replay::{Call, Replay};
use crate::{CheckpointOutcome, CheckpointRequest, Engine};

/// How long an invocation stays idle before it suspends: user code between operations may
/// still be settling promises of its own (a timer, an I/O callback) and start more work.
pub const SUSPEND_COOLDOWN: Duration = Duration::from_millis(20);

/// Where the code stands at a step id, the one answer every operation acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    /// No record: do the work.
    Fresh,
    /// The operation ended: return (or throw) its recorded outcome without running anything.
    Replay,
    /// Started but not ended (a step interrupted or ready for its next attempt, an open
    /// context): go on with attempt `attempt`.
    Resume { attempt: u32 },
    /// The service owes it a change: wait, until `until_ms` when the service said when.
    Wait { until_ms: Option<i64> },
}

impl Position {
    pub fn of(record: Option<&Operation>) -> Position {
        let Some(op) = record else { return Position::Fresh };
        if op.status.is_terminal() {
            Position::Replay
        } else if op.awaits_service() {
            Position::Wait { until_ms: op.next_attempt_ms.or(op.scheduled_end_ms) }
        } else {
            Position::Resume { attempt: op.attempt.unwrap_or(0) + 1 }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuspendCheck {
    /// Work is queued, in flight or running, or nothing waits: no suspension.
    Busy,
    Now,
    After(Duration),
}

pub struct InvocationVm {
    arn: String,
    token: String,
    replay: Replay,
    /// Step id of every wire id the code has reached, to find an update's enclosing contexts.
    step_ids: HashMap<String, String>,
    /// Step ids of child contexts that have returned or thrown (API.md §5.3-5.4).
    finished: HashSet<String>,
    waiting: HashMap<String, u32>,
    /// Waiting operations whose promise user code holds but has not awaited yet (a wait, a
    /// callback, an invoke): they keep no invocation from ending until awaited.
    unawaited: HashSet<String>,
    /// Operations whose promise has been awaited (before or after they began to wait).
    awaited: HashSet<String>,
    executing: u32,
    /// Whether each context (by step-id prefix, "" the root) is replaying recorded operations
    /// or executing new ones: loggers stay quiet while replaying.
    modes: HashMap<String, bool>,
    queue: VecDeque<OperationUpdate>,
    /// Updates of the batch in flight (`Some(0)`: a poll).
    in_flight: Option<usize>,
    terminated: bool,
    idle_since: Option<Instant>,
}

/// What one commit did for one invocation.
#[derive(Debug, Clone)]
pub struct Committed {
    /// Queued updates that the commit carried (the oldest ones).
    pub updates: usize,
    /// Ids of records new or changed by the answer.
    pub changed: Vec<String>,
}

impl InvocationVm {
    pub fn new(arn: &str, token: &str, operations: Vec<Operation>) -> Self {
        InvocationVm {
            arn: arn.to_string(),
            token: token.to_string(),
            replay: Replay::new(operations),
            step_ids: HashMap::new(),
            finished: HashSet::new(),
            waiting: HashMap::new(),
            unawaited: HashSet::new(),
            awaited: HashSet::new(),
            executing: 0,
            modes: HashMap::new(),
            queue: VecDeque::new(),
            in_flight: None,
            terminated: false,
            idle_since: None,
        }
    }

    pub fn arn(&self) -> &str {
        &self.arn
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    pub fn is_terminated(&self) -> bool {
        self.terminated
    }

    /// The wire id and record for the step id the code is at; a record of another type, name
    /// or sub-type is a non-determinism error.
    pub fn check(&mut self, step_id: &str, call: Call<'_>) -> Result<(String, Option<&Operation>)> {
        let (id, _) = self.replay.check(step_id, call)?;
        self.step_ids.insert(id.clone(), step_id.to_string());
        Ok((id.clone(), self.replay.get(&id)))
    }

    pub fn get(&self, id: &str) -> Option<&Operation> {
        self.replay.get(id)
    }

    /// Whether the step id's operation has ended (terminal record).
    pub fn step_ended(&self, step_id: &str) -> bool {
        self.replay.get(&crate::ids::hash_step_id(step_id)).is_some_and(|op| op.status.is_terminal())
    }

    /// Whether code waiting on record `id` may go on (the record exists and no longer awaits
    /// the service).
    pub fn ready(&self, id: &str) -> bool {
        self.replay.get(id).is_some_and(|op| !op.awaits_service())
    }

    /// Whether a record exists for a step id (the replay mode of a context asks).
    pub fn has_step(&self, step_id: &str) -> bool {
        self.replay.get(&crate::ids::hash_step_id(step_id)).is_some()
    }

    /// A context starts, replaying (its parent was, and it has records) or not.
    pub fn open_context(&mut self, prefix: &str, replaying: bool) {
        self.modes.insert(prefix.to_string(), replaying);
    }

    pub fn replaying(&self, prefix: &str) -> bool {
        self.modes.get(prefix).copied().unwrap_or(false)
    }

    /// The context reached an operation with nothing to replay: it executes from now on.
    pub fn enter_execution(&mut self, prefix: &str) {
        self.modes.insert(prefix.to_string(), false);
    }

    /// The context replayed an ended operation; it keeps replaying only if its next step (or,
    /// for a child context that records nothing of its own, that step's first child) has a
    /// record.
    pub fn replayed(&mut self, prefix: &str, next_step_id: &str) {
        if self.replaying(prefix) && !self.has_step(next_step_id) && !self.has_step(&format!("{next_step_id}-1")) {
            self.enter_execution(prefix);
        }
    }

    /// Queues an update; false when it is dropped (the invocation ended, or the operation lies
    /// inside a child context that already finished).
    pub fn enqueue(&mut self, update: OperationUpdate) -> bool {
        if self.terminated || self.inside_finished(&update.id) {
            return false;
        }
        self.idle_since = None;
        self.queue.push_back(update);
        true
    }

    /// Whether nothing is queued or in flight.
    pub fn drained(&self) -> bool {
        self.queue.is_empty() && self.in_flight.is_none()
    }

    /// The next batch to send (at most `max`), unless one is in flight; `poll` asks for an
    /// empty checkpoint when nothing is queued.
    pub fn take_batch(&mut self, max: usize, poll: bool) -> Option<Vec<OperationUpdate>> {
        if self.terminated || self.in_flight.is_some() || (self.queue.is_empty() && !poll) {
            return None;
        }
        let n = self.queue.len().min(max);
        let batch: Vec<OperationUpdate> = self.queue.drain(..n).collect();
        self.in_flight = Some(batch.len());
        Some(batch)
    }

    /// Merges a checkpoint answer: the new token and the records it carried.
    pub fn answer(&mut self, token: &str, operations: Vec<Operation>) -> Committed {
        let updates = self.in_flight.take().unwrap_or(0);
        if !token.is_empty() {
            self.token = token.to_string();
        }
        let changed = self.replay.merge(operations);
        Committed { updates, changed }
    }

    /// The batch in flight failed: the invocation ends.
    pub fn failed(&mut self) {
        self.in_flight = None;
        self.terminate();
    }

    pub fn mark_finished(&mut self, step_id: &str) {
        self.finished.insert(step_id.to_string());
    }

    fn inside_finished(&self, id: &str) -> bool {
        if self.finished.is_empty() {
            return false;
        }
        let Some(step_id) = self.step_ids.get(id) else { return false };
        let mut end = step_id.len();
        while let Some(i) = step_id[..end].rfind('-') {
            if i == 0 {
                break;
            }
            if self.finished.contains(&step_id[..i]) {
                return true;
            }
            end = i;
        }
        false
    }

    /// User code (a step function) starts (+1) or ends (-1): no suspension meanwhile. Returns
    /// whether the invocation became busy (`Some(true)`: it cannot end now) or not busy any more.
    pub fn user_code(&mut self, delta: i32) -> Option<bool> {
        let was = self.executing > 0;
        self.executing = self.executing.saturating_add_signed(delta);
        self.idle_since = None;
        let is = self.executing > 0;
        (was != is).then_some(is)
    }

    /// The operation at `id` waits on the service, but its promise may not be awaited: until
    /// `awaited`, its waiting does not make the invocation idle (as the official SDK's
    /// IDLE_NOT_AWAITED: a held promise the code may await later, or never).
    pub fn held(&mut self, id: &str) {
        if !self.awaited.contains(id) {
            self.unawaited.insert(id.to_string());
        }
    }

    /// User code awaited the promise of the operation at `step_id`.
    pub fn awaited(&mut self, step_id: &str) {
        let id = crate::ids::hash_step_id(step_id);
        self.unawaited.remove(&id);
        self.awaited.insert(id);
        self.idle_since = None;
    }

    /// An operation starts (+1) or stops (-1) waiting for the service.
    pub fn waiting(&mut self, id: &str, delta: i32) {
        let count = self.waiting.entry(id.to_string()).or_insert(0);
        *count = count.saturating_add_signed(delta);
        if *count == 0 {
            self.waiting.remove(id);
        }
    }

    fn idle(&self) -> bool {
        !self.terminated
            && self.queue.is_empty()
            && self.in_flight.is_none()
            && self.executing == 0
            && self.waiting.keys().any(|id| !self.inside_finished(id) && !self.unawaited.contains(id))
    }

    /// Real ms until the record `id` should be polled, after `polls` polls that found it
    /// unchanged: when its wait or retry is due (the engine's clock `now`; a skipping clock moves
    /// only while nothing runs, so skipped time makes the invocations real time would); past
    /// that, or when the service gives no time, every second, backing off by a second per poll
    /// up to ten (as the SDK's poll loop).
    pub fn poll_delay(&self, id: &str, now: i64, polls: u32) -> i64 {
        let backoff = (i64::from(polls.max(1)) * 1000).min(10_000);
        match self.replay.get(id).and_then(|op| op.next_attempt_ms.or(op.scheduled_end_ms)) {
            Some(due) if due > now => due - now,
            Some(_) if polls == 0 => 0,
            _ => backoff,
        }
    }

    /// The suspension rule: suspend once idle for the cooldown (and then the invocation ends).
    pub fn suspend_check(&mut self, now: Instant) -> SuspendCheck {
        if !self.idle() {
            self.idle_since = None;
            return SuspendCheck::Busy;
        }
        let since = *self.idle_since.get_or_insert(now);
        let idle_for = now.duration_since(since);
        if idle_for >= SUSPEND_COOLDOWN {
            self.terminate();
            SuspendCheck::Now
        } else {
            SuspendCheck::After(SUSPEND_COOLDOWN - idle_for)
        }
    }

    pub fn terminate(&mut self) {
        self.terminated = true;
        self.queue.clear();
    }
}

/// The batches taken from a list of invocations for one commit, and which invocation each is
/// from. Taken on the caller's thread; sent (`send`, blocking on storage) wherever the caller
/// likes; its answers merged back (`apply`) into the same list of invocations.
pub struct Batches {
    pub requests: Vec<CheckpointRequest>,
    slots: Vec<usize>,
    of: usize,
}

impl Batches {
    /// Takes the next batch (at most `max` updates) of each invocation that has one.
    pub fn take(vms: &mut [&mut InvocationVm], max: usize, poll: bool) -> Batches {
        let mut requests = Vec::new();
        let mut slots = Vec::new();
        for (i, vm) in vms.iter_mut().enumerate() {
            if let Some(updates) = vm.take_batch(max, poll) {
                requests.push(CheckpointRequest { arn: vm.arn.clone(), token: vm.token.clone(), updates });
                slots.push(i);
            }
        }
        Batches { requests, slots, of: vms.len() }
    }

    /// Commits every batch in one transaction.
    pub fn send(&self, engine: &Engine) -> Result<Vec<Result<CheckpointOutcome>>> {
        match self.requests.as_slice() {
            [] => Ok(Vec::new()),
            [r] => Ok(vec![engine.checkpoint(&r.arn, &r.token, &r.updates)]),
            requests => engine.checkpoint_many(requests),
        }
    }

    /// Merges what `send` answered into the invocations the batches were taken from (the same
    /// list, in the same order). `None` for an invocation that had nothing to send.
    pub fn apply(self, vms: &mut [&mut InvocationVm], answers: Result<Vec<Result<CheckpointOutcome>>>) -> Result<Vec<Option<Result<Committed>>>> {
        if vms.len() != self.of {
            return Err(crate::error::EngineError::Storage(format!("a commit's answers are for {} invocations, not {}", self.of, vms.len())));
        }
        let mut out: Vec<Option<Result<Committed>>> = (0..vms.len()).map(|_| None).collect();
        let answers = match answers {
            Ok(answers) => answers,
            Err(e) => {
                for &i in &self.slots {
                    vms[i].failed();
                }
                return Err(e);
            }
        };
        for (answer, i) in answers.into_iter().zip(self.slots) {
            out[i] = Some(match answer {
                Ok(outcome) => Ok(vms[i].answer(&outcome.token, outcome.operations)),
                Err(e) => {
                    vms[i].failed();
                    Err(e)
                }
            });
        }
        Ok(out)
    }
}

/// Sends the next batch of each invocation through `engine` (one transaction for all of them)
/// and merges each answer into its invocation. `None` for an invocation with nothing to send.
pub fn commit(engine: &Engine, vms: &mut [&mut InvocationVm], max: usize, poll: bool) -> Result<Vec<Option<Result<Committed>>>> {
    let batches = Batches::take(vms, max, poll);
    let answers = batches.send(engine);
    batches.apply(vms, answers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{OperationStatus, OperationType};

    fn update(id: &str) -> OperationUpdate {
        OperationUpdate { id: id.into(), op_type: "STEP".into(), action: "START".into(), ..Default::default() }
    }

    #[test]
    fn a_held_promise_nobody_awaits_keeps_no_invocation_from_ending() {
        let mut vm = InvocationVm::new("arn", "t0", vec![]);
        let call = Call { op_type: OperationType::Wait, sub_type: Some("Wait"), name: None };
        let (id, _) = vm.check("1", call).unwrap();
        vm.held(&id);
        vm.waiting(&id, 1);
        let t0 = Instant::now();
        assert_eq!(vm.suspend_check(t0), SuspendCheck::Busy, "unawaited: the code goes on");
        vm.awaited("1");
        vm.held(&id);
        assert!(matches!(vm.suspend_check(t0), SuspendCheck::After(_)), "awaited once is awaited for good");
        assert_eq!(vm.suspend_check(t0 + SUSPEND_COOLDOWN), SuspendCheck::Now);
    }

    #[test]
    fn polls_when_the_record_is_due_and_reports_when_it_becomes_busy() {
        let mut wait = Operation::new("w", OperationType::Wait, OperationStatus::Started, 0);
        wait.scheduled_end_ms = Some(60_000);
        let mut vm = InvocationVm::new("arn", "t0", vec![wait]);
        assert_eq!(vm.poll_delay("w", 10_000, 0), 50_000);
        assert_eq!(vm.poll_delay("w", 70_000, 0), 0);
        assert_eq!(vm.poll_delay("w", 70_000, 1), 1000, "due, and a poll found it unchanged: again after a second");
        assert_eq!(vm.poll_delay("missing", 0, 0), 1000, "no time given: every second");
        assert_eq!(vm.poll_delay("missing", 0, 3), 3000, "backing off");
        assert_eq!(vm.poll_delay("missing", 0, 30), 10_000, "up to ten seconds");
        assert_eq!(vm.user_code(1), Some(true));
        assert_eq!(vm.user_code(1), None, "still busy");
        assert_eq!(vm.user_code(-1), None);
        assert_eq!(vm.user_code(-1), Some(false));
    }

    #[test]
    fn positions_follow_the_record() {
        use crate::model::OperationStatus as S;
        let op = |t, s| Operation::new("x", t, s, 0);
        assert_eq!(Position::of(None), Position::Fresh);
        assert_eq!(Position::of(Some(&op(OperationType::Step, S::Succeeded))), Position::Replay);
        assert_eq!(Position::of(Some(&op(OperationType::Callback, S::TimedOut))), Position::Replay);
        let mut pending = op(OperationType::Step, S::Pending);
        pending.attempt = Some(2);
        pending.next_attempt_ms = Some(9);
        assert_eq!(Position::of(Some(&pending)), Position::Wait { until_ms: Some(9) });
        pending.status = S::Ready;
        assert_eq!(Position::of(Some(&pending)), Position::Resume { attempt: 3 });
        assert_eq!(Position::of(Some(&op(OperationType::Wait, S::Started))), Position::Wait { until_ms: None });
        assert_eq!(Position::of(Some(&op(OperationType::Context, S::Started))), Position::Resume { attempt: 1 });
    }

    #[test]
    fn a_context_replays_while_its_next_step_has_a_record() {
        let rec = |step: &str| Operation::new(&crate::ids::hash_step_id(step), OperationType::Step, OperationStatus::Succeeded, 0);
        let mut vm = InvocationVm::new("arn", "t0", vec![rec("1"), rec("2-1")]);
        vm.open_context("", true);
        vm.replayed("", "2");
        assert!(vm.replaying(""), "step 2 records nothing itself but its first child");
        vm.replayed("", "3");
        assert!(!vm.replaying(""), "nothing recorded at 3: executing");
        vm.open_context("2", true);
        vm.enter_execution("2");
        assert!(!vm.replaying("2"));
    }

    #[test]
    fn batches_go_one_at_a_time_in_order() {
        let mut vm = InvocationVm::new("arn", "t0", vec![]);
        assert!(vm.enqueue(update("a")));
        assert!(vm.enqueue(update("b")));
        let batch = vm.take_batch(1, false).unwrap();
        assert_eq!(batch[0].id, "a");
        assert!(vm.take_batch(10, false).is_none(), "one batch in flight at a time");
        let done = vm.answer("t1", vec![Operation::new("a", OperationType::Step, OperationStatus::Started, 0)]);
        assert_eq!((done.updates, done.changed.as_slice(), vm.token()), (1, &["a".to_string()][..], "t1"));
        assert_eq!(vm.take_batch(10, false).unwrap()[0].id, "b");
    }

    #[test]
    fn suspends_only_after_the_cooldown_of_idleness() {
        let mut vm = InvocationVm::new("arn", "t0", vec![]);
        let t0 = Instant::now();
        assert_eq!(vm.suspend_check(t0), SuspendCheck::Busy, "nothing waits");
        vm.waiting("w", 1);
        vm.user_code(1);
        assert_eq!(vm.suspend_check(t0), SuspendCheck::Busy, "user code runs");
        vm.user_code(-1);
        assert_eq!(vm.suspend_check(t0), SuspendCheck::After(SUSPEND_COOLDOWN));
        assert_eq!(vm.suspend_check(t0 + SUSPEND_COOLDOWN / 2), SuspendCheck::After(SUSPEND_COOLDOWN / 2));
        vm.enqueue(update("x"));
        assert_eq!(vm.suspend_check(t0 + SUSPEND_COOLDOWN), SuspendCheck::Busy, "new work resets idleness");
        vm.take_batch(10, false);
        vm.answer("t1", vec![]);
        let t1 = t0 + SUSPEND_COOLDOWN;
        assert!(matches!(vm.suspend_check(t1), SuspendCheck::After(_)));
        assert_eq!(vm.suspend_check(t1 + SUSPEND_COOLDOWN), SuspendCheck::Now);
        assert!(vm.is_terminated());
        assert!(!vm.enqueue(update("late")), "updates after the end are dropped");
    }

    #[test]
    fn work_inside_a_finished_child_context_neither_checkpoints_nor_keeps_the_invocation() {
        let mut vm = InvocationVm::new("arn", "t0", vec![]);
        let call = Call { op_type: OperationType::Step, sub_type: Some("Step"), name: None };
        let (inner, _) = vm.check("3-1-2", call).unwrap();
        vm.mark_finished("3-1");
        assert!(!vm.enqueue(update(&inner)));
        vm.waiting(&inner, 1);
        assert_eq!(vm.suspend_check(Instant::now()), SuspendCheck::Busy, "its wait does not count");
        let (outer, _) = vm.check("3-2", call).unwrap();
        assert!(vm.enqueue(update(&outer)));
    }
}

//! Group commits and group completions off the JavaScript thread. The batches are taken from
//! the invocations on the calling thread, the transaction runs on libuv's pool (an AsyncTask),
//! and its answers are merged back into the same invocations by `applyCommit`, on the calling
//! thread again: an invocation's state machine is only ever touched there. While a transaction
//! waits on storage, JavaScript runs the other invocations (on PostgreSQL a worker's thread
//! would otherwise sit out every round trip of every group).

use std::sync::Arc;

use durable_engine as engine;
use engine::vm::Batches;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::convert::{EndResult, InvocationEnd};
use crate::invocation::{CommitResult, NativeInvocation};
use crate::{error_info, js_err, NativeEngine};

type Answers = engine::Result<Vec<engine::Result<engine::CheckpointOutcome>>>;

pub struct CommitTask {
    engine: Arc<engine::Engine>,
    batches: Option<Batches>,
}

impl Task for CommitTask {
    type Output = Answers;
    type JsValue = PendingCommit;

    fn compute(&mut self) -> Result<Answers> {
        Ok(self.batches.as_ref().map_or(Ok(Vec::new()), |b| b.send(&self.engine)))
    }

    fn resolve(&mut self, _env: Env, answers: Answers) -> Result<PendingCommit> {
        Ok(PendingCommit { batches: self.batches.take(), answers: Some(answers) })
    }
}

/// The answers of a commit sent by `sendInvocations`, until `applyCommit` merges them.
#[napi]
pub struct PendingCommit {
    batches: Option<Batches>,
    answers: Option<Answers>,
}

pub struct CompleteTask {
    engine: Arc<engine::Engine>,
    ends: Vec<(String, String, engine::InvocationOutput)>,
}

impl Task for CompleteTask {
    type Output = engine::Result<Vec<engine::Result<engine::Execution>>>;
    type JsValue = Vec<EndResult>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.engine.complete_invocations(&self.ends))
    }

    fn resolve(&mut self, _env: Env, outcomes: Self::Output) -> Result<Vec<EndResult>> {
        Ok(outcomes
            .map_err(js_err)?
            .into_iter()
            .map(|outcome| match outcome {
                Ok(record) => EndResult { record: Some(record.into()), error: None },
                Err(e) => EndResult { record: None, error: Some(error_info(&e)) },
            })
            .collect())
    }
}

/// What one commit answered each invocation, as it crosses: `null` for one with nothing sent.
pub(crate) fn commit_results(results: Vec<Option<engine::Result<engine::vm::Committed>>>) -> Vec<Option<CommitResult>> {
    results
        .into_iter()
        .map(|r| {
            r.map(|r| match r {
                Ok(done) => CommitResult { updates: done.updates as u32, changed: done.changed, error: None },
                Err(e) => CommitResult { updates: 0, changed: Vec::new(), error: Some(error_info(&e)) },
            })
        })
        .collect()
}

#[napi]
impl NativeEngine {
    /// `commitInvocations` in two halves: takes each invocation's next batch now and commits
    /// them all in one transaction off this thread; `applyCommit` then merges the answers.
    #[napi(ts_return_type = "Promise<PendingCommit>")]
    pub fn send_invocations(&self, mut invocations: Vec<ClassInstance<NativeInvocation>>, max: u32, poll: bool) -> AsyncTask<CommitTask> {
        let mut vms: Vec<&mut engine::vm::InvocationVm> = invocations.iter_mut().map(|i| &mut i.vm).collect();
        let batches = Batches::take(&mut vms, max as usize, poll);
        AsyncTask::new(CommitTask { engine: self.inner.clone(), batches: Some(batches) })
    }

    /// Merges a sent commit's answers into the invocations it was taken from (the same list,
    /// in the same order); answers as `commitInvocations` does.
    #[napi]
    pub fn apply_commit(&self, mut invocations: Vec<ClassInstance<NativeInvocation>>, mut pending: ClassInstance<PendingCommit>) -> Result<Vec<Option<CommitResult>>> {
        let (Some(batches), Some(answers)) = (pending.batches.take(), pending.answers.take()) else {
            return Err(js_err(engine::EngineError::Storage("this commit's answers were already applied".into())));
        };
        let mut vms: Vec<&mut engine::vm::InvocationVm> = invocations.iter_mut().map(|i| &mut i.vm).collect();
        batches.apply(&mut vms, answers).map(commit_results).map_err(js_err)
    }

    /// `completeInvocation` for several invocations in one transaction (group completion), off
    /// this thread; one answer per end, in order: its execution, or its error.
    #[napi(ts_return_type = "Promise<Array<EndResult>>")]
    pub fn complete_invocations(&self, ends: Vec<InvocationEnd>) -> Result<AsyncTask<CompleteTask>> {
        let ends = ends.into_iter().map(|e| Ok((e.arn, e.token, e.output.try_into().map_err(js_err)?))).collect::<Result<Vec<_>>>()?;
        Ok(AsyncTask::new(CompleteTask { engine: self.inner.clone(), ends }))
    }
}

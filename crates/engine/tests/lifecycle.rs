//! An execution's life through the engine: invocations, checkpoints, timers, completion,
//! failure, and recovery of an invocation whose owner went away.

mod common;

use common::*;
use durable_engine::*;

#[tokio::test]
async fn step_then_wait_then_complete() {
    let engine = engine(true);
    let started = engine.start_execution("orders", Some("run-1"), Some("{\"a\":1}")).unwrap();
    let arn = started.execution.arn.clone();
    assert!(started.created);

    let task = next(&engine, &arn).await.unwrap();
    assert_eq!(task.invocation_number, 1);
    assert_eq!(task.operations.len(), 1);
    assert_eq!(task.operations[0].op_type, OperationType::Execution);
    assert_eq!(task.operations[0].input_payload.as_deref(), Some("{\"a\":1}"));

    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), succeed("1", "42")]).unwrap();
    assert_eq!(out.operations.len(), 1);
    assert_eq!(out.operations[0].status, OperationStatus::Succeeded);
    assert_eq!(out.operations[0].attempt, Some(1));
    let out = engine.checkpoint(&arn, &out.token, &[wait_start("2", 10.0)]).unwrap();
    let wait = &out.operations[0];
    assert_eq!(wait.scheduled_end_ms.unwrap() - wait.start_ms, 10_000);
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();

    let task = next(&engine, &arn).await.unwrap();
    assert_eq!(task.invocation_number, 2);
    assert_eq!(task.updated_operation_ids, vec![ids::hash_step_id("2")]);
    assert!(engine.now_ms() >= wait.scheduled_end_ms.unwrap(), "virtual clock moved to the wait's end");
    let exec = engine.complete_invocation(&arn, &task.token, &output(InvocationStatus::Succeeded, Some("\"ok\""))).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Succeeded);
    assert!(next(&engine, &arn).await.is_none());
    assert_eq!(
        event_types(&engine, &arn),
        [
            "ExecutionStarted",
            "StepStarted",
            "StepSucceeded",
            "WaitStarted",
            "InvocationCompleted",
            "WaitSucceeded",
            "InvocationCompleted",
            "ExecutionSucceeded"
        ]
    );
}

#[tokio::test]
async fn names_are_idempotent() {
    let engine = engine(true);
    let a = engine.start_execution("orders", Some("n"), Some("1")).unwrap();
    let b = engine.start_execution("orders", Some("n"), Some("1")).unwrap();
    assert!(!b.created);
    assert_eq!(a.execution.arn, b.execution.arn);
    match engine.start_execution("orders", Some("n"), Some("2")) {
        Err(EngineError::ExecutionAlreadyStarted { name, .. }) => assert_eq!(name, "n"),
        other => panic!("unexpected {other:?}"),
    }
    // The same name under another function is another execution.
    assert!(engine.start_execution("billing", Some("n"), Some("2")).unwrap().created);
    match engine.start_execution("orders", Some("bad name!"), None) {
        Err(EngineError::InvalidParameter { field, .. }) => assert_eq!(field, "execution name"),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn tokens_are_single_use_and_die_with_the_invocation() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[]).unwrap();
    assert!(matches!(engine.checkpoint(&arn, &task.token, &[]), Err(EngineError::InvalidToken { .. })));
    assert!(matches!(engine.checkpoint(&arn, "garbage", &[]), Err(EngineError::InvalidToken { .. })));
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Succeeded, None)).unwrap();
    let err = engine.checkpoint(&arn, &out.token, &[]).unwrap_err();
    assert!(err.to_string().starts_with("Invalid Checkpoint Token"), "{err}");
    assert!(matches!(engine.checkpoint("arn:nope", &out.token, &[]), Err(EngineError::ExecutionNotFound { .. })));
}

#[tokio::test]
async fn a_rejected_update_leaves_nothing_behind() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let before = event_types(&engine, &arn);
    // A valid START followed by an invalid update of another operation: all or nothing.
    let bad = OperationUpdate { payload: Some("x".into()), ..update("2", "STEP", "FAIL") };
    match engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), bad]) {
        Err(EngineError::InvalidCheckpoint { op_id, action, reason, .. }) => {
            assert_eq!(op_id, ids::hash_step_id("2"));
            assert_eq!(action, "FAIL");
            assert_eq!(reason, "Cannot provide a Payload for FAIL action.");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(event_types(&engine, &arn), before);
    assert_eq!(engine.operations(&arn).unwrap().len(), 1);
    // The token was not consumed by the rejected request.
    engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START")]).unwrap();
}

#[tokio::test]
async fn pending_without_pending_operations_fails_the_execution() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let exec = engine.complete_invocation(&arn, &task.token, &output(InvocationStatus::Pending, None)).unwrap();
    assert_eq!(exec.status, ExecutionStatus::Failed);
    assert_eq!(exec.error.unwrap().error_message.unwrap(), "Cannot return PENDING status with no pending operations.");
}

#[tokio::test]
async fn a_failed_invocation_is_recorded_and_retried() {
    let engine = open(EngineConfig { skip_time: true, invocation_retry_delay_ms: 5_000, ..Default::default() });
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let before = engine.now_ms();
    engine.fail_invocation(&arn, &task.token, &ErrorObject::new("SerdesFailedError", "boom")).unwrap();
    let task = next(&engine, &arn).await.unwrap();
    assert_eq!(task.invocation_number, 2);
    assert!(engine.now_ms() >= before + 5_000, "retried after the delay");
    let history = engine.history(&arn).unwrap();
    let completed = history.iter().find(|e| e["EventType"] == "InvocationCompleted").unwrap();
    assert_eq!(completed["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "SerdesFailedError");
}

#[tokio::test]
async fn an_abandoned_invocation_is_taken_over() {
    let path = shared_location("takeover.db");
    let clock = manual_clock();
    let config = EngineConfig { lease_ms: 1_000, ..Default::default() };
    let [first, second] = <[Engine; 2]>::try_from(engines_on(&path, &clock, &[config.clone(), config])).ok().unwrap();
    let arn = first.start_execution("f", None, None).unwrap().execution.arn;
    let task = claim(&first, "f").unwrap();
    first.checkpoint(&arn, &task.token, &[update("1", "STEP", "START")]).unwrap();
    assert!(claim(&second, "f").is_none(), "a live lease is not taken");
    // The owner never reports; its lease runs out.
    clock.advance(1_001);
    let task2 = claim(&second, "f").unwrap();
    assert_eq!(task2.invocation_number, 2);
    let step = task2.operations.iter().find(|o| o.id == ids::hash_step_id("1")).unwrap();
    assert_eq!(step.status, OperationStatus::Started, "the interrupted step is seen as STARTED");
    let history = second.history(&arn).unwrap();
    let crash = history.iter().find(|e| e["EventType"] == "InvocationCompleted").unwrap();
    assert_eq!(crash["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "Runtime.ExitError");
    // The first owner's token is dead.
    assert!(matches!(first.checkpoint(&arn, &task.token, &[]), Err(EngineError::InvalidToken { .. })));
}

#[tokio::test]
async fn step_retry_goes_pending_then_ready() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let retry = OperationUpdate {
        error: Some(ErrorObject::new("Error", "flaky")),
        step_options: Some(StepOptions { next_attempt_delay_seconds: Some(3.0) }),
        ..update("1", "STEP", "RETRY")
    };
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), retry]).unwrap();
    assert_eq!(out.operations[0].status, OperationStatus::Pending);
    assert_eq!(out.operations[0].attempt, Some(1));
    engine.complete_invocation(&arn, &out.token, &output(InvocationStatus::Pending, None)).unwrap();
    let task = next(&engine, &arn).await.unwrap();
    let step = task.operations.iter().find(|o| o.op_type == OperationType::Step).unwrap();
    assert_eq!(step.status, OperationStatus::Ready);
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START"), succeed("1", "1")]).unwrap();
    assert_eq!(out.operations[0].attempt, Some(2));
    let history = engine.history(&arn).unwrap();
    let failed = history.iter().find(|e| e["EventType"] == "StepFailed").unwrap();
    assert_eq!(failed["StepFailedDetails"]["RetryDetails"]["CurrentAttempt"], 1);
    assert_eq!(failed["StepFailedDetails"]["RetryDetails"]["NextAttemptDelaySeconds"], 3);
    let ok = history.iter().find(|e| e["EventType"] == "StepSucceeded").unwrap();
    assert_eq!(ok["StepSucceededDetails"]["RetryDetails"]["CurrentAttempt"], 2);
    assert_eq!(history.iter().filter(|e| e["EventType"] == "StepStarted").count(), 2);
}

#[tokio::test]
async fn completed_contexts_hide_their_children_unless_they_replay_them() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let ctx = ids::hash_step_id("1");
    let child = |step: &str| OperationUpdate { parent_id: Some(ctx.clone()), ..succeed(step, "1") };
    let keep = OperationUpdate {
        context_options: Some(ContextOptions { replay_children: Some(true) }),
        payload: Some("\"\"".into()),
        ..update("2", "CONTEXT", "SUCCEED")
    };
    let out = engine
        .checkpoint(
            &arn,
            &task.token,
            &[update("1", "CONTEXT", "START"), child("1-1"), OperationUpdate { payload: Some("2".into()), ..update("1", "CONTEXT", "SUCCEED") }],
        )
        .unwrap();
    let ctx2 = ids::hash_step_id("2");
    let out = engine
        .checkpoint(&arn, &out.token, &[update("2", "CONTEXT", "START"), OperationUpdate { parent_id: Some(ctx2), ..succeed("2-1", "1") }, keep])
        .unwrap();
    let page = engine.get_execution_state(&arn, &out.token, None, Some(1000)).unwrap();
    let ids_seen: Vec<String> = page.operations.iter().map(|o| o.id.clone()).collect();
    assert!(ids_seen.contains(&ids::hash_step_id("1")));
    assert!(!ids_seen.contains(&ids::hash_step_id("1-1")), "child of a completed context is pruned");
    assert!(ids_seen.contains(&ids::hash_step_id("2-1")), "ReplayChildren keeps the children");
    // A parent that is not a CONTEXT is refused.
    let orphan = OperationUpdate { parent_id: Some(ids::hash_step_id("9")), ..update("3", "STEP", "START") };
    assert!(matches!(engine.checkpoint(&arn, &out.token, &[orphan]), Err(EngineError::InvalidCheckpoint { .. })));
}

#[tokio::test]
async fn state_pages_with_markers() {
    let engine = engine(true);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let updates: Vec<OperationUpdate> = (1..=25).map(|i| succeed(&i.to_string(), "1")).collect();
    let out = engine.checkpoint(&arn, &task.token, &updates).unwrap();
    let mut seen = 0;
    let mut marker: Option<String> = None;
    loop {
        let page = engine.get_execution_state(&arn, &out.token, marker.as_deref(), Some(10)).unwrap();
        seen += page.operations.len();
        match page.next_marker {
            Some(m) => marker = Some(m),
            None => break,
        }
    }
    assert_eq!(seen, 26);
    assert!(engine.get_execution_state(&arn, &out.token, Some("nonsense"), None).is_err());
    assert!(engine.get_execution_state(&arn, &out.token, None, Some(0)).is_err());
}

#[tokio::test]
async fn an_execution_creates_at_most_3000_operations() {
    let engine = engine(true);
    let arn = engine.start_execution("many", None, None).unwrap().execution.arn;
    let task = next(&engine, &arn).await.unwrap();
    let mut token = task.token;
    for batch in 0..3 {
        let updates: Vec<OperationUpdate> = (1..=1000).map(|i| succeed(&format!("{}", batch * 1000 + i), "1")).collect();
        token = engine.checkpoint(&arn, &token, &updates).unwrap().token;
    }
    let refused = engine.checkpoint(&arn, &token, &[succeed("3001", "1")]).unwrap_err();
    let message = refused.to_string();
    assert_eq!(refused.code(), "ERR_INVALID_CHECKPOINT");
    assert!(message.contains(&ids::hash_step_id("3001")), "{message}");
    assert!(message.contains("3000 operations per execution"), "{message}");
    // Nothing of the refused request was stored; the token is still the current one.
    assert_eq!(engine.operations(&arn).unwrap().len(), 3001);
    engine.checkpoint(&arn, &token, &[]).unwrap();
}

#[tokio::test]
async fn a_group_commit_applies_each_request_alone() {
    let engine = engine(true);
    let a = engine.start_execution("a", None, None).unwrap().execution.arn;
    let b = engine.start_execution("b", None, None).unwrap().execution.arn;
    let task_a = next(&engine, &a).await.unwrap();
    let task_b = next(&engine, &b).await.unwrap();
    let requests = vec![
        CheckpointRequest { arn: a.clone(), token: task_a.token.clone(), updates: vec![update("1", "STEP", "START"), succeed("1", "1")] },
        // Valid first update, then one the engine refuses: the whole request is undone.
        CheckpointRequest { arn: b.clone(), token: task_b.token.clone(), updates: vec![succeed("1", "2"), update("1", "STEP", "START")] },
        CheckpointRequest { arn: b.clone(), token: "not-a-token".into(), updates: vec![succeed("2", "3")] },
    ];
    let outcomes = engine.checkpoint_many(&requests).unwrap();
    assert_eq!(outcomes.len(), 3);
    let first = outcomes[0].as_ref().unwrap();
    assert_eq!(first.operations.len(), 1);
    assert_eq!(outcomes[1].as_ref().unwrap_err().code(), "ERR_INVALID_CHECKPOINT");
    assert_eq!(outcomes[2].as_ref().unwrap_err().code(), "ERR_INVALID_TOKEN");
    assert_eq!(engine.operations(&a).unwrap().len(), 2);
    assert_eq!(engine.operations(&b).unwrap().len(), 1, "nothing of b's refused requests was stored");
    assert_eq!(event_types(&engine, &b).iter().filter(|t| t.starts_with("Step")).count(), 0);
    // b's token was not consumed by its refused request.
    engine.checkpoint(&b, &task_b.token, &[succeed("1", "2")]).unwrap();
    engine.checkpoint(&a, &first.token, &[]).unwrap();
}

#[tokio::test]
async fn a_refused_request_of_a_group_is_undone_whether_or_not_its_writes_were_sent() {
    let engine = engine(true);
    let a = engine.start_execution("a", None, None).unwrap().execution.arn;
    let b = engine.start_execution("b", None, None).unwrap().execution.arn;
    let c = engine.start_execution("c", None, None).unwrap().execution.arn;
    let task_a = next(&engine, &a).await.unwrap();
    let task_b = next(&engine, &b).await.unwrap();
    let task_c = next(&engine, &c).await.unwrap();
    // b's step 9 ended earlier, so an update of it reads its record back mid-request.
    let b_token = engine.checkpoint(&b, &task_b.token, &[update("9", "STEP", "START"), succeed("9", "9")]).unwrap().token;
    let requests = vec![
        CheckpointRequest { arn: a.clone(), token: task_a.token.clone(), updates: vec![update("1", "STEP", "START"), succeed("1", "1")] },
        // Writes, then a refusal that needs no read (step 1 is no context to nest in): on
        // PostgreSQL nothing of this request has left the client when it is undone (before
        // b's: a rollback on the server empties the cache of locked rows, and c's would be read).
        CheckpointRequest {
            arn: c.clone(),
            token: task_c.token.clone(),
            updates: vec![update("1", "STEP", "START"), OperationUpdate { parent_id: Some(ids::hash_step_id("1")), ..update("2", "STEP", "START") }],
        },
        // Writes (step 1), then a read that sends them (step 9's record; on PostgreSQL the
        // request's savepoint goes with them), then the refusal: step 9 cannot start again.
        CheckpointRequest { arn: b.clone(), token: b_token.clone(), updates: vec![succeed("1", "2"), update("9", "STEP", "START")] },
    ];
    let outcomes = engine.checkpoint_many(&requests).unwrap();
    assert_eq!(outcomes[1].as_ref().unwrap_err().code(), "ERR_INVALID_CHECKPOINT");
    assert_eq!(outcomes[2].as_ref().unwrap_err().code(), "ERR_INVALID_CHECKPOINT");
    assert_eq!(engine.operations(&c).unwrap().len(), 1, "c has only its EXECUTION record");
    assert!(!event_types(&engine, &c).iter().any(|t| t.starts_with("Step")));
    assert_eq!(engine.operations(&a).unwrap().len(), 2, "a's request, before b's in the group, is kept");
    let b_ops = engine.operations(&b).unwrap();
    assert_eq!(b_ops.len(), 2, "b has its EXECUTION record and step 9, and no step 1");
    assert!(b_ops.iter().all(|op| op.id != ids::hash_step_id("1")));
    assert_eq!(event_types(&engine, &b).iter().filter(|t| *t == "StepSucceeded").count(), 1, "nothing of b's refused request was stored");
    engine.checkpoint(&b, &b_token, &[]).unwrap();
}

#[test]
fn a_claim_takes_at_most_a_batch_and_the_rest_is_left_for_the_next() {
    let engine = engine(false);
    for i in 0..40 {
        engine.start_execution("burst", Some(&format!("e{i}")), None).unwrap();
    }
    // Asked for 100 slots: one claim takes 32, so another worker on the database gets a share.
    let first = engine.try_next_tasks(&TaskFilter::default(), 100).unwrap();
    assert_eq!(first.len(), 32);
    let rest = engine.try_next_tasks(&TaskFilter::default(), 100).unwrap();
    assert_eq!(rest.len(), 8);
    let mut arns: Vec<&str> = first.iter().chain(&rest).map(|t| t.arn.as_str()).collect();
    arns.sort();
    arns.dedup();
    assert_eq!(arns.len(), 40, "each execution claimed once");
}

#[tokio::test]
async fn a_group_completion_records_each_end_alone() {
    let engine = engine(true);
    let a = engine.start_execution("a", None, None).unwrap().execution.arn;
    let b = engine.start_execution("b", None, None).unwrap().execution.arn;
    let task_a = next(&engine, &a).await.unwrap();
    let task_b = next(&engine, &b).await.unwrap();
    let ends = vec![
        (a.clone(), task_a.token.clone(), output(InvocationStatus::Succeeded, Some("\"a\""))),
        // Not a token of ours: refused, and nothing of it is stored.
        (b.clone(), "not-a-token".to_string(), output(InvocationStatus::Succeeded, Some("\"forged\""))),
    ];
    let outcomes = engine.complete_invocations(&ends).unwrap();
    assert_eq!(outcomes[0].as_ref().unwrap().status, ExecutionStatus::Succeeded);
    assert_eq!(outcomes[1].as_ref().unwrap_err().code(), "ERR_INVALID_TOKEN");
    assert_eq!(engine.get_execution(&a).unwrap().result.as_deref(), Some("\"a\""));
    assert_eq!(engine.get_execution(&b).unwrap().status, ExecutionStatus::Running, "b's refused end changed nothing");
    // b's invocation is still b's to end, with its own token.
    let done = engine.complete_invocations(&[(b.clone(), task_b.token.clone(), output(InvocationStatus::Succeeded, Some("\"b\"")))]).unwrap();
    assert_eq!(done[0].as_ref().unwrap().status, ExecutionStatus::Succeeded);
    assert_eq!(engine.active_invocations(), 0);
}

#[tokio::test]
async fn a_repeated_client_token_gets_the_first_answer() {
    let engine = engine(true);
    let arn = engine.start_execution("retried", None, None).unwrap().execution.arn;
    let token = next(&engine, &arn).await.unwrap().token;
    let updates = [update("1", "STEP", "START"), succeed("1", "1")];
    let first = engine.checkpoint_with_client_token(&arn, &token, Some("c-1"), &updates).unwrap();
    // The client's retry: same ClientToken, token and updates — the first answer, nothing applied twice.
    let again = engine.checkpoint_with_client_token(&arn, &token, Some("c-1"), &updates).unwrap();
    assert_eq!(again.token, first.token);
    assert_eq!(event_types(&engine, &arn).iter().filter(|t| *t == "StepSucceeded").count(), 1);
    // The same ClientToken with other updates is a new request: its consumed token is refused.
    let other = engine.checkpoint_with_client_token(&arn, &token, Some("c-1"), &[succeed("2", "2")]).unwrap_err();
    assert_eq!(other.code(), "ERR_INVALID_TOKEN");
    // Without a ClientToken there is no replay of answers.
    assert_eq!(engine.checkpoint_with_client_token(&arn, &token, None, &updates).unwrap_err().code(), "ERR_INVALID_TOKEN");
}

#[tokio::test]
async fn failing_invocations_back_off_and_a_deterministic_failure_ends_the_execution() {
    let clock = manual_clock();
    let config = EngineConfig { invocation_retry_delay_ms: 1_000, max_failed_invocations: 4, ..Default::default() };
    let engine = Engine::open_with(Box::new(storage::SqliteStorage::open(":memory:").unwrap()), clock.clone(), config);
    let arn = engine.start_execution("f", None, None).unwrap().execution.arn;
    let boom = ErrorObject::new("SerdesFailedError", "a BigInt cannot be serialized");

    // The first invocation checkpoints (progress), then fails: the count starts at one.
    let task = claim(&engine, "f").unwrap();
    let out = engine.checkpoint(&arn, &task.token, &[update("1", "STEP", "START")]).unwrap();
    engine.fail_invocation(&arn, &out.token, &boom).unwrap();
    // Then invocations that checkpoint nothing: each waits twice as long as the one before.
    for delay in [1_000, 2_000, 4_000] {
        assert!(claim(&engine, "f").is_none(), "not before its delay");
        clock.advance(delay - 1);
        assert!(claim(&engine, "f").is_none(), "not before its delay ({delay} ms)");
        clock.advance(1);
        let task = claim(&engine, "f").expect("due after its delay");
        let exec = engine.fail_invocation(&arn, &task.token, &boom).unwrap();
        if delay < 4_000 {
            assert_eq!(exec.status, ExecutionStatus::Running);
        } else {
            assert_eq!(exec.status, ExecutionStatus::Failed, "the fourth failure in a row ends it");
            let error = exec.error.unwrap();
            assert_eq!(error.error_type.as_deref(), Some("SerdesFailedError"));
            let message = error.error_message.unwrap();
            assert!(message.contains("4 times in a row") && message.contains("a BigInt cannot be serialized"), "{message}");
        }
    }
    assert!(claim(&engine, "f").is_none());
    let types = event_types(&engine, &arn);
    assert_eq!(types.iter().filter(|t| *t == "InvocationCompleted").count(), 4);
    assert_eq!(types.last().map(String::as_str), Some("ExecutionFailed"));
}

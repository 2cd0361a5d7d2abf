//! Leases with real second holders: two or three engines on one file, one manual clock. An
//! invocation has one owner that can commit; the engine renews its own leases; takeover waits
//! for expiry unless the holder is provably dead on this same host.

mod common;

use common::*;
use durable_engine::*;

fn config(host: &str) -> EngineConfig {
    EngineConfig { lease_ms: 60_000, host_id: Some(host.into()), ..Default::default() }
}

#[tokio::test]
async fn a_renewed_lease_keeps_its_owner_and_an_expired_one_fences_it_out() {
    let path = shared_location("leases.db");
    let clock = manual_clock();
    let [a, b] = <[Engine; 2]>::try_from(engines_on(&path, &clock, &[config("h"), config("h")])).ok().unwrap();
    let arn = a.start_execution("f", None, None).unwrap().execution.arn;
    let task = claim(&a, "f").unwrap();
    assert!(claim(&b, "f").is_none());

    clock.advance(30_000);
    assert_eq!(a.renew_leases().unwrap(), 1);
    clock.advance(40_000); // past the first lease, within the renewed one
    assert!(claim(&b, "f").is_none(), "a renewed lease is not taken");

    clock.advance(60_001);
    let taken = claim(&b, "f").expect("an expired lease is taken over");
    assert_eq!(taken.invocation_number, 2);
    // The first owner is fenced out: its token names an earlier epoch.
    assert!(matches!(a.checkpoint(&arn, &task.token, &[succeed("1", "1")]), Err(EngineError::InvalidToken { .. })));
    assert!(a.complete_invocation(&arn, &task.token, &output(InvocationStatus::Succeeded, None)).is_err());
    assert_eq!(a.renew_leases().unwrap(), 0, "a lease that was taken is not renewed");
    let out = b.checkpoint(&arn, &taken.token, &[succeed("1", "2")]).unwrap();
    b.complete_invocation(&arn, &out.token, &output(InvocationStatus::Succeeded, Some("2"))).unwrap();
    let exec = b.get_execution(&arn).unwrap();
    assert_eq!((exec.status, exec.result.as_deref()), (ExecutionStatus::Succeeded, Some("2")));
    let crash = b.history(&arn).unwrap().into_iter().find(|e| e["EventType"] == "InvocationCompleted").unwrap();
    assert_eq!(crash["InvocationCompletedDetails"]["Error"]["Payload"]["ErrorType"], "Runtime.ExitError");
}

fn dead_pid() -> i64 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id() as i64;
    child.wait().unwrap();
    pid
}

#[tokio::test]
async fn a_dead_pid_frees_a_lease_only_for_an_observer_on_the_same_host() {
    let path = shared_location("hosts.db");
    let clock = manual_clock();
    let engines = engines_on(&path, &clock, &[config("host-a"), config("host-b"), config("host-a")]);
    let (owner, other_host, same_host) = (&engines[0], &engines[1], &engines[2]);
    owner.start_execution("f", None, None).unwrap();
    let _task = claim(owner, "f").unwrap();
    // The holder's process is gone (as after SIGKILL): its pid names no process any more.
    raw_sql(&path, &format!("UPDATE executions SET inv_pid = {}", dead_pid()));
    assert!(claim(other_host, "f").is_none(), "on another host that pid means nothing: wait for the lease");
    let task = claim(same_host, "f").expect("on the holder's host a dead pid frees the lease at once");
    assert_eq!(task.invocation_number, 2);
}

#[tokio::test]
async fn the_engine_renews_its_own_leases_in_the_background() {
    // Lease of 300 ms of the system clock: the renewer runs every 100 ms, so a holder that
    // never checkpoints keeps its invocation while its engine lives.
    let path = shared_location("renewer.db");
    let a = Engine::open(&path, EngineConfig { lease_ms: 300, host_id: Some("x".into()), ..Default::default() }).unwrap();
    let b = Engine::open(&path, EngineConfig { lease_ms: 300, host_id: Some("y".into()), ..Default::default() }).unwrap();
    a.start_execution("f", None, None).unwrap();
    let _task = claim(&a, "f").unwrap();
    let filter = TaskFilter { arn: None, functions: Some(vec!["f".into()]) };
    // b polls for a while; the lease keeps being renewed so b never gets the invocation.
    let waited = tokio::time::timeout(std::time::Duration::from_millis(1_000), b.next_task(&filter)).await;
    assert!(waited.is_err(), "b took over a live, renewed lease");
    a.close();
    drop(a);
    // Without its engine nobody renews: b takes over within a lease length.
    let task = tokio::time::timeout(std::time::Duration::from_secs(5), b.next_task(&filter)).await.unwrap().unwrap().unwrap();
    assert_eq!(task.invocation_number, 2);
}

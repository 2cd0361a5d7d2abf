// SIGKILL while suspended, for every operation that suspends (wait, step retry delay, callback,
// waitForCondition poll, invoke): a handler file runs through the real CLI in a child process on
// a real SQLite file, in real time; the process is killed once the invocation has answered
// PENDING; the same command run again finishes the execution, and the side-effect ledger shows
// each effect exactly as often as the semantics promise (steps and checks once per attempt,
// nothing replayed twice).

import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { readLedger } from "../examples/services/ledger";
import { CliProcess, REPO_ROOT, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { historyOf, inspectDb, type HistoryEvent } from "./helpers/engine";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-crash-suspended-");
beforeAll(requireCurrentDist);

const HANDLERS = path.join(REPO_ROOT, "__test__", "crash-handlers");
/** Real-time delays: long enough to kill the process first, short enough for a test. */
const SECONDS = 4;

interface Setup {
  db: string;
  ledger: string;
  args: string[];
  env: Record<string, string>;
}

function setup(file: string, name: string, input: unknown = { seconds: SECONDS }): Setup {
  const dir = tempDir();
  const db = path.join(dir, "crash.db");
  const ledger = path.join(dir, "ledger.jsonl");
  const args = ["run", path.join(HANDLERS, file), "--db", db, "--name", name, "--input", JSON.stringify(input), "--json"];
  return { db, ledger, args, env: { DURABLE_LEDGER: ledger } };
}

/** How often each side effect happened, keyed "service.action". */
function effects(ledger: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const entry of readLedger(ledger)) {
    const key = `${entry.service}.${entry.action}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

const suspensions = (stdout: string) => stdout.split("\n").filter((l) => /invocation \d+ suspended \(PENDING\)/.test(l)).length;

/** Starts the command, SIGKILLs it once `count` invocations have answered PENDING. */
async function killWhenSuspended(s: Setup, count = 1): Promise<void> {
  const proc = new CliProcess(s.args, { env: s.env });
  const until = Date.now() + 30_000;
  while (suspensions(proc.stdout) < count) {
    if (proc.child.exitCode !== null) throw new Error(`the run ended before suspending:\n${proc.stdout}\n${proc.stderr}`);
    if (Date.now() > until) throw new Error(`no ${count} suspension(s) within 30 s:\n${proc.stdout}\n${proc.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  proc.child.kill("SIGKILL");
  const died = await proc.exited;
  expect(died.signal).toBe("SIGKILL");
}

/** Runs the same command again to the end; it must attach to the execution and succeed. */
async function resume(s: Setup): Promise<{ record: Record<string, any>; stdout: string }> {
  const second = await runCli(s.args, { env: s.env });
  expect(second.code, second.stdout + second.stderr).toBe(0);
  expect(second.stdout).toMatch(/^attached to execution /);
  const record = lastJson(second.stdout);
  expect(record.Status).toBe("SUCCEEDED");
  return { record, stdout: second.stdout };
}

const statusOf = (db: string, name: string) => inspectDb(db, (engine) => engine.get(name).Status);
const ofType = (history: HistoryEvent[], type: string) => history.filter((e) => e.EventType === type);

describe("SIGKILL while suspended, then the same command again", () => {
  it("wait: resumes at the original due time; the steps around it run once each", async () => {
    const s = setup("wait.ts", "killed-in-wait");
    await killWhenSuspended(s);
    expect(statusOf(s.db, "killed-in-wait")).toBe("RUNNING");
    expect(effects(s.ledger)).toEqual({ "crash.before": 1 });
    const scheduled = ofType(historyOf(s.db, "killed-in-wait"), "WaitStarted")[0].WaitStartedDetails.ScheduledEndTimestamp;

    const { record, stdout } = await resume(s);
    expect(JSON.parse(record.Result)).toEqual({ before: "before done", after: "after done" });
    expect(stdout).toMatch(/↺ step "before"\s+replayed/);
    expect(effects(s.ledger)).toEqual({ "crash.before": 1, "crash.after": 1 });
    const history = historyOf(s.db, "killed-in-wait");
    expect(ofType(history, "WaitStarted")).toHaveLength(1);
    expect(ofType(history, "WaitStarted")[0].WaitStartedDetails.ScheduledEndTimestamp).toBe(scheduled);
    expect(Date.parse(ofType(history, "WaitSucceeded")[0].EventTimestamp)).toBeGreaterThanOrEqual(Date.parse(scheduled));
    expect(ofType(history, "StepStarted").map((e) => e.Name)).toEqual(["before", "after"]);
  });

  it("step retry delay: the failed attempt is not run again; the next attempt runs once", async () => {
    const s = setup("retry.ts", "killed-in-retry");
    await killWhenSuspended(s);
    expect(effects(s.ledger)).toEqual({ "crash.attempt": 1 });
    const pending = inspectDb(s.db, (engine) => engine.operations("killed-in-retry").find((o) => o.Name === "charge"));
    expect(pending).toMatchObject({ Status: "PENDING", StepDetails: { Attempt: 1 } });

    const { record } = await resume(s);
    expect(JSON.parse(record.Result)).toBe("charged on attempt 2");
    expect(effects(s.ledger)).toEqual({ "crash.attempt": 2, "crash.after": 1 });
    expect(readLedger(s.ledger).filter((e) => e.action === "attempt").map((e) => e.attempt)).toEqual([1, 2]);
    const history = historyOf(s.db, "killed-in-retry");
    expect(ofType(history, "StepFailed").map((e) => e.StepFailedDetails.RetryDetails)).toEqual([{ CurrentAttempt: 1, NextAttemptDelaySeconds: SECONDS }]);
    expect(ofType(history, "StepSucceeded").map((e) => e.Name)).toEqual(["charge", "after"]);
  });

  it("callback: completed by another process while nothing runs the execution; the run picks the result up", async () => {
    const s = setup("callback.ts", "killed-on-callback", {});
    await killWhenSuspended(s);
    expect(effects(s.ledger)).toEqual({ "crash.before": 1 });
    const callbackId = inspectDb(s.db, (engine) => engine.operations("killed-on-callback").find((o) => o.Type === "CALLBACK")!.CallbackDetails!.CallbackId!);

    const sent = await runCli(["callback", "succeed", callbackId, "--payload", '"approved"', "--db", s.db]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(statusOf(s.db, "killed-on-callback")).toBe("RUNNING");

    const { record } = await resume(s);
    expect(JSON.parse(record.Result)).toEqual({ answer: '"approved"' });
    expect(effects(s.ledger)).toEqual({ "crash.before": 1, "crash.after": 1 });
    const history = historyOf(s.db, "killed-on-callback");
    expect(ofType(history, "CallbackStarted")).toHaveLength(1);
    expect(ofType(history, "CallbackSucceeded")).toHaveLength(1);
  });

  it("waitForCondition: the next poll starts from the recorded state; each poll runs once", async () => {
    const s = setup("poll.ts", "killed-between-polls");
    await killWhenSuspended(s);
    expect(effects(s.ledger)).toEqual({ "crash.check": 1 });

    const { record } = await resume(s);
    expect(JSON.parse(record.Result)).toEqual({ polls: 2 });
    expect(effects(s.ledger)).toEqual({ "crash.check": 2, "crash.after": 1 });
    // The second check got the state the first one returned, not the initial state.
    expect(readLedger(s.ledger).filter((e) => e.action === "check").map((e) => [e.attempt, e.polls])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it("invoke: the caller suspended on a durable target that is itself suspended; both finish, each effect once", async () => {
    const s = setup("invoke.ts", "killed-in-invoke");
    // Invocation 1 of the caller, then invocation 1 of the target, answer PENDING.
    await killWhenSuspended(s, 2);
    expect(effects(s.ledger)).toEqual({ "crash.before": 1, "target.reserve": 1 });
    expect(statusOf(s.db, "killed-in-invoke")).toBe("RUNNING");

    const { record } = await resume(s);
    expect(JSON.parse(record.Result)).toBe("reserved sku-9");
    expect(effects(s.ledger)).toEqual({ "crash.before": 1, "target.reserve": 1, "crash.after": 1 });
    const history = historyOf(s.db, "killed-in-invoke");
    const started = ofType(history, "ChainedInvokeStarted");
    expect(started).toHaveLength(1);
    const targetArn = started[0].ChainedInvokeStartedDetails.DurableExecutionArn as string;
    const target = inspectDb(s.db, (engine) => engine.get(targetArn));
    expect(target).toMatchObject({ Status: "SUCCEEDED", Result: '"reserved sku-9"' });
    expect(ofType(historyOf(s.db, targetArn), "WaitStarted")).toHaveLength(1);
  });
});

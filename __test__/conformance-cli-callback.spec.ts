// Callbacks across processes with conformance handler files (issue 4 §3): `durable-node run`
// waits on a callback in real time; another process reads the callback id from
// `durable-node history --json` and completes it with `durable-node callback succeed`; the run
// process then resumes, ends and exits 0 with the payload as the execution's result.

import path from "node:path";

import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { CliProcess, REPO_ROOT, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-conformance-cli-callback-");
beforeAll(requireCurrentDist);

const handlerFile = (suite: string, id: string) => path.join(REPO_ROOT, "__test__", "conformance", "handlers", suite, `${id}.ts`);

const running: CliProcess[] = [];
afterEach(() => {
  for (const proc of running.splice(0)) if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill("SIGKILL");
});

type HistoryEvent = Record<string, any>;

/** `durable-node history <name> --json` in its own process. */
async function historyOf(name: string, db: string): Promise<HistoryEvent[]> {
  const result = await runCli(["history", name, "--db", db, "--json"]);
  expect(result.code, result.stderr).toBe(0);
  return lastJson(result.stdout).Events as HistoryEvent[];
}

/**
 * Starts `durable-node run` on a conformance handler (real time), waits until its first
 * invocation has suspended on the callback, reads the callback id from another process's
 * history, completes it from a third process and returns the run's result.
 */
async function completeFromAnotherProcess(file: string, input: unknown, payload: unknown) {
  const db = path.join(tempDir(), "durable.db");
  const name = `cli-callback-${path.basename(file, ".ts")}`;
  const run = new CliProcess(["run", file, "--input", JSON.stringify(input), "--name", name, "--db", db, "--json"]);
  running.push(run);
  const waiting = await run.waitForLine(/waiting — callback id /);
  await run.waitForLine(/invocation 1 suspended/);

  const history = await historyOf(name, db);
  const started = history.filter((e) => e.EventType === "CallbackStarted");
  expect(started).toHaveLength(1);
  const callbackId = started[0].CallbackStartedDetails?.CallbackId as string;
  expect(callbackId).toMatch(/\S/);
  // The id the run process reported is the one the other process reads from the database.
  expect(waiting).toContain(callbackId);
  // Suspended and still open: the first invocation ended, nothing completed the callback yet.
  expect(history[history.length - 1].EventType).toBe("InvocationCompleted");
  expect(history.some((e) => e.EventType === "CallbackSucceeded")).toBe(false);

  const text = JSON.stringify(payload);
  const succeed = await runCli(["callback", "succeed", callbackId, "--payload", text, "--db", db]);
  expect(succeed.code, succeed.stderr).toBe(0);
  expect(succeed.stdout).toBe(`callback ${callbackId} succeeded\n`);

  const result = await run.exited;
  expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
  const record = lastJson(result.stdout);
  return { record, text, started: started[0], finalHistory: await historyOf(name, db) };
}

describe("conformance handlers: callbacks completed from other processes (real time)", () => {
  it("createCallback (callback/4-1): history shows CallbackStarted with its CallbackId; callback succeed resumes the run, which exits 0 with the payload", async () => {
    const { record, text, started, finalHistory } = await completeFromAnotherProcess(handlerFile("callback", "4-1"), "approval-cb", { approved: true, by: "bob" });
    expect(started.Name).toBe("approval-cb");
    expect(record.Status).toBe("SUCCEEDED");
    // The handler returns the raw callback payload (pass-through deserialization).
    expect(JSON.parse(record.Result)).toBe(text);
    expect(finalHistory.map((e) => e.EventType)).toEqual([
      "ExecutionStarted",
      "CallbackStarted",
      "InvocationCompleted",
      "CallbackSucceeded",
      "InvocationCompleted",
      "ExecutionSucceeded",
    ]);
    expect(finalHistory[3].CallbackSucceededDetails.Result.Payload).toBe(text);
  });

  it("waitForCallback (wait_for_callback/7-1): the inner callback's id from history completes the operation in the waiting run", async () => {
    const { record, text, started, finalHistory } = await completeFromAnotherProcess(handlerFile("wait_for_callback", "7-1"), "approval-wfc", "approved");
    const context = finalHistory.find((e) => e.EventType === "ContextStarted");
    expect(context).toMatchObject({ SubType: "WaitForCallback", Name: "approval-wfc" });
    expect(started.ParentId).toBe(context!.Id);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result)).toBe(text);
    expect(finalHistory.map((e) => e.EventType)).toEqual([
      "ExecutionStarted",
      "ContextStarted",
      "CallbackStarted",
      "StepStarted",
      "StepSucceeded",
      "InvocationCompleted",
      "CallbackSucceeded",
      "ContextSucceeded",
      "InvocationCompleted",
      "ExecutionSucceeded",
    ]);
  });
});

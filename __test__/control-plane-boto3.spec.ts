// The control plane of today's Lambda API (PauseDurableExecution, ResumeDurableExecution,
// DeleteDurableExecution and GetDurableExecution's new fields) driven with boto3 1.44's own
// Lambda client — botocore's model of the three operations, its serializer and its error
// parser — against a real `durable-node worker` process on a real SQLite file, over loopback
// HTTP. Happy paths (an idle pause that a callback completes while paused, a pause during an
// invocation that takes effect at its next checkpoint, a delete) and every refusal the issue
// names, each answered with the model's error and HTTP status and leaving the execution as it was.

import path from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { PY_FIXTURES, requirePythonEnv, runPython } from "./helpers/python";
import { tempDirs } from "./helpers/temp";
import { WORKER_CONFIG, WorkerProcess, eventually, startWorker } from "./helpers/worker";

const tempDir = tempDirs("durable-node-control-");

interface CallResult {
  status: number;
  response?: Record<string, any>;
  code?: string;
  message?: string;
}

let db: string;
let worker: WorkerProcess;

/** Runs the calls in one boto3 client, in order; each is sent once. */
async function boto(...calls: [string, Record<string, unknown>][]): Promise<CallResult[]> {
  const r = await runPython(path.join(PY_FIXTURES, "control_plane.py"), [worker.url, JSON.stringify(calls)]);
  expect(r.code, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout) as { botocore: string; results: CallResult[] };
  expect(out.botocore).toBe("1.44.8");
  return out.results;
}

async function one(operation: string, params: Record<string, unknown>): Promise<CallResult> {
  return (await boto([operation, params]))[0];
}

const get = (arn: string, extra: Record<string, unknown> = {}) => one("get_durable_execution", { DurableExecutionArn: arn, ...extra });

async function events(arn: string): Promise<Record<string, any>[]> {
  const r = await one("get_durable_execution_history", { DurableExecutionArn: arn, MaxItems: 1000 });
  return r.response!.Events;
}

const types = (list: Record<string, any>[]) => list.map((e) => e.EventType as string);

async function start(fn: string, input: unknown = {}): Promise<string> {
  const r = await runCli(["start", fn, "--db", db, "--config", WORKER_CONFIG, "--input", JSON.stringify(input)]);
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

async function status(arn: string, wanted: string): Promise<Record<string, any>> {
  return eventually(async () => {
    const r = await get(arn);
    return r.response?.Status === wanted ? r.response : undefined;
  }, 30_000, `${arn} to be ${wanted}`);
}

/** An execution suspended on its callback, and the callback's id. */
async function waitingOnCallback(): Promise<{ arn: string; callbackId: string }> {
  const arn = await start("approval");
  const history = await eventually(async () => {
    const list = await events(arn);
    return types(list).includes("InvocationCompleted") ? list : undefined;
  }, 30_000, `${arn} to suspend`);
  return { arn, callbackId: history.find((e) => e.EventType === "CallbackStarted")!.CallbackStartedDetails.CallbackId };
}

async function finishedQuick(): Promise<string> {
  const arn = await start("quick", { n: 2 });
  await status(arn, "SUCCEEDED");
  return arn;
}

beforeAll(async () => {
  requireCurrentDist();
  requirePythonEnv();
  db = path.join(tempDir(), "control.db");
  worker = await startWorker(db);
});

afterAll(async () => {
  if (worker) expect((await worker.stop()).code, worker.stderr).toBe(0);
});

describe("pause, resume and delete with boto3's Lambda client", () => {
  it("pauses an idle execution, completes its callback while paused, and resumes it to the end", async () => {
    const { arn, callbackId } = await waitingOnCallback();
    const [paused, described, listed, sent, stillPaused] = await boto(
      ["pause_durable_execution", { DurableExecutionArn: arn, Reason: "maintenance window" }],
      ["get_durable_execution", { DurableExecutionArn: arn }],
      ["list_durable_executions_by_function", { FunctionName: "approval", Statuses: ["PAUSED"] }],
      ["send_durable_execution_callback_success", { CallbackId: callbackId, Result: "yes" }],
      ["get_durable_execution", { DurableExecutionArn: arn }],
    );
    expect(paused).toEqual({ status: 202, response: {} });
    const record = described.response!;
    expect(record.Status).toBe("PAUSED");
    expect(record.PauseDetails).toMatchObject({ Reason: "maintenance window", ExecutionTimeoutPaused: true });
    expect(typeof record.PauseDetails.PauseRequestTimestamp).toBe("number");
    expect(record.DurableConfig).toEqual({ ExecutionTimeout: 31_622_400, RetentionPeriodInDays: 14 });
    // Paused with its timeout paused: it times out 366 days after its start at the latest.
    expect(record.ExpectedExecutionTimeoutTimestamp - record.StartTimestamp).toBeCloseTo(366 * 86_400, 0);
    expect(listed.response!.DurableExecutions.map((e: any) => e.DurableExecutionArn)).toContain(arn);
    expect(sent.status).toBe(200);
    expect(stillPaused.response!.Status).toBe("PAUSED");

    const [resumed] = await boto(["resume_durable_execution", { DurableExecutionArn: arn, Reason: "window over" }]);
    expect(resumed).toEqual({ status: 202, response: {} });
    const done = await status(arn, "SUCCEEDED");
    expect(JSON.parse(done.Result)).toEqual({ approved: "yes" });
    expect(done.PauseDetails).toBeUndefined();
    expect(done.ExpectedExecutionTimeoutTimestamp).toBeUndefined();
    const history = await events(arn);
    const t = types(history);
    // The callback completed while paused; the function ran again only after the resume.
    expect(t.indexOf("ExecutionPaused")).toBeLessThan(t.indexOf("CallbackSucceeded"));
    expect(t.indexOf("CallbackSucceeded")).toBeLessThan(t.indexOf("ExecutionResumed"));
    expect(t.lastIndexOf("InvocationCompleted")).toBeGreaterThan(t.indexOf("ExecutionResumed"));
    const pausedEvent = history.find((e) => e.EventType === "ExecutionPaused")!;
    expect(pausedEvent.ExecutionPausedDetails).toMatchObject({ Reason: { Payload: "maintenance window", Truncated: false }, ExecutionTimeoutPaused: true });
    expect(history.find((e) => e.EventType === "ExecutionResumed")!.ExecutionResumedDetails.Reason.Payload).toBe("window over");
  });

  it("pauses during an invocation at its next checkpoint (PAUSING, then PAUSED) and resumes it", async () => {
    // A step long enough for the pause to arrive while it runs (each boto3 call is a new process).
    const arn = await start("slow", { sleepMs: 6000, n: 21 });
    await eventually(async () => (types(await events(arn)).includes("StepStarted") ? true : undefined), 30_000, "the step to start");
    const [paused, pausing] = await boto(
      ["pause_durable_execution", { DurableExecutionArn: arn, ExecutionTimeoutPaused: false }],
      ["get_durable_execution", { DurableExecutionArn: arn }],
    );
    expect(paused.status).toBe(202);
    expect(pausing.response!.Status).toBe("PAUSING");
    expect(pausing.response!.PauseDetails.ExecutionTimeoutPaused).toBe(false);
    await status(arn, "PAUSED");
    const t = types(await events(arn));
    expect(t.slice(0, 4)).toEqual(["ExecutionStarted", "StepStarted", "StepSucceeded", "ExecutionPaused"]);
    expect((await boto(["resume_durable_execution", { DurableExecutionArn: arn }]))[0].status).toBe(202);
    const done = await status(arn, "SUCCEEDED");
    expect(JSON.parse(done.Result)).toEqual({ value: 42 });
  });

  it("deletes an ended execution: 202 with DeletionRequestTimestamp, then it is not found", async () => {
    const arn = await finishedQuick();
    const [deleted] = await boto(["delete_durable_execution", { DurableExecutionArn: arn }]);
    expect(deleted.status).toBe(202);
    expect(Math.abs(deleted.response!.DeletionRequestTimestamp - Date.now() / 1000)).toBeLessThan(60);
    const gone = await eventually(async () => {
      const r = await get(arn);
      return r.code === "ResourceNotFoundException" ? r : undefined;
    }, 30_000, "the deletion");
    expect(gone.status).toBe(404);
    const [again, listed] = await boto(
      ["delete_durable_execution", { DurableExecutionArn: arn }],
      ["list_durable_executions_by_function", { FunctionName: "quick" }],
    );
    expect([again.status, again.code]).toEqual([404, "ResourceNotFoundException"]);
    expect(listed.response!.DurableExecutions.map((e: any) => e.DurableExecutionArn)).not.toContain(arn);
  });

  it("answers GetDurableExecution without execution data when asked", async () => {
    const arn = await finishedQuick();
    const r = (await get(arn, { IncludeExecutionData: false })).response!;
    expect(r.ExecutionDataIncluded).toBe(false);
    expect(r.InputPayload).toBeUndefined();
    expect(r.Result).toBeUndefined();
    expect(r.DurableConfig.RetentionPeriodInDays).toBe(14);
  });
});

describe("refusals, as the model says, leaving the execution as it was", () => {
  const conflict = (r: CallResult) => expect([r.status, r.code]).toEqual([409, "ResourceConflictException"]);

  it("pausing a finished or an already paused execution, resuming or deleting a running one: 409", async () => {
    const ended = await finishedQuick();
    const { arn: running } = await waitingOnCallback();
    const endedBefore = await events(ended);
    const runningBefore = await events(running);
    const [pauseEnded, resumeRunning, deleteRunning, endedAfter, runningAfter] = await boto(
      ["pause_durable_execution", { DurableExecutionArn: ended }],
      ["resume_durable_execution", { DurableExecutionArn: running }],
      ["delete_durable_execution", { DurableExecutionArn: running }],
      ["get_durable_execution", { DurableExecutionArn: ended }],
      ["get_durable_execution", { DurableExecutionArn: running }],
    );
    conflict(pauseEnded);
    expect(pauseEnded.message).toMatch(/cannot pause .* it is SUCCEEDED/);
    conflict(resumeRunning);
    expect(resumeRunning.message).toContain("it is RUNNING");
    conflict(deleteRunning);
    expect(endedAfter.response!.Status).toBe("SUCCEEDED");
    expect(runningAfter.response!.Status).toBe("RUNNING");
    expect(await events(ended)).toEqual(endedBefore);
    expect(await events(running)).toEqual(runningBefore);

    const [first, second, deletePaused, after] = await boto(
      ["pause_durable_execution", { DurableExecutionArn: running }],
      ["pause_durable_execution", { DurableExecutionArn: running }],
      ["delete_durable_execution", { DurableExecutionArn: running }],
      ["get_durable_execution", { DurableExecutionArn: running }],
    );
    expect(first.status).toBe(202);
    conflict(second);
    expect(second.message).toContain("it is PAUSED");
    conflict(deletePaused);
    expect(after.response!.Status).toBe("PAUSED");
    expect(types(await events(running)).filter((t) => t === "ExecutionPaused")).toHaveLength(1);
  });

  it("an over-long reason and an unknown execution", async () => {
    const { arn } = await waitingOnCallback();
    const before = await events(arn);
    const [tooLong, unknown, after] = await boto(
      ["pause_durable_execution", { DurableExecutionArn: arn, Reason: "x".repeat(1025) }],
      ["pause_durable_execution", { DurableExecutionArn: arn.replace(/[^/]+$/, "0000000000000000") }],
      ["get_durable_execution", { DurableExecutionArn: arn }],
    );
    expect([tooLong.status, tooLong.code]).toEqual([400, "InvalidParameterValueException"]);
    expect(tooLong.message).toMatch(/Reason.*1025.*1024/);
    expect([unknown.status, unknown.code]).toEqual([404, "ResourceNotFoundException"]);
    expect(after.response!.Status).toBe("RUNNING");
    expect(await events(arn)).toEqual(before);
  });

  it("a repeated ClientToken: the same parameters succeed once more without pausing twice; others are refused", async () => {
    const { arn } = await waitingOnCallback();
    const token = `tok-${Date.now()}`;
    const [first, repeat, different, resumeSameToken, after] = await boto(
      ["pause_durable_execution", { DurableExecutionArn: arn, ClientToken: token, Reason: "a" }],
      ["pause_durable_execution", { DurableExecutionArn: arn, ClientToken: token, Reason: "a" }],
      ["pause_durable_execution", { DurableExecutionArn: arn, ClientToken: token, Reason: "b" }],
      ["resume_durable_execution", { DurableExecutionArn: arn, ClientToken: token }],
      ["get_durable_execution", { DurableExecutionArn: arn }],
    );
    expect(first.status).toBe(202);
    expect(repeat.status).toBe(202);
    expect([different.status, different.code]).toEqual([400, "InvalidParameterValueException"]);
    expect(different.message).toContain(token);
    expect([resumeSameToken.status, resumeSameToken.code]).toEqual([400, "InvalidParameterValueException"]);
    expect(after.response!.Status).toBe("PAUSED");
    expect(after.response!.PauseDetails.Reason).toBe("a");
    const t = types(await events(arn));
    expect(t.filter((x) => x === "ExecutionPaused")).toHaveLength(1);
    expect(t).not.toContain("ExecutionResumed");
  });
});

describe("pause, resume and delete from the command line", () => {
  it("acts on an execution by ARN and refuses what the model refuses with exit 1", async () => {
    const { arn } = await waitingOnCallback();
    const paused = await runCli(["pause", arn, "--db", db, "--reason", "cli"]);
    expect([paused.code, paused.stdout.trim()]).toEqual([0, `paused ${arn}`]);
    const again = await runCli(["pause", arn, "--db", db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/cannot pause .* it is PAUSED; only a RUNNING execution can be paused/);
    const record = lastJson((await runCli(["get", arn, "--db", db, "--json"])).stdout);
    expect(record.PauseDetails).toMatchObject({ Reason: "cli", ExecutionTimeoutPaused: true });
    const resumed = await runCli(["resume", arn, "--db", db]);
    expect([resumed.code, resumed.stdout.trim()]).toEqual([0, `resumed ${arn}`]);
    const running = await runCli(["delete", arn, "--db", db]);
    expect(running.code).toBe(1);
    expect(running.stderr).toContain("only an ended execution");

    const ended = await finishedQuick();
    const deleted = await runCli(["delete", ended, "--db", db]);
    expect([deleted.code, deleted.stdout.trim()]).toEqual([0, `deleted ${ended}`]);
    const gone = await runCli(["get", ended, "--db", db]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("not found");
  });
});

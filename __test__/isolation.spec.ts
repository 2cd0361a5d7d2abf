// Handlers isolated as on Lambda (issue 9): `durable-node worker` and `durable-node run` as real
// child processes running JavaScript/TypeScript handlers in runtime processes. A handler that
// calls process.exit, never settles, fills its heap, blocks its event loop or throws outside
// its promise ends its own invocation — recorded as InvocationCompleted with the Lambda error
// type and invoked again — while a healthy execution beside it finishes in one invocation. A
// stop ends a running invocation and frees its slot; `run` drives a crashing execution to its
// end in one command, and the AWS conformance requirements that crash the runtime pass so.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { problemsOf } from "./conformance/check";
import { runInChildProcess } from "./conformance/execute";
import { bindVariables, loadRequirements } from "./conformance/requirements";
import { CliProcess, REPO_ROOT, lastJson, requireCurrentDist, runCli } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";
import { WorkerProcess, eventually } from "./helpers/worker";

const tempDir = tempDirs("durable-node-isolation-");
const FIXTURES = path.join(REPO_ROOT, "__test__", "fixtures", "isolation");
const CONFIG = path.join(FIXTURES, "durable.config.json");

type Event = Record<string, any>;

async function start(db: string, fn: string, input: unknown = {}): Promise<string> {
  const result = await runCli(["start", fn, "--db", db, "--config", CONFIG, "--input", JSON.stringify(input)]);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout.trim();
}

async function history(db: string, arn: string): Promise<Event[]> {
  return lastJson((await runCli(["history", arn, "--db", db, "--json"])).stdout).Events;
}

async function status(db: string, arn: string): Promise<string> {
  return lastJson((await runCli(["get", arn, "--db", db, "--json"])).stdout).Status;
}

const invocations = (events: Event[]) => events.filter((e) => e.EventType === "InvocationCompleted");
const errorType = (e: Event): string | undefined => e.InvocationCompletedDetails?.Error?.Payload?.ErrorType;
const errorMessage = (e: Event): string | undefined => e.InvocationCompletedDetails?.Error?.Payload?.ErrorMessage;

async function worker(db: string, concurrency: number): Promise<WorkerProcess> {
  return new WorkerProcess(["worker", "--db", db, "--config", CONFIG, "--no-http", "--concurrency", String(concurrency)]).ready();
}

beforeAll(() => requireCurrentDist());

describe("a worker runs each invocation in a runtime process of its own", () => {
  let db: string;
  let w: WorkerProcess;
  beforeAll(async () => {
    db = path.join(tempDir(), "isolation.db");
    w = await worker(db, 8);
    return async () => {
      await w.stop();
    };
  });

  const cases: Array<[string, string, string, RegExp]> = [
    ["calls process.exit", "exits", "Runtime.ExitError", /Runtime exited with error: exit status 3/],
    ["never settles (past its 1 s timeout)", "hangs", "Sandbox.Timedout", /Task timed out after 1\.00 seconds/],
    ["fills its 128 MB heap", "oom", "Runtime.OutOfMemory", /Runtime exited with error: .*out of memory/],
    ["blocks its event loop past its 1 s timeout", "spins", "Sandbox.Timedout", /Task timed out after 1\.00 seconds/],
    ["throws outside its promise", "throwsOutside", "TypeError", /thrown outside the handler/],
  ];
  for (const [what, fn, type, message] of cases) {
    it(`a handler that ${what}: ${type}, invoked again; a healthy execution beside it finishes in one invocation`, async () => {
      const [bad, healthy] = await Promise.all([start(db, fn), start(db, "healthy", { ms: 2500 })]);
      // The failure is recorded with the Lambda error type, and the engine invokes again.
      const failed = await eventually(async () => {
        const ended = invocations(await history(db, bad)).filter((e) => errorType(e) === type);
        return ended.length >= 2 ? ended : undefined;
      }, 60_000, `two ${type} invocations of ${fn}`);
      expect(errorMessage(failed[0])).toMatch(message);
      expect(await status(db, bad)).toBe("RUNNING");
      // The healthy execution was not touched: one invocation, no error.
      await eventually(async () => ((await status(db, healthy)) === "SUCCEEDED" ? true : undefined), 30_000, "the healthy execution");
      const ok = invocations(await history(db, healthy));
      expect(ok).toHaveLength(1);
      expect(errorType(ok[0])).toBeUndefined();
      expect(w.child.exitCode).toBeNull();
      await runCli(["stop", bad, "--db", db]);
    }, 90_000);
  }
});

describe("stop ends a running invocation and frees its slot", () => {
  it("a never-settling handler under --concurrency 1: stop kills its runtime process; the next execution runs", async () => {
    const dir = tempDir();
    const db = path.join(dir, "stop.db");
    const marker = path.join(dir, "running.pid");
    const w = await worker(db, 1);
    try {
      const stuck = await start(db, "hangsLong", { marker });
      const pid = Number(await eventually(() => (existsSync(marker) ? readFileSync(marker, "utf8") || undefined : undefined), 30_000, "the handler to run"));
      const healthy = await start(db, "healthy", { ms: 10 });
      const stop = await runCli(["stop", stuck, "--db", db]);
      expect(stop.code, stop.stderr).toBe(0);
      // The slot is free: the healthy execution runs and finishes.
      await eventually(async () => ((await status(db, healthy)) === "SUCCEEDED" ? true : undefined), 30_000, "the execution after the stopped one");
      expect(await status(db, stuck)).toBe("STOPPED");
      // Its runtime process is gone, and its invocation ended after ExecutionStopped.
      expect(() => process.kill(pid, 0)).toThrow();
      const events = await history(db, stuck);
      const stoppedAt = events.findIndex((e) => e.EventType === "ExecutionStopped");
      const ended = events.findIndex((e) => e.EventType === "InvocationCompleted");
      expect(stoppedAt).toBeGreaterThan(0);
      expect(ended).toBeGreaterThan(stoppedAt);
      expect(errorMessage(events[ended])).toMatch(/ended STOPPED while this invocation ran/);
      await w.waitForLine(/STOPPED while its invocation ran: invocation ended/);
    } finally {
      await w.stop();
    }
  }, 90_000);
});

describe("stop of an execution a `durable-node run` is running", () => {
  it("ends its invocation (the runtime process killed): the run prints STOPPED and exits 1", async () => {
    const dir = tempDir();
    const db = path.join(dir, "run-stop.db");
    const marker = path.join(dir, "running.pid");
    const run = new CliProcess(["run", path.join(FIXTURES, "hangs.ts"), "--db", db, "--name", "held", "--input", JSON.stringify({ marker }), "--json"]);
    const pid = Number(await eventually(() => (existsSync(marker) ? readFileSync(marker, "utf8") || undefined : undefined), 30_000, "the handler to run"));
    const stop = await runCli(["stop", "held", "--db", db]);
    expect(stop.code, stop.stderr).toBe(0);
    const result = await run.exited;
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(lastJson(result.stdout).Status).toBe("STOPPED");
    expect(() => process.kill(pid, 0)).toThrow();
    const events = await history(db, "held");
    expect(events.map((e) => e.EventType).slice(-2)).toEqual(["ExecutionStopped", "InvocationCompleted"]);
  }, 60_000);
});

describe("durable-node run drives an execution whose runtime crashes to its end, in one command", () => {
  it("process.exit in every invocation: re-invoked by the engine until it ends FAILED; exit status 1, the error named", async () => {
    const db = path.join(tempDir(), "run.db");
    const result = await runCli(["run", path.join(FIXTURES, "exits.ts"), "--db", db, "--name", "exits", "--skip-time", "--json"]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/invocation 1 failed: .*Runtime exited with error: exit status 3/);
    expect(result.stdout).toContain("the engine invokes it again");
    const record = lastJson(result.stdout);
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "Runtime.ExitError" });
    const ended = invocations(await history(db, "exits"));
    expect(ended.length).toBeGreaterThan(1);
    expect(ended.every((e) => errorType(e) === "Runtime.ExitError")).toBe(true);
  }, 90_000);

  it("--timeout ends a handler that never settles with Sandbox.Timedout", async () => {
    const dir = tempDir();
    const db = path.join(dir, "timeout.db");
    const result = await runCli(["run", path.join(FIXTURES, "hangs.ts"), "--db", db, "--name", "hangs", "--timeout", "1", "--skip-time", "--json"]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/invocation 1 failed: .*Task timed out after 1\.00 seconds/);
    expect(lastJson(result.stdout)).toMatchObject({ Status: "FAILED", Error: { ErrorType: "Sandbox.Timedout" } });
  }, 90_000);

  const requirements = loadRequirements().filter((r) => ["1-17", "1-18", "3-12"].includes(r.id));
  it("finds the three conformance requirements whose handler crashes the runtime", () => {
    expect(requirements.map((r) => r.id).sort()).toEqual(["1-17", "1-18", "3-12"]);
  });
  for (const req of requirements) {
    it(`conformance ${req.id} (${req.description}) passes with durable-node run driven once`, async () => {
      const bindings = bindVariables(req);
      const outcome = await runInChildProcess(req, bindings);
      expect(problemsOf(req, outcome, bindings)).toEqual([]);
      expect(invocations(outcome.history).some((e) => errorType(e) === "Runtime.ExitError")).toBe(true);
    }, 90_000);
  }
});

describe("function limits out of range are refused, naming the field, the value and the range", () => {
  it.each([
    [["--timeout", "0"], /invalid --timeout 0: must be a whole number from 1 to 900 seconds/],
    [["--timeout", "901"], /invalid --timeout 901: must be a whole number from 1 to 900 seconds/],
    [["--timeout", "-5"], /invalid --timeout -5: must be a whole number from 1 to 900 seconds/],
    [["--memory", "64"], /invalid --memory 64: must be a whole number from 128 to 10240 MB/],
    [["--timeout", "5", "--no-isolate"], /--timeout applies to handlers run in a runtime process: drop --no-isolate/],
  ])("run %j", async (flags, message) => {
    const db = path.join(tempDir(), "bad.db");
    const result = await runCli(["run", path.join(FIXTURES, "healthy.ts"), "--db", db, ...flags]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(db)).toBe(false);
  });

  it.each([
    [{ timeout: 0 }, /invalid function "f" in .*: "timeout" 0: must be a whole number from 1 to 900 seconds/],
    [{ timeout: 1.5 }, /"timeout" 1.5: must be a whole number from 1 to 900 seconds/],
    [{ memory: 20_000 }, /invalid function "f" in .*: "memory" 20000: must be a whole number from 128 to 10240 MB/],
    [{ isolated: "yes" }, /function "f" in .*: "isolated" must be true or false/],
  ])("worker config %j", async (fields, message) => {
    const dir = tempDir();
    const config = path.join(dir, "durable.config.json");
    writeFileSync(config, JSON.stringify({ functions: { f: { handler: path.join(FIXTURES, "healthy.ts"), ...fields } } }));
    const result = await runCli(["worker", "--db", path.join(dir, "w.db"), "--config", config, "--no-http"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("worker config: a timeout for a function run in the worker's process is refused (it could not be enforced)", async () => {
    const dir = tempDir();
    const config = path.join(dir, "durable.config.json");
    writeFileSync(config, JSON.stringify({ functions: { f: { handler: path.join(FIXTURES, "healthy.ts"), timeout: 5, isolated: false } } }));
    const inConfig = await runCli(["worker", "--db", path.join(dir, "w.db"), "--config", config, "--no-http"]);
    expect(inConfig.code).toBe(2);
    expect(inConfig.stderr).toMatch(/function "f" \(.*healthy.ts\): "timeout" applies to a function run in runtime processes, and this one runs in the worker's process \("isolated": false\)/);
    writeFileSync(config, JSON.stringify({ functions: { f: { handler: path.join(FIXTURES, "healthy.ts"), memory: 256 } } }));
    const byFlag = await runCli(["worker", "--db", path.join(dir, "w.db"), "--config", config, "--no-http", "--no-isolate"]);
    expect(byFlag.code).toBe(2);
    expect(byFlag.stderr).toMatch(/"memory" applies to a function run in runtime processes, and this one runs in the worker's process \(--no-isolate\)/);
  });
});

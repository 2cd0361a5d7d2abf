// `durable-node worker`, `start` and `stop` as real child processes on a real SQLite file: work
// handed over through the database, two workers on one file never running one invocation twice
// at once, graceful shutdown on SIGTERM (finish, or release after the grace period), recovery
// of a killed worker's invocation, takeover of an expired lease, stop mid-invocation, config
// errors and structured logs.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { lastJson, lines, requireCurrentDist, runCli } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";
import { WORKER_CONFIG, eventually, startWorker } from "./helpers/worker";

const tempDir = tempDirs("durable-node-worker-");

interface LedgerLine {
  phase: "start" | "end";
  n: number;
  pid: number;
  ppid: number;
  at: number;
}

function ledger(file: string): LedgerLine[] {
  return existsSync(file) ? lines(readFileSync(file, "utf8")).map((l) => JSON.parse(l)) : [];
}

async function start(db: string, fn: string, input: unknown, name?: string): Promise<string> {
  const result = await runCli(["start", fn, "--db", db, "--config", WORKER_CONFIG, "--input", JSON.stringify(input), ...(name ? ["--name", name] : [])]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  const arn = result.stdout.trim();
  expect(arn).toMatch(new RegExp(`:function:${fn}:\\$LATEST/durable-execution/`));
  return arn;
}

async function record(db: string, arn: string): Promise<Record<string, any>> {
  return lastJson((await runCli(["get", arn, "--db", db, "--json"])).stdout);
}

async function history(db: string, arn: string): Promise<Record<string, any>[]> {
  return lastJson((await runCli(["history", arn, "--db", db, "--json"])).stdout).Events;
}

async function finished(db: string, arn: string, timeoutMs = 30_000): Promise<Record<string, any>> {
  return eventually(async () => {
    const r = await record(db, arn);
    return r.Status === "RUNNING" ? undefined : r;
  }, timeoutMs, `the end of ${arn}`);
}

function setup() {
  const dir = tempDir();
  return { db: path.join(dir, "worker.db"), ledgerFile: path.join(dir, "ledger.jsonl"), dir };
}

beforeAll(() => requireCurrentDist());

describe("durable-node worker", () => {
  it("runs executions started by `durable-node start` from another process, logging each operation", async () => {
    const { db, ledgerFile } = setup();
    const worker = await startWorker(db, ["--no-http"]);
    try {
      const arn = await start(db, "slow", { ledger: ledgerFile, n: 5 }, "first");
      const done = await finished(db, arn);
      expect(done.Status).toBe("SUCCEEDED");
      expect(JSON.parse(done.Result)).toEqual({ value: 10 });
      // Starting the same name with the same input attaches to it; the worker ran it once.
      expect(await start(db, "slow", { ledger: ledgerFile, n: 5 }, "first")).toBe(arn);
      expect(ledger(ledgerFile).filter((l) => l.phase === "start")).toHaveLength(1);
      await worker.waitForLine(/\[slow\/first\] invocation 2 ended: execution SUCCEEDED/);
      expect(worker.stdout).toMatch(/\[slow\/first\] ✔ step "work" +succeeded/);
      expect(worker.stdout).toMatch(/\[slow\/first\] invocation 1 suspended \(PENDING\)/);
    } finally {
      expect((await worker.stop()).code).toBe(0);
    }
  });

  it("re-invokes an execution when its chained invokes complete", async () => {
    const { db } = setup();
    const worker = await startWorker(db, ["--no-http"]);
    try {
      const arn = await start(db, "chain", { n: 4 });
      const done = await finished(db, arn);
      expect(done.Status).toBe("SUCCEEDED");
      expect(JSON.parse(done.Result)).toEqual({ echoed: { n: 4 }, doubled: { doubled: 8 } });
      const types = (await history(db, arn)).map((e) => e.EventType);
      expect(types.filter((t) => t === "ChainedInvokeSucceeded")).toHaveLength(2);
      expect(types.filter((t) => t === "InvocationCompleted")).toHaveLength(3);
    } finally {
      await worker.stop();
    }
  });

  it("two workers on one file share the work and never run one invocation twice", async () => {
    const { db, ledgerFile } = setup();
    const a = await startWorker(db, ["--no-http", "--concurrency", "3"]);
    const b = await startWorker(db, ["--no-http", "--concurrency", "3"]);
    try {
      const arns = await Promise.all(Array.from({ length: 10 }, (_, n) => start(db, "slow", { ledger: ledgerFile, n, sleepMs: 300 })));
      for (const arn of arns) expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
      const steps = ledger(ledgerFile);
      for (let n = 0; n < 10; n++) {
        expect(steps.filter((l) => l.n === n && l.phase === "start")).toHaveLength(1);
        expect(steps.filter((l) => l.n === n && l.phase === "end")).toHaveLength(1);
      }
      // Each step ran in a runtime process of one of the two workers.
      expect(new Set(steps.map((l) => l.ppid))).toEqual(new Set([a.child.pid, b.child.pid]));
      // Per execution, invocations follow one another: none failed, none overlapped.
      for (const arn of arns) {
        const invocations = (await history(db, arn)).filter((e) => e.EventType === "InvocationCompleted");
        expect(invocations).toHaveLength(2);
        expect(invocations.every((e) => e.InvocationCompletedDetails.Error === undefined)).toBe(true);
        const [first, second] = invocations.map((e) => e.InvocationCompletedDetails);
        expect(Date.parse(second.StartTimestamp)).toBeGreaterThanOrEqual(Date.parse(first.EndTimestamp));
      }
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("SIGTERM lets the running invocation finish, then exits; another worker carries on", async () => {
    const { db, ledgerFile } = setup();
    const worker = await startWorker(db, ["--no-http"]);
    const arn = await start(db, "slow", { ledger: ledgerFile, n: 1, sleepMs: 1500 }, "graceful");
    await eventually(() => (ledger(ledgerFile).some((l) => l.phase === "start") ? true : undefined));
    const exit = await worker.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(exit.stdout).toMatch(/SIGTERM received: shutting down/);
    expect(exit.stdout).toMatch(/waiting for 1 running invocation/);
    expect(exit.stdout).toMatch(/worker stopped/);
    expect(ledger(ledgerFile).map((l) => l.phase)).toEqual(["start", "end"]);
    const events = await history(db, arn);
    expect(events.map((e) => e.EventType)).toEqual(["ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted", "InvocationCompleted"]);
    expect(events[4].InvocationCompletedDetails.Error).toBeUndefined();

    const next = await startWorker(db, ["--no-http"]);
    try {
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
      expect(ledger(ledgerFile).filter((l) => l.phase === "start")).toHaveLength(1);
    } finally {
      await next.stop();
    }
  });

  it("past the shutdown grace period the invocation is released and re-run by the next worker", async () => {
    const { db, ledgerFile } = setup();
    const worker = await startWorker(db, ["--no-http", "--shutdown-timeout", "200"]);
    const arn = await start(db, "slow", { ledger: ledgerFile, n: 2, sleepMs: 6000 }, "released");
    await eventually(() => (ledger(ledgerFile).some((l) => l.phase === "start") ? true : undefined));
    const signalled = Date.now();
    const exit = await worker.stop("SIGTERM");
    expect(exit.code).toBe(0);
    // It did not wait for the 6-second step.
    expect(Date.now() - signalled).toBeLessThan(4000);
    expect(exit.stdout).toMatch(/\[slow\/released\] invocation 1 released unfinished/);
    const completed = (await history(db, arn)).find((e) => e.EventType === "InvocationCompleted");
    expect(completed.InvocationCompletedDetails.Error.Payload.ErrorType).toBe("Runtime.WorkerShutdown");

    const next = await startWorker(db, ["--no-http"]);
    try {
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
    } finally {
      await next.stop();
    }
  });

  it("a killed worker's invocation is recovered by the next worker", async () => {
    const { db, ledgerFile } = setup();
    const worker = await startWorker(db, ["--no-http"]);
    const arn = await start(db, "slow", { ledger: ledgerFile, n: 3, sleepMs: 3000 }, "crashed");
    await eventually(() => (ledger(ledgerFile).some((l) => l.phase === "start") ? true : undefined));
    expect((await worker.stop("SIGKILL")).signal).toBe("SIGKILL");

    const next = await startWorker(db, ["--no-http"]);
    try {
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
      const crashed = (await history(db, arn)).find((e) => e.EventType === "InvocationCompleted");
      expect(crashed.InvocationCompletedDetails.Error.Payload.ErrorType).toBe("Runtime.ExitError");
      // At-least-once: the interrupted step ran again, in the new worker.
      const starts = ledger(ledgerFile).filter((l) => l.phase === "start");
      expect(starts.map((l) => l.ppid)).toEqual([worker.child.pid, next.child.pid]);
      // The killed worker's runtime process died with it (it must not run on beside the new one).
      expect(() => process.kill(starts[0].pid, 0)).toThrow();
    } finally {
      await next.stop();
    }
  });

  it("an expired lease of a live but unresponsive worker is taken over; its late checkpoint is refused", async () => {
    const { db, ledgerFile } = setup();
    const frozen = await startWorker(db, ["--no-http", "--lease-ms", "1000"]);
    const arn = await start(db, "slow", { ledger: ledgerFile, n: 4, sleepMs: 1500 }, "frozen");
    await eventually(() => (ledger(ledgerFile).some((l) => l.phase === "start") ? true : undefined));
    frozen.child.kill("SIGSTOP");
    const rescuer = await startWorker(db, ["--no-http", "--lease-ms", "1000"]);
    try {
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
      frozen.child.kill("SIGCONT");
      await frozen.waitForLine(/\[slow\/frozen\] invocation 1 no longer held by this worker/, 10_000);
      const events = await history(db, arn);
      expect(events.filter((e) => e.EventType === "StepSucceeded")).toHaveLength(1);
      const takenOver = events.find((e) => e.EventType === "InvocationCompleted");
      expect(takenOver.InvocationCompletedDetails.Error.Payload.ErrorType).toBe("Runtime.ExitError");
    } finally {
      frozen.child.kill("SIGCONT");
      await Promise.all([frozen.stop(), rescuer.stop()]);
    }
  });

  it("--json logs one JSON object per line", async () => {
    const { db } = setup();
    const worker = await startWorker(db, ["--no-http", "--json"]);
    try {
      const arn = await start(db, "quick", { n: 1 });
      expect((await finished(db, arn)).Status).toBe("SUCCEEDED");
      await worker.waitForLine(/"phase":"completed"/);
    } finally {
      await worker.stop();
    }
    const logged = lines(worker.stdout).map((l) => JSON.parse(l));
    const ready = logged.find((l) => l.event === "worker" && /worker ready/.test(l.msg));
    expect(ready.level).toBe("info");
    expect([...ready.functions].sort()).toEqual(["approval", "chain", "echo", "quick", "slow"]);
    expect(logged.find((l) => l.event === "invocation" && l.phase === "completed")).toMatchObject({ status: "SUCCEEDED", invocation: 1 });
  });
});

describe("durable-node stop", () => {
  it("stops a running execution: its running invocation is ended at once (its runtime process killed)", async () => {
    const { db, ledgerFile } = setup();
    const worker = await startWorker(db, ["--no-http"]);
    try {
      const arn = await start(db, "slow", { ledger: ledgerFile, n: 7, sleepMs: 5000 }, "to-stop");
      await eventually(() => (ledger(ledgerFile).some((l) => l.phase === "start") ? true : undefined));
      const stopped = await runCli(["stop", "to-stop", "--db", db, "--error", '{"ErrorType":"Cancelled","ErrorMessage":"by operator"}']);
      expect(stopped.code).toBe(0);
      expect(stopped.stdout.trim()).toBe(`stopped ${arn}`);
      const done = await record(db, arn);
      expect(done.Status).toBe("STOPPED");
      expect(done.Error).toMatchObject({ ErrorType: "Cancelled", ErrorMessage: "by operator" });
      // The invocation is ended without waiting for its step: its process is killed, its end recorded.
      const events = await eventually(async () => {
        const all = await history(db, arn);
        return all.some((e) => e.EventType === "InvocationCompleted") ? all : undefined;
      });
      expect(events.map((e) => e.EventType)).toEqual(["ExecutionStarted", "StepStarted", "ExecutionStopped", "InvocationCompleted"]);
      const [started] = ledger(ledgerFile);
      await eventually(() => {
        try {
          process.kill(started.pid, 0);
          return undefined;
        } catch {
          return true;
        }
      }, 10_000, "the runtime process to be gone");
      expect(ledger(ledgerFile).map((l) => l.phase)).toEqual(["start"]);

      const again = await runCli(["stop", arn, "--db", db]);
      expect(again.code).toBe(1);
      expect(lines(again.stderr)).toHaveLength(1);
      expect(again.stderr).toMatch(/is not running: it is STOPPED/);
      const unknown = await runCli(["stop", "no-such-execution", "--db", db]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error: durable execution not found: no-such-execution\n$/);
    } finally {
      expect((await worker.stop()).code).toBe(0);
    }
  });
});

describe("bad input", () => {
  it("start refuses unknown functions, bad JSON and bad names with one line", async () => {
    const { db } = setup();
    const unknownFn = await runCli(["start", "nope", "--db", db, "--config", WORKER_CONFIG]);
    expect(unknownFn.code).toBe(2);
    expect(lines(unknownFn.stderr)).toEqual([`error: function "nope" is not in the config file (it names: slow, approval, quick, echo, chain)`]);
    const badJson = await runCli(["start", "quick", "--db", db, "--config", WORKER_CONFIG, "--input", "{x"]);
    expect(badJson.code).toBe(2);
    expect(lines(badJson.stderr)).toHaveLength(1);
    const badName = await runCli(["start", "quick", "--db", db, "--config", WORKER_CONFIG, "--name", "has space"]);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/execution name/);
  });

  it("a config file naming a missing module, an unknown field or bad JSON is one clear line", async () => {
    const { dir, db } = setup();
    const cases: Array<[string, string, RegExp]> = [
      ["missing.json", JSON.stringify({ functions: { f: { handler: "./nowhere.ts" } } }), /function "f" \(.*nowhere\.ts\): module not found/],
      ["unknown.json", JSON.stringify({ functions: { f: { handler: "./x.ts", retries: 3 } } }), /unknown field\(s\) retries/],
      ["broken.json", "{ functions", /is not valid JSON/],
      ["noexport.json", JSON.stringify({ functions: { f: { handler: path.join(path.dirname(WORKER_CONFIG), "functions.ts"), export: "missing" } } }), /no function export "missing"/],
    ];
    for (const [name, text, message] of cases) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      const result = await runCli(["worker", "--db", db, "--config", file, "--no-http"]);
      expect(result.code, name).toBe(2);
      expect(lines(result.stderr), name).toHaveLength(1);
      expect(result.stderr, name).toMatch(message);
    }
    const none = await runCli(["worker", "--db", db, "--no-http"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no config file/);
  });
});

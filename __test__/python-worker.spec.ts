// Python functions on `durable-node worker`, run as Lambda runs them: real worker processes,
// warm pools of `python -m awslambdaric` processes speaking the Runtime API on loopback, the
// official Python SDK checkpointing over the worker's HTTP API with boto3, real SIGKILLs, a real
// function timeout, and boto3 completing a callback. Waits are skipped (--skip-time); the side
// effects are counted in a ledger (fixtures/python/ledger.py, the twin of the example services').

import { readFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";

import { GetDurableExecutionCommand, GetDurableExecutionHistoryCommand, LambdaClient, type Event as HistoryEvent } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { REPO_ROOT, requireCurrentDist, runCli } from "./helpers/cli";
import { ledgerCounts } from "./helpers/ledger";
import { PY_ENV, PY_FIXTURES, requirePythonEnv, runPython } from "./helpers/python";
import { tempDirs } from "./helpers/temp";
import { WorkerProcess, eventually } from "./helpers/worker";

const tempDir = tempDirs("durable-node-py-worker-");
const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const fixture = (file: string) => path.join(PY_FIXTURES, file);

const FUNCTIONS = {
  tutorial: { handler: path.join(REPO_ROOT, "examples", "order_processing.py"), export: "lambda_handler", runtime: "python" },
  orders: { handler: fixture("orders.py") },
  approval: { handler: fixture("approval.py") },
  "py-double": { handler: fixture("chain.py"), export: "double" },
  "py-calls-ts": { handler: fixture("chain.py"), export: "calls_ts" },
  "py-square": { handler: fixture("chain.py"), export: "plain_square", durable: false },
  "ts-calls-py": { handler: fixture("chain.ts"), export: "tsCallsPy" },
  "ts-add-one": { handler: fixture("chain.ts"), export: "tsAddOne" },
  slow: { handler: fixture("slow_once.py"), timeout: 2 },
};

let dir: string;
let db: string;
let config: string;
let ledger: string;
let worker: WorkerProcess;
let lambda: LambdaClient;

async function start(fn: string, input: unknown, name: string): Promise<string> {
  const r = await runCli(["start", fn, "--db", db, "--config", config, "--input", JSON.stringify(input), "--name", name]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

async function finished(arn: string, timeoutMs = 30_000) {
  return eventually(async () => {
    const record = await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    return record.Status === "RUNNING" ? undefined : record;
  }, timeoutMs, `the end of ${arn}\n${worker.stdout}\n${worker.stderr}`);
}

async function history(arn: string): Promise<HistoryEvent[]> {
  return (await lambda.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, MaxItems: 1000 }))).Events ?? [];
}

const invocationErrors = (events: HistoryEvent[]) =>
  events.filter((e) => e.EventType === "InvocationCompleted" && e.InvocationCompletedDetails?.Error).map((e) => e.InvocationCompletedDetails!.Error!.Payload!.ErrorType);

beforeAll(async () => {
  requireCurrentDist();
  requirePythonEnv();
  dir = tempDir();
  db = path.join(dir, "worker.db");
  ledger = path.join(dir, "ledger.jsonl");
  config = path.join(dir, "durable.config.json");
  writeFileSync(config, JSON.stringify({ functions: FUNCTIONS }));
  // The orders function's runtime SIGKILLs itself once, right after the first payment side effect.
  worker = await new WorkerProcess(["worker", "--db", db, "--config", config, "--port", "0", "--skip-time", "--concurrency", "4"], {
    env: { ...PY_ENV, DURABLE_LEDGER: ledger, DURABLE_CRASH_AFTER: "payment.charge" },
  }).ready(60_000);
  lambda = new LambdaClient({ endpoint: worker.url, region: "us-east-1", credentials });
});

afterAll(async () => {
  if (!worker) return;
  const pids = [...worker.stdout.matchAll(/runtime process (\d+) of \S+ ready/g)].map((m) => Number(m[1]));
  const exit = await worker.stop();
  expect(exit.code, worker.stderr).toBe(0);
  // Shutdown stopped every runtime process it started.
  for (const pid of pids) expect(() => process.kill(pid, 0), `runtime ${pid} still alive`).toThrow();
});

describe("Python functions on the worker", () => {
  it("starts one warm runtime process per function (Python, and TypeScript isolated) before it is ready", () => {
    const ready = [...worker.stdout.matchAll(/runtime process \d+ of (\S+) ready/g)].map((m) => m[1]).sort();
    expect(ready.slice(0, 9)).toEqual(["approval", "orders", "py-calls-ts", "py-double", "py-square", "slow", "ts-add-one", "ts-calls-py", "tutorial"]);
    expect(worker.stdout.indexOf("runtime process")).toBeLessThan(worker.stdout.indexOf("worker ready"));
  });

  it("runs the tutorial's Python handler to the end through its wait, logging each operation", async () => {
    const arn = await start("tutorial", { orderId: "o-1" }, "tutorial-1");
    const done = await finished(arn);
    expect(done.Status).toBe("SUCCEEDED");
    expect(JSON.parse(done.Result!)).toEqual({ status: "confirmed", id: "o-1" });
    const events = (await history(arn)).map((e) => [e.EventType, e.Name].filter(Boolean).join(" "));
    expect(events).toEqual([
      "ExecutionStarted",
      "StepStarted validate-order",
      "StepSucceeded validate-order",
      "WaitStarted",
      "InvocationCompleted",
      "WaitSucceeded",
      "StepStarted finalize",
      "StepSucceeded finalize",
      "InvocationCompleted",
      "ExecutionSucceeded",
    ]);
    const log = worker.stdout.split("\n").filter((l) => l.includes("[tutorial/tutorial-1]")).map((l) => l.replace(/^\S+ /, "").replace(/\s+/g, " "));
    expect(log).toEqual([
      "[tutorial/tutorial-1] invocation 1 started",
      '[tutorial/tutorial-1] ▶ step "validate-order" started',
      '[tutorial/tutorial-1] ✔ step "validate-order" succeeded',
      "[tutorial/tutorial-1] ▶ wait #2 started — 10s",
      expect.stringMatching(/^\[tutorial\/tutorial-1\] ⏸ wait #2 waiting — until /),
      "[tutorial/tutorial-1] invocation 1 suspended (PENDING)",
      "[tutorial/tutorial-1] invocation 2 started (1 operation(s) changed)",
      '[tutorial/tutorial-1] ↺ step "validate-order" replayed',
      "[tutorial/tutorial-1] ↺ wait #2 replayed",
      '[tutorial/tutorial-1] ▶ step "finalize" started',
      '[tutorial/tutorial-1] ✔ step "finalize" succeeded',
      "[tutorial/tutorial-1] invocation 2 ended: execution SUCCEEDED",
    ]);
  });

  it("a runtime SIGKILLed mid-step: Runtime.ExitError, re-invoked on a fresh process, committed steps not run again", async () => {
    const arn = await start("orders", { orderId: "o-9", customerId: "c-9", amount: 3 }, "crash-1");
    const done = await finished(arn);
    expect(done.Status, worker.stdout).toBe("SUCCEEDED");
    expect(JSON.parse(done.Result!)).toEqual({ status: "completed", orderId: "o-9" });
    expect(existsSync(`${ledger}.crashed-payment.charge`)).toBe(true);
    // The validation was checkpointed before the kill: once. The charge ran, then the process
    // died before its checkpoint: the at-least-once step ran again. The rest once.
    expect(ledgerCounts(ledger)).toMatchObject({ "customer.validate": 1, "payment.charge": 2, "inventory.confirm": 1 });
    const events = await history(arn);
    expect(invocationErrors(events)).toEqual(["Runtime.ExitError"]);
    const exit = events.find((e) => e.InvocationCompletedDetails?.Error)!.InvocationCompletedDetails!.Error!.Payload!;
    expect(exit.ErrorMessage).toMatch(/Runtime exited with error: signal: killed/);
    expect(events.filter((e) => e.EventType === "StepSucceeded").map((e) => e.Name)).toEqual(["validate-order", "process-payment", "confirm-order"]);
    // The charges came from two processes: the killed one and its replacement.
    const pids = new Set(readFileSync(ledger, "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.action === "charge").map((e) => e.pid));
    expect(pids.size).toBe(2);
    expect(worker.stdout).toMatch(/runtime process \d+ of orders exited/);
  });

  it("a step past the function timeout: Sandbox.Timedout, the process killed, re-invoked, then done", async () => {
    const arn = await start("slow", {}, "slow-1");
    const done = await finished(arn);
    expect(done.Status, worker.stdout).toBe("SUCCEEDED");
    expect(JSON.parse(done.Result!)).toEqual({ result: "done" });
    const events = await history(arn);
    expect(invocationErrors(events)).toEqual(["Sandbox.Timedout"]);
    const timedOut = events.find((e) => e.InvocationCompletedDetails?.Error)!.InvocationCompletedDetails!.Error!.Payload!;
    expect(timedOut.ErrorMessage).toMatch(/Task timed out after 2\.00 seconds/);
    expect(ledgerCounts(ledger)["slow.attempt"]).toBe(2);
  });

  it("a Python handler waits on a callback that boto3's Lambda client completes against the worker; stop ends another", async () => {
    const callbackFile = path.join(dir, "callback-id.txt");
    const arn = await start("approval", { orderId: "o-5", callbackFile }, "approval-1");
    const callbackId = await eventually(() => (existsSync(callbackFile) ? readFileSync(callbackFile, "utf8") || undefined : undefined), 30_000, "the callback id");
    // The worker suspended the execution: nothing runs while it waits.
    await worker.waitForLine(/\[approval\/approval-1\] invocation 1 suspended \(PENDING\)/);
    // The log names the callback id, as it does for a TypeScript handler's callback.
    expect(worker.stdout).toMatch(new RegExp(`\\[approval/approval-1\\] ⏸ callback .* waiting — callback id ${callbackId}`));
    // The Python SDK hands a callback's result to the handler as sent (pass-through serdes).
    const sent = await runPython(fixture("send_callback.py"), [worker.url, callbackId, "approved"]);
    expect(sent.stderr).toBe("");
    expect(sent.stdout.trim()).toBe("sent");
    const done = await finished(arn);
    expect(done.Status).toBe("SUCCEEDED");
    expect(JSON.parse(done.Result!)).toEqual({ orderId: "o-5", decision: "approved" });

    const otherFile = path.join(dir, "callback-id-2.txt");
    const other = await start("approval", { orderId: "o-6", callbackFile: otherFile }, "approval-2");
    await eventually(() => (existsSync(otherFile) ? true : undefined), 30_000, "the second callback id");
    const stopped = await runCli(["stop", other, "--db", db]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect((await finished(other)).Status).toBe("STOPPED");
  });

  it("chained invokes across languages: TypeScript invokes Python (durable and plain), Python invokes TypeScript", async () => {
    const tsArn = await start("ts-calls-py", { n: 21 }, "ts-to-py");
    const pyArn = await start("py-calls-ts", { n: 41 }, "py-to-ts");
    const [fromTs, fromPy] = await Promise.all([finished(tsArn), finished(pyArn)]);
    expect(fromTs.Status, worker.stdout).toBe("SUCCEEDED");
    expect(JSON.parse(fromTs.Result!)).toEqual({ fromPython: { doubled: 42, by: "python" }, squared: { squared: 441 }, by: "typescript" });
    expect(fromPy.Status, worker.stdout).toBe("SUCCEEDED");
    expect(JSON.parse(fromPy.Result!)).toEqual({ fromTs: 42, by: "python" });
    const invoked = (await history(pyArn)).filter((e) => e.EventType?.startsWith("ChainedInvoke")).map((e) => `${e.EventType} ${e.Name}`);
    expect(invoked).toEqual(["ChainedInvokeStarted add-one", "ChainedInvokeSucceeded add-one"]);
  });

  it("the official Python testing package's cloud runner invokes a function on the worker and reads its history", async () => {
    const r = await runPython(fixture("cloud_runner.py"), [worker.url, "tutorial", JSON.stringify({ orderId: "cloud-1" })], { AWS_ACCESS_KEY_ID: "local", AWS_SECRET_ACCESS_KEY: "local" });
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout.trim().split("\n").pop()!);
    expect(report.status).toBe("SUCCEEDED");
    expect(report.result).toEqual({ status: "confirmed", id: "cloud-1" });
    expect(report.operations).toEqual(["WaitOperation", "finalize", "validate-order"]);
    // The SDK's own envelope of a step result (its default serdes), read back from the history.
    expect(JSON.parse(report.validate)).toEqual({ t: "m", v: { status: { t: "s", v: "valid" } } });
  });
});

describe("a worker with a token", () => {
  it("gives the token to its Python runtimes as their access key id: they checkpoint through the token check", async () => {
    const tokenDir = tempDir();
    const tokenDb = path.join(tokenDir, "token.db");
    const tokenConfig = path.join(tokenDir, "durable.config.json");
    writeFileSync(tokenConfig, JSON.stringify({ functions: { tutorial: FUNCTIONS.tutorial } }));
    const secured = await new WorkerProcess(["worker", "--db", tokenDb, "--config", tokenConfig, "--port", "0", "--skip-time", "--token", "s3cret-token"], { env: PY_ENV }).ready(60_000);
    try {
      const started = await runCli(["start", "tutorial", "--db", tokenDb, "--input", JSON.stringify({ orderId: "o-t" }), "--name", "token-1"]);
      expect(started.code, started.stderr).toBe(0);
      const client = new LambdaClient({ endpoint: secured.url, region: "us-east-1", credentials: { accessKeyId: "s3cret-token", secretAccessKey: "any" } });
      const done = await eventually(async () => {
        const r = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: started.stdout.trim() }));
        return r.Status === "RUNNING" ? undefined : r;
      }, 30_000, "the end of token-1");
      expect(done.Status, secured.stdout).toBe("SUCCEEDED");
      expect(JSON.parse(done.Result!)).toEqual({ status: "confirmed", id: "o-t" });
    } finally {
      expect((await secured.stop()).code).toBe(0);
    }
  });
});

describe("a worker SIGKILLed while its Python runtime is busy in a step", () => {
  it("takes the runtime with it (no orphan runs on), and the next worker finishes the execution", async () => {
    const killDir = tempDir();
    const killDb = path.join(killDir, "kill.db");
    const killLedger = path.join(killDir, "ledger.jsonl");
    const killConfig = path.join(killDir, "durable.config.json");
    // No timeout: the first attempt's step sleeps for two minutes.
    writeFileSync(killConfig, JSON.stringify({ functions: { slow: { handler: fixture("slow_once.py") } } }));
    const args = ["worker", "--db", killDb, "--config", killConfig, "--port", "0", "--skip-time"];
    const env = { ...PY_ENV, DURABLE_LEDGER: killLedger };
    const first = await new WorkerProcess(args, { env }).ready(60_000);
    const started = await runCli(["start", "slow", "--db", killDb, "--input", "{}", "--name", "kill-1"]);
    expect(started.code, started.stderr).toBe(0);
    const runtimePid = await eventually(() => (existsSync(killLedger) ? (JSON.parse(readFileSync(killLedger, "utf8").split("\n")[0]) as { pid: number }).pid : undefined), 30_000, "the first attempt");
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    expect(alive(runtimePid)).toBe(true);
    first.child.kill("SIGKILL");
    await first.exited;
    await eventually(() => (alive(runtimePid) ? undefined : true), 5_000, `runtime ${runtimePid} to die with its worker`);

    const second = await new WorkerProcess(args, { env }).ready(60_000);
    try {
      const client = new LambdaClient({ endpoint: second.url, region: "us-east-1", credentials });
      const done = await eventually(async () => {
        const r = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: started.stdout.trim() }));
        return r.Status === "RUNNING" ? undefined : r;
      }, 30_000, "the end of kill-1");
      expect(done.Status, second.stdout).toBe("SUCCEEDED");
      expect(ledgerCounts(killLedger)["slow.attempt"]).toBe(2);
    } finally {
      expect((await second.stop()).code).toBe(0);
    }
  });
});

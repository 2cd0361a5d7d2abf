// `durable-node run <file>.py` as a user runs it: a real CLI process, the embedded engine on a
// SQLite file, the handler in a `python -m awslambdaric` process speaking the Runtime API, and
// the official Python SDK checkpointing over an HTTP API on loopback. The same output, names,
// --skip-time, --json and exit statuses as for a .ts file; the tutorial's code exactly as
// written fails here as it does on AWS; a runtime killed mid-step is resumed by running again.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { REPO_ROOT, lastJson, lines, requireCurrentDist, runCli } from "./helpers/cli";
import { ledgerCounts } from "./helpers/ledger";
import { PY_ENV, PY_FIXTURES, requirePythonEnv } from "./helpers/python";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-py-run-");
const EXAMPLE = path.join(REPO_ROOT, "examples", "order_processing.py");
const SEED = path.join(REPO_ROOT, "__test__", "fixtures", "seed-python", "order_processing.py");

function run(args: string[], env: Record<string, string | undefined> = {}) {
  return runCli(["run", ...args], { env: { ...PY_ENV, ...env } });
}

/** Progress lines without the padding and the wait's clock time. */
function progress(stdout: string): string[] {
  return lines(stdout)
    .filter((l) => !l.startsWith("{") && !l.startsWith("  arn:"))
    .map((l) => l.replace(/\s+/g, " ").trim().replace(/until \S+ \S+$/, "until <time>"));
}

beforeAll(() => {
  requireCurrentDist();
  requirePythonEnv();
});

describe("durable-node run examples/order_processing.py", () => {
  it("runs the tutorial's Python handler: the same output as a .ts file, --skip-time, --json, exit 0", async () => {
    const db = path.join(tempDir(), "run.db");
    const r = await run([EXAMPLE, "--input", JSON.stringify({ orderId: "o-1" }), "--name", "py-1", "--db", db, "--skip-time", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(progress(r.stdout)).toEqual([
      "started execution py-1 of order_processing",
      "invocation 1 started",
      '▶ step "validate-order" started',
      '✔ step "validate-order" succeeded',
      "▶ wait #2 started — 10s",
      "⏸ wait #2 waiting — until <time>",
      "invocation 1 suspended (PENDING): nothing held in memory; the engine invokes again when a timer or callback is due",
      "invocation 2 started (resumed: 1 operation(s) changed)",
      '↺ step "validate-order" replayed',
      "↺ wait #2 replayed",
      '▶ step "finalize" started',
      '✔ step "finalize" succeeded',
      "invocation 2 ended: SUCCEEDED",
      'SUCCEEDED {"status": "confirmed", "id": "o-1"}',
    ]);
    const record = lastJson(r.stdout);
    expect(record).toMatchObject({ DurableExecutionName: "py-1", Status: "SUCCEEDED", InputPayload: '{"orderId":"o-1"}' });
    expect(JSON.parse(record.Result)).toEqual({ status: "confirmed", id: "o-1" });
    expect(record.FunctionArn).toMatch(/:function:order_processing:\$LATEST$/);
    // Skipped: the 10-second wait ended at once in real time, 10 s later on the engine's clock.
    expect(r.ms).toBeLessThan(10_000);
    expect(Date.parse(record.EndTimestamp) - Date.parse(record.StartTimestamp)).toBeGreaterThanOrEqual(10_000);

    // Names are idempotent: the same name and input attach and print the result, no new invocation.
    const again = await run([EXAMPLE, "--input", JSON.stringify({ orderId: "o-1" }), "--name", "py-1", "--db", db, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(progress(again.stdout)).toEqual(["attached to execution py-1 of order_processing", 'SUCCEEDED {"status": "confirmed", "id": "o-1"}']);
    expect(lastJson(again.stdout)).toEqual(record);
    // A different input under the same name is refused, in one line, exit 2.
    const clash = await run([EXAMPLE, "--input", JSON.stringify({ orderId: "o-2" }), "--name", "py-1", "--db", db]);
    expect(clash.code).toBe(2);
    expect(lines(clash.stderr)).toHaveLength(1);
    expect(clash.stderr).toMatch(/^error: .*py-1/);
  });

  it("--export chooses another function (its name is appended to the function's)", async () => {
    const db = path.join(tempDir(), "export.db");
    const r = await run([path.join(PY_FIXTURES, "chain.py"), "--export", "double", "--input", JSON.stringify({ n: 4 }), "--db", db, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(lastJson(r.stdout)).toMatchObject({ Status: "SUCCEEDED", Result: '{"doubled": 8, "by": "python"}' });
    expect(lastJson(r.stdout).FunctionArn).toMatch(/:function:chain-double:\$LATEST$/);
  });
});

describe("the tutorial's Python code exactly as written", () => {
  it("fails as it does on AWS: the zero-argument step lambda gets a step context, TypeError six times, then StepError", async () => {
    const db = path.join(tempDir(), "seed.db");
    const r = await run([SEED, "--input", JSON.stringify({ orderId: "o-1" }), "--name", "seed-1", "--db", db, "--skip-time", "--json"]);
    expect(r.code).toBe(1);
    const record = lastJson(r.stdout);
    expect(record.Status).toBe("FAILED");
    expect(record.Error.ErrorType).toBe("aws_durable_execution_sdk_python.exceptions.StepError");
    expect(record.Error.ErrorMessage).toBe("lambda_handler.<locals>.<lambda>() takes 0 positional arguments but 1 was given");
    const history = await runCli(["history", "seed-1", "--db", db, "--json"]);
    const events = (JSON.parse(history.stdout) as { Events: Array<Record<string, any>> }).Events;
    // The SDK's default step retry strategy (the same code on AWS): six attempts, five delays.
    const failed = events.filter((e) => e.EventType === "StepFailed");
    expect(failed).toHaveLength(6);
    expect(failed.every((e) => e.Name === "validate-order" && e.StepFailedDetails.Error.Payload.ErrorType === "TypeError")).toBe(true);
    expect(failed.map((e) => e.StepFailedDetails.RetryDetails.CurrentAttempt)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(failed.slice(0, 5).every((e) => e.StepFailedDetails.RetryDetails.NextAttemptDelaySeconds > 0)).toBe(true);
    expect(failed[5].StepFailedDetails.RetryDetails.NextAttemptDelaySeconds).toBeUndefined();
    expect(events.filter((e) => e.EventType === "InvocationCompleted")).toHaveLength(6);
    expect(events.some((e) => e.EventType === "WaitStarted")).toBe(false);
  });

  it("the example differs from it only by the correction its comment explains", () => {
    const code = (file: string) => readFileSync(file, "utf8").split("\n").filter((l) => !l.startsWith("#"));
    const seed = code(SEED);
    const example = code(EXAMPLE);
    expect(example).toHaveLength(seed.length);
    const changed = seed.map((line, i) => [line.trim(), example[i].trim()]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ["def validate_order(order_id):", "def validate_order(step_context, order_id):"],
      ["lambda: validate_order(order_id),", "validate_order(order_id),"],
      ['lambda: {"status": "confirmed", "id": order_id},', 'lambda step_context: {"status": "confirmed", "id": order_id},'],
    ]);
  });
});

describe("a Python runtime killed mid-step under `run`", () => {
  it("Runtime.ExitError, then the engine invokes again on a fresh process in the same command: committed steps are not run again", async () => {
    const dir = tempDir();
    const db = path.join(dir, "crash.db");
    const ledger = path.join(dir, "ledger.jsonl");
    const args = [path.join(PY_FIXTURES, "orders.py"), "--input", JSON.stringify({ orderId: "o-3", customerId: "c-3", amount: 5 }), "--name", "crash-1", "--db", db, "--skip-time", "--json"];
    const env = { DURABLE_LEDGER: ledger, DURABLE_CRASH_AFTER: "payment.charge" };
    const result = await run(args, env);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/invocation 1 failed: RequestId: \S+ Error: Runtime exited with error: signal: killed/);
    expect(result.stdout).toContain("the engine invokes it again after its retry delay");
    expect(existsSync(`${ledger}.crashed-payment.charge`)).toBe(true);
    expect(result.stdout).toMatch(/↺ step "validate-order"\s+replayed/);
    expect(lastJson(result.stdout)).toMatchObject({ Status: "SUCCEEDED", Result: '{"status": "completed", "orderId": "o-3"}' });
    expect(ledgerCounts(ledger)).toEqual({ "customer.validate": 1, "payment.charge": 2, "inventory.confirm": 1 });
  });
});

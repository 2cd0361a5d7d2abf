// Surviving SIGKILL with real processes: the tutorial run is killed during its 10-second wait
// and between a side effect and its checkpoint; running the same command again finishes the
// execution, replays checkpointed steps, and keeps the wait's original due time. When only the
// runtime process running the handler is killed, the same command carries on.

import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { CliProcess, lastJson, orderArgs, requireCurrentDist, runCli } from "./helpers/cli";
import { historyOf, inspectDb, type HistoryEvent } from "./helpers/engine";
import { ledgerCounts } from "./helpers/ledger";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-crash-");
beforeAll(requireCurrentDist);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const waitStarted = (history: HistoryEvent[]) => history.find((e) => e.EventType === "WaitStarted");

describe("SIGKILL during the 10-second wait (real time)", () => {
  it("resumes with the original due time and runs no step twice", async () => {
    const dir = tempDir();
    const db = path.join(dir, "crash.db");
    const ledger = path.join(dir, "ledger.jsonl");
    const args = orderArgs(db, "killed-waiting");
    const env = { DURABLE_LEDGER: ledger };

    const first = new CliProcess(args, { env });
    await first.waitForLine(/suspended/);
    await sleep(5_000); // half of the wait is over
    first.child.kill("SIGKILL");
    const died = await first.exited;
    expect(died.signal).toBe("SIGKILL");

    const beforeResume = historyOf(db, "killed-waiting");
    const scheduled = waitStarted(beforeResume)?.WaitStartedDetails.ScheduledEndTimestamp;
    expect(scheduled).toBeDefined();
    expect(inspectDb(db, (engine) => engine.get("killed-waiting").Status)).toBe("RUNNING");
    expect(ledgerCounts(ledger)).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 0 });

    const second = await runCli(args, { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const record = lastJson(second.stdout);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result)).toEqual({ status: "completed", orderId: "o-1" });
    expect(second.stdout).toMatch(/↺ step "validate-order"\s+replayed/);
    expect(second.stdout).toMatch(/↺ step "process-payment"\s+replayed/);
    expect(ledgerCounts(ledger)).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 1 });

    const history = historyOf(db, "killed-waiting");
    expect(history.filter((e) => e.EventType === "WaitStarted")).toHaveLength(1);
    expect(waitStarted(history)!.WaitStartedDetails.ScheduledEndTimestamp).toBe(scheduled);
    const due = Date.parse(scheduled);
    const fired = Date.parse(history.find((e) => e.EventType === "WaitSucceeded")!.EventTimestamp);
    expect(fired).toBeGreaterThanOrEqual(due);
    expect(fired - due).toBeLessThan(3_000); // a restarted wait would end about 5 s later
    // About 5 s of the wait were left; a fresh 10-second wait would take at least 10 s.
    expect(second.ms).toBeLessThan(9_000);
  });
});

const POINTS = [
  ["payment.charge", { "customer.validate": 1, "payment.charge": 2, "inventory.confirm": 1 }],
  ["inventory.confirm", { "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 2 }],
] as const;

/** The history of a crashed and completed execution: one Runtime.ExitError, each step succeeded once. */
function expectRecovered(db: string, name: string): void {
  const history = historyOf(db, name);
  const exitErrors = history.filter(
    (e) => e.EventType === "InvocationCompleted" && e.InvocationCompletedDetails?.Error?.Payload?.ErrorType === "Runtime.ExitError",
  );
  expect(exitErrors).toHaveLength(1);
  expect(history.filter((e) => e.EventType === "ExecutionSucceeded")).toHaveLength(1);
  const succeeded = history.filter((e) => e.EventType === "StepSucceeded").map((e) => e.Name);
  expect(succeeded).toEqual(["validate-order", "process-payment", "confirm-order"]);
}

describe.each(POINTS)("SIGKILL of the whole command (--no-isolate) right after the %s side effect, before its checkpoint", (point, expected) => {
  it("dies by SIGKILL, then the same command completes, re-running only the unrecorded step", async () => {
    const dir = tempDir();
    const db = path.join(dir, "crash.db");
    const ledger = path.join(dir, "ledger.jsonl");
    const name = `crash-${point.replace(".", "-")}`;
    const args = [...orderArgs(db, name, "--skip-time"), "--no-isolate"];
    const env = { DURABLE_LEDGER: ledger, DURABLE_CRASH_AFTER: point };

    const first = await runCli(args, { env });
    expect(first.signal, first.stdout + first.stderr).toBe("SIGKILL");
    expect(first.code).toBeNull();
    expect(ledgerCounts(ledger)[point]).toBe(1);

    const second = await runCli(args, { env });
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const record = lastJson(second.stdout);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result)).toEqual({ status: "completed", orderId: "o-1" });
    // Checkpointed steps are not run again; the step whose checkpoint was lost runs again
    // (at-least-once), and nothing else does.
    expect(ledgerCounts(ledger)).toEqual(expected);
    expectRecovered(db, name);
  });
});

describe.each(POINTS)("SIGKILL of the runtime process right after the %s side effect, before its checkpoint", (point, expected) => {
  it("the command goes on: the engine invokes again on a fresh process, re-running only the unrecorded step", async () => {
    const dir = tempDir();
    const db = path.join(dir, "crash.db");
    const ledger = path.join(dir, "ledger.jsonl");
    const name = `crash-${point.replace(".", "-")}`;
    const result = await runCli(orderArgs(db, name, "--skip-time"), { env: { DURABLE_LEDGER: ledger, DURABLE_CRASH_AFTER: point } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/failed: RequestId: \S+ Error: Runtime exited with error: signal: killed/);
    expect(JSON.parse(lastJson(result.stdout).Result)).toEqual({ status: "completed", orderId: "o-1" });
    expect(ledgerCounts(ledger)).toEqual(expected);
    expectRecovered(db, name);
  });
});

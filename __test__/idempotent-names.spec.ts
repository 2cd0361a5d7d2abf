// Execution names are idempotent as on AWS: the same name with the same input attaches to the
// execution (no side effect runs again; the stored result comes back), the same name with a
// different input is refused naming the name. Programmatic API and CLI.

import path from "node:path";

import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { DurableEngine, ExecutionAlreadyStartedError } from "../ts/index";
import { handler as orderHandler } from "../examples/order-processing";
import { ORDER_INPUT, lastJson, lines, orderArgs, requireCurrentDist, runCli } from "./helpers/cli";
import { historyOf } from "./helpers/engine";
import { ledgerCounts } from "./helpers/ledger";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-names-");
const ONCE = { "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 1 };

describe("idempotent execution names (programmatic)", () => {
  let dir: string;
  let ledger: string;
  let engine: DurableEngine;
  beforeEach(() => {
    dir = tempDir();
    ledger = path.join(dir, "ledger.jsonl");
    process.env.DURABLE_LEDGER = ledger;
    delete process.env.DURABLE_CRASH_AFTER;
    engine = DurableEngine.open({ path: path.join(dir, "names.db"), skipTime: true });
    engine.register("order-processing", orderHandler);
  });
  afterEach(() => {
    engine.close();
    delete process.env.DURABLE_LEDGER;
  });

  it("attaches to a finished execution and returns its stored result without side effects", async () => {
    const first = await engine.run("order-processing", ORDER_INPUT, { name: "order-o-1" });
    expect(first.Status).toBe("SUCCEEDED");
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    const historyLength = engine.history("order-o-1").length;

    const again = engine.start("order-processing", ORDER_INPUT, { name: "order-o-1" });
    expect(again.created).toBe(false);
    expect(again.execution.DurableExecutionArn).toBe(first.DurableExecutionArn);

    const second = await engine.run("order-processing", { ...ORDER_INPUT }, { name: "order-o-1" });
    expect(second.DurableExecutionArn).toBe(first.DurableExecutionArn);
    expect(second.Status).toBe("SUCCEEDED");
    expect(JSON.parse(second.Result!)).toEqual({ status: "completed", orderId: "o-1" });
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    expect(engine.history("order-o-1")).toHaveLength(historyLength);
  });

  it("attaches to an unfinished execution and finishes it once", async () => {
    const started = engine.start("order-processing", ORDER_INPUT, { name: "order-pending" });
    expect(started.created).toBe(true);
    const attached = engine.start("order-processing", ORDER_INPUT, { name: "order-pending" });
    expect(attached.created).toBe(false);
    expect(attached.execution.DurableExecutionArn).toBe(started.execution.DurableExecutionArn);

    const record = await engine.run("order-processing", ORDER_INPUT, { name: "order-pending" });
    expect(record.DurableExecutionArn).toBe(started.execution.DurableExecutionArn);
    expect(record.Status).toBe("SUCCEEDED");
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    expect(engine.list({ functionName: "order-processing" })).toHaveLength(1);
  });

  it("refuses the same name with a different input, naming the name", async () => {
    const first = await engine.run("order-processing", ORDER_INPUT, { name: "order-taken" });
    const other = { ...ORDER_INPUT, amount: 99 };
    expect(() => engine.start("order-processing", other, { name: "order-taken" })).toThrow(ExecutionAlreadyStartedError);
    expect(() => engine.start("order-processing", other, { name: "order-taken" })).toThrow(/"order-taken"/);
    await expect(engine.run("order-processing", other, { name: "order-taken" })).rejects.toBeInstanceOf(ExecutionAlreadyStartedError);
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    const kept = engine.get("order-taken");
    expect(kept.DurableExecutionArn).toBe(first.DurableExecutionArn);
    expect(JSON.parse(kept.InputPayload!)).toEqual(ORDER_INPUT);
  });
});

describe("idempotent execution names (CLI)", () => {
  beforeAll(requireCurrentDist);

  it("re-running the same command prints the stored result without side effects", async () => {
    const dir = tempDir();
    const db = path.join(dir, "cli.db");
    const ledger = path.join(dir, "ledger.jsonl");
    const env = { DURABLE_LEDGER: ledger };

    const first = await runCli(orderArgs(db, "cli-order", "--skip-time"), { env });
    expect(first.code, first.stderr).toBe(0);
    const record = lastJson(first.stdout);
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    const historyLength = historyOf(db, "cli-order").length;

    const second = await runCli(orderArgs(db, "cli-order", "--skip-time"), { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/attached to execution cli-order/);
    expect(second.stdout).not.toMatch(/invocation \d+ started/);
    expect(second.stdout).toContain(`SUCCEEDED ${JSON.stringify({ status: "completed", orderId: "o-1" })}`);
    expect(lastJson(second.stdout)).toEqual(record);
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    expect(historyOf(db, "cli-order")).toHaveLength(historyLength);
  });

  it("refuses the same name with a different input: exit 2 and one error line naming the name", async () => {
    const dir = tempDir();
    const db = path.join(dir, "cli.db");
    const ledger = path.join(dir, "ledger.jsonl");
    const env = { DURABLE_LEDGER: ledger };
    const first = await runCli(orderArgs(db, "cli-taken", "--skip-time"), { env });
    expect(first.code, first.stderr).toBe(0);

    const args = orderArgs(db, "cli-taken", "--skip-time");
    args[args.indexOf("--input") + 1] = JSON.stringify({ ...ORDER_INPUT, orderId: "o-2" });
    const refused = await runCli(args, { env });
    expect(refused.code).toBe(2);
    expect(lines(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toMatch(/^error: .*"cli-taken"/);
    expect(ledgerCounts(ledger)).toEqual(ONCE);
    expect(historyOf(db, "cli-taken").filter((e) => e.EventType === "ExecutionStarted")).toHaveLength(1);
  });
});

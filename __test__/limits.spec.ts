// Size limits (API.md §15): 256 KB per operation payload (step results, waitForCondition
// state, invoke input, a child context's summary, callback results), 1 MB error objects, the
// 6 MB execution input and handler result. Each is a clear error naming the operation, its
// size and the limit; a refused checkpoint leaves no partial records and the database works on.

import path from "node:path";

import { describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { DurableEngine, PayloadTooLargeError } from "../ts/index";
import { hashId, opsOf } from "./helpers/ops";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-limits-");
const LIMIT = 262_144;
const noRetry = { retryStrategy: () => ({ shouldRetry: false }) };

/** Runs `body` as a handler on a fresh file-backed engine; returns the engine (open) and the record. */
async function runOnce(body: (ctx: DurableContext) => Promise<unknown>) {
  const db = path.join(tempDir(), "limits.db");
  const engine = DurableEngine.open({ path: db, skipTime: true });
  engine.register("limited", withDurableExecution(async (_event, ctx) => body(ctx)));
  const record = await engine.run("limited");
  return { engine, db, record };
}

describe("256 KB per operation", () => {
  const cases: Array<[string, (ctx: DurableContext) => Promise<unknown>, string]> = [
    ["a step result", (ctx) => ctx.step("huge", async () => "x".repeat(LIMIT)), `Payload of operation ${hashId("1")} (STEP SUCCEED) is 262146 bytes, over the limit of 262144 bytes`],
    [
      "a waitForCondition state",
      (ctx) => ctx.waitForCondition(async () => "s".repeat(300_000), { initialState: "", waitStrategy: () => ({ shouldContinue: false }) }),
      `Payload of operation ${hashId("1")} (STEP SUCCEED) is 300002 bytes, over the limit of 262144 bytes`,
    ],
    [
      "an invoke input",
      (ctx) => ctx.invoke("target", { blob: "i".repeat(300_000) }),
      `Payload of operation ${hashId("1")} (CHAINED_INVOKE START) is 300011 bytes, over the limit of 262144 bytes`,
    ],
    [
      "a child context's summary",
      (ctx) => ctx.runInChildContext("c", async () => "c".repeat(300_000), { summaryGenerator: (r) => `summary of ${r}` }),
      `Payload of operation ${hashId("1")} (CONTEXT SUCCEED) is 300011 bytes, over the limit of 262144 bytes`,
    ],
    [
      "a step inside a child",
      (ctx) => ctx.runInChildContext("c", async (child) => child.step("inner", async () => "y".repeat(270_000))),
      `Payload of operation ${hashId("1-1")} (STEP SUCCEED) is 270002 bytes, over the limit of 262144 bytes`,
    ],
  ];

  it.each(cases)("%s over the limit fails the execution with PayloadTooLargeError naming operation, size and limit; nothing partial is recorded", async (_label, body, message) => {
    const { engine, record } = await runOnce(body);
    try {
      expect(record.Status).toBe("FAILED");
      expect(record.Error).toEqual({ ErrorType: "PayloadTooLargeError", ErrorMessage: message });
      // The refused checkpoint was all-or-nothing: the operation it would have started or
      // finished has no half-written record.
      const refusedId = /operation ([0-9a-f]{16})/.exec(message)![1];
      expect(opsOf(engine, record.DurableExecutionArn).find((o) => o.Id === refusedId && o.Status === "SUCCEEDED")).toBeUndefined();
    } finally {
      engine.close();
    }
  });

  it("exactly 262,144 bytes is accepted", async () => {
    // JSON adds two quotes.
    const { engine, record } = await runOnce(async (ctx) => (await ctx.step("edge", async () => "x".repeat(LIMIT - 2))).length);
    try {
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toBe(LIMIT - 2);
      expect(opsOf(engine, record.DurableExecutionArn)[0].StepDetails.Result).toHaveLength(LIMIT);
    } finally {
      engine.close();
    }
  });

  it("after a refusal the database is intact: reopened, the failed execution reads back and new executions run", async () => {
    const { engine, db, record } = await runOnce((ctx) => ctx.step("huge", async () => "x".repeat(300_000)));
    engine.close();
    const reopened = DurableEngine.open({ path: db, skipTime: true });
    try {
      expect(reopened.get(record.DurableExecutionArn)).toEqual(record);
      reopened.register("small", withDurableExecution(async (_e, ctx) => ctx.step(async () => "fits")));
      const next = await reopened.run("small");
      expect(next.Status).toBe("SUCCEEDED");
      expect(JSON.parse(next.Result!)).toBe("fits");
    } finally {
      reopened.close();
    }
  });

  it("a callback result over the limit is refused to the sender; the callback stays open and can still be completed", async () => {
    const db = path.join(tempDir(), "callback.db");
    const engine = DurableEngine.open({ path: db, skipTime: true });
    try {
      const refusals: unknown[] = [];
      engine.register(
        "approval",
        withDurableExecution(async (_event, ctx) => {
          const [promise] = await ctx.createCallback("approval");
          return promise;
        }),
      );
      const { execution } = engine.start("approval");
      const arn = execution.DurableExecutionArn;
      const done = engine.drive(arn, {
        afterInvocation: () => {
          const op = opsOf(engine, arn).find((o) => o.Type === "CALLBACK" && o.Status === "STARTED");
          if (!op) return;
          const id = op.CallbackDetails.CallbackId as string;
          try {
            engine.sendCallbackSuccess(id, JSON.stringify("r".repeat(300_000)));
          } catch (e) {
            refusals.push([e instanceof PayloadTooLargeError, (e as Error).message]);
          }
          engine.sendCallbackSuccess(id, '"small answer"');
        },
      });
      const record = await done;
      expect(refusals).toEqual([[true, "callback result is 300002 bytes, over the limit of 262144 bytes"]]);
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toBe('"small answer"');
    } finally {
      engine.close();
    }
  });
});

describe("other limits", () => {
  it("the 3,001st operation of an execution fails it, naming the operation and the limit; the 3,000 before stay", async () => {
    const { engine, record } = await runOnce(async (ctx) => {
      for (let i = 0; i < 3001; i++) await ctx.step(async () => i);
    });
    try {
      expect(record.Status).toBe("FAILED");
      expect(record.Error?.ErrorMessage).toContain(hashId("3001"));
      expect(record.Error?.ErrorMessage).toContain("the limit is 3000 operations per execution");
      const steps = engine.operations(record.DurableExecutionArn).filter((o) => o.Type === "STEP");
      expect(steps).toHaveLength(3000);
      expect(steps.every((o) => o.Status === "SUCCEEDED")).toBe(true);
    } finally {
      engine.close();
    }
  });

  it("an error object over 1 MB fails the execution naming the operation and the limit", async () => {
    const { engine, record } = await runOnce((ctx) =>
      ctx.step("loud", async () => {
        throw new Error("e".repeat(1_100_000));
      }, noRetry),
    );
    try {
      expect(record.Status).toBe("FAILED");
      expect(record.Error?.ErrorType).toBe("PayloadTooLargeError");
      expect(record.Error?.ErrorMessage).toMatch(new RegExp(`^Error of operation ${hashId("1")} \\(STEP FAIL\\) is \\d+ bytes, over the limit of 1048576 bytes$`));
    } finally {
      engine.close();
    }
  });

  it("an execution input over 6 MB is refused at start, and nothing is created", () => {
    const engine = DurableEngine.open({ path: path.join(tempDir(), "input.db"), skipTime: true });
    try {
      engine.register("big-input", withDurableExecution(async () => "never runs"));
      expect(() => engine.start("big-input", "q".repeat(6_291_456), { name: "too-big" })).toThrow(PayloadTooLargeError);
      expect(() => engine.start("big-input", "q".repeat(6_291_456), { name: "too-big" })).toThrow("execution input is 6291458 bytes, over the limit of 6291456 bytes");
      expect(engine.list()).toEqual([]);
    } finally {
      engine.close();
    }
  });

  it("a handler result just over the Lambda response limit is checkpointed as the execution's result (API.md §3.5)", async () => {
    const value = "y".repeat(6_291_420);
    const { engine, record } = await runOnce(async () => value);
    try {
      expect(record.Status).toBe("SUCCEEDED");
      expect(record.Result).toBe(JSON.stringify(value));
      expect(engine.history(record.DurableExecutionArn).at(-1)?.EventType).toBe("InvocationCompleted");
    } finally {
      engine.close();
    }
  });

  it("a handler result over the execution result limit fails the execution saying so", async () => {
    const { engine, record } = await runOnce(async () => "z".repeat(7_000_000));
    try {
      expect(record.Status).toBe("FAILED");
      expect(record.Error?.ErrorMessage).toMatch(/is 7000002 bytes, over the limit of 6291456 bytes/);
    } finally {
      engine.close();
    }
  });
});

// The testing API used exactly as with the official runner (imports by the official package
// names), plus what durable-node adds: time skipped by the engine with no fake timers.

import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { LocalDurableTestRunner, OperationStatus, OperationType } from "@aws/durable-execution-sdk-js-testing";

const flaky = { calls: 0 };
const handler = withDurableExecution(async (event: { name: string }, context) => {
  const greeting = await context.step("greet", async () => `Hello, ${event.name}!`);
  await context.wait("pause", { hours: 2 });
  const shout = await context.step(
    "shout",
    async () => {
      flaky.calls++;
      if (flaky.calls < 3) throw new Error(`flaky ${flaky.calls}`);
      return greeting.toUpperCase();
    },
    { retryStrategy: (_e, attempt) => ({ shouldRetry: attempt < 5, delay: { seconds: 30 } }) },
  );
  return { greeting, shout };
});

describe("LocalDurableTestRunner (durable-node/testing)", () => {
  beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
  afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

  it("runs while the test has fake timers installed (the SDK keeps the real ones)", async () => {
    vi.useFakeTimers();
    try {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_event: unknown, ctx) => {
          const a = await ctx.step("a", async () => 1);
          await ctx.wait({ minutes: 5 });
          return a + (await ctx.step("b", async () => 2));
        }),
      });
      const result = await runner.run({ payload: {} });
      expect(result.getResult()).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });

  it("runs to the end with skipped waits and retries, keeping every invocation", async () => {
    flaky.calls = 0;
    const runner = new LocalDurableTestRunner({ handlerFunction: handler });
    const shout = runner.getOperation("shout");
    const started = Date.now();
    const result = await runner.run({ payload: { name: "Ada" } });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.getStatus()).toBe("SUCCEEDED");
    expect(result.getResult()).toEqual({ greeting: "Hello, Ada!", shout: "HELLO, ADA!" });
    expect(() => result.getError()).toThrow("Cannot get error for succeeded execution");

    expect(shout.getType()).toBe(OperationType.STEP);
    expect(shout.getStatus()).toBe(OperationStatus.SUCCEEDED);
    expect(shout.getStepDetails()).toMatchObject({ attempt: 3, result: "HELLO, ADA!" });
    expect(() => shout.getWaitDetails()).toThrow("Operation type STEP is not WAIT");
    expect(runner.getOperation("pause").getWaitDetails()?.waitSeconds).toBe(7200);
    expect(runner.getOperationByIndex(0).getName()).toBe("greet");
    expect(runner.getOperationById("c4ca4238a0b92382").getName()).toBe("greet");

    // One invocation to the wait, one per retry delay, one to the end: as in real time.
    expect(result.getInvocations()).toHaveLength(4);
    const types = result.getHistoryEvents().map((e) => e.EventType);
    expect(types.slice(0, 6)).toEqual(["ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted", "InvocationCompleted", "WaitSucceeded"]);
    expect(types.filter((t) => t === "InvocationCompleted")).toHaveLength(4);
    expect(result.getOperations({ status: OperationStatus.SUCCEEDED })).toHaveLength(3);
  });

  it("reports a failed execution's error", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async () => {
        throw new TypeError("nope");
      }),
    });
    const result = await runner.run();
    expect(result.getStatus()).toBe("FAILED");
    expect(result.getError()).toMatchObject({ errorType: "TypeError", errorMessage: "nope" });
    expect(() => result.getResult()).toThrow("nope");
  });

  it("isolates runners running in parallel", async () => {
    const make = (n: number) =>
      new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, ctx) => {
          let sum = 0;
          for (let i = 0; i < n; i++) sum += await ctx.step(async () => i);
          await ctx.wait({ seconds: 5 });
          return sum;
        }),
      });
    const results = await Promise.all([make(10).run(), make(20).run(), make(30).run()]);
    expect(results.map((r) => r.getResult())).toEqual([45, 190, 435]);
    expect(results.map((r) => r.getOperations().length)).toEqual([11, 21, 31]);
  });
});

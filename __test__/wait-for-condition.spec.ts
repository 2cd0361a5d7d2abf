// context.waitForCondition (API.md §6.7) and createWaitStrategy (§9): one check per invocation
// with the state carried in the record between polls, the delays recorded, replay of a finished
// poll, custom strategies, exhaustion of maxAttempts, failing checks and strategies, serdes of
// the state, and argument errors.

import { describe, expect, it } from "vitest";

import { JitterStrategy, createWaitStrategy, withDurableExecution, type Serdes, type WaitForConditionDecision } from "@aws/durable-execution-sdk-js";
import { StepError } from "../ts/index";
import { engines, eventsOf, hashId, invocationsOf, opAt, opsOf } from "./helpers/ops";

const engine = engines("durable-node-wfc-");

interface Job {
  polls: number;
  status: string;
}

describe("waitForCondition", () => {
  it("checks once per invocation, carrying the state in the record, until the strategy says stop; replays the result afterwards", async () => {
    const e = engine();
    const checks: Array<[Job, number]> = [];
    const seen: Job[] = [];
    e.register(
      "poll",
      withDurableExecution(async (_event, ctx) => {
        const final = await ctx.waitForCondition(
          "job-done",
          async (state: Job, { attempt }) => {
            checks.push([state, attempt]);
            const polls = state.polls + 1;
            return { polls, status: polls >= 3 ? "DONE" : "RUNNING" };
          },
          {
            initialState: { polls: 0, status: "NEW" },
            waitStrategy: createWaitStrategy({ shouldContinuePolling: (s: Job) => s.status !== "DONE", initialDelay: { seconds: 2 }, backoffRate: 2, jitter: JitterStrategy.NONE }),
          },
        );
        seen.push(final);
        await ctx.wait({ seconds: 1 });
        return final;
      }),
    );
    const record = await e.run("poll");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toEqual({ polls: 3, status: "DONE" });
    expect(checks).toEqual([
      [{ polls: 0, status: "NEW" }, 1],
      [{ polls: 1, status: "RUNNING" }, 2],
      [{ polls: 2, status: "RUNNING" }, 3],
    ]);
    // Three checks, each in its own invocation, plus the one after the final wait.
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(4);
    expect(seen).toEqual([
      { polls: 3, status: "DONE" },
      { polls: 3, status: "DONE" },
    ]);
    const op = opAt(e, record.DurableExecutionArn, "1")!;
    expect(op).toMatchObject({ Type: "STEP", SubType: "WaitForCondition", Name: "job-done", Status: "SUCCEEDED" });
    expect(op.StepDetails).toMatchObject({ Attempt: 3, Result: '{"polls":3,"status":"DONE"}' });
    // Each "continue" is recorded with the state and the strategy's delay (2 s, then 4 s).
    const polls = eventsOf(e, record.DurableExecutionArn).filter((ev) => ev.EventType === "StepSucceeded");
    expect(polls.map((ev) => [ev.StepSucceededDetails.Result.Payload, ev.StepSucceededDetails.RetryDetails])).toEqual([
      ['{"polls":1,"status":"RUNNING"}', { CurrentAttempt: 1, NextAttemptDelaySeconds: 2 }],
      ['{"polls":2,"status":"RUNNING"}', { CurrentAttempt: 2, NextAttemptDelaySeconds: 4 }],
      ['{"polls":3,"status":"DONE"}', { CurrentAttempt: 3 }],
    ]);
  });

  it("stops at once when the first check already satisfies the condition", async () => {
    const e = engine();
    let checks = 0;
    e.register(
      "ready",
      withDurableExecution(async (_event, ctx) =>
        ctx.waitForCondition(
          async (n: number) => {
            checks++;
            return n + 10;
          },
          { initialState: 1, waitStrategy: createWaitStrategy({ shouldContinuePolling: (n: number) => n < 5 }) },
        ),
      ),
    );
    const record = await e.run("ready");
    expect(JSON.parse(record.Result!)).toBe(11);
    expect(checks).toBe(1);
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(1);
    expect(opsOf(e, record.DurableExecutionArn).map((o) => [o.Id, o.Name])).toEqual([[hashId("1"), undefined]]);
  });

  it("a custom strategy gets the round-tripped state and the attempt, and its delay is recorded in seconds", async () => {
    const e = engine();
    const calls: Array<[unknown, number]> = [];
    const strategy = (state: { at: Date | string }, attempt: number): WaitForConditionDecision => {
      calls.push([state, attempt]);
      return attempt < 2 ? { shouldContinue: true, delay: { minutes: 1, seconds: 5 } } : { shouldContinue: false };
    };
    e.register(
      "custom",
      withDurableExecution(async (_event, ctx) =>
        ctx.waitForCondition(async () => ({ at: new Date("2031-05-06T00:00:00.000Z") }), { initialState: { at: "never" }, waitStrategy: strategy }),
      ),
    );
    const record = await e.run("custom");
    expect(JSON.parse(record.Result!)).toEqual({ at: "2031-05-06T00:00:00.000Z" });
    // JSON round trip: the strategy sees the Date as its string, as a replay would.
    expect(calls).toEqual([
      [{ at: "2031-05-06T00:00:00.000Z" }, 1],
      [{ at: "2031-05-06T00:00:00.000Z" }, 2],
    ]);
    const retried = eventsOf(e, record.DurableExecutionArn).find((ev) => ev.StepSucceededDetails?.RetryDetails?.NextAttemptDelaySeconds);
    expect(retried!.StepSucceededDetails.RetryDetails.NextAttemptDelaySeconds).toBe(65);
  });

  it("uses the configured serdes for the state between polls", async () => {
    const e = engine();
    class Counter {
      constructor(public n = 0) {}
      next() {
        return new Counter(this.n + 1);
      }
    }
    const counterSerdes: Serdes<Counter> = {
      serialize: async (c) => (c === undefined ? undefined : `counter:${c.n}`),
      deserialize: async (s) => (s === undefined ? undefined : new Counter(Number(s.slice("counter:".length)))),
    };
    const kinds: string[] = [];
    e.register(
      "serdes",
      withDurableExecution(async (_event, ctx) => {
        const c = await ctx.waitForCondition(
          async (state: Counter) => {
            kinds.push(`${state instanceof Counter}:${state.n}`);
            return state.next();
          },
          { initialState: new Counter(), serdes: counterSerdes, waitStrategy: (s) => (s.n < 3 ? { shouldContinue: true, delay: { seconds: 1 } } : { shouldContinue: false }) },
        );
        return c instanceof Counter ? c.n : "not a Counter";
      }),
    );
    const record = await e.run("serdes");
    expect(JSON.parse(record.Result!)).toBe(3);
    expect(kinds).toEqual(["true:0", "true:1", "true:2"]);
    expect(opAt(e, record.DurableExecutionArn, "1")!.StepDetails.Result).toBe("counter:3");
  });
});

describe("waitForCondition failures", () => {
  it("gives up when createWaitStrategy's maxAttempts is exhausted: the operation FAILs and user code sees a StepError, also on replay", async () => {
    const e = engine();
    let checks = 0;
    const seen: unknown[] = [];
    e.register(
      "exhausted",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.waitForCondition(
            "never-ready",
            async (s: number) => {
              checks++;
              return s + 1;
            },
            { initialState: 0, waitStrategy: createWaitStrategy({ maxAttempts: 3, shouldContinuePolling: () => true, initialDelay: { seconds: 1 } }) },
          );
        } catch (err) {
          seen.push([err instanceof StepError, (err as Error).message, (err as StepError).cause?.name]);
        }
        await ctx.wait({ seconds: 1 });
        return "handled";
      }),
    );
    const record = await e.run("exhausted");
    expect(record.Status).toBe("SUCCEEDED");
    expect(checks).toBe(3);
    const expected = [true, "waitForCondition exceeded maximum attempts (3)", "Error"];
    expect(seen).toEqual([expected, expected]);
    const op = opAt(e, record.DurableExecutionArn, "1")!;
    expect(op.Status).toBe("FAILED");
    expect(op.StepDetails.Error).toMatchObject({ ErrorType: "Error", ErrorMessage: "waitForCondition exceeded maximum attempts (3)" });
  });

  it("uncaught exhaustion fails the execution with ErrorType StepError", async () => {
    const e = engine();
    e.register(
      "exhausted-uncaught",
      withDurableExecution(async (_event, ctx) =>
        ctx.waitForCondition(async (s: number) => s, { initialState: 0, waitStrategy: createWaitStrategy({ maxAttempts: 2, shouldContinuePolling: () => true }) }),
      ),
    );
    const record = await e.run("exhausted-uncaught");
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "StepError", ErrorMessage: "waitForCondition exceeded maximum attempts (2)" });
  });

  it("a throwing check fails the operation at once (no retry); the cause keeps the error's name", async () => {
    const e = engine();
    let checks = 0;
    e.register(
      "check-throws",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.waitForCondition(
            async () => {
              checks++;
              throw new RangeError("status endpoint said 500");
            },
            { initialState: 0, waitStrategy: () => ({ shouldContinue: true, delay: { seconds: 1 } }) },
          );
          return "no error";
        } catch (err) {
          return [(err as Error).name, (err as Error).message, (err as StepError).cause?.name];
        }
      }),
    );
    const record = await e.run("check-throws");
    expect(JSON.parse(record.Result!)).toEqual(["StepError", "status endpoint said 500", "RangeError"]);
    expect(checks).toBe(1);
  });

  it("a strategy that answers nonsense fails the operation with an error showing what it returned", async () => {
    const e = engine();
    e.register(
      "nonsense",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.waitForCondition("bad-strategy", async (s: number) => s, { initialState: 0, waitStrategy: () => ({ keepGoing: "yes" }) as never });
          return "no error";
        } catch (err) {
          return (err as Error).message;
        }
      }),
    );
    const record = await e.run("nonsense");
    const message = JSON.parse(record.Result!);
    expect(message).toContain('waitStrategy of waitForCondition "bad-strategy" returned {"keepGoing":"yes"}');
    expect(opAt(e, record.DurableExecutionArn, "1")!.Status).toBe("FAILED");
  });

  it.each([
    ["no config", undefined],
    ["no waitStrategy", { initialState: 0 }],
    ["no initialState", { waitStrategy: () => ({ shouldContinue: false }) }],
  ])("%s: throws at call time and records nothing", async (_label, config) => {
    const e = engine();
    e.register(
      "args",
      withDurableExecution(async (_event, ctx) => {
        try {
          ctx.waitForCondition(async (s: unknown) => s, config as never);
          return "not thrown";
        } catch (err) {
          return (err as Error).message;
        }
      }),
    );
    const record = await e.run("args");
    expect(JSON.parse(record.Result!)).toBe("waitForCondition requires config with waitStrategy and initialState");
    expect(opsOf(e, record.DurableExecutionArn)).toEqual([]);
  });
});

describe("createWaitStrategy", () => {
  it("backs off from initialDelay by backoffRate, capped by maxDelay, rounded to whole seconds (no jitter)", () => {
    const s = createWaitStrategy({ shouldContinuePolling: () => true, initialDelay: { seconds: 5 }, backoffRate: 1.5, maxDelay: { seconds: 12 }, jitter: JitterStrategy.NONE });
    expect([1, 2, 3, 4].map((a) => s(null, a))).toEqual([
      { shouldContinue: true, delay: { seconds: 5 } },
      { shouldContinue: true, delay: { seconds: 8 } }, // 7.5 rounds up
      { shouldContinue: true, delay: { seconds: 11 } }, // 11.25
      { shouldContinue: true, delay: { seconds: 12 } }, // 16.875 capped
    ]);
  });

  it("defaults: 60 attempts, 5 s initial delay, 1.5 backoff, 300 s cap, full jitter within 1..base", () => {
    const s = createWaitStrategy({ shouldContinuePolling: () => true });
    for (let i = 0; i < 50; i++) {
      const d = s(undefined, 1) as { shouldContinue: true; delay: { seconds: number } };
      expect(d.shouldContinue).toBe(true);
      expect(d.delay.seconds).toBeGreaterThanOrEqual(1);
      expect(d.delay.seconds).toBeLessThanOrEqual(5);
      const late = s(undefined, 59) as { delay: { seconds: number } };
      expect(late.delay.seconds).toBeLessThanOrEqual(300);
    }
    expect(() => s(undefined, 60)).toThrow("waitForCondition exceeded maximum attempts (60)");
  });

  it("half jitter stays within base/2..base", () => {
    const s = createWaitStrategy({ shouldContinuePolling: () => true, initialDelay: { seconds: 20 }, jitter: JitterStrategy.HALF });
    for (let i = 0; i < 50; i++) {
      const { delay } = s(0, 1) as { delay: { seconds: number } };
      expect(delay.seconds).toBeGreaterThanOrEqual(10);
      expect(delay.seconds).toBeLessThanOrEqual(20);
    }
  });

  it("stops as soon as shouldContinuePolling is false, even past maxAttempts", () => {
    const s = createWaitStrategy({ maxAttempts: 2, shouldContinuePolling: (x: number) => x < 10 });
    expect(s(10, 1)).toEqual({ shouldContinue: false });
    expect(s(10, 99)).toEqual({ shouldContinue: false });
    expect(() => s(3, 2)).toThrow("waitForCondition exceeded maximum attempts (2)");
  });
});

// Retries (API.md §6.1, §8): the strategy functions and presets, step retries as engine timers
// (one attempt per invocation, attempts counted as AWS does, §8.5), the default strategy,
// error filters, nonsense from a strategy, step semantics for an attempt found STARTED on
// replay (AtMostOncePerRetry vs AtLeastOncePerRetry), and withRetry around a block.

import path from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import {
  ChildContextError,
  JitterStrategy,
  StepError,
  StepSemantics,
  createLinearRetryStrategy,
  createRetryStrategy,
  retryPresets,
  withDurableExecution,
  withRetry,
  type RetryDecision,
  type Serdes,
} from "@aws/durable-execution-sdk-js";
import { DurableEngine, InvocationFailedError } from "../ts/index";
import { engines, eventsOf, hashId, invocationsOf, opAt, opsOf } from "./helpers/ops";
import { tempDirs } from "./helpers/temp";

const engine = engines("durable-node-retry-");
const err = (message = "boom") => new Error(message);
const seconds = (d: RetryDecision) => (d.delay as { seconds: number } | undefined)?.seconds;

describe("createRetryStrategy", () => {
  it("defaults: 3 attempts, 5 s doubling, full jitter within 1..base", () => {
    const s = createRetryStrategy();
    for (let i = 0; i < 50; i++) {
      const first = s(err(), 1);
      const second = s(err(), 2);
      expect(first.shouldRetry && second.shouldRetry).toBe(true);
      expect(seconds(first)).toBeGreaterThanOrEqual(1);
      expect(seconds(first)).toBeLessThanOrEqual(5);
      expect(seconds(second)).toBeLessThanOrEqual(10);
    }
    expect(s(err(), 3)).toEqual({ shouldRetry: false });
  });

  it("without jitter: initialDelay × backoffRate^(attempt-1), capped by maxDelay, at least 1 s", () => {
    const s = createRetryStrategy({ maxAttempts: 10, initialDelay: { seconds: 3 }, backoffRate: 3, maxDelay: { minutes: 1 }, jitter: JitterStrategy.NONE });
    expect([1, 2, 3, 4, 5].map((a) => seconds(s(err(), a)))).toEqual([3, 9, 27, 60, 60]);
    const zero = createRetryStrategy({ initialDelay: { seconds: 0 }, jitter: JitterStrategy.NONE });
    expect(zero(err(), 1)).toEqual({ shouldRetry: true, delay: { seconds: 1 } });
  });

  it("half jitter stays within base/2..base", () => {
    const s = createRetryStrategy({ initialDelay: { seconds: 40 }, jitter: JitterStrategy.HALF });
    for (let i = 0; i < 50; i++) {
      expect(seconds(s(err(), 1))).toBeGreaterThanOrEqual(20);
      expect(seconds(s(err(), 1))).toBeLessThanOrEqual(40);
    }
  });

  it("error filters: message substrings or RegExps, or instanceof a listed type (either one suffices)", () => {
    class Throttled extends Error {}
    const s = createRetryStrategy({ maxAttempts: 5, retryableErrors: ["timeout", /^HTTP 5\d\d/], retryableErrorTypes: [Throttled] });
    expect(s(err("socket timeout after 3s"), 1).shouldRetry).toBe(true);
    expect(s(err("HTTP 503 from upstream"), 1).shouldRetry).toBe(true);
    expect(s(new Throttled("slow down"), 1).shouldRetry).toBe(true);
    expect(s(err("HTTP 404"), 1)).toEqual({ shouldRetry: false });
    expect(s(err("validation failed"), 1)).toEqual({ shouldRetry: false });
    // A retryable error still stops at maxAttempts.
    expect(s(err("timeout"), 5)).toEqual({ shouldRetry: false });
  });
});

describe("createLinearRetryStrategy and retryPresets", () => {
  it("linear: initialDelay + increment × (attempt-1), capped, 6 attempts by default", () => {
    const s = createLinearRetryStrategy({ initialDelay: { seconds: 2 }, increment: { seconds: 3 }, maxDelay: { seconds: 10 }, jitter: JitterStrategy.NONE });
    expect([1, 2, 3, 4, 5].map((a) => seconds(s(err(), a)))).toEqual([2, 5, 8, 10, 10]);
    expect(s(err(), 6)).toEqual({ shouldRetry: false });
  });

  it("retryPresets.linear waits 1, 2, 3, 4, 5 s and gives up after 6 attempts", () => {
    expect([1, 2, 3, 4, 5].map((a) => seconds(retryPresets.linear(err(), a)))).toEqual([1, 2, 3, 4, 5]);
    expect(retryPresets.linear(err(), 6)).toEqual({ shouldRetry: false });
  });

  it("retryPresets.default: 6 attempts, bases 5, 10, 20, 40, 60 s with full jitter", () => {
    for (let i = 0; i < 50; i++) {
      [5, 10, 20, 40, 60].forEach((base, k) => {
        const d = retryPresets.default(err(), k + 1);
        expect(d.shouldRetry).toBe(true);
        expect(seconds(d)).toBeGreaterThanOrEqual(1);
        expect(seconds(d)).toBeLessThanOrEqual(base);
      });
    }
    expect(retryPresets.default(err(), 6)).toEqual({ shouldRetry: false });
  });

  it("retryPresets.noRetry never retries", () => {
    expect(retryPresets.noRetry(err(), 1)).toEqual({ shouldRetry: false });
  });
});

describe("step retries on the engine", () => {
  it("retries through engine timers, one attempt per invocation, counting attempts as AWS does; replays the result afterwards", async () => {
    const e = engine();
    const attempts: number[] = [];
    const strategyCalls: Array<[string, number]> = [];
    let replays = 0;
    e.register(
      "flaky",
      withDurableExecution(async (_event, ctx) => {
        const value = await ctx.step(
          "flaky",
          async ({ attempt }) => {
            attempts.push(attempt);
            if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
            return `ok on ${attempt}`;
          },
          {
            retryStrategy: (error, attemptCount) => {
              strategyCalls.push([error.message, attemptCount]);
              return { shouldRetry: true, delay: { seconds: attemptCount * 7 } };
            },
          },
        );
        replays++;
        await ctx.wait({ seconds: 1 });
        return value;
      }),
    );
    const record = await e.run("flaky");
    expect(JSON.parse(record.Result!)).toBe("ok on 3");
    expect(attempts).toEqual([1, 2, 3]);
    expect(strategyCalls).toEqual([
      ["attempt 1 failed", 1],
      ["attempt 2 failed", 2],
    ]);
    // Attempts 1 and 2 each end their invocation (retry scheduled); attempt 3 succeeds and the
    // handler suspends on its wait; the last invocation replays the step.
    const arn = record.DurableExecutionArn;
    expect(invocationsOf(e, arn)).toBe(4);
    expect(replays).toBe(2);
    expect(opAt(e, arn, "1")!.StepDetails).toEqual({ Attempt: 3, Result: '"ok on 3"' });
    const steps = eventsOf(e, arn).filter((ev) => ev.Id === hashId("1"));
    expect(steps.map((ev) => ev.EventType)).toEqual(["StepStarted", "StepFailed", "StepStarted", "StepFailed", "StepStarted", "StepSucceeded"]);
    const failed = steps.filter((ev) => ev.EventType === "StepFailed");
    expect(failed.map((ev) => ev.StepFailedDetails.RetryDetails)).toEqual([
      { CurrentAttempt: 1, NextAttemptDelaySeconds: 7 },
      { CurrentAttempt: 2, NextAttemptDelaySeconds: 14 },
    ]);
    // Each next attempt starts no earlier than the delay (engine clock).
    const gap = (k: number) => Date.parse(steps[2 * k + 2].EventTimestamp) - Date.parse(steps[2 * k + 1].EventTimestamp);
    expect(gap(0)).toBeGreaterThanOrEqual(7_000);
    expect(gap(1)).toBeGreaterThanOrEqual(14_000);
  });

  it("maxAttempts 4, always failing: three retries, then FAIL on attempt 4 with that attempt's error", async () => {
    const e = engine();
    let calls = 0;
    e.register(
      "always",
      withDurableExecution(async (_event, ctx) =>
        ctx.step(
          "always",
          async ({ attempt }) => {
            calls++;
            throw new RangeError(`failure ${attempt}`);
          },
          { retryStrategy: createRetryStrategy({ maxAttempts: 4, initialDelay: { seconds: 1 }, jitter: JitterStrategy.NONE }) },
        ),
      ),
    );
    const record = await e.run("always");
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "StepError", ErrorMessage: "failure 4" });
    expect(calls).toBe(4);
    const arn = record.DurableExecutionArn;
    expect(opAt(e, arn, "1")!.StepDetails).toMatchObject({ Attempt: 4, Error: { ErrorType: "RangeError", ErrorMessage: "failure 4" } });
    const details = eventsOf(e, arn)
      .filter((ev) => ev.EventType === "StepFailed")
      .map((ev) => ev.StepFailedDetails.RetryDetails);
    expect(details).toEqual([
      { CurrentAttempt: 1, NextAttemptDelaySeconds: 1 },
      { CurrentAttempt: 2, NextAttemptDelaySeconds: 2 },
      { CurrentAttempt: 3, NextAttemptDelaySeconds: 4 },
      { CurrentAttempt: 4 },
    ]);
  });

  it.each([
    ["no retryStrategy", undefined],
    ["a strategy answering undefined", () => undefined as unknown as RetryDecision],
  ])("%s: retryPresets.default applies (6 attempts)", async (_label, retryStrategy) => {
    const e = engine();
    let calls = 0;
    e.register(
      "default",
      withDurableExecution(async (_event, ctx) =>
        ctx.step(async () => {
          calls++;
          throw new Error("still broken");
        }, { retryStrategy }),
      ),
    );
    const record = await e.run("default");
    expect(record.Status).toBe("FAILED");
    expect(calls).toBe(6);
    expect(opAt(e, record.DurableExecutionArn, "1")!.StepDetails.Attempt).toBe(6);
  });

  it("an error the filter does not list fails at once", async () => {
    const e = engine();
    let calls = 0;
    e.register(
      "filtered",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.step(async () => {
            calls++;
            throw new Error("validation failed: amount");
          }, { retryStrategy: createRetryStrategy({ retryableErrors: ["timeout"] }) });
          return "no error";
        } catch (e) {
          return [(e as Error).name, (e as Error).message];
        }
      }),
    );
    const record = await e.run("filtered");
    expect(JSON.parse(record.Result!)).toEqual(["StepError", "validation failed: amount"]);
    expect(calls).toBe(1);
  });

  it("a thrown non-Error reaches the strategy as Error('Unknown Error') and is recorded as 'Unknown error'", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "non-error",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.step(
            async () => {
              throw "a string";
            },
            {
              retryStrategy: (error) => {
                seen.push([error instanceof Error, error.message]);
                return { shouldRetry: false };
              },
            },
          );
        } catch (e) {
          seen.push([(e as Error).name, (e as Error).message]);
        }
        return "done";
      }),
    );
    const record = await e.run("non-error");
    expect(seen).toEqual([
      [true, "Unknown Error"],
      ["StepError", "Unknown error"],
    ]);
    expect(opAt(e, record.DurableExecutionArn, "1")!.StepDetails.Error).toEqual({ ErrorMessage: "Unknown error" });
  });

  it.each([
    ["not a decision", () => ({ retry: true }), 'returned {"retry":true}: expected { shouldRetry: boolean, delay?: Duration }'],
    ["a negative delay", () => ({ shouldRetry: true, delay: { seconds: -3 } }), "seconds must be a non-negative whole number"],
    ["a delay that is not a duration", () => ({ shouldRetry: true, delay: 5 }), "expected an object such as { seconds: 10 }"],
  ])("a strategy returning %s fails the execution with an error saying what it returned", async (_label, strategy, expected) => {
    const e = engine();
    e.register(
      "nonsense",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.step("charge", async () => {
            throw new Error("declined");
          }, { retryStrategy: strategy as never });
        } catch {
          return "caught: user code must not see this";
        }
        return "unreachable";
      }),
    );
    const record = await e.run("nonsense");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toContain('retryStrategy of step "charge"');
    expect(record.Error?.ErrorMessage).toContain(expected);
  });

  it("a strategy that throws fails the execution, naming the step", async () => {
    const e = engine();
    e.register(
      "throws",
      withDurableExecution(async (_event, ctx) =>
        ctx.step("s", async () => {
          throw new Error("x");
        }, {
          retryStrategy: () => {
            throw new Error("strategy bug");
          },
        }),
      ),
    );
    const record = await e.run("throws");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toMatch(/retryStrategy of step "s" threw: strategy bug/);
  });
});

describe("step semantics for an attempt found STARTED on replay", () => {
  const dir = tempDirs("durable-node-semantics-");
  let opened: DurableEngine | undefined;
  afterEach(() => opened?.close());

  /**
   * Invocation 1 starts "charge" (its START recorded, its body running) and then dies: a second
   * step's serdes fails, which throws from the Lambda handler (an invocation error the engine
   * retries). The next invocation finds "charge" STARTED.
   */
  async function interrupted(semantics: StepSemantics, retryStrategy?: (e: Error, n: number) => RetryDecision) {
    const e = (opened = DurableEngine.open({ path: path.join(dir(), "semantics.db"), skipTime: true, invocationRetryDelayMs: 10 }));
    let invocation = 0;
    let arn = "";
    const bodies: number[] = [];
    const strategyCalls: Array<[string, number]> = [];
    const breaking: Serdes<number> = {
      serialize: async () => {
        throw new Error("serializer crashed");
      },
      deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s)),
    };
    e.register(
      "interrupted",
      withDurableExecution(async (_event, ctx) => {
        invocation++;
        const current = invocation;
        const charge = ctx.step(
          "charge",
          async ({ attempt }) => {
            bodies.push(attempt);
            if (current === 1) await new Promise(() => {}); // still running when the invocation dies
            return `charged on attempt ${attempt}`;
          },
          {
            semantics,
            retryStrategy: retryStrategy
              ? (error, n) => {
                  strategyCalls.push([error.name, n]);
                  return retryStrategy(error, n);
                }
              : undefined,
          },
        );
        await ctx.step(
          "breaker",
          async () => {
            // Die only once the engine has recorded that "charge" started.
            while (current === 1 && opAt(e, arn, "1")?.Status !== "STARTED") await new Promise((resolve) => setTimeout(resolve, 2));
            return current;
          },
          { serdes: current === 1 ? breaking : undefined },
        );
        try {
          return await charge;
        } catch (err) {
          const se = err as StepError;
          return { error: [se.name, se.message, se.cause?.name] };
        }
      }),
    );
    arn = e.start("interrupted").execution.DurableExecutionArn;
    const first = await e.drive(arn).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(first).toBeInstanceOf(InvocationFailedError);
    expect((first as Error).message).toMatch(/Serialization failed for step "breaker"/);
    expect(opAt(e, arn, "1")!.Status).toBe("STARTED");
    const record = await e.drive(arn);
    return { e, arn, record, bodies, strategyCalls };
  }

  it("AtLeastOncePerRetry runs the body again, with no new START", async () => {
    const { e, arn, record, bodies } = await interrupted(StepSemantics.AtLeastOncePerRetry);
    expect(JSON.parse(record.Result!)).toBe("charged on attempt 1");
    expect(bodies).toEqual([1, 1]);
    const types = eventsOf(e, arn)
      .filter((ev) => ev.Id === hashId("1"))
      .map((ev) => ev.EventType);
    expect(types).toEqual(["StepStarted", "StepSucceeded"]);
  });

  it("AtMostOncePerRetry does not run the body again: with no retry the step fails with StepInterruptedError as the cause", async () => {
    const { e, arn, record, bodies, strategyCalls } = await interrupted(StepSemantics.AtMostOncePerRetry, () => ({ shouldRetry: false }));
    expect(JSON.parse(record.Result!)).toEqual({
      error: ["StepError", "The step execution process was initiated but failed to reach completion due to an interruption.", "StepInterruptedError"],
    });
    expect(bodies).toEqual([1]);
    expect(strategyCalls).toEqual([["StepInterruptedError", 1]]);
    expect(opAt(e, arn, "1")!.StepDetails.Error).toMatchObject({ ErrorType: "StepInterruptedError" });
  });

  it("AtMostOncePerRetry with a retry: the interruption is recorded as a failed attempt and attempt 2 runs the body", async () => {
    const { e, arn, record, bodies, strategyCalls } = await interrupted(StepSemantics.AtMostOncePerRetry, () => ({ shouldRetry: true, delay: { seconds: 3 } }));
    expect(JSON.parse(record.Result!)).toBe("charged on attempt 2");
    expect(bodies).toEqual([1, 2]);
    expect(strategyCalls).toEqual([["StepInterruptedError", 1]]);
    const failed = eventsOf(e, arn).find((ev) => ev.EventType === "StepFailed" && ev.Id === hashId("1"))!;
    expect(failed.StepFailedDetails.RetryDetails).toEqual({ CurrentAttempt: 1, NextAttemptDelaySeconds: 3 });
    expect(opAt(e, arn, "1")!.StepDetails.Attempt).toBe(2);
  });
});

describe("withRetry", () => {
  const failUntil = (okFrom: number, calls: number[]) => async (ctx: Parameters<Parameters<typeof withRetry>[1]>[0], attempt: number) => {
    calls.push(attempt);
    return ctx.step(`try-${attempt}`, async () => {
      if (attempt < okFrom) throw new Error(`attempt ${attempt} failed`);
      return `ok on ${attempt}`;
    }, { retryStrategy: () => ({ shouldRetry: false }) });
  };

  it("retries a block inside a child context, with durable backoff waits named <name>-backoff-<attempt>", async () => {
    const e = engine();
    const calls: number[] = [];
    const strategyCalls: number[] = [];
    e.register(
      "block",
      withDurableExecution(async (_event, ctx) =>
        withRetry(ctx, "reserve", failUntil(3, calls), {
          retryStrategy: (_e, n) => {
            strategyCalls.push(n);
            return { shouldRetry: true, delay: { seconds: n * 10 } };
          },
        }),
      ),
    );
    const record = await e.run("block");
    expect(JSON.parse(record.Result!)).toBe("ok on 3");
    const arn = record.DurableExecutionArn;
    expect(opsOf(e, arn).map((o) => [o.Id, o.Type, o.Name, o.Status])).toEqual([
      [hashId("1"), "CONTEXT", "reserve", "SUCCEEDED"],
      [hashId("1-1"), "STEP", "try-1", "FAILED"],
      [hashId("1-2"), "WAIT", "reserve-backoff-1", "SUCCEEDED"],
      [hashId("1-3"), "STEP", "try-2", "FAILED"],
      [hashId("1-4"), "WAIT", "reserve-backoff-2", "SUCCEEDED"],
      [hashId("1-5"), "STEP", "try-3", "SUCCEEDED"],
    ]);
    expect(eventsOf(e, arn).filter((ev) => ev.EventType === "WaitStarted").map((ev) => ev.WaitStartedDetails.Duration)).toEqual([10, 20]);
    // Each wait suspends; each resumption replays the earlier attempts from their records.
    expect(calls).toEqual([1, 1, 2, 1, 2, 3]);
    expect(strategyCalls).toEqual([1, 1, 2, 1, 2]);
  });

  it("gives up when the strategy says so: ChildContextError with the last attempt's error as its cause", async () => {
    const e = engine();
    e.register(
      "gives-up",
      withDurableExecution(async (_event, ctx) => {
        try {
          await withRetry(ctx, failUntil(99, []), { retryStrategy: (_e, n) => ({ shouldRetry: n < 2 }) });
          return "no error";
        } catch (err) {
          const ce = err as ChildContextError;
          return [err instanceof ChildContextError, ce.message, ce.cause instanceof StepError];
        }
      }),
    );
    const record = await e.run("gives-up");
    expect(JSON.parse(record.Result!)).toEqual([true, "attempt 2 failed", true]);
    // Anonymous: the context and its backoff wait are unnamed; a 1-second wait by default.
    const ops = opsOf(e, record.DurableExecutionArn);
    expect(ops.map((o) => [o.Type, o.Name])).toEqual([
      ["CONTEXT", undefined],
      ["STEP", "try-1"],
      ["WAIT", undefined],
      ["STEP", "try-2"],
    ]);
    const wait = eventsOf(e, record.DurableExecutionArn).find((ev) => ev.EventType === "WaitStarted")!;
    expect(wait.WaitStartedDetails.Duration).toBe(1);
  });

  it("wrapWithRunInChildContext: false runs on the given context and rethrows the original error", async () => {
    const e = engine();
    e.register(
      "unwrapped",
      withDurableExecution(async (_event, ctx) => {
        try {
          await withRetry(ctx, "direct", failUntil(99, []), { retryStrategy: (_e, n) => ({ shouldRetry: n < 2 }), wrapWithRunInChildContext: false });
          return "no error";
        } catch (err) {
          return [(err as Error).name, (err as Error).message];
        }
      }),
    );
    const record = await e.run("unwrapped");
    expect(JSON.parse(record.Result!)).toEqual(["StepError", "attempt 2 failed"]);
    expect(opsOf(e, record.DurableExecutionArn).map((o) => [o.Id, o.ParentId, o.Name])).toEqual([
      [hashId("1"), undefined, "try-1"],
      [hashId("2"), undefined, "direct-backoff-1"],
      [hashId("3"), undefined, "try-2"],
    ]);
  });

  it("refuses a missing config", async () => {
    const e = engine();
    e.register(
      "noconfig",
      withDurableExecution(async (_event, ctx) => {
        try {
          await (withRetry as unknown as (c: unknown, f: unknown) => Promise<unknown>)(ctx, async () => 1);
          return "no error";
        } catch (err) {
          return `${(err as Error).name}: ${(err as Error).message}`;
        }
      }),
    );
    const record = await e.run("noconfig");
    expect(JSON.parse(record.Result!)).toBe("TypeError: withRetry: config is required");
  });
});

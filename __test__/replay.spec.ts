// Replay: later invocations get checkpointed step results and errors back without running the
// step functions again; operation ids come from position; step and wait in named and
// anonymous forms; wait durations (seconds recorded, bad shapes refused naming the value);
// a handler changed between invocations (reordered, renamed, retyped operations) fails the
// execution with a non-determinism error naming the step id, the record and the call.

import { createHash } from "node:crypto";
import path from "node:path";

import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { DurableEngine, StepError } from "../ts/index";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-replay-");

/** Operation id of a root-level step id: the first 16 hex digits of its MD5 (API.md §4.2). */
const hashedId = (stepId: string) => createHash("md5").update(stepId).digest("hex").slice(0, 16);

let engine: DurableEngine;
beforeEach(() => {
  engine = DurableEngine.open({ path: path.join(tempDir(), "replay.db"), skipTime: true });
});
afterEach(() => engine.close());

const events = (arn: string) => engine.history(arn) as Record<string, any>[];

describe("replay", () => {
  it("returns stored step results on later invocations without running the functions again", async () => {
    const calls = { handler: 0, a: 0, b: 0 };
    const seen: unknown[] = [];
    engine.register(
      "counted",
      withDurableExecution(async (event: { x: number }, ctx) => {
        calls.handler++;
        const a = await ctx.step("a", async () => {
          calls.a++;
          return { v: event.x + 1, ran: `invocation ${calls.handler}` };
        });
        seen.push(a);
        await ctx.wait({ seconds: 5 });
        const b = await ctx.step("b", async () => {
          calls.b++;
          return a.v * 2;
        });
        await ctx.wait({ seconds: 5 });
        return { a, b };
      }),
    );
    const record = await engine.run("counted", { x: 1 });
    expect(record.Status).toBe("SUCCEEDED");
    expect(calls).toEqual({ handler: 3, a: 1, b: 1 });
    // Every invocation saw the value recorded by the first one.
    expect(seen).toEqual([
      { v: 2, ran: "invocation 1" },
      { v: 2, ran: "invocation 1" },
      { v: 2, ran: "invocation 1" },
    ]);
    expect(JSON.parse(record.Result!)).toEqual({ a: { v: 2, ran: "invocation 1" }, b: 4 });
  });

  it("rethrows a failed step's error as a StepError, keeping the original name as the cause", async () => {
    class PaymentDeclined extends Error {
      constructor(message: string) {
        super(message);
        this.name = "PaymentDeclined";
      }
    }
    let runs = 0;
    const seen: Array<Record<string, unknown>> = [];
    engine.register(
      "declined",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.step(
            "charge",
            async () => {
              runs++;
              throw new PaymentDeclined("card declined");
            },
            { retryStrategy: () => ({ shouldRetry: false }) },
          );
        } catch (e) {
          const err = e as StepError;
          seen.push({ isStepError: err instanceof StepError, name: err.name, message: err.message, cause: (err.cause as Error | undefined)?.name });
        }
        await ctx.wait({ seconds: 1 });
        return "handled";
      }),
    );
    const record = await engine.run("declined");
    expect(record.Status).toBe("SUCCEEDED");
    expect(runs).toBe(1);
    const expected = { isStepError: true, name: "StepError", message: "card declined", cause: "PaymentDeclined" };
    expect(seen).toEqual([expected, expected]); // first the live error, then the replayed one
    const failed = events(record.DurableExecutionArn).find((e) => e.EventType === "StepFailed")!;
    expect(failed.StepFailedDetails.Error.Payload).toMatchObject({ ErrorType: "PaymentDeclined", ErrorMessage: "card declined" });
  });

  it("derives operation ids from position, not from names", async () => {
    expect(hashedId("1")).toBe("c4ca4238a0b92382");
    expect(hashedId("2")).toBe("c81e728d9d4c2f63");
    engine.register(
      "one",
      withDurableExecution(async (_e, ctx) => {
        await ctx.step("first", async () => 1);
        await ctx.step(async () => 2);
        await ctx.wait({ seconds: 1 });
        await ctx.step("fourth", async () => 4);
        return "one";
      }),
    );
    engine.register(
      "two",
      withDurableExecution(async (_e, ctx) => {
        await ctx.step(async () => "x");
        await ctx.step("other-name", async () => "y");
        await ctx.wait("named-wait", { seconds: 2 });
        await ctx.step(async () => "z");
        return "two";
      }),
    );
    const idsOf = (arn: string) => [...new Set(events(arn).filter((e) => /^(Step|Wait)/.test(e.EventType)).map((e) => e.Id))];
    const one = await engine.run("one");
    const two = await engine.run("two");
    expect(idsOf(one.DurableExecutionArn)).toEqual(["c4ca4238a0b92382", "c81e728d9d4c2f63", hashedId("3"), hashedId("4")]);
    expect(idsOf(two.DurableExecutionArn)).toEqual(idsOf(one.DurableExecutionArn));
  });

  it("supports anonymous and named steps and waits", async () => {
    engine.register(
      "forms",
      withDurableExecution(async (_e, ctx) => {
        const anon = await ctx.step(async () => "anonymous result");
        const named = await ctx.step("named-step", async () => "named result");
        await ctx.wait({ seconds: 1 });
        await ctx.wait("named-wait", { seconds: 2 });
        return [anon, named];
      }),
    );
    const record = await engine.run("forms");
    expect(JSON.parse(record.Result!)).toEqual(["anonymous result", "named result"]);
    const started = events(record.DurableExecutionArn).filter((e) => e.EventType === "StepStarted" || e.EventType === "WaitStarted");
    expect(started.map((e) => [e.EventType, e.Name])).toEqual([
      ["StepStarted", undefined],
      ["StepStarted", "named-step"],
      ["WaitStarted", undefined],
      ["WaitStarted", "named-wait"],
    ]);
    expect(started.filter((e) => e.EventType === "WaitStarted").map((e) => e.WaitStartedDetails.Duration)).toEqual([1, 2]);
    const ops = engine.operations(record.DurableExecutionArn) as Array<Record<string, any>>;
    expect(ops.filter((o) => o.Type !== "EXECUTION").map((o) => [o.Type, o.Name, o.Status])).toEqual([
      ["STEP", undefined, "SUCCEEDED"],
      ["STEP", "named-step", "SUCCEEDED"],
      ["WAIT", undefined, "SUCCEEDED"],
      ["WAIT", "named-wait", "SUCCEEDED"],
    ]);
  });

  it("records wait({ minutes: 1 }) as 60 seconds and ends it at the scheduled time", async () => {
    engine.register(
      "minute",
      withDurableExecution(async (_e, ctx) => {
        await ctx.wait({ minutes: 1 });
        await ctx.wait({ hours: 1, minutes: 1, seconds: 1 });
        return "done";
      }),
    );
    const record = await engine.run("minute");
    expect(record.Status).toBe("SUCCEEDED");
    const history = events(record.DurableExecutionArn);
    const starts = history.filter((e) => e.EventType === "WaitStarted");
    expect(starts.map((e) => e.WaitStartedDetails.Duration)).toEqual([60, 3661]);
    const first = starts[0];
    const scheduled = Date.parse(first.WaitStartedDetails.ScheduledEndTimestamp);
    expect(scheduled - Date.parse(first.EventTimestamp)).toBeGreaterThanOrEqual(60_000);
    expect(scheduled - Date.parse(first.EventTimestamp)).toBeLessThan(61_000);
    const done = history.find((e) => e.EventType === "WaitSucceeded" && e.Id === first.Id)!;
    expect(done.WaitSucceededDetails.Duration).toBe(60);
    expect(Date.parse(done.EventTimestamp)).toBeGreaterThanOrEqual(scheduled);
  });

  describe("refuses durations that are not durations, naming the value", () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ["negative", { seconds: -5 }, /non-negative whole number/],
      ["non-integer", { seconds: 1.5 }, /whole number/],
      ["unknown unit", { weeks: 1 }, /days, hours, minutes and seconds/],
      ["empty object", {}, /days, hours, minutes and seconds/],
    ];

    it.each(cases)("%s: ctx.wait rejects and nothing is checkpointed", async (_label, duration, reason) => {
      engine.register(
        "bad-wait",
        withDurableExecution(async (_e, ctx) => {
          try {
            await ctx.wait(duration as never);
            return { rejected: false };
          } catch (e) {
            return { rejected: true, message: (e as Error).message };
          }
        }),
      );
      const record = await engine.run("bad-wait");
      const result = JSON.parse(record.Result!);
      expect(result.rejected).toBe(true);
      expect(result.message).toContain(JSON.stringify(duration));
      expect(result.message).toMatch(reason);
      expect(events(record.DurableExecutionArn).map((e) => e.EventType)).not.toContain("WaitStarted");
    });

    it.each(cases)("%s: uncaught, it fails the execution with that message", async (_label, duration, reason) => {
      engine.register(
        "bad-wait-uncaught",
        withDurableExecution(async (_e, ctx) => {
          await ctx.wait(duration as never);
          return "unreachable";
        }),
      );
      const record = await engine.run("bad-wait-uncaught");
      expect(record.Status).toBe("FAILED");
      expect(record.Error?.ErrorMessage).toContain(JSON.stringify(duration));
      expect(record.Error?.ErrorMessage).toMatch(reason);
    });
  });
});

describe("non-determinism: the handler changed between invocations", () => {
  /** Runs `before` in the first invocation and `after` in every later one (replays). */
  async function changed(before: (ctx: DurableContext) => Promise<unknown>, after: (ctx: DurableContext) => Promise<unknown>) {
    let version = 1;
    engine.register(
      "changing",
      withDurableExecution(async (_e, ctx) => (version === 1 ? before(ctx) : after(ctx))),
    );
    const { execution } = engine.start("changing");
    const record = await engine.drive(execution.DurableExecutionArn, {
      afterInvocation: () => {
        version = 2;
      },
    });
    return record;
  }

  const mismatch = (what: string, stepId: string, recorded: string, requested: string) =>
    `[Unrecoverable Execution] Non-deterministic execution detected: Operation ${what} mismatch for step "${stepId}". ` +
    `Expected ${what} "${recorded}", but got "${requested}". This indicates non-deterministic control flow in your workflow code.`;

  const suspend = (ctx: DurableContext) => ctx.wait("pause", { seconds: 5 });
  const noRetry = { retryStrategy: () => ({ shouldRetry: false }) };

  const cases: Array<[string, (ctx: DurableContext) => Promise<unknown>, (ctx: DurableContext) => Promise<unknown>, string]> = [
    [
      "steps reordered",
      async (ctx) => {
        await ctx.step("reserve", async () => 1);
        await ctx.step("charge", async () => 2);
        await suspend(ctx);
      },
      async (ctx) => {
        await ctx.step("charge", async () => 2);
        await ctx.step("reserve", async () => 1);
        await suspend(ctx);
      },
      mismatch("name", "1", "reserve", "charge"),
    ],
    [
      "a step and a wait swapped",
      async (ctx) => {
        await ctx.step("work", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        await suspend(ctx);
        await ctx.step("work", async () => 1);
      },
      mismatch("type", "1", "STEP", "WAIT"),
    ],
    [
      "a step renamed",
      async (ctx) => {
        await ctx.step("charge", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        await ctx.step("charge-card", async () => 1);
        await suspend(ctx);
      },
      mismatch("name", "1", "charge", "charge-card"),
    ],
    [
      "a named step made anonymous",
      async (ctx) => {
        await ctx.step("charge", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        await ctx.step(async () => 1);
        await suspend(ctx);
      },
      mismatch("name", "1", "charge", "undefined"),
    ],
    [
      "a step retyped as a child context",
      async (ctx) => {
        await ctx.step("load", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        await ctx.runInChildContext("load", async () => 1);
        await suspend(ctx);
      },
      mismatch("type", "1", "STEP", "CONTEXT"),
    ],
    [
      "a step retyped as a waitForCondition (same type, other sub-type)",
      async (ctx) => {
        await ctx.step("poll", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        await ctx.waitForCondition("poll", async (n: number) => n, { initialState: 1, waitStrategy: () => ({ shouldContinue: false }) });
        await suspend(ctx);
      },
      mismatch("subtype", "1", "Step", "WaitForCondition"),
    ],
    [
      "a map turned into a parallel",
      async (ctx) => {
        await ctx.map("fan", [1], async (_c, n) => n);
        await suspend(ctx);
      },
      async (ctx) => {
        await ctx.parallel("fan", [async () => 1]);
        await suspend(ctx);
      },
      mismatch("subtype", "1", "Map", "Parallel"),
    ],
    [
      "a change inside a child context",
      async (ctx) => {
        await ctx.runInChildContext("order", async (child) => {
          await child.step("validate", async () => 1);
          await child.wait({ seconds: 5 });
          await child.step("ship", async () => 2);
        });
      },
      async (ctx) => {
        await ctx.runInChildContext("order", async (child) => {
          await child.step("validate", async () => 1);
          await child.step("ship", async () => 2);
        });
      },
      mismatch("type", "1-2", "WAIT", "STEP"),
    ],
  ];

  it.each(cases)("%s: FAILED with NonDeterministicExecutionError naming the step id, the record and the call", async (_label, before, after, message) => {
    const record = await changed(before, after);
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toEqual({ ErrorType: "NonDeterministicExecutionError", ErrorMessage: message });
  });

  it("user code cannot catch it, and nothing is recorded for the changed call", async () => {
    let caught = 0;
    const record = await changed(
      async (ctx) => {
        await ctx.step("a", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        try {
          await ctx.step("b", async () => 1, noRetry);
        } catch {
          caught++;
        }
        return "carried on";
      },
    );
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorType).toBe("NonDeterministicExecutionError");
    expect(caught).toBe(0);
    const names = events(record.DurableExecutionArn)
      .filter((e) => e.EventType === "StepStarted")
      .map((e) => e.Name);
    expect(names).toEqual(["a"]);
  });

  it("adding operations after the recorded ones is not a change: the execution completes", async () => {
    const record = await changed(
      async (ctx) => {
        await ctx.step("a", async () => 1);
        await suspend(ctx);
      },
      async (ctx) => {
        const a = await ctx.step("a", async () => 1);
        await suspend(ctx);
        return a + (await ctx.step("added", async () => 41));
      },
    );
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe(42);
  });
});

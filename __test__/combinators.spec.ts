// context.promise.all / allSettled / any / race (API.md §6.10, §5.1): lazy (no id until
// awaited), one CONTEXT record holding the combined outcome, replayed from that record rather
// than recomputed, rejection reasons recorded for allSettled, failures as PromiseCombinatorError.

import { describe, expect, it } from "vitest";

import { PromiseCombinatorError, StepError, withDurableExecution, type DurablePromise } from "@aws/durable-execution-sdk-js";
import { engines, hashId, invocationsOf, opAt, opsOf } from "./helpers/ops";

const engine = engines("durable-node-combinators-");
const noRetry = { retryStrategy: () => ({ shouldRetry: false }) };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("laziness", () => {
  it("a combinator takes its id when awaited, not when called; one never awaited records nothing", async () => {
    const e = engine();
    e.register(
      "lazy",
      withDurableExecution(async (_event, ctx) => {
        const a = ctx.step("a", async () => 1);
        const b = ctx.step("b", async () => 2);
        const both = ctx.promise.all("both", [a, b]);
        ctx.promise.race("never-awaited", [a, b]);
        const c = await ctx.step("c", async () => 3);
        const [x, y] = await both;
        return x + y + c;
      }),
    );
    const record = await e.run("lazy");
    expect(JSON.parse(record.Result!)).toBe(6);
    const rows = opsOf(e, record.DurableExecutionArn).map((o) => [o.Id, o.ParentId, o.Type, o.SubType, o.Name]);
    expect(rows).toEqual([
      [hashId("1"), undefined, "STEP", "Step", "a"],
      [hashId("2"), undefined, "STEP", "Step", "b"],
      [hashId("3"), undefined, "STEP", "Step", "c"],
      // The inputs stay children of the root; the combinator's record only holds the outcome.
      [hashId("4"), undefined, "CONTEXT", "RunInChildContext", "both"],
    ]);
    expect(opAt(e, record.DurableExecutionArn, "4")!.ContextDetails.Result).toBe("[1,2]");
  });
});

describe("replay", () => {
  it("race replays the recorded winner instead of racing the replayed inputs again", async () => {
    const e = engine();
    const durable: string[] = [];
    const plain: string[] = [];
    e.register(
      "race",
      withDurableExecution(async (_event, ctx) => {
        const slow = ctx.step("slow", async () => {
          await sleep(50);
          return "slow";
        });
        const fast = ctx.step("fast", async () => "fast");
        durable.push(await ctx.promise.race([slow, fast]));
        // The same race with Promise.race: on replay both inputs are already recorded, and the
        // first one called resolves first.
        plain.push(await Promise.race([slow, fast]));
        await ctx.wait({ seconds: 1 });
        return durable.at(-1);
      }),
    );
    const record = await e.run("race");
    expect(JSON.parse(record.Result!)).toBe("fast");
    expect(durable).toEqual(["fast", "fast"]);
    expect(plain).toEqual(["fast", "slow"]);
  });

  it("all resolves across a suspension and replays its record afterwards", async () => {
    const e = engine();
    const runs = { a: 0, b: 0 };
    const seen: unknown[] = [];
    e.register(
      "all",
      withDurableExecution(async (_event, ctx) => {
        const a = ctx.runInChildContext("a", async (c) => {
          await c.wait({ seconds: 5 });
          return c.step(async () => {
            runs.a++;
            return "A";
          });
        });
        const b = ctx.step("b", async () => {
          runs.b++;
          return "B";
        });
        const both = await ctx.promise.all([a, b]);
        seen.push(both);
        await ctx.wait({ seconds: 5 });
        return both;
      }),
    );
    const record = await e.run("all");
    expect(JSON.parse(record.Result!)).toEqual(["A", "B"]);
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(3);
    expect(runs).toEqual({ a: 1, b: 1 });
    expect(seen).toEqual([
      ["A", "B"],
      ["A", "B"],
    ]);
    expect(opAt(e, record.DurableExecutionArn, "3")).toMatchObject({ Type: "CONTEXT", Status: "SUCCEEDED", ContextDetails: { Result: '["A","B"]' } });
  });

  it("race as a timeout: a wait beats a callback nobody completes, after suspending", async () => {
    const e = engine();
    e.register(
      "timeout",
      withDurableExecution(async (_event, ctx) => {
        const [answer] = await ctx.createCallback("approval");
        const timeout = ctx.wait("give-up", { minutes: 10 });
        const winner = await ctx.promise.race("approval-or-timeout", [answer, timeout.then(() => "timed out")] as DurablePromise<string>[]);
        return winner;
      }),
    );
    const record = await e.run("timeout");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe("timed out");
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(2);
    const ops = opsOf(e, record.DurableExecutionArn);
    expect(ops.map((o) => [o.Name, o.Type, o.Status])).toEqual([
      ["approval", "CALLBACK", "STARTED"],
      ["give-up", "WAIT", "SUCCEEDED"],
      ["approval-or-timeout", "CONTEXT", "SUCCEEDED"],
    ]);
  });
});

describe("allSettled", () => {
  it("records fulfilled values and rejection reasons; reasons come back as Errors with name and message, live and on replay", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "settled",
      withDurableExecution(async (_event, ctx) => {
        const ok = ctx.step("ok", async () => ({ v: 1 }));
        const bad = ctx.step(
          "bad",
          async (): Promise<{ v: number }> => {
            throw new RangeError("out of range");
          },
          noRetry,
        );
        const results = await ctx.promise.allSettled("both", [ok, bad]);
        seen.push(
          results.map((r) =>
            r.status === "fulfilled" ? r : { status: r.status, isError: r.reason instanceof Error, name: r.reason.name, message: r.reason.message },
          ),
        );
        await ctx.wait({ seconds: 1 });
        return "done";
      }),
    );
    const record = await e.run("settled");
    expect(record.Status).toBe("SUCCEEDED");
    const expected = [
      { status: "fulfilled", value: { v: 1 } },
      { status: "rejected", isError: true, name: "StepError", message: "out of range" },
    ];
    expect(seen).toEqual([expected, expected]);
    const recorded = JSON.parse(opAt(e, record.DurableExecutionArn, "3")!.ContextDetails.Result);
    expect(recorded[0]).toEqual({ status: "fulfilled", value: { v: 1 } });
    expect(recorded[1]).toMatchObject({ status: "rejected", reason: { message: "out of range", name: "StepError" } });
  });
});

describe("failures", () => {
  it("all with a failing input throws PromiseCombinatorError (cause: StepError), live and on replay", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "all-fails",
      withDurableExecution(async (_event, ctx) => {
        const ok = ctx.step(async () => 1);
        const bad = ctx.step(
          async (): Promise<number> => {
            throw new Error("inventory unavailable");
          },
          noRetry,
        );
        try {
          await ctx.promise.all([ok, bad]);
        } catch (err) {
          const pe = err as PromiseCombinatorError;
          seen.push([err instanceof PromiseCombinatorError, pe.name, pe.message, pe.cause instanceof StepError, pe.cause?.message]);
        }
        await ctx.wait({ seconds: 1 });
        return "handled";
      }),
    );
    const record = await e.run("all-fails");
    expect(record.Status).toBe("SUCCEEDED");
    const expected = [true, "PromiseCombinatorError", "inventory unavailable", true, "inventory unavailable"];
    expect(seen).toEqual([expected, expected]);
    expect(opAt(e, record.DurableExecutionArn, "3")).toMatchObject({ Type: "CONTEXT", Status: "FAILED" });
  });

  it("any resolves with the first success and fails only when every input failed (AggregateError as the cause's cause)", async () => {
    const e = engine();
    e.register(
      "any",
      withDurableExecution(async (_event, ctx) => {
        const fail = (msg: string) =>
          ctx.step(async (): Promise<string> => {
            throw new Error(msg);
          }, noRetry);
        const first = await ctx.promise.any([fail("x"), ctx.step(async () => "ok")]);
        try {
          await ctx.promise.any("all-bad", [fail("y"), fail("z")]);
          return { first, second: "no error" };
        } catch (err) {
          const pe = err as PromiseCombinatorError;
          return { first, second: [pe.name, pe.cause?.name, (pe.cause?.cause as Error | undefined)?.name] };
        }
      }),
    );
    const record = await e.run("any");
    expect(JSON.parse(record.Result!)).toEqual({ first: "ok", second: ["PromiseCombinatorError", "StepError", "AggregateError"] });
  });

  it("an uncaught combinator failure fails the execution with ErrorType PromiseCombinatorError", async () => {
    const e = engine();
    e.register(
      "uncaught",
      withDurableExecution(async (_event, ctx) => {
        const bad = ctx.step(
          async (): Promise<number> => {
            throw new Error("nope");
          },
          noRetry,
        );
        return ctx.promise.race([bad]);
      }),
    );
    const record = await e.run("uncaught");
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "PromiseCombinatorError", ErrorMessage: "nope" });
  });
});

// context.runInChildContext (API.md §6.3): its own step-id namespace and ParentId, nesting,
// replay of a finished child from its record and re-running of an unfinished one, errors
// (ChildContextError, errorMapper, uncaught), results over 256 KB recorded as a summary with
// ReplayChildren and rebuilt on replay, virtual contexts and per-child serdes.

import { describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { ChildContextError, DurableOperationError, InvokeError, type Serdes } from "../ts/index";
import { engines, eventsOf, hashId, invocationsOf, opAt, opsOf } from "./helpers/ops";

const engine = engines("durable-node-child-");

/** A caught error as plain data, with its cause chain. */
function chain(e: unknown): Array<{ class: string; name: string; message: string }> {
  const out = [];
  for (let cur = e as Error | undefined; cur; cur = cur.cause as Error | undefined) {
    out.push({ class: cur.constructor.name, name: cur.name, message: cur.message });
  }
  return out;
}

describe("runInChildContext: ids", () => {
  it("gives the child its own id namespace parented to its record, nested to any depth; the parent's counter moves on by one", async () => {
    const e = engine();
    e.register(
      "ids",
      withDurableExecution(async (_event, ctx) => {
        await ctx.step("before", async () => 0);
        const outer = await ctx.runInChildContext("outer", async (child) => {
          const a = await child.step("a", async () => 1);
          const inner = await child.runInChildContext("inner", async (grandchild) => {
            await grandchild.wait({ seconds: 1 });
            return grandchild.step("deep", async () => a + 1);
          });
          await child.step(async () => "unnamed");
          return inner;
        });
        await ctx.step("after", async () => 3);
        return outer;
      }),
    );
    const record = await e.run("ids");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe(2);
    const rows = opsOf(e, record.DurableExecutionArn).map((o) => [o.Id, o.ParentId, o.Type, o.SubType, o.Name]);
    expect(rows).toEqual([
      [hashId("1"), undefined, "STEP", "Step", "before"],
      [hashId("2"), undefined, "CONTEXT", "RunInChildContext", "outer"],
      [hashId("2-1"), hashId("2"), "STEP", "Step", "a"],
      [hashId("2-2"), hashId("2"), "CONTEXT", "RunInChildContext", "inner"],
      [hashId("2-2-1"), hashId("2-2"), "WAIT", "Wait", undefined],
      [hashId("2-2-2"), hashId("2-2"), "STEP", "Step", "deep"],
      [hashId("2-3"), hashId("2"), "STEP", "Step", undefined],
      [hashId("3"), undefined, "STEP", "Step", "after"],
    ]);
    expect(opAt(e, record.DurableExecutionArn, "2")!.ContextDetails).toEqual({ Result: "2" });
  });

  it("children started together get ids from call order, whatever order they finish in", async () => {
    const e = engine();
    e.register(
      "together",
      withDurableExecution(async (_event, ctx) => {
        const slow = ctx.runInChildContext("slow", async (c) => {
          await c.wait({ seconds: 5 });
          return c.step("slow-step", async () => "slow");
        });
        const fast = ctx.runInChildContext("fast", async (c) => c.step("fast-step", async () => "fast"));
        return [await slow, await fast];
      }),
    );
    const record = await e.run("together");
    expect(JSON.parse(record.Result!)).toEqual(["slow", "fast"]);
    const arn = record.DurableExecutionArn;
    expect(opAt(e, arn, "1-2")).toMatchObject({ Name: "slow-step", ParentId: hashId("1") });
    expect(opAt(e, arn, "2-1")).toMatchObject({ Name: "fast-step", ParentId: hashId("2") });
    // The fast child finished first.
    const finished = eventsOf(e, arn).filter((ev) => ev.EventType === "ContextSucceeded").map((ev) => ev.Name);
    expect(finished).toEqual(["fast", "slow"]);
  });
});

describe("runInChildContext: first run and replay", () => {
  it("re-runs an unfinished child's function with its finished children replayed, and replays a finished child from its record", async () => {
    const e = engine();
    const runs = { handler: 0, child: 0, first: 0, second: 0 };
    const seen: unknown[] = [];
    e.register(
      "replay",
      withDurableExecution(async (_event, ctx) => {
        runs.handler++;
        const value = await ctx.runInChildContext("work", async (child) => {
          runs.child++;
          const first = await child.step("first", async () => {
            runs.first++;
            return { n: 1, at: runs.handler };
          });
          await child.wait({ seconds: 10 });
          const second = await child.step("second", async () => {
            runs.second++;
            return first.n + 1;
          });
          return { first, second };
        });
        seen.push(value);
        await ctx.wait({ seconds: 10 });
        return value;
      }),
    );
    const record = await e.run("replay");
    expect(record.Status).toBe("SUCCEEDED");
    // Invocation 1: the child runs to its wait. 2: the child is STARTED, so its function runs
    // again (the first step replays), finishes, and the outer wait suspends. 3: the child is
    // SUCCEEDED and its function does not run.
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(3);
    expect(runs).toEqual({ handler: 3, child: 2, first: 1, second: 1 });
    const expected = { first: { n: 1, at: 1 }, second: 2 };
    expect(seen).toEqual([expected, expected]);
    expect(JSON.parse(record.Result!)).toEqual(expected);
    const types = eventsOf(e, record.DurableExecutionArn).map((ev) => ev.EventType);
    expect(types.filter((t) => t === "ContextStarted")).toHaveLength(1);
    expect(types.filter((t) => t === "ContextSucceeded")).toHaveLength(1);
  });

  it("uses the child's serdes for its record and returns the round-tripped value on first run and on replay", async () => {
    const e = engine();
    const dateSerdes: Serdes<Date> = {
      serialize: async (d) => (d === undefined ? undefined : `date:${d.toISOString()}`),
      deserialize: async (s) => (s === undefined ? undefined : new Date(s.slice("date:".length))),
    };
    const seen: string[] = [];
    e.register(
      "serdes",
      withDurableExecution(async (_event, ctx) => {
        const d = await ctx.runInChildContext("when", async () => new Date("2030-01-02T03:04:05.000Z"), { serdes: dateSerdes });
        seen.push(`${d instanceof Date}:${d.toISOString()}`);
        await ctx.wait({ seconds: 1 });
        return d.getUTCFullYear();
      }),
    );
    const record = await e.run("serdes");
    expect(JSON.parse(record.Result!)).toBe(2030);
    expect(seen).toEqual(["true:2030-01-02T03:04:05.000Z", "true:2030-01-02T03:04:05.000Z"]);
    expect(opAt(e, record.DurableExecutionArn, "1")!.ContextDetails.Result).toBe("date:2030-01-02T03:04:05.000Z");
  });
});

describe("runInChildContext: errors", () => {
  it("throws ChildContextError (cause: the reconstructed error) on first run and on replay, without re-running the child", async () => {
    const e = engine();
    let childRuns = 0;
    const seen: unknown[] = [];
    e.register(
      "fails",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.runInChildContext("broken", async () => {
            childRuns++;
            throw new TypeError("bad input");
          });
        } catch (err) {
          seen.push({ isChildError: err instanceof ChildContextError, isOperationError: err instanceof DurableOperationError, chain: chain(err) });
        }
        await ctx.wait({ seconds: 1 });
        return "handled";
      }),
    );
    const record = await e.run("fails");
    expect(record.Status).toBe("SUCCEEDED");
    expect(childRuns).toBe(1);
    const expected = {
      isChildError: true,
      isOperationError: true,
      chain: [
        { class: "ChildContextError", name: "ChildContextError", message: "bad input" },
        { class: "StepError", name: "StepError", message: "bad input" },
        { class: "Error", name: "TypeError", message: "bad input" },
      ],
    };
    expect(seen).toEqual([expected, expected]);
    const op = opAt(e, record.DurableExecutionArn, "1")!;
    expect(op.Status).toBe("FAILED");
    expect(op.ContextDetails.Error).toMatchObject({ ErrorType: "TypeError", ErrorMessage: "bad input" });
  });

  it("wraps a failed step inside the child: ChildContextError → StepError → the step's error name", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "step-fails",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.runInChildContext(async (child) => {
            await child.step("charge", async () => {
              throw new RangeError("card declined");
            }, { retryStrategy: () => ({ shouldRetry: false }) });
          });
        } catch (err) {
          seen.push(chain(err).map((c) => c.name));
        }
        await ctx.wait({ seconds: 1 });
        return "ok";
      }),
    );
    const record = await e.run("step-fails");
    expect(record.Status).toBe("SUCCEEDED");
    expect(seen).toEqual([
      ["ChildContextError", "StepError", "StepError"],
      ["ChildContextError", "StepError", "StepError"],
    ]);
    expect(opAt(e, record.DurableExecutionArn, "1")!.ContextDetails.Error).toMatchObject({ ErrorType: "StepError", ErrorMessage: "card declined" });
  });

  it("errorMapper decides what the caller sees, on first run and on replay", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "mapped",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.runInChildContext(
            "mapped",
            async () => {
              throw new Error("downstream unavailable");
            },
            { errorMapper: (original) => new InvokeError(`mapped: ${original.message}`, original, "extra") },
          );
        } catch (err) {
          const ie = err as InvokeError;
          seen.push({ isInvokeError: err instanceof InvokeError, message: ie.message, data: ie.errorData, cause: ie.cause?.name });
        }
        await ctx.wait({ seconds: 1 });
        return "ok";
      }),
    );
    await e.run("mapped");
    const expected = { isInvokeError: true, message: "mapped: downstream unavailable", data: "extra", cause: "StepError" };
    expect(seen).toEqual([expected, expected]);
  });

  it("nested failures keep their chain: the outer child's error wraps the inner ChildContextError", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "nested",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.runInChildContext("outer", async (child) => {
            await child.runInChildContext("inner", async () => {
              throw new Error("deep failure");
            });
          });
        } catch (err) {
          seen.push(chain(err).map((c) => `${c.class}/${c.name}: ${c.message}`));
        }
        await ctx.wait({ seconds: 1 });
        return "ok";
      }),
    );
    const record = await e.run("nested");
    const expected = ["ChildContextError/ChildContextError: deep failure", "ChildContextError/ChildContextError: deep failure", "Error/ChildContextError: deep failure"];
    expect(seen).toEqual([expected, expected]);
    const arn = record.DurableExecutionArn;
    expect(opAt(e, arn, "1")!.Status).toBe("FAILED");
    expect(opAt(e, arn, "1-1")!.Status).toBe("FAILED");
    expect(opAt(e, arn, "1-1")!.ContextDetails.Error.ErrorType).toBe("Error");
    expect(opAt(e, arn, "1")!.ContextDetails.Error.ErrorType).toBe("ChildContextError");
  });

  it("an uncaught child failure fails the execution with ErrorType ChildContextError", async () => {
    const e = engine();
    e.register(
      "uncaught",
      withDurableExecution(async (_event, ctx) => {
        await ctx.runInChildContext(async () => {
          throw new Error("nobody catches this");
        });
        return "unreachable";
      }),
    );
    const record = await e.run("uncaught");
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "ChildContextError", ErrorMessage: "nobody catches this" });
  });
});

describe("runInChildContext: results over 256 KB (ReplayChildren)", () => {
  const KB100 = 100_000;

  function bigChildHandler(runs: { child: number; steps: number }, seen: number[], config?: { summaryGenerator?: (r: string[]) => string }) {
    return withDurableExecution(async (_event, ctx: DurableContext) => {
      const parts = await ctx.runInChildContext(
        "big",
        async (child) => {
          runs.child++;
          const out: string[] = [];
          for (const letter of ["a", "b", "c"]) {
            out.push(
              await child.step(`part-${letter}`, async () => {
                runs.steps++;
                return letter.repeat(KB100);
              }),
            );
          }
          return out;
        },
        config,
      );
      seen.push(parts.join("").length);
      await ctx.wait({ seconds: 1 });
      return parts.map((p) => `${p[0]}×${p.length}`);
    });
  }

  it("records an empty payload with ReplayChildren and rebuilds the value on replay from the children, without re-running them", async () => {
    const e = engine();
    const runs = { child: 0, steps: 0 };
    const seen: number[] = [];
    e.register("big", bigChildHandler(runs, seen));
    const record = await e.run("big");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toEqual(["a×100000", "b×100000", "c×100000"]);
    // The child's function ran again on replay to rebuild the value; its steps did not.
    expect(runs).toEqual({ child: 2, steps: 3 });
    expect(seen).toEqual([3 * KB100, 3 * KB100]);
    const op = opAt(e, record.DurableExecutionArn, "1")!;
    expect(op.Status).toBe("SUCCEEDED");
    expect(op.ContextDetails.ReplayChildren).toBe(true);
    expect(op.ContextDetails.Result ?? "").toBe("");
    // The children stay recorded, so the replay can read them.
    expect(["1-1", "1-2", "1-3"].map((id) => opAt(e, record.DurableExecutionArn, id)?.Status)).toEqual(["SUCCEEDED", "SUCCEEDED", "SUCCEEDED"]);
  });

  it("records the summaryGenerator's text instead of the oversized value", async () => {
    const e = engine();
    const runs = { child: 0, steps: 0 };
    e.register("summary", bigChildHandler(runs, [], { summaryGenerator: (r) => JSON.stringify({ parts: r.length }) }));
    const record = await e.run("summary");
    expect(record.Status).toBe("SUCCEEDED");
    const op = opAt(e, record.DurableExecutionArn, "1")!;
    expect(op.ContextDetails).toMatchObject({ ReplayChildren: true, Result: '{"parts":3}' });
    expect(runs.steps).toBe(3);
  });

  it("262,144 bytes is recorded in full; one byte more switches to ReplayChildren", async () => {
    const e = engine();
    const runs: Record<string, number> = {};
    e.register(
      "edge",
      withDurableExecution(async (event: { n: number }, ctx) => {
        const s = await ctx.runInChildContext("edge", async () => {
          runs[event.n] = (runs[event.n] ?? 0) + 1;
          return "x".repeat(event.n);
        });
        await ctx.wait({ seconds: 1 });
        return s.length;
      }),
    );
    // JSON adds two quotes: n characters are n + 2 bytes.
    const atLimit = await e.run("edge", { n: 262_142 });
    const over = await e.run("edge", { n: 262_143 });
    expect(JSON.parse(atLimit.Result!)).toBe(262_142);
    expect(JSON.parse(over.Result!)).toBe(262_143);
    const atOp = opAt(e, atLimit.DurableExecutionArn, "1")!;
    expect(atOp.ContextDetails.ReplayChildren).toBeUndefined();
    expect(atOp.ContextDetails.Result).toHaveLength(262_144);
    expect(opAt(e, over.DurableExecutionArn, "1")!.ContextDetails.ReplayChildren).toBe(true);
    // Replayed from the record vs. re-run to rebuild the value.
    expect(runs).toEqual({ 262142: 1, 262143: 2 });
  });
});

describe("runInChildContext: virtual contexts", () => {
  it("records nothing for the context itself; its operations use its id namespace but the enclosing ParentId", async () => {
    const e = engine();
    let runs = 0;
    e.register(
      "virtual",
      withDurableExecution(async (_event, ctx) => {
        const v = await ctx.runInChildContext(
          "v",
          async (child) => {
            runs++;
            const x = await child.step("inside", async () => 20);
            await child.wait({ seconds: 1 });
            return x + 1;
          },
          { virtualContext: true },
        );
        return v * 2;
      }),
    );
    const record = await e.run("virtual");
    expect(JSON.parse(record.Result!)).toBe(42);
    const ops = opsOf(e, record.DurableExecutionArn);
    expect(ops.map((o) => [o.Id, o.ParentId, o.Type])).toEqual([
      [hashId("1-1"), undefined, "STEP"],
      [hashId("1-2"), undefined, "WAIT"],
    ]);
    // No record: its function runs again on every invocation.
    expect(runs).toBe(2);
  });
});

describe("runInChildContext: argument errors", () => {
  it("a missing function is refused with a TypeError at call time and nothing is recorded", async () => {
    const e = engine();
    e.register(
      "nofn",
      withDurableExecution(async (_event, ctx) => {
        try {
          ctx.runInChildContext("oops", undefined as never);
          return "not refused";
        } catch (err) {
          return `${(err as Error).name}: ${(err as Error).message}`;
        }
      }),
    );
    const record = await e.run("nofn");
    expect(JSON.parse(record.Result!)).toMatch(/^TypeError: runInChildContext requires a function \(context "oops"\)/);
    expect(opsOf(e, record.DurableExecutionArn)).toEqual([]);
  });
});

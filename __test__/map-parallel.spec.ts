// context.map and context.parallel (API.md §6.8-6.9): records and ids, item names, maxConcurrency,
// the completion rules (fail-fast, minSuccessful, toleratedFailureCount/Percentage,
// shouldComplete), every BatchResult member, replay of a finished or suspended batch, results
// over 256 KB (summary + ReplayChildren), FLAT nesting, and argument/config errors.

import { describe, expect, it } from "vitest";

import {
  BatchCompletionError,
  BatchItemStatus,
  ChildContextError,
  CompletionOutcome,
  NestingType,
  completeBatch,
  continueBatch,
  withDurableExecution,
  type BatchResult,
  type CompletionConfig,
  type CompletionStatus,
  type DurableContext,
} from "@aws/durable-execution-sdk-js";
import { StepError } from "../ts/index";
import { engines, eventsOf, hashId, invocationsOf, opAt, opsOf } from "./helpers/ops";

const engine = engines("durable-node-batch-");
const noRetry = { retryStrategy: () => ({ shouldRetry: false }) };

/** The parts of a BatchResult its methods compute, as plain data. */
function view<T>(r: BatchResult<T>) {
  return {
    all: r.all.map((i) => ({ index: i.index, status: i.status, result: i.result, error: i.error?.message })),
    completionReason: r.completionReason,
    status: r.status,
    hasFailure: r.hasFailure,
    counts: [r.successCount, r.failureCount, r.startedCount, r.totalCount],
    results: r.getResults(),
    errors: r.getErrors().map((e) => e.message),
  };
}

describe("map", () => {
  it("runs mapFunc(ctx, item, index, array) per item in child contexts and returns the results in index order", async () => {
    const e = engine();
    const calls: unknown[] = [];
    e.register(
      "map",
      withDurableExecution(async (event: number[], ctx) => {
        const result = await ctx.map("double", event, async (child, item, index, array) => {
          calls.push([item, index, array.length]);
          return child.step("times-two", async () => item * 2);
        });
        return view(result);
      }),
    );
    const record = await e.run("map", [5, 6, 7]);
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toMatchObject({ results: [10, 12, 14], completionReason: "ALL_COMPLETED", status: "SUCCEEDED", counts: [3, 0, 0, 3] });
    expect(calls).toEqual([
      [5, 0, 3],
      [6, 1, 3],
      [7, 2, 3],
    ]);
    const rows = opsOf(e, record.DurableExecutionArn).map((o) => [o.Id, o.ParentId, o.Type, o.SubType, o.Name]);
    // As in the official SDK, items started together record their starts before their bodies run.
    expect(rows).toEqual([
      [hashId("1"), undefined, "CONTEXT", "Map", "double"],
      [hashId("1-1"), hashId("1"), "CONTEXT", "MapIteration", "map-item-0"],
      [hashId("1-2"), hashId("1"), "CONTEXT", "MapIteration", "map-item-1"],
      [hashId("1-3"), hashId("1"), "CONTEXT", "MapIteration", "map-item-2"],
      [hashId("1-1-1"), hashId("1-1"), "STEP", "Step", "times-two"],
      [hashId("1-2-1"), hashId("1-2"), "STEP", "Step", "times-two"],
      [hashId("1-3-1"), hashId("1-3"), "STEP", "Step", "times-two"],
    ]);
    // The batch record holds the BatchResult as { all, completionReason }.
    expect(JSON.parse(opAt(e, record.DurableExecutionArn, "1")!.ContextDetails.Result)).toEqual({
      all: [
        { result: 10, index: 0, status: "SUCCEEDED" },
        { result: 12, index: 1, status: "SUCCEEDED" },
        { result: 14, index: 2, status: "SUCCEEDED" },
      ],
      completionReason: "ALL_COMPLETED",
    });
  });

  it("names items with itemNamer", async () => {
    const e = engine();
    e.register(
      "named",
      withDurableExecution(async (event: Array<{ sku: string }>, ctx) => {
        const r = await ctx.map(event, async (_c, item) => item.sku.toUpperCase(), { itemNamer: (item, i) => `sku-${item.sku}-${i}` });
        return r.getResults();
      }),
    );
    const record = await e.run("named", [{ sku: "a" }, { sku: "b" }]);
    expect(JSON.parse(record.Result!)).toEqual(["A", "B"]);
    const ops = opsOf(e, record.DurableExecutionArn);
    expect(ops.map((o) => o.Name)).toEqual([undefined, "sku-a-0", "sku-b-1"]);
  });

  it("an empty array gives an empty ALL_COMPLETED result and still records the batch", async () => {
    const e = engine();
    let calls = 0;
    e.register(
      "empty",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map("nothing", [] as number[], async () => calls++);
        return view(r);
      }),
    );
    const record = await e.run("empty");
    expect(JSON.parse(record.Result!)).toEqual({
      all: [],
      completionReason: "ALL_COMPLETED",
      status: "SUCCEEDED",
      hasFailure: false,
      counts: [0, 0, 0, 0],
      results: [],
      errors: [],
    });
    expect(calls).toBe(0);
    expect(opsOf(e, record.DurableExecutionArn).map((o) => [o.Type, o.SubType, o.Status])).toEqual([["CONTEXT", "Map", "SUCCEEDED"]]);
  });

  it("FLAT nesting records no item contexts: item operations are parented to the batch", async () => {
    const e = engine();
    e.register(
      "flat",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map([1, 2], async (c, item) => c.step("s", async () => item + 100), { nesting: NestingType.FLAT });
        return r.getResults();
      }),
    );
    const record = await e.run("flat");
    expect(JSON.parse(record.Result!)).toEqual([101, 102]);
    expect(opsOf(e, record.DurableExecutionArn).map((o) => [o.Id, o.ParentId, o.Type, o.SubType])).toEqual([
      [hashId("1"), undefined, "CONTEXT", "Map"],
      [hashId("1-1-1"), hashId("1"), "STEP", "Step"],
      [hashId("1-2-1"), hashId("1"), "STEP", "Step"],
    ]);
  });
});

describe("parallel", () => {
  it("runs branches in child contexts named by the branch or parallel-branch-<i>", async () => {
    const e = engine();
    e.register(
      "par",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.parallel("fan-out", [
          async (c: DurableContext) => c.step(async () => "first"),
          { name: "second-branch", func: async (c: DurableContext) => c.step(async () => "second") },
          async () => "third",
        ]);
        return r.getResults();
      }),
    );
    const record = await e.run("par");
    expect(JSON.parse(record.Result!)).toEqual(["first", "second", "third"]);
    const contexts = opsOf(e, record.DurableExecutionArn).filter((o) => o.Type === "CONTEXT");
    expect(contexts.map((o) => [o.Id, o.SubType, o.Name])).toEqual([
      [hashId("1"), "Parallel", "fan-out"],
      [hashId("1-1"), "ParallelBranch", "parallel-branch-0"],
      [hashId("1-2"), "ParallelBranch", "second-branch"],
      [hashId("1-3"), "ParallelBranch", "parallel-branch-2"],
    ]);
  });

  it("a failing branch does not throw: it is a FAILED item whose error is a ChildContextError (cause: StepError)", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "par-fail",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.parallel([
          async (c: DurableContext) => c.step(async () => 1),
          async (c: DurableContext) =>
            c.step("explode", async () => {
              throw new RangeError("branch broke");
            }, noRetry),
        ], { completionConfig: { toleratedFailureCount: 1 } });
        const err = r.getErrors()[0];
        seen.push([err instanceof ChildContextError, err.message, err.cause instanceof StepError, (err.cause as Error).message]);
        await ctx.wait({ seconds: 1 });
        return view(r);
      }),
    );
    const record = await e.run("par-fail");
    expect(record.Status).toBe("SUCCEEDED");
    // Live and replayed from the batch record: the same error classes.
    expect(seen).toEqual([
      [true, "branch broke", true, "branch broke"],
      [true, "branch broke", true, "branch broke"],
    ]);
    expect(JSON.parse(record.Result!)).toMatchObject({
      completionReason: "ALL_COMPLETED",
      status: "FAILED",
      hasFailure: true,
      counts: [1, 1, 0, 2],
      results: [1],
      errors: ["branch broke"],
    });
  });
});

describe("maxConcurrency", () => {
  async function maxRunning(maxConcurrency: number | undefined): Promise<number> {
    const e = engine();
    let running = 0;
    let max = 0;
    e.register(
      "conc",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map(
          [1, 2, 3, 4, 5],
          async (c, item) =>
            c.step(async () => {
              running++;
              max = Math.max(max, running);
              await new Promise((resolve) => setTimeout(resolve, 20));
              running--;
              return item;
            }),
          { maxConcurrency },
        );
        return r.getResults();
      }),
    );
    const record = await e.run("conc");
    expect(JSON.parse(record.Result!)).toEqual([1, 2, 3, 4, 5]);
    return max;
  }

  it("never runs more items at once than maxConcurrency", async () => {
    expect(await maxRunning(2)).toBe(2);
    expect(await maxRunning(undefined)).toBe(5);
  });

  it("maxConcurrency 1 runs items one after another, across suspensions", async () => {
    const e = engine();
    e.register(
      "serial",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map(
          ["a", "b", "c"],
          async (c, item) => {
            await c.wait({ seconds: 2 });
            return item;
          },
          { maxConcurrency: 1 },
        );
        return r.getResults();
      }),
    );
    const record = await e.run("serial");
    expect(JSON.parse(record.Result!)).toEqual(["a", "b", "c"]);
    const items = eventsOf(e, record.DurableExecutionArn)
      .filter((ev) => ev.SubType === "MapIteration")
      .map((ev) => `${ev.EventType}:${ev.Name}`);
    expect(items).toEqual([
      "ContextStarted:map-item-0",
      "ContextSucceeded:map-item-0",
      "ContextStarted:map-item-1",
      "ContextSucceeded:map-item-1",
      "ContextStarted:map-item-2",
      "ContextSucceeded:map-item-2",
    ]);
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(4);
  });

  it.each([0, -1])("maxConcurrency %d fails the execution before anything is recorded", async (n) => {
    const e = engine();
    e.register(
      "badmax",
      withDurableExecution(async (_event, ctx) => {
        await ctx.map([1], async () => 1, { maxConcurrency: n });
        return "unreachable";
      }),
    );
    const record = await e.run("badmax");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toBe(`Invalid maxConcurrency: ${n}. Must be a positive number or undefined for unlimited concurrency.`);
    expect(opsOf(e, record.DurableExecutionArn)).toEqual([]);
  });
});

describe("completionConfig (API.md §6.8 worked examples, maxConcurrency 1)", () => {
  // "ok" succeeds, "fail" fails.
  const cases: Array<[string, string[], CompletionConfig | undefined, { items: number; reason: string; status: string }]> = [
    ["fail-fast by default", ["ok", "fail", "ok"], undefined, { items: 2, reason: "FAILURE_TOLERANCE_EXCEEDED", status: "FAILED" }],
    ["toleratedFailureCount 1", ["ok", "fail", "ok"], { toleratedFailureCount: 1 }, { items: 3, reason: "ALL_COMPLETED", status: "FAILED" }],
    ["toleratedFailureCount 0", ["ok", "fail", "ok"], { toleratedFailureCount: 0 }, { items: 2, reason: "FAILURE_TOLERANCE_EXCEEDED", status: "FAILED" }],
    ["minSuccessful 2 of 4", ["ok", "ok", "ok", "ok"], { minSuccessful: 2 }, { items: 2, reason: "MIN_SUCCESSFUL_REACHED", status: "SUCCEEDED" }],
    // Every item ran, so the reason is ALL_COMPLETED (rule 4 comes before rule 5).
    ["minSuccessful alone never stops on failures", ["fail", "fail", "ok", "ok"], { minSuccessful: 2 }, { items: 4, reason: "ALL_COMPLETED", status: "FAILED" }],
    ["minSuccessful reached before the end", ["fail", "ok", "ok", "fail"], { minSuccessful: 2 }, { items: 3, reason: "MIN_SUCCESSFUL_REACHED", status: "FAILED" }],
    ["toleratedFailurePercentage 25 of 4, two failures", ["fail", "fail", "ok", "ok"], { toleratedFailurePercentage: 25 }, { items: 2, reason: "FAILURE_TOLERANCE_EXCEEDED", status: "FAILED" }],
    ["toleratedFailurePercentage 25 of 4, one failure", ["ok", "fail", "ok", "ok"], { toleratedFailurePercentage: 25 }, { items: 4, reason: "ALL_COMPLETED", status: "FAILED" }],
    ["minSuccessful 3 + toleratedFailureCount 1, two failures", ["fail", "fail", "ok", "ok"], { minSuccessful: 3, toleratedFailureCount: 1 }, { items: 2, reason: "FAILURE_TOLERANCE_EXCEEDED", status: "FAILED" }],
  ];

  it.each(cases)("%s", async (_label, items, completionConfig, expected) => {
    const e = engine();
    const ran: number[] = [];
    e.register(
      "cc",
      withDurableExecution(async (event: string[], ctx) => {
        const r = await ctx.map(
          event,
          async (c, item, index) => {
            ran.push(index);
            return c.step(async () => {
              if (item === "fail") throw new Error(`item ${index} failed`);
              return index;
            }, noRetry);
          },
          { maxConcurrency: 1, completionConfig },
        );
        return { reason: r.completionReason, status: r.status, indices: r.all.map((i) => `${i.index}:${i.status}`) };
      }),
    );
    const record = await e.run("cc", items);
    expect(record.Status).toBe("SUCCEEDED");
    const result = JSON.parse(record.Result!);
    expect({ items: result.indices.length, reason: result.reason, status: result.status }).toEqual(expected);
    // Items that were never started are absent; the ones present are the first ones.
    expect(result.indices).toEqual(items.slice(0, expected.items).map((it, i) => `${i}:${it === "ok" ? "SUCCEEDED" : "FAILED"}`));
    expect(ran).toEqual(items.slice(0, expected.items).map((_, i) => i));
  });

  it("shouldComplete sees the status of every item (with itemNamer names) and can complete the batch as FAILED", async () => {
    const e = engine();
    const statuses: CompletionStatus[] = [];
    e.register(
      "custom",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map(["x", "y", "z"], async (_c, item) => item, {
          maxConcurrency: 1,
          itemNamer: (item) => `item-${item}`,
          completionConfig: {
            shouldComplete: (s) => {
              statuses.push(JSON.parse(JSON.stringify(s)));
              return s.successCount >= 2 ? completeBatch(CompletionOutcome.FAILED) : continueBatch();
            },
          },
        });
        let thrown: unknown;
        try {
          r.throwIfError();
        } catch (err) {
          thrown = err;
        }
        const b = thrown as BatchCompletionError;
        return {
          ...view(r),
          thrown: [thrown instanceof BatchCompletionError, b?.name, b?.message, b?.completionReason],
        };
      }),
    );
    const record = await e.run("custom");
    const result = JSON.parse(record.Result!);
    expect(result).toMatchObject({
      completionReason: "CUSTOM_COMPLETION_FAILED",
      status: "FAILED",
      hasFailure: false,
      results: ["x", "y"],
      thrown: [true, "BatchCompletionError", "Batch completed as failed by shouldComplete (CUSTOM_COMPLETION_FAILED)", "CUSTOM_COMPLETION_FAILED"],
    });
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toEqual({
      successCount: 2,
      failureCount: 0,
      completedCount: 2,
      totalCount: 3,
      items: [
        { index: 0, name: "item-x", status: "SUCCEEDED" },
        { index: 1, name: "item-y", status: "SUCCEEDED" },
        { index: 2, name: "item-z" },
      ],
    });
  });

  it("completeBatch() defaults to SUCCEEDED; continueBatch() runs every item", async () => {
    const e = engine();
    e.register(
      "custom-ok",
      withDurableExecution(async (_event, ctx) => {
        const stopAtOne = await ctx.parallel([async () => 1, async () => 2, async () => 3], {
          maxConcurrency: 1,
          completionConfig: { shouldComplete: (s) => (s.completedCount >= 1 ? completeBatch() : continueBatch()) },
        });
        const all = await ctx.parallel([async () => 1, async () => 2], { completionConfig: { shouldComplete: () => continueBatch() } });
        return [stopAtOne.completionReason, stopAtOne.status, stopAtOne.totalCount, all.completionReason, all.totalCount];
      }),
    );
    const record = await e.run("custom-ok");
    expect(JSON.parse(record.Result!)).toEqual(["CUSTOM_COMPLETION_SUCCEEDED", "SUCCEEDED", 1, "ALL_COMPLETED", 2]);
  });

  it("shouldComplete combined with a threshold fails the execution as a configuration error", async () => {
    const e = engine();
    e.register(
      "mixed",
      withDurableExecution(async (_event, ctx) => {
        await ctx.map([1], async () => 1, { completionConfig: { shouldComplete: () => completeBatch(), minSuccessful: 1 } as never });
        return "unreachable";
      }),
    );
    const record = await e.run("mixed");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toMatch(/shouldComplete cannot be combined with minSuccessful/);
    expect(opsOf(e, record.DurableExecutionArn)).toEqual([]);
  });
});

describe("BatchResult members", () => {
  it("succeeded/failed/started, getResults/getErrors, counts, status and throwIfError, consistent live and on replay", async () => {
    const e = engine();
    const views: unknown[] = [];
    e.register(
      "members",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map(
          ["ok", "undefined", "fail", "ok"],
          async (c, item, index) =>
            c.step(async () => {
              if (item === "fail") throw new TypeError(`bad item ${index}`);
              return item === "undefined" ? undefined : `v${index}`;
            }, noRetry),
          { completionConfig: { toleratedFailureCount: 1 } },
        );
        const succeeded = r.succeeded();
        succeeded.pop(); // a fresh array each call
        let thrown: unknown;
        try {
          r.throwIfError();
        } catch (err) {
          thrown = err;
        }
        views.push({
          ...view(r),
          succeeded: r.succeeded().map((i) => [i.index, i.result]),
          failed: r.failed().map((i) => [i.index, i.error.name, (i.error.cause as Error).name]),
          started: r.started().length,
          thrownIsFirstError: thrown === r.failed()[0].error,
          json: JSON.parse(JSON.stringify(r)),
        });
        await ctx.wait({ seconds: 1 });
        return "done";
      }),
    );
    const record = await e.run("members");
    expect(record.Status).toBe("SUCCEEDED");
    expect(views).toHaveLength(2);
    expect(views[1]).toEqual(views[0]);
    expect(views[0]).toEqual({
      all: [
        { index: 0, status: "SUCCEEDED", result: "v0", error: undefined },
        { index: 1, status: "SUCCEEDED", result: undefined, error: undefined },
        { index: 2, status: "FAILED", result: undefined, error: "bad item 2" },
        { index: 3, status: "SUCCEEDED", result: "v3", error: undefined },
      ],
      completionReason: "ALL_COMPLETED",
      status: "FAILED",
      hasFailure: true,
      // An item that succeeded with undefined is counted but not listed.
      counts: [3, 1, 0, 4],
      results: ["v0", "v3"],
      errors: ["bad item 2"],
      succeeded: [
        [0, "v0"],
        [3, "v3"],
      ],
      failed: [[2, "ChildContextError", "StepError"]],
      started: 0,
      thrownIsFirstError: true,
      json: {
        all: [
          { result: "v0", index: 0, status: "SUCCEEDED" },
          { index: 1, status: "SUCCEEDED" },
          {
            error: {
              ErrorType: "ChildContextError",
              ErrorMessage: "bad item 2",
              // The step's TypeError name is left behind at the child boundary (errorObject of the
              // StepError); rebuilding a known durable error type without a recorded Cause gives
              // it the synthesized cause of fromErrorObject, as the SDK's reconstructBatchError does.
              Cause: {
                ErrorType: "StepError",
                ErrorMessage: "bad item 2",
                Cause: { ErrorType: "StepError", ErrorMessage: "bad item 2", Cause: { ErrorType: "StepError", ErrorMessage: "bad item 2" } },
              },
            },
            index: 2,
            status: "FAILED",
          },
          { result: "v3", index: 3, status: "SUCCEEDED" },
        ],
        completionReason: "ALL_COMPLETED",
      },
    });
  });

  it("reports items still running when the batch completed as STARTED, and the execution still finishes", async () => {
    const e = engine();
    e.register(
      "in-flight",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.parallel(
          [
            async () => "quick",
            async (c: DurableContext) => {
              await c.wait({ hours: 1 });
              return "slow";
            },
          ],
          { completionConfig: { minSuccessful: 1 } },
        );
        return {
          reason: r.completionReason,
          status: r.status,
          started: r.started().map((i) => [i.index, i.status]),
          counts: [r.successCount, r.failureCount, r.startedCount, r.totalCount],
        };
      }),
    );
    const record = await e.run("in-flight");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toEqual({ reason: "MIN_SUCCESSFUL_REACHED", status: "SUCCEEDED", started: [[1, "STARTED"]], counts: [1, 0, 1, 2] });
  });

  it("throwIfError returns quietly for a successful batch", async () => {
    const e = engine();
    e.register(
      "quiet",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map([1, 2], async (_c, i) => i);
        r.throwIfError();
        return [r.status, r.hasFailure, r.getErrors().length, r.failed().length];
      }),
    );
    const record = await e.run("quiet");
    expect(JSON.parse(record.Result!)).toEqual([BatchItemStatus.SUCCEEDED, false, 0, 0]);
  });
});

describe("replay", () => {
  it("a batch suspended mid-way resumes its pending items; finished ones answer from their records; a finished batch replays from its record", async () => {
    const e = engine();
    const runs: Record<string, number> = {};
    const seen: unknown[] = [];
    e.register(
      "resume",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map(["fast", "slow"], async (c, item) => {
          runs[item] = (runs[item] ?? 0) + 1;
          if (item === "slow") await c.wait({ seconds: 30 });
          return c.step(`finish-${item}`, async () => {
            runs[`step-${item}`] = (runs[`step-${item}`] ?? 0) + 1;
            return item.toUpperCase();
          });
        });
        seen.push(r.getResults());
        await ctx.wait({ seconds: 30 });
        return r.getResults();
      }),
    );
    const record = await e.run("resume");
    expect(JSON.parse(record.Result!)).toEqual(["FAST", "SLOW"]);
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(3);
    // Invocation 2 re-enters the STARTED batch: the slow item's function runs again (its wait
    // replays); the fast item is finished and its function does not run. Invocation 3 reads the
    // batch record.
    expect(runs).toEqual({ fast: 1, slow: 2, "step-fast": 1, "step-slow": 1 });
    expect(seen).toEqual([
      ["FAST", "SLOW"],
      ["FAST", "SLOW"],
    ]);
  });

  it("a result over 256 KB records a MapResult summary with ReplayChildren and is rebuilt on replay without re-running items", async () => {
    const e = engine();
    let itemRuns = 0;
    const lengths: number[][] = [];
    e.register(
      "big-map",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.map(
          "big",
          ["a", "b", "c"],
          async (_c, letter) => {
            itemRuns++;
            return letter.repeat(100_000);
          },
          { summaryGenerator: (res) => `${res.successCount} big items` },
        );
        lengths.push(r.getResults().map((s) => s.length));
        await ctx.wait({ seconds: 1 });
        return [r.completionReason, r.status, r.totalCount];
      }),
    );
    const record = await e.run("big-map");
    expect(JSON.parse(record.Result!)).toEqual(["ALL_COMPLETED", "SUCCEEDED", 3]);
    expect(itemRuns).toBe(3);
    expect(lengths).toEqual([
      [100_000, 100_000, 100_000],
      [100_000, 100_000, 100_000],
    ]);
    const batch = opAt(e, record.DurableExecutionArn, "1")!;
    expect(batch.ContextDetails.ReplayChildren).toBe(true);
    expect(JSON.parse(batch.ContextDetails.Result)).toEqual({
      type: "MapResult",
      totalCount: 3,
      successCount: 3,
      failureCount: 0,
      completionReason: "ALL_COMPLETED",
      status: "SUCCEEDED",
      itemStatuses: "SSS",
      summary: "3 big items",
    });
  });

  it("an oversized parallel result keeps failures and the completion reason across replay", async () => {
    const e = engine();
    const views: unknown[] = [];
    e.register(
      "big-par",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.parallel(
          [
            async () => "p".repeat(150_000),
            async (c: DurableContext) =>
              c.step(async () => {
                throw new Error("branch 1 failed");
              }, noRetry),
            async () => "q".repeat(150_000),
          ],
          { completionConfig: { toleratedFailureCount: 1 } },
        );
        views.push({ reason: r.completionReason, lengths: r.getResults().map((s) => s.length), errors: r.getErrors().map((x) => [x.name, x.message]) });
        await ctx.wait({ seconds: 1 });
        return "ok";
      }),
    );
    const record = await e.run("big-par");
    expect(record.Status).toBe("SUCCEEDED");
    const expected = { reason: "ALL_COMPLETED", lengths: [150_000, 150_000], errors: [["ChildContextError", "branch 1 failed"]] };
    expect(views).toEqual([expected, expected]);
    const summary = JSON.parse(opAt(e, record.DurableExecutionArn, "1")!.ContextDetails.Result);
    expect(summary).toMatchObject({ type: "ParallelResult", totalCount: 3, successCount: 2, failureCount: 1, startedCount: 0, itemStatuses: "SFS" });
  });
});

describe("argument errors", () => {
  const cases: Array<[string, (ctx: DurableContext) => Promise<unknown>, string]> = [
    ["map without an array", (ctx) => ctx.map("m", "nope" as never, async () => 1), "Map operation requires an array of items"],
    ["map without a function", (ctx) => ctx.map([1], "nope" as never), "Map operation requires a function to process items"],
    ["parallel without an array", (ctx) => ctx.parallel({} as never), "Parallel operation requires an array of branch functions"],
    ["parallel with a bad branch", (ctx) => ctx.parallel([async () => 1, 42 as never]), "All branches must be functions or NamedParallelBranch objects"],
  ];

  it.each(cases)("%s: the promise rejects and nothing is recorded", async (_label, call, message) => {
    const e = engine();
    e.register(
      "args",
      withDurableExecution(async (_event, ctx) => {
        try {
          await call(ctx);
          return "not rejected";
        } catch (err) {
          return (err as Error).message;
        }
      }),
    );
    const record = await e.run("args");
    expect(JSON.parse(record.Result!)).toBe(message);
    expect(opsOf(e, record.DurableExecutionArn)).toEqual([]);
  });
});

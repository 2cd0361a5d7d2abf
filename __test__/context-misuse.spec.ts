// Context misuse (API.md §4.5): calling an operation on a parent or sibling context from inside
// a child context, or any durable operation from inside a step body or a waitForCondition
// check, ends the execution (FAILED, ErrorType "Error") with the SDK's message. User code
// cannot catch it, and the offending operation is not recorded.

import { describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { engines, hashId, opsOf } from "./helpers/ops";

const engine = engines("durable-node-misuse-");

const message = (method: string, expected: string, got: string) =>
  `Context usage error in "${method}": You are using a parent or sibling context instead of the current child context. ` +
  `Expected context ID: "${expected}", but got: "${got}". ` +
  `When inside runInChildContext(), you must use the child context parameter, not the parent context.`;

/** Every operation method, called on `ctx` (the wrong context in these tests). */
const calls: Array<[string, (ctx: DurableContext) => unknown]> = [
  ["step", (ctx) => ctx.step(async () => 1)],
  ["wait", (ctx) => ctx.wait({ seconds: 1 })],
  ["runInChildContext", (ctx) => ctx.runInChildContext(async () => 1)],
  ["map", (ctx) => ctx.map([1], async () => 1)],
  ["parallel", (ctx) => ctx.parallel([async () => 1])],
  ["createCallback", (ctx) => ctx.createCallback()],
  ["invoke", (ctx) => ctx.invoke("target", {})],
  ["waitForCondition", (ctx) => ctx.waitForCondition(async (s: number) => s, { initialState: 0, waitStrategy: () => ({ shouldContinue: false }) })],
  ["promise.all", (ctx) => ctx.promise.all([])],
];

describe("context misuse", () => {
  it.each(calls)("%s on the parent from inside a child ends the execution, even inside try/catch", async (method, call) => {
    const e = engine();
    let caught = false;
    e.register(
      "misuse",
      withDurableExecution(async (_event, ctx) => {
        await ctx.runInChildContext("child", async (child) => {
          await child.step("fine", async () => "ok");
          try {
            await call(ctx);
          } catch {
            caught = true;
          }
          return "child done";
        });
        return "handler done";
      }),
    );
    const record = await e.run("misuse");
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toEqual({ ErrorType: "Error", ErrorMessage: message(method, "1", "undefined") });
    expect(caught).toBe(false);
    // Only the child and its legitimate step were recorded.
    expect(opsOf(e, record.DurableExecutionArn).map((o) => o.Id)).toEqual([hashId("1"), hashId("1-1")]);
  });

  it.each(calls)("%s from inside a step body ends the execution", async (method, call) => {
    const e = engine();
    e.register(
      "in-step",
      withDurableExecution(async (_event, ctx) => {
        await ctx.step("outer", async () => {
          await call(ctx);
          return 1;
        });
        return "handler done";
      }),
    );
    const record = await e.run("in-step");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toBe(message(method, "1", "undefined"));
  });

  it("an operation from inside a waitForCondition check ends the execution", async () => {
    const e = engine();
    e.register(
      "in-check",
      withDurableExecution(async (_event, ctx) => {
        await ctx.step("first", async () => 0);
        return ctx.waitForCondition(
          "poll",
          async (s: number) => {
            await ctx.step("sneaky", async () => s);
            return s + 1;
          },
          { initialState: 0, waitStrategy: () => ({ shouldContinue: false }) },
        );
      }),
    );
    const record = await e.run("in-check");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toBe(message("step", "2", "undefined"));
    expect(opsOf(e, record.DurableExecutionArn).map((o) => o.Name)).not.toContain("sneaky");
  });

  it("a sibling's context used from another child names both", async () => {
    const e = engine();
    e.register(
      "sibling",
      withDurableExecution(async (_event, ctx) => {
        let first: DurableContext | undefined;
        await ctx.runInChildContext("a", async (a) => {
          first = a;
          return a.step(async () => "a");
        });
        await ctx.runInChildContext("b", async () => first!.step(async () => "wrong context"));
        return "done";
      }),
    );
    const record = await e.run("sibling");
    expect(record.Status).toBe("FAILED");
    expect(record.Error?.ErrorMessage).toBe(message("step", "2", "1"));
  });

  it("a map item using the handler's context, and a grandchild using its parent, are caught too", async () => {
    const e = engine();
    e.register(
      "map-item",
      withDurableExecution(async (_event, ctx) => {
        await ctx.map([1, 2], async (_item) => ctx.step(async () => "wrong"));
        return "done";
      }),
    );
    const mapRecord = await e.run("map-item");
    expect(mapRecord.Error?.ErrorMessage).toBe(message("step", "1-1", "undefined"));

    e.register(
      "grandchild",
      withDurableExecution(async (_event, ctx) => {
        await ctx.runInChildContext(async (child) => child.runInChildContext(async () => child.wait({ seconds: 1 })));
        return "done";
      }),
    );
    const nested = await e.run("grandchild");
    expect(nested.Error?.ErrorMessage).toBe(message("wait", "1-1", "1"));
  });

  it("the right context at each level works, including the parent again once the child has returned", async () => {
    const e = engine();
    e.register(
      "correct",
      withDurableExecution(async (_event, ctx) => {
        const a = await ctx.runInChildContext(async (child) => {
          const x = await child.step(async () => 1);
          const y = await child.runInChildContext(async (grandchild) => grandchild.step(async () => 2));
          await child.wait({ seconds: 1 });
          return x + y;
        });
        const b = await ctx.step(async () => 3);
        const polled = await ctx.waitForCondition(async (s: number, { attempt }) => s + attempt, { initialState: 0, waitStrategy: (s) => (s < 3 ? { shouldContinue: true, delay: { seconds: 1 } } : { shouldContinue: false }) });
        return a + b + polled;
      }),
    );
    const record = await e.run("correct");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe(9);
  });
});

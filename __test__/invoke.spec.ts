// context.invoke (API.md §6.4): chained invocation of a durable or plain function registered on
// the engine. The caller suspends until the target finishes, replays the recorded outcome
// without invoking again, and sees failures (durable, plain, unregistered) as InvokeError.

import { describe, expect, it } from "vitest";

import { InvokeError, withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";
import { engines, eventsOf, hashId, invocationsOf, opAt, opsOf } from "./helpers/ops";

const engine = engines("durable-node-invoke-");

/** A caught InvokeError as plain data. */
function shape(e: unknown) {
  const err = e as InvokeError;
  return { isInvokeError: e instanceof InvokeError, name: err.name, message: err.message, errorData: err.errorData, cause: err.cause && [err.cause.name, err.cause.message] };
}

describe("invoke: durable targets", () => {
  it("runs the target as a linked execution; the caller suspends until it finishes and replays the result without invoking again", async () => {
    const e = engine();
    const runs = { caller: 0, target: 0, targetStep: 0 };
    const seen: unknown[] = [];
    e.register(
      "pricing",
      withDurableExecution(async (event: { sku: string }, ctx) => {
        runs.target++;
        const price = await ctx.step("lookup", async () => {
          runs.targetStep++;
          return event.sku.length * 10;
        });
        await ctx.wait({ seconds: 30 });
        return { sku: event.sku, price };
      }),
    );
    e.register(
      "checkout",
      withDurableExecution(async (_event, ctx) => {
        runs.caller++;
        const quote = await ctx.invoke<{ sku: string }, { sku: string; price: number }>("get-price", "pricing", { sku: "abcd" });
        seen.push(quote);
        await ctx.wait({ seconds: 5 });
        return quote.price + 1;
      }),
    );
    const record = await e.run("checkout");
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe(41);
    expect(seen).toEqual([
      { sku: "abcd", price: 40 },
      { sku: "abcd", price: 40 },
    ]);
    // Caller: suspended on the invoke, resumed with its result, suspended on its wait, replayed.
    expect(runs.caller).toBe(3);
    expect(runs.targetStep).toBe(1);
    expect(runs.target).toBe(2); // the target itself suspended once on its wait

    const arn = record.DurableExecutionArn;
    expect(opsOf(e, arn)[0]).toMatchObject({
      Id: hashId("1"),
      Type: "CHAINED_INVOKE",
      SubType: "ChainedInvoke",
      Name: "get-price",
      Status: "SUCCEEDED",
      ChainedInvokeDetails: { Result: '{"sku":"abcd","price":40}' },
    });
    const started = eventsOf(e, arn).find((ev) => ev.EventType === "ChainedInvokeStarted")!;
    expect(started.ChainedInvokeStartedDetails).toMatchObject({ FunctionName: "pricing", Input: { Payload: '{"sku":"abcd"}' } });
    const targetArn = started.ChainedInvokeStartedDetails.DurableExecutionArn as string;
    expect(e.get(targetArn)).toMatchObject({ Status: "SUCCEEDED", Result: '{"sku":"abcd","price":40}' });
    expect(targetArn).toContain(":function:pricing:");
  });

  it("a failed durable target surfaces as InvokeError carrying the target's message (live and replayed)", async () => {
    const e = engine();
    const seen: unknown[] = [];
    e.register(
      "fragile",
      withDurableExecution(async () => {
        throw new RangeError("quota exceeded");
      }),
    );
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.invoke("fragile", { n: 1 });
        } catch (err) {
          seen.push(shape(err));
        }
        await ctx.wait({ seconds: 1 });
        return "handled";
      }),
    );
    const record = await e.run("caller");
    expect(record.Status).toBe("SUCCEEDED");
    const expected = { isInvokeError: true, name: "InvokeError", message: "quota exceeded", errorData: undefined, cause: ["Error", "quota exceeded"] };
    expect(seen).toEqual([expected, expected]);
    expect(opAt(e, record.DurableExecutionArn, "1")).toMatchObject({ Status: "FAILED", ChainedInvokeDetails: { Error: { ErrorType: "RangeError", ErrorMessage: "quota exceeded" } } });
  });

  it("an uncaught invoke failure fails the caller with ErrorType InvokeError", async () => {
    const e = engine();
    e.register(
      "fails",
      withDurableExecution(async () => {
        throw new Error("target down");
      }),
    );
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => ctx.invoke("fails")),
    );
    const record = await e.run("caller");
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "InvokeError", ErrorMessage: "target down" });
  });

  it("invokes started together run concurrently and get ids in call order", async () => {
    const e = engine();
    e.register(
      "slow",
      withDurableExecution(async (event: number, ctx) => {
        await ctx.wait({ seconds: event });
        return event;
      }),
    );
    e.register(
      "fan",
      withDurableExecution(async (_event, ctx) => {
        const a = ctx.invoke("slow", 20);
        const b = ctx.invoke("slow", 10);
        return [await a, await b];
      }),
    );
    const record = await e.run("fan");
    expect(JSON.parse(record.Result!)).toEqual([20, 10]);
    const arn = record.DurableExecutionArn;
    expect(opsOf(e, arn).map((o) => [o.Id, o.Status])).toEqual([
      [hashId("1"), "SUCCEEDED"],
      [hashId("2"), "SUCCEEDED"],
    ]);
    // Both targets were started before either finished; the shorter one finished first.
    const order = eventsOf(e, arn)
      .filter((ev) => ev.EventType.startsWith("ChainedInvoke"))
      .map((ev) => `${ev.EventType}:${ev.Id === hashId("1") ? "a" : "b"}`);
    expect(order).toEqual(["ChainedInvokeStarted:a", "ChainedInvokeStarted:b", "ChainedInvokeSucceeded:b", "ChainedInvokeSucceeded:a"]);
  });
});

describe("invoke: plain targets", () => {
  it("calls a registered plain function once with the parsed payload and returns its result", async () => {
    const e = engine();
    const calls: unknown[] = [];
    e.registerFunction("double", async (event: { x: number }) => {
      calls.push(event);
      return { doubled: event.x * 2 };
    });
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => {
        const r = await ctx.invoke<{ x: number }, { doubled: number }>("double", { x: 21 });
        await ctx.wait({ seconds: 1 });
        return r.doubled;
      }),
    );
    const record = await e.run("caller");
    expect(JSON.parse(record.Result!)).toBe(42);
    expect(calls).toEqual([{ x: 21 }]);
    expect(opsOf(e, record.DurableExecutionArn)[0].Name).toBeUndefined();
  });

  it("a plain function that throws surfaces as InvokeError with its message", async () => {
    const e = engine();
    e.registerFunction("explodes", () => {
      throw new TypeError("cannot read properties of undefined");
    });
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.invoke("boom", "explodes", {});
          return "no error";
        } catch (err) {
          return shape(err);
        }
      }),
    );
    const record = await e.run("caller");
    expect(JSON.parse(record.Result!)).toEqual({ isInvokeError: true, name: "InvokeError", message: "cannot read properties of undefined", cause: ["Error", "cannot read properties of undefined"] });
    expect(opAt(e, record.DurableExecutionArn, "1")!.ChainedInvokeDetails.Error.ErrorType).toBe("TypeError");
  });

  it("invoking a function nobody registered is an InvokeError naming it", async () => {
    const e = engine();
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.invoke("not-registered", { a: 1 });
          return "no error";
        } catch (err) {
          return shape(err);
        }
      }),
    );
    const record = await e.run("caller");
    const result = JSON.parse(record.Result!);
    expect(result.isInvokeError).toBe(true);
    expect(result.message).toMatch(/not-registered/);
  });
});

describe("invoke: arguments and serdes", () => {
  it("payloadSerdes writes the START payload and resultSerdes reads the result", async () => {
    const e = engine();
    e.registerFunction("echo", (event: unknown) => ({ echoed: event }));
    const upper: Serdes<string> = {
      serialize: async (s) => (s === undefined ? undefined : JSON.stringify({ wrapped: s.toUpperCase() })),
      deserialize: async (s) => (s === undefined ? undefined : JSON.parse(s)),
    };
    const tagged: Serdes<string> = {
      serialize: async (v) => JSON.stringify(v),
      deserialize: async (s) => `result:${s}`,
    };
    e.register(
      "caller",
      // A string second argument selects the named form, so a string input needs the name.
      withDurableExecution(async (_event, ctx) => ctx.invoke<string, string>("call-echo", "echo", "hello", { payloadSerdes: upper, resultSerdes: tagged })),
    );
    const record = await e.run("caller");
    expect(JSON.parse(record.Result!)).toBe('result:{"echoed":{"wrapped":"HELLO"}}');
    const started = eventsOf(e, record.DurableExecutionArn).find((ev) => ev.EventType === "ChainedInvokeStarted")!;
    expect(started.ChainedInvokeStartedDetails.Input.Payload).toBe('{"wrapped":"HELLO"}');
  });

  it("undefined input is sent as no payload and the target gets {}", async () => {
    const e = engine();
    const got: unknown[] = [];
    e.registerFunction("noinput", (event: unknown) => {
      got.push(event);
      return "ok";
    });
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => ctx.invoke("noinput")),
    );
    const record = await e.run("caller");
    expect(JSON.parse(record.Result!)).toBe("ok");
    expect(got).toEqual([{}]);
  });

  it("a function name that is not a non-empty string is refused and nothing is recorded", async () => {
    const e = engine();
    e.register(
      "caller",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.invoke(42 as never, {});
          return "no error";
        } catch (err) {
          return `${(err as Error).name}: ${(err as Error).message}`;
        }
      }),
    );
    const record = await e.run("caller");
    expect(JSON.parse(record.Result!)).toMatch(/^TypeError: invoke requires the target function's name or ARN as a non-empty string/);
    expect(opsOf(e, record.DurableExecutionArn)).toEqual([]);
    expect(invocationsOf(e, record.DurableExecutionArn)).toBe(1);
  });
});

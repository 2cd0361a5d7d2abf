// context.createCallback on the real engine: success, failure, timeout and heartbeat timeout
// with the error classes user code sees, serdes precedence, replay across invocations, and
// the engine's refusals (unknown id, completing twice, a finished execution).

import { afterEach, describe, expect, it } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import {
  CallbackClosedError,
  CallbackError,
  CallbackExternalError,
  CallbackNotFoundError,
  CallbackTimeoutError,
  DurableEngine,
  DurableOperationError,
  type Serdes,
} from "../ts/index";
import { callbackId, eventTypes, sleep, startRun, suspended } from "./helpers/callbacks";

let engine: DurableEngine;
afterEach(() => engine?.close());

/** What a caught error looks like to user code, as plain data. */
function shape(e: unknown) {
  const err = e as CallbackError;
  return {
    class: err.constructor.name,
    isCallbackError: err instanceof CallbackError,
    isOperationError: err instanceof DurableOperationError,
    name: err.name,
    errorType: err.errorType,
    message: err.message,
    errorData: err.errorData,
    causeName: err.cause?.name,
    causeMessage: err.cause?.message,
  };
}

describe("createCallback", () => {
  it("hands out a callback id, suspends, and resolves with the raw result text once completed", async () => {
    engine = DurableEngine.open({ skipTime: true });
    let runs = 0;
    const ids: string[] = [];
    engine.register(
      "approve",
      withDurableExecution(async (event: string, ctx) => {
        runs++;
        const [promise, id] = await ctx.createCallback(event);
        ids.push(id);
        return await promise;
      }),
    );
    const { arn, done } = startRun(engine, "approve", "cbname");
    const id = await callbackId(engine, arn);
    expect(id.length).toBeGreaterThanOrEqual(22); // ≥ 122 random bits, whatever the encoding
    await suspended(engine, arn, 1);
    engine.sendCallbackSuccess(id, '"payload123"');
    const record = await done;

    expect(record.Status).toBe("SUCCEEDED");
    // Pass-through: the text sent, quotes included (PROTOCOL.md §11.3).
    expect(JSON.parse(record.Result!)).toBe('"payload123"');
    expect(runs).toBe(2);
    expect(ids).toEqual([id, id]);
    expect(eventTypes(engine, arn)).toEqual([
      "ExecutionStarted",
      "CallbackStarted",
      "InvocationCompleted",
      "CallbackSucceeded",
      "InvocationCompleted",
      "ExecutionSucceeded",
    ]);
    const started = engine.history(arn)[1] as Record<string, any>;
    expect(started).toMatchObject({ SubType: "Callback", Name: "cbname", Id: "c4ca4238a0b92382" });
    expect(started.CallbackStartedDetails).toEqual({ CallbackId: id });
  });

  it("resolves with undefined when the callback succeeds without a payload", async () => {
    engine = DurableEngine.open({ skipTime: true });
    const seen: unknown[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback();
        seen.push(await promise);
        return "done";
      }),
    );
    const { arn, done } = startRun(engine, "f");
    await suspended(engine, arn, 1);
    engine.sendCallbackSuccess(await callbackId(engine, arn));
    expect((await done).Status).toBe("SUCCEEDED");
    expect(seen).toEqual([undefined]);
    expect(engine.operations(arn).find((o) => o.Type === "CALLBACK")?.Name).toBeUndefined();
  });

  it("throws CallbackExternalError with the external error's message, data and type (as the cause), first run and replay", async () => {
    engine = DurableEngine.open({ skipTime: true });
    const seen: unknown[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback("approval");
        try {
          await promise;
        } catch (e) {
          seen.push(shape(e));
        }
        await ctx.wait({ seconds: 2 });
        return "handled";
      }),
    );
    const { arn, done } = startRun(engine, "f");
    await suspended(engine, arn, 1);
    engine.sendCallbackFailure(await callbackId(engine, arn), { ErrorType: "RejectedError", ErrorMessage: "not approved", ErrorData: '{"by":"alice"}' });
    const record = await done;
    expect(record.Status).toBe("SUCCEEDED");
    const expected = {
      class: "CallbackExternalError",
      isCallbackError: true,
      isOperationError: true,
      name: "CallbackExternalError",
      errorType: "CallbackExternalError",
      message: "not approved",
      errorData: '{"by":"alice"}',
      causeName: "RejectedError",
      causeMessage: "not approved",
    };
    // Invocation 2 saw the failure live, invocation 3 replayed it.
    expect(seen).toEqual([expected, expected]);
    const failed = engine.history(arn).find((e) => e.EventType === "CallbackFailed") as Record<string, any>;
    expect(failed.CallbackFailedDetails.Error.Payload).toMatchObject({ ErrorType: "RejectedError", ErrorMessage: "not approved" });
  });

  it("fails the execution with CallbackExternalError when the failure is not caught; an empty failure reads 'Callback failed'", async () => {
    engine = DurableEngine.open({ skipTime: true });
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback();
        return await promise;
      }),
    );
    const { arn, done } = startRun(engine, "f");
    await suspended(engine, arn, 1);
    engine.sendCallbackFailure(await callbackId(engine, arn));
    const record = await done;
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "CallbackExternalError", ErrorMessage: "Callback failed" });
  });

  it("times out: CallbackTimeoutError from the engine's Callback.Timeout, CallbackOptions.TimeoutSeconds in the history", async () => {
    engine = DurableEngine.open({ skipTime: true });
    const seen: unknown[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback("slow", { timeout: { seconds: 5 } });
        try {
          return await promise;
        } catch (e) {
          seen.push(shape(e));
          throw e;
        }
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const record = await done;
    expect(record.Status).toBe("FAILED");
    expect(record.Error).toMatchObject({ ErrorType: "CallbackTimeoutError", ErrorMessage: "Callback timed out" });
    expect(seen).toEqual([
      {
        class: "CallbackTimeoutError",
        isCallbackError: true,
        isOperationError: true,
        name: "CallbackTimeoutError",
        errorType: "CallbackTimeoutError",
        message: "Callback timed out",
        errorData: undefined,
        causeName: "Callback.Timeout",
        causeMessage: "Callback timed out",
      },
    ]);
    const history = engine.history(arn) as Record<string, any>[];
    expect(history.map((e) => e.EventType)).toEqual([
      "ExecutionStarted",
      "CallbackStarted",
      "InvocationCompleted",
      "CallbackTimedOut",
      "InvocationCompleted",
      "ExecutionFailed",
    ]);
    expect(history[1].CallbackStartedDetails).toMatchObject({ Timeout: 5 });
    expect(history[1].CallbackStartedDetails.HeartbeatTimeout).toBeUndefined();
    expect(history[3].CallbackTimedOutDetails.Error.Payload.ErrorType).toBe("Callback.Timeout");
  });

  it("times out on a missing heartbeat: CallbackTimeoutError whose cause is Callback.Heartbeat", async () => {
    engine = DurableEngine.open({ skipTime: true });
    const seen: unknown[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback({ heartbeatTimeout: { seconds: 5 } });
        try {
          await promise;
        } catch (e) {
          seen.push(shape(e));
        }
        return "ok";
      }),
    );
    const { arn, done } = startRun(engine, "f");
    expect((await done).Status).toBe("SUCCEEDED");
    expect(seen).toMatchObject([{ class: "CallbackTimeoutError", causeName: "Callback.Heartbeat", message: "Callback timed out on heartbeat" }]);
    const started = engine.history(arn).find((e) => e.EventType === "CallbackStarted") as Record<string, any>;
    expect(started.CallbackStartedDetails).toMatchObject({ HeartbeatTimeout: 5 });
  });

  it("stays open while heartbeats arrive within the heartbeat timeout, and times out after one is missed (manual clock)", async () => {
    const start = Date.parse("2026-01-01T00:00:00Z");
    engine = DurableEngine.open({ manualClockMs: start });
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback({ heartbeatTimeout: { seconds: 2 } });
        return await promise;
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const id = await callbackId(engine, arn);
    await suspended(engine, arn, 1);
    // 3.6 s in total, far past the 2-second heartbeat timeout, but never 2 s without a beat.
    for (let i = 1; i <= 3; i++) {
      engine.advanceClockTo(start + i * 1_200);
      engine.sendCallbackHeartbeat(id);
    }
    engine.sendCallbackSuccess(id, '"alive"');
    const record = await done;
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe('"alive"');
    // A heartbeat records no event.
    expect(eventTypes(engine, arn).filter((t) => t.startsWith("Callback"))).toEqual(["CallbackStarted", "CallbackSucceeded"]);

    const second = startRun(engine, "f", "missed");
    const id2 = await callbackId(engine, second.arn);
    await suspended(engine, second.arn, 1);
    const t0 = engine.now();
    engine.advanceClockTo(t0 + 1_500);
    engine.sendCallbackHeartbeat(id2);
    expect(engine.native.nextDueTime({ arn: second.arn }), "the beat moved the deadline").toBe(t0 + 3_500);
    engine.advanceClockTo(t0 + 3_501);
    const timedOut = await second.done;
    expect(timedOut.Status).toBe("FAILED");
    expect(eventTypes(engine, second.arn)).toContain("CallbackTimedOut");
  });

  it("deserializes with the per-operation serdes, then defaultCallbackDeserializer, never the context's defaultSerdes", async () => {
    engine = DurableEngine.open({ skipTime: true });
    const tag = (label: string): Serdes<unknown> => ({
      serialize: async (v) => JSON.stringify(v),
      deserialize: async (d) => `${label}(${d})`,
    });
    let results: unknown[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        ctx.configureSerdes({ defaultSerdes: tag("defaultSerdes") });
        const [raw] = await ctx.createCallback("raw");
        ctx.configureSerdes({ defaultCallbackDeserializer: tag("defaultCallback") });
        const [byDefault] = await ctx.createCallback("by-default");
        const [perOp] = await ctx.createCallback("per-op", { serdes: tag("perOp") });
        results = [await raw, await byDefault, await perOp];
        return "done";
      }),
    );
    const { arn, done } = startRun(engine, "f");
    // Awaited one after the other: each completion wakes an invocation that suspends on the next.
    for (const [i, name] of ["raw", "by-default", "per-op"].entries()) {
      await suspended(engine, arn, i + 1);
      engine.sendCallbackSuccess(await callbackId(engine, arn, (o) => o.Name === name), '{"n":1}');
    }
    expect((await done).Status).toBe("SUCCEEDED");
    expect(results).toEqual(['{"n":1}', 'defaultCallback({"n":1})', 'perOp({"n":1})']);
  });

  it("a custom deserializer turns the payload into a typed value (conformance 4-16)", async () => {
    engine = DurableEngine.open({ skipTime: true });
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback<number>("count", { serdes: { deserialize: async (d) => (d === undefined ? undefined : Number(JSON.parse(d))) } });
        const count = await promise;
        return { count, doubled: count! * 2 };
      }),
    );
    const { arn, done } = startRun(engine, "f");
    await suspended(engine, arn, 1);
    engine.sendCallbackSuccess(await callbackId(engine, arn), '"21"');
    expect(JSON.parse((await done).Result!)).toEqual({ count: 21, doubled: 42 });
  });

  it("replays: two callbacks awaited in order, completed out of order, each side effect once (conformance 4-18)", async () => {
    engine = DurableEngine.open({ skipTime: true });
    let runs = 0;
    let effects = 0;
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        runs++;
        await ctx.step("before", async () => ++effects);
        const [a] = await ctx.createCallback("A");
        const [b] = await ctx.createCallback("B");
        return [await a, await b];
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const idA = await callbackId(engine, arn, (o) => o.Name === "A");
    const idB = await callbackId(engine, arn, (o) => o.Name === "B");
    expect(idA).not.toBe(idB);
    // B first: invocation 2 finds A still open and suspends again.
    await suspended(engine, arn, 1);
    engine.sendCallbackSuccess(idB, "b");
    await suspended(engine, arn, 2);
    engine.sendCallbackSuccess(idA, "a");
    const record = await done;
    expect(JSON.parse(record.Result!)).toEqual(["a", "b"]);
    expect(runs).toBe(3);
    expect(effects).toBe(1);
    expect(eventTypes(engine, arn).filter((t) => t === "CallbackStarted")).toHaveLength(2);
  });

  it("rejects bad durations before anything is checkpointed", async () => {
    engine = DurableEngine.open({ skipTime: true });
    const seen: string[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        try {
          await ctx.createCallback("bad", { timeout: { seconds: -3 } });
        } catch (e) {
          seen.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
        try {
          await ctx.createCallback({ heartbeatTimeout: { secs: 3 } as never });
        } catch (e) {
          seen.push(`${(e as Error).name}: ${(e as Error).message}`);
        }
        return "ok";
      }),
    );
    const record = await engine.run("f");
    expect(record.Status).toBe("SUCCEEDED");
    expect(seen).toEqual([
      'TypeError: Invalid timeout of callback "bad" {"seconds":-3}: seconds must be a non-negative whole number',
      'TypeError: Invalid heartbeatTimeout {"secs":3}: use days, hours, minutes and seconds',
    ]);
    expect(engine.operations(record.DurableExecutionArn).filter((o) => o.Type === "CALLBACK")).toEqual([]);
  });
});

describe("completing callbacks: refusals", () => {
  it("an unknown id, completing twice, and a callback of a finished execution are typed errors; nothing changes", async () => {
    engine = DurableEngine.open({ skipTime: true });
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [first] = await ctx.createCallback("first");
        const value = await first;
        // A callback nobody awaits: the execution ends while it is still open.
        await ctx.createCallback("abandoned");
        return value;
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const id = await callbackId(engine, arn, (o) => o.Name === "first");

    expect(() => engine.sendCallbackSuccess("no-such-callback", '"x"')).toThrow(CallbackNotFoundError);
    expect(() => engine.sendCallbackHeartbeat("no-such-callback")).toThrow(/no-such-callback/);

    await suspended(engine, arn, 1);
    engine.sendCallbackSuccess(id, '"once"');
    expect(() => engine.sendCallbackSuccess(id, '"twice"')).toThrow(CallbackClosedError);
    expect(() => engine.sendCallbackFailure(id, { ErrorMessage: "late" })).toThrow(/already closed \(SUCCEEDED\)/);

    const record = await done;
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe('"once"');

    const abandoned = engine.operations(arn).find((o) => o.Name === "abandoned")!;
    expect(abandoned.Status).toBe("STARTED");
    const abandonedId = abandoned.CallbackDetails!.CallbackId!;
    let refusal: unknown;
    try {
      engine.sendCallbackSuccess(abandonedId, '"too late"');
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(CallbackClosedError);
    expect((refusal as Error).message).toContain(abandonedId);
    expect((refusal as Error).message).toContain("SUCCEEDED");
    expect(() => engine.sendCallbackHeartbeat(abandonedId)).toThrow(CallbackClosedError);

    // The execution and its history are as they were.
    expect(engine.get(arn)).toEqual(record);
    expect(eventTypes(engine, arn).filter((t) => t.startsWith("Callback"))).toEqual(["CallbackStarted", "CallbackSucceeded", "CallbackStarted"]);
  });
});

describe("a completion just before a PENDING answer", () => {
  // PROTOCOL.md §7: a change the invocation never saw leads to a prompt re-invocation, even when
  // it leaves no operation pending on the service.
  it("a callback completed while the invocation is about to suspend resumes the execution", async () => {
    engine = DurableEngine.open({ skipTime: true });
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise, id] = await ctx.createCallback();
        // An external system that answers within the SDK's 20 ms suspension cooldown.
        if (engine.operations(ctx.executionContext.durableExecutionArn).find((o) => o.Type === "CALLBACK")?.Status === "STARTED") {
          engine.sendCallbackSuccess(id, '"fast"');
        }
        return await promise;
      }),
    );
    const record = await engine.run("f");
    expect(record.Error).toBeUndefined();
    expect(record.Status).toBe("SUCCEEDED");
  });
});

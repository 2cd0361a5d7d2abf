// The testing API as a user of @aws/durable-execution-sdk-js-testing 1.1.4 writes tests (imports
// by the official package names; vitest.config aliases them to durable-node), covering every
// accessor of API.md §16, plus what durable-node adds: callback and heartbeat timeouts skipped
// on the engine clock with every InvocationCompleted kept, run({ callbacks }), and no fake timers.

import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

import { createRetryStrategy, JitterStrategy, withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import {
  CloudDurableTestRunner,
  ExecutionStatus,
  LocalDurableTestRunner,
  OperationStatus,
  OperationType,
  WaitingOperationStatus,
  type DurableOperation,
  type TestResult,
} from "@aws/durable-execution-sdk-js-testing";

// Captured before anything runs: during a run these must still be the process's own.
const RealDate = Date;
const realSetTimeout = globalThis.setTimeout;
const realSetImmediate = globalThis.setImmediate;

const eventTypes = (result: TestResult) => result.getHistoryEvents().map((e) => e.EventType);

/**
 * Every invocation ends with InvocationCompleted, none merged into the next: an event of
 * `resumedBy` types (a timer firing, a callback answered after the invocation ended, a retry)
 * has an InvocationCompleted between it and the previous event of the same operation.
 */
function expectInvocationsKept(result: TestResult, resumedBy: string[]): void {
  const events = result.getHistoryEvents();
  const types = events.map((e) => e.EventType);
  expect(types.filter((t) => t === "InvocationCompleted")).toHaveLength(result.getInvocations().length);
  let checked = 0;
  events.forEach((event, i) => {
    if (!resumedBy.includes(event.EventType!)) return;
    const previous = events.slice(0, i).findLastIndex((e) => e.Id === event.Id);
    if (previous < 0) return;
    checked++;
    expect(types.slice(previous, i), `${event.EventType} of ${event.Name ?? event.Id}`).toContain("InvocationCompleted");
  });
  expect(checked).toBeGreaterThan(0);
  expect(types.at(-2)).toBe("InvocationCompleted");
}

describe("durable-node/testing as the official LocalDurableTestRunner", () => {
  beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
  afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

  describe("steps, waits and the result", () => {
    let attempts = 0;
    const handler = withDurableExecution(async (event: { orderId: string }, context: DurableContext) => {
      const order = await context.step("load", async () => ({ id: event.orderId, total: 42 }));
      await context.wait("cool-down", { hours: 1 });
      const charged = await context.step(
        "charge",
        async () => {
          attempts++;
          if (attempts < 3) throw new Error(`card declined ${attempts}`);
          return { charged: order.total };
        },
        { retryStrategy: createRetryStrategy({ maxAttempts: 5, initialDelay: { minutes: 2 }, jitter: JitterStrategy.NONE }) },
      );
      await context.step("notify", async () => "sent");
      await context.step("notify", async () => "sent again");
      return { order, charged };
    });
    const runner = new LocalDurableTestRunner({ handlerFunction: handler });

    beforeEach(() => {
      attempts = 0;
      runner.reset();
    });

    it("runs to the end in skipped time and exposes the result", async () => {
      const started = performance.now();
      const execution = await runner.run({ payload: { orderId: "o-1" } });
      expect(performance.now() - started).toBeLessThan(5_000);

      expect(execution.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
      expect(execution.getResult()).toEqual({ order: { id: "o-1", total: 42 }, charged: { charged: 42 } });
      expect(() => execution.getError()).toThrow("Cannot get error for succeeded execution");
      expect(execution.getOperations()).toHaveLength(5);
      expect(execution.getOperations({ status: OperationStatus.SUCCEEDED })).toHaveLength(5);
      expect(execution.getOperations().map((op) => op.getName())).toEqual(["load", "cool-down", "charge", "notify", "notify"]);
    });

    it("finds operations by name, name and index, position and id", async () => {
      await runner.run({ payload: { orderId: "o-2" } });
      const load = runner.getOperation("load");
      expect(load.getType()).toBe(OperationType.STEP);
      expect(load.getSubType()).toBe("Step");
      expect(load.getStatus()).toBe(OperationStatus.SUCCEEDED);
      expect(load.getStepDetails()).toEqual({ attempt: 1, nextAttemptTimestamp: undefined, result: { id: "o-2", total: 42 }, error: undefined });
      expect(load.getParentId()).toBeUndefined();
      expect(load.getId()).toMatch(/^[0-9a-f]{16}$/);
      expect(load.getStartTimestamp()).toBeInstanceOf(Date);
      expect(load.getEndTimestamp()).toBeInstanceOf(Date);
      expect(load.getOperationData()).toMatchObject({ Id: load.getId(), Name: "load", Type: "STEP", Status: "SUCCEEDED" });
      expect(load.getEvents()?.map((e) => e.EventType)).toEqual(["StepStarted", "StepSucceeded"]);
      expect(load.isCallback()).toBe(false);
      expect(load.isWaitForCallback()).toBe(false);

      expect(runner.getOperationByIndex(1).getName()).toBe("cool-down");
      expect(runner.getOperationByIndex(-1).getName()).toBe("notify");
      expect(runner.getOperationById(load.getId()!).getName()).toBe("load");
      expect(runner.getOperation("notify").getStepDetails()?.result).toBe("sent");
      expect(runner.getOperation("notify", 1).getStepDetails()?.result).toBe("sent again");
      expect(runner.getOperationByNameAndIndex("notify", 1).getStepDetails()?.result).toBe("sent again");
      expect(runner.getOperation("missing").getStatus()).toBeUndefined();
      expect(runner.getOperation("missing").getStepDetails()).toBeUndefined();
      expect(runner.getOperation("missing").getChildOperations()).toBeUndefined();
    });

    it("reports waits and retried steps", async () => {
      const coolDown = runner.getOperation("cool-down");
      const charge = runner.getOperation("charge");
      const execution = await runner.run({ payload: { orderId: "o-3" } });

      const wait = coolDown.getWaitDetails()!;
      expect(wait.waitSeconds).toBe(3600);
      expect(wait.scheduledEndTimestamp).toBeInstanceOf(Date);
      expect(wait.scheduledEndTimestamp!.getTime() - coolDown.getStartTimestamp()!.getTime()).toBeGreaterThanOrEqual(3_600_000 - 1_000);
      expect(coolDown.getType()).toBe(OperationType.WAIT);
      expect(() => coolDown.getStepDetails()).toThrow("Operation type WAIT is not STEP");
      expect(() => charge.getWaitDetails()).toThrow("Operation type STEP is not WAIT");
      expect(() => charge.getContextDetails()).toThrow("Operation type STEP is not CONTEXT");
      expect(() => charge.getChainedInvokeDetails()).toThrow("Operation type STEP is not INVOKE");
      expect(() => charge.getCallbackDetails()).toThrow("Operation with Type STEP and SubType Step is not a valid callback");

      expect(charge.getStepDetails()).toMatchObject({ attempt: 3, result: { charged: 42 }, error: undefined });
      expect(charge.getEvents()?.map((e) => e.EventType)).toEqual(["StepStarted", "StepFailed", "StepStarted", "StepFailed", "StepStarted", "StepSucceeded"]);
      const retry = charge.getEvents()![1];
      expect(retry.StepFailedDetails.RetryDetails.NextAttemptDelaySeconds).toBe(120);
      expect(charge.getEvents()![3].StepFailedDetails.RetryDetails.NextAttemptDelaySeconds).toBe(240);

      // One invocation up to the wait, one per retry delay, one to the end: as in real time.
      expect(execution.getInvocations()).toHaveLength(4);
      expectInvocationsKept(execution, ["WaitSucceeded", "StepStarted"]);
    });

    it("gives invocations and history events in the SDK shapes", async () => {
      const execution = await runner.run({ payload: { orderId: "o-4" } });
      const invocations = execution.getInvocations();
      for (const invocation of invocations) {
        expect(invocation.startTimestamp).toBeInstanceOf(Date);
        expect(invocation.endTimestamp).toBeInstanceOf(Date);
        expect(invocation.endTimestamp!.getTime()).toBeGreaterThanOrEqual(invocation.startTimestamp!.getTime());
        expect(typeof invocation.requestId).toBe("string");
        expect(invocation.error).toBeUndefined();
      }
      const events = execution.getHistoryEvents();
      expect(events[0]).toMatchObject({ EventType: "ExecutionStarted", EventId: 1, ExecutionStartedDetails: { Input: { Payload: '{"orderId":"o-4"}' } } });
      expect(events.at(-1)).toMatchObject({ EventType: "ExecutionSucceeded" });
      expect(events.map((e) => e.EventId)).toEqual(events.map((_, i) => i + 1));
      for (const e of events) expect(e.EventTimestamp).toBeInstanceOf(Date);
      const waitStarted = events.find((e) => e.EventType === "WaitStarted")!;
      expect(waitStarted.WaitStartedDetails).toMatchObject({ Duration: 3600 });
      expect(waitStarted.WaitStartedDetails.ScheduledEndTimestamp).toBeInstanceOf(Date);
      expect(events.find((e) => e.EventType === "InvocationCompleted")!.InvocationCompletedDetails.StartTimestamp).toBeInstanceOf(Date);
    });

    it("keeps a result readable after the runner runs again", async () => {
      const first = await runner.run({ payload: { orderId: "first" } });
      attempts = 0;
      const second = await runner.run({ payload: { orderId: "second" } });
      expect(first.getResult()).toMatchObject({ order: { id: "first" } });
      expect(second.getResult()).toMatchObject({ order: { id: "second" } });
      expect(first.getOperations()[0].getStepDetails()?.result).toEqual({ id: "first", total: 42 });
      expect(first.getHistoryEvents()[0].ExecutionStartedDetails.Input.Payload).toBe('{"orderId":"first"}');
      expect(runner.getOperation("load").getStepDetails()?.result).toEqual({ id: "second", total: 42 });
    });

    it("prints the operations as a table", async () => {
      const execution = await runner.run({ payload: { orderId: "o-5" } });
      const table = vi.spyOn(console, "table").mockImplementation(() => undefined);
      try {
        execution.print({ startTime: false, endTime: false });
        const rows = table.mock.calls[0][0] as Record<string, unknown>[];
        expect(rows).toHaveLength(5);
        expect(rows[0]).toEqual({ parentId: "-", name: "load", type: "STEP", subType: "Step", status: "SUCCEEDED", duration: expect.stringMatching(/ms$/) });
      } finally {
        table.mockRestore();
      }
    });
  });

  describe("failures", () => {
    it("reports a failed execution's error", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_event, context: DurableContext) => {
          await context.step("validate", async () => {
            throw new RangeError("amount must be positive");
          }, { retryStrategy: () => ({ shouldRetry: false }) });
        }),
      });
      const execution = await runner.run({ payload: { amount: -1 } });
      expect(execution.getStatus()).toBe(ExecutionStatus.FAILED);
      expect(execution.getError()).toMatchObject({ errorMessage: "amount must be positive", errorType: "StepError" });
      expect(() => execution.getResult()).toThrow("amount must be positive");
      expect(runner.getOperation("validate").getStatus()).toBe(OperationStatus.FAILED);
      expect(runner.getOperation("validate").getStepDetails()?.error).toMatchObject({ errorMessage: "amount must be positive", errorType: "RangeError" });
      expect(execution.getOperations({ status: OperationStatus.FAILED })).toHaveLength(1);
      expect(execution.getOperations({ status: OperationStatus.SUCCEEDED })).toHaveLength(0);
    });

    it("rejects run() when the handler itself throws", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: (async () => {
          throw new TypeError("not a durable event");
        }) as never,
      });
      await expect(runner.run()).rejects.toThrow(TypeError);
    });

    it("rejects waitForData when the operation never comes", async () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: withDurableExecution(async () => "done") });
      const never = runner.getOperation("never").waitForData();
      const execution = await runner.run();
      expect(execution.getResult()).toBe("done");
      await expect(never).rejects.toThrow("Operation was not found after execution completion. Expected status: STARTED");
    });
  });

  describe("child contexts", () => {
    it("exposes context details and child operations", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) => {
          const total = await context.runInChildContext("batch", async (child) => {
            const a = await child.step("a", async () => 1);
            await child.wait("breather", { seconds: 30 });
            const b = await child.step("b", async () => 2);
            return a + b;
          });
          const failed = await context
            .runInChildContext("doomed", async (child) => {
              await child.step("boom", async () => {
                throw new Error("inner failure");
              }, { retryStrategy: () => ({ shouldRetry: false }) });
            })
            .catch((e: Error) => e.message);
          return { total, failed };
        }),
      });
      const execution = await runner.run();
      expect(execution.getResult()).toEqual({ total: 3, failed: "inner failure" });

      const batch = runner.getOperation("batch");
      expect(batch.getType()).toBe(OperationType.CONTEXT);
      expect(batch.getSubType()).toBe("RunInChildContext");
      expect(batch.getContextDetails()).toEqual({ result: 3, error: undefined });
      const children = batch.getChildOperations()!;
      expect(children.map((c) => c.getName())).toEqual(["a", "breather", "b"]);
      expect(children.every((c) => c.getParentId() === batch.getId())).toBe(true);
      expect(children[1].getWaitDetails()?.waitSeconds).toBe(30);
      expect(runner.getOperation("a").getParentId()).toBe(batch.getId());

      expect(runner.getOperation("doomed").getStatus()).toBe(OperationStatus.FAILED);
      expect(runner.getOperation("doomed").getContextDetails()?.error).toMatchObject({ errorMessage: "inner failure" });
      expect(runner.getOperation("doomed").getChildOperations()?.[0].getStepDetails()?.error?.errorMessage).toBe("inner failure");
      expect(runner.getOperation("a").getChildOperations()).toEqual([]);
    });
  });

  describe("callbacks sent from the test while run() is pending", () => {
    const approval = withDurableExecution(async (event: { item: string }, context: DurableContext) => {
      const [promise, callbackId] = await context.createCallback("approval", { timeout: { hours: 24 } });
      await context.step("request-approval", async () => ({ callbackId, item: event.item }));
      const decision = JSON.parse((await promise) as string);
      const shipped = await context.waitForCallback(
        "shipping",
        async (id) => {
          void id; // a real submitter would hand the id to the shipping system
        },
        { timeout: { hours: 24 } },
      );
      return { decision, shipped: JSON.parse(shipped as string) };
    });

    it("answers createCallback and waitForCallback by handle (the official pattern)", async () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: approval });
      const resultPromise = runner.run({ payload: { item: "book" } });

      const approvalOp = runner.getOperation("approval");
      await approvalOp.waitForData(WaitingOperationStatus.STARTED);
      expect(approvalOp.isCallback()).toBe(true);
      expect(approvalOp.getStatus()).toBe(OperationStatus.STARTED);
      const { callbackId } = approvalOp.getCallbackDetails()!;
      expect(callbackId).toEqual(expect.any(String));
      await approvalOp.sendCallbackSuccess(JSON.stringify({ approved: true }));

      const shipping = runner.getOperation("shipping");
      await shipping.waitForData(WaitingOperationStatus.SUBMITTED);
      expect(shipping.isWaitForCallback()).toBe(true);
      await shipping.sendCallbackHeartbeat();
      await shipping.sendCallbackSuccess(JSON.stringify({ tracking: "T-1" }));

      const execution = await resultPromise;
      expect(execution.getResult()).toEqual({ decision: { approved: true }, shipped: { tracking: "T-1" } });
      expect(runner.getOperation("request-approval").getStepDetails()?.result).toEqual({ callbackId, item: "book" });
      expect(approvalOp.getCallbackDetails()).toEqual({ callbackId, result: { approved: true }, error: undefined });
      expect(approvalOp.getStatus()).toBe(OperationStatus.SUCCEEDED);
      expect(shipping.getCallbackDetails()?.result).toEqual({ tracking: "T-1" });
      expect(shipping.getContextDetails()?.result).toEqual('{"tracking":"T-1"}');
      const [inner, submitter] = shipping.getChildOperations()!;
      expect(inner.getType()).toBe(OperationType.CALLBACK);
      expect(submitter.getType()).toBe(OperationType.STEP);
      expect(inner.getCallbackDetails()?.callbackId).toBe(shipping.getCallbackDetails()?.callbackId);
    });

    it("fails a callback with sendCallbackFailure and waits for COMPLETED", async () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: approval });
      const approvalOp = runner.getOperation("approval");
      const completed = approvalOp.waitForData(WaitingOperationStatus.COMPLETED); // taken before run()
      const resultPromise = runner.run({ payload: { item: "car" } });
      await approvalOp.waitForData();
      await approvalOp.sendCallbackFailure({ ErrorType: "Rejected", ErrorMessage: "too expensive" });
      expect(await completed).toBe(approvalOp);
      const execution = await resultPromise;
      expect(approvalOp.getStatus()).toBe(OperationStatus.FAILED);
      expect(approvalOp.getCallbackDetails()?.error).toMatchObject({ errorType: "Rejected", errorMessage: "too expensive" });
      expect(execution.getStatus()).toBe(ExecutionStatus.FAILED);
      expect(execution.getError().errorMessage).toBe("too expensive");
    });

    it("lets the test answer after async work of its own, before a skipped timeout fires", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) => {
          const [promise] = await context.createCallback("slow-answer", { timeout: { minutes: 1 }, heartbeatTimeout: { seconds: 30 } });
          return promise;
        }),
      });
      const resultPromise = runner.run();
      const op = await runner.getOperation("slow-answer").waitForData();
      await new Promise((resolve) => realSetTimeout(resolve, 40)); // e.g. a request to a local stub
      await op.sendCallbackSuccess("late but in time");
      const execution = await resultPromise;
      expect(execution.getResult()).toBe("late but in time");
      expect(op.getStatus()).toBe(OperationStatus.SUCCEEDED);
    });

    it("throws when a callback is answered before it exists", () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: approval });
      expect(() => runner.getOperation("approval").sendCallbackSuccess("x")).toThrow("Could not find callback details");
    });

    it("answers callbacks as they are created with run({ callbacks })", async () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: approval });
      const seen: string[] = [];
      const execution = await runner.run({
        payload: { item: "lamp" },
        callbacks: {
          approval: async (callbackId, operation) => {
            seen.push(`approval:${operation.getName()}:${callbackId === operation.getCallbackDetails()?.callbackId}`);
            await operation.sendCallbackSuccess(JSON.stringify({ approved: "yes" }));
          },
          shipping: async (callbackId, operation) => {
            seen.push(`shipping:${operation.getType()}:${typeof callbackId}`);
            await operation.sendCallbackSuccess(JSON.stringify({ tracking: "T-2" }));
          },
        },
      });
      expect(execution.getResult()).toEqual({ decision: { approved: "yes" }, shipped: { tracking: "T-2" } });
      expect(seen).toEqual(["approval:approval:true", "shipping:CALLBACK:string"]);
      expectInvocationsKept(execution, ["CallbackSucceeded"]);
    });
  });

  describe("timeouts skipped on the engine clock", () => {
    it("times out a callback instantly, keeping every InvocationCompleted", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) => {
          const [promise] = await context.createCallback("payment", { timeout: { hours: 12 } });
          return promise.then(
            () => "paid",
            (e: Error) => `gave up: ${e.message}`,
          );
        }),
      });
      const started = performance.now();
      const execution = await runner.run();
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(execution.getResult()).toBe("gave up: Callback timed out");

      const payment = runner.getOperation("payment");
      expect(payment.getStatus()).toBe(OperationStatus.TIMED_OUT);
      expect(payment.getCallbackDetails()?.error).toMatchObject({ errorMessage: "Callback timed out" });
      expect(payment.getEndTimestamp()!.getTime() - payment.getStartTimestamp()!.getTime()).toBeGreaterThanOrEqual(12 * 3_600_000);
      expect(eventTypes(execution)).toEqual(["ExecutionStarted", "CallbackStarted", "InvocationCompleted", "CallbackTimedOut", "InvocationCompleted", "ExecutionSucceeded"]);
      expect(execution.getInvocations()).toHaveLength(2);
    });

    it("times out on a missed heartbeat instantly, and a heartbeat keeps a callback alive", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) => {
          const [silent] = await context.createCallback("silent", { timeout: { days: 1 }, heartbeatTimeout: { minutes: 5 } });
          const first = await silent.then(
            () => "answered",
            (e: Error) => e.message,
          );
          const [alive] = await context.createCallback("alive", { timeout: { days: 1 }, heartbeatTimeout: { minutes: 5 } });
          await context.wait("tick", { minutes: 4 });
          await context.wait("tock", { minutes: 4 });
          return { first, second: await alive };
        }),
      });
      const resultPromise = runner.run();
      const alive = runner.getOperation("alive");
      await runner.getOperation("tick").waitForData(WaitingOperationStatus.COMPLETED);
      await alive.sendCallbackHeartbeat(); // 4 minutes in: the heartbeat deadline moves to 9 minutes
      await runner.getOperation("tock").waitForData(WaitingOperationStatus.COMPLETED);
      expect(alive.getStatus()).toBe(OperationStatus.STARTED); // 8 minutes in, still alive
      await alive.sendCallbackSuccess("ok");
      const execution = await resultPromise;

      expect(execution.getResult()).toEqual({ first: "Callback timed out on heartbeat", second: "ok" });
      const silent = runner.getOperation("silent");
      expect(silent.getStatus()).toBe(OperationStatus.TIMED_OUT);
      expect(silent.getCallbackDetails()?.error?.errorMessage).toBe("Callback timed out on heartbeat");
      expect(silent.getEndTimestamp()!.getTime() - silent.getStartTimestamp()!.getTime()).toBeGreaterThanOrEqual(5 * 60_000);
      expect(alive.getStatus()).toBe(OperationStatus.SUCCEEDED);
      expectInvocationsKept(execution, ["CallbackTimedOut", "WaitSucceeded"]);
    });

    it("skips wait-for-condition polls", async () => {
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) =>
          context.waitForCondition("until-ready", async (state: number) => state + 1, {
            initialState: 0,
            waitStrategy: (state: number) => (state >= 4 ? { shouldContinue: false } : { shouldContinue: true, delay: { minutes: 30 } }),
          }),
        ),
      });
      const execution = await runner.run();
      expect(execution.getResult()).toBe(4);
      const poll = runner.getOperation("until-ready");
      expect(poll.getSubType()).toBe("WaitForCondition");
      expect(poll.getStepDetails()).toMatchObject({ attempt: 4, result: 4 });
      expect(execution.getInvocations()).toHaveLength(4);
      expectInvocationsKept(execution, ["StepStarted"]);
    });

    it("has the same invocations and history shape as a run in real time", async () => {
      let calls = 0;
      const handler = withDurableExecution(async (_e, context: DurableContext) => {
        await context.wait("short", { seconds: 1 });
        await context.step("retried", async () => {
          if (++calls % 2 === 1) throw new Error("once");
          return calls;
        }, { retryStrategy: (_err, attempt) => ({ shouldRetry: attempt < 2, delay: { seconds: 1 } }) });
        const [cb] = await context.createCallback("ignored", { timeout: { seconds: 1 } });
        return cb.catch(() => "timed out");
      });
      const skipped = await new LocalDurableTestRunner({ handlerFunction: handler }).run();
      await LocalDurableTestRunner.setupTestEnvironment({ skipTime: false });
      try {
        const started = performance.now();
        const real = await new LocalDurableTestRunner({ handlerFunction: handler }).run();
        expect(performance.now() - started).toBeGreaterThanOrEqual(2_900);
        expect(real.getResult()).toBe("timed out");
        expect(skipped.getResult()).toBe("timed out");
        expect(skipped.getInvocations()).toHaveLength(real.getInvocations().length);
        expect(eventTypes(skipped)).toEqual(eventTypes(real));
      } finally {
        await LocalDurableTestRunner.setupTestEnvironment({ skipTime: true });
      }
    }, 30_000);
  });

  describe("chained invokes of registered functions", () => {
    const child = withDurableExecution(async (event: { n: number }, context: DurableContext) => {
      await context.wait("child-wait", { hours: 1 });
      return context.step("double", async () => event.n * 2);
    });
    const parent = withDurableExecution(async (event: { n: number }, context: DurableContext) => {
      const doubled = await context.invoke("call-durable", "double-fn", { n: event.n });
      const priced = await context.invoke("call-plain", "price-fn", { n: doubled });
      const legacy = await context.invoke("call-legacy", "legacy-fn", { n: 1 });
      const failed = await context.invoke("call-failing", "failing-fn", {}).catch((e: Error) => e.message);
      return { doubled, priced, legacy, failed };
    });

    it("invokes durable and plain functions (promise and callback style)", async () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: parent })
        .registerDurableFunction("double-fn", child)
        .registerFunction("price-fn", async (event: { n: number }) => ({ price: event.n * 10 }))
        .registerFunction("legacy-fn", (event: { n: number }, _context, callback) => {
          realSetTimeout(() => callback(null, { legacy: event.n }), 5);
        })
        .registerFunction("failing-fn", async () => {
          throw new SyntaxError("bad input");
        });
      const execution = await runner.run({ payload: { n: 21 } });
      expect(execution.getResult()).toEqual({ doubled: 42, priced: { price: 420 }, legacy: { legacy: 1 }, failed: "bad input" });

      const durable = runner.getOperation("call-durable");
      expect(durable.getType()).toBe(OperationType.CHAINED_INVOKE);
      expect(durable.getChainedInvokeDetails()).toEqual({ result: 42, error: undefined });
      expect(runner.getOperation("call-plain").getChainedInvokeDetails()?.result).toEqual({ price: 420 });
      const failing = runner.getOperation("call-failing");
      expect(failing.getStatus()).toBe(OperationStatus.FAILED);
      expect(failing.getChainedInvokeDetails()?.error).toMatchObject({ errorType: "SyntaxError", errorMessage: "bad input" });
      // The invoked durable function's operations belong to its own execution.
      expect(execution.getOperations().map((op) => op.getName())).toEqual(["call-durable", "call-plain", "call-legacy", "call-failing"]);
      expect(runner.getOperation("double").getStatus()).toBeUndefined();
      expectInvocationsKept(execution, ["ChainedInvokeSucceeded", "ChainedInvokeFailed"]);
    });

    it("rejects run() on an invoke of an unregistered function", async () => {
      const runner = new LocalDurableTestRunner({ handlerFunction: parent });
      await expect(runner.run({ payload: { n: 1 } })).rejects.toThrow("No function found for function name double-fn");
    });
  });

  describe("isolation and timers", () => {
    it("runs runners in parallel without interference", async () => {
      const handler = withDurableExecution(async (event: { id: number }, context: DurableContext) => {
        let sum = 0;
        for (let i = 0; i < 5; i++) {
          sum += await context.step(`add-${i}`, async () => event.id * i);
          await context.wait({ minutes: i + 1 });
        }
        const [answer] = await context.createCallback("answer", { timeout: { hours: 1 } });
        return { id: event.id, sum, answer: await answer };
      });
      const runners = [1, 2, 3, 4].map(() => new LocalDurableTestRunner({ handlerFunction: handler }));
      const pending = runners.map((runner, id) => runner.run({ payload: { id } }));
      // Answer in reverse order, each through its own runner's handle.
      for (const [id, runner] of [...runners.entries()].reverse()) {
        const op = await runner.getOperation("answer").waitForData();
        await op.sendCallbackSuccess(`for-${id}`);
      }
      const results = await Promise.all(pending);
      expect(results.map((r) => r.getResult())).toEqual([0, 1, 2, 3].map((id) => ({ id, sum: id * 10, answer: `for-${id}` })));
      expect(results.map((r) => r.getOperations().length)).toEqual([11, 11, 11, 11]);
      const ids = results.map((r) => r.getHistoryEvents()[0].Id);
      expect(new Set(ids).size).toBe(4);
      for (const r of results) expect(r.getInvocations()).toHaveLength(7);
    });

    it("installs no fake timers: Date and setTimeout are the real ones during a run", async () => {
      const observed: Record<string, unknown> = {};
      const runner = new LocalDurableTestRunner({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) => {
          await context.wait("long", { days: 3 });
          await context.step("inspect", async () => {
            observed.date = Date === RealDate;
            observed.setTimeout = globalThis.setTimeout === realSetTimeout;
            observed.setImmediate = globalThis.setImmediate === realSetImmediate;
            observed.fake = vi.isFakeTimers();
            const before = performance.now();
            await new Promise((resolve) => realSetTimeout(resolve, 20));
            observed.sleptMs = performance.now() - before;
            observed.now = Date.now();
          });
          return "ok";
        }),
      });
      const before = Date.now();
      const execution = await runner.run();
      expect(execution.getResult()).toBe("ok");
      expect(observed).toMatchObject({ date: true, setTimeout: true, setImmediate: true, fake: false });
      expect(observed.sleptMs).toBeGreaterThanOrEqual(15);
      // Process time stayed real while the execution's clock moved three days ahead.
      expect(Math.abs((observed.now as number) - Date.now())).toBeLessThan(5_000);
      expect(Date.now() - before).toBeLessThan(5_000);
      expect(runner.getOperation("long").getEndTimestamp()!.getTime() - before).toBeGreaterThanOrEqual(3 * 86_400_000);
      expect(Date === RealDate && globalThis.setTimeout === realSetTimeout && !vi.isFakeTimers()).toBe(true);
    });
  });

  describe("handles", () => {
    it("are typed DurableOperation and can be taken before run()", async () => {
      const runner = new LocalDurableTestRunner<string>({
        handlerFunction: withDurableExecution(async (_e, context: DurableContext) => {
          await context.wait("first", { seconds: 10 });
          return context.step("second", async () => "value");
        }),
      });
      const first: DurableOperation = runner.getOperation("first");
      const byIndex = runner.getOperationByIndex(1);
      expect(first.getStatus()).toBeUndefined();
      const started = first.waitForData(WaitingOperationStatus.STARTED);
      const execution: TestResult<string> = await runner.run();
      expect(await started).toBe(first);
      expect(execution.getResult()).toBe("value");
      expect(byIndex.getName()).toBe("second");
      expect(await byIndex.waitForData(WaitingOperationStatus.COMPLETED)).toBe(byIndex);
      runner.reset();
      expect(first.getStatus()).toBeUndefined();
      expect(execution.getOperations()[0].getName()).toBe("first");
    });

    it("has a CloudDurableTestRunner that imports but cannot run (no deployed function)", () => {
      expect(() => new CloudDurableTestRunner({ functionName: "my-function" })).toThrow("CloudDurableTestRunner is not available in durable-node/testing");
    });
  });
});

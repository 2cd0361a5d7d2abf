// A test file written for the official runner, exactly as its users write them. It runs twice:
// on durable-node through vitest.config.mts's aliases, and on the official packages through
// vitest.official.config.mts (see __test__/testing-compat.spec.ts). Every assertion must hold
// on both, so it only asserts what the two runners have in common (API.md §16.5 lists where
// the official local runner differs from the service, e.g. invocations lost to skipped time).
// One setupTestEnvironment/teardownTestEnvironment for the whole file: with one pair per
// describe, the official runner's process sometimes never exits after its tests passed.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import {
  ExecutionStatus,
  LocalDurableTestRunner,
  OperationStatus,
  OperationType,
  WaitingOperationStatus,
  type DurableOperation,
} from "@aws/durable-execution-sdk-js-testing";

let declines = 0;
const checkout = withDurableExecution(async (event: { cart: string[] }, context: DurableContext) => {
  const total = await context.step("price", async () => event.cart.length * 10);
  await context.wait("settle", { seconds: 30 });
  const receipt = await context.step(
    "charge",
    async () => {
      declines++;
      if (declines < 2) throw new Error("declined");
      return { total, id: "r-1" };
    },
    { retryStrategy: (_error, attempt) => ({ shouldRetry: attempt < 3, delay: { seconds: 5 } }) },
  );
  const summary = await context.runInChildContext("summary", async (child) => {
    const items = await child.step("count", async () => event.cart.length);
    return `${items} items`;
  });
  await context.step("audit", async () => "first");
  await context.step("audit", async () => "second");
  return { receipt, summary };
});

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

describe("checkout (official runner style)", () => {
  const runner = new LocalDurableTestRunner({ handlerFunction: checkout });
  beforeEach(() => {
    declines = 0;
    runner.reset();
  });

  it("succeeds with the steps' results", async () => {
    const execution = await runner.run({ payload: { cart: ["a", "b"] } });

    expect(execution.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
    expect(execution.getResult()).toEqual({ receipt: { total: 20, id: "r-1" }, summary: "2 items" });
    expect(() => execution.getError()).toThrow("Cannot get error for succeeded execution");
    expect(execution.getOperations().map((op) => op.getName())).toEqual(["price", "settle", "charge", "summary", "count", "audit", "audit"]);
    expect(execution.getOperations({ status: OperationStatus.SUCCEEDED })).toHaveLength(7);
    expect(execution.getInvocations().length).toBeGreaterThanOrEqual(1);
    const types = execution.getHistoryEvents().map((e) => e.EventType);
    expect(types.slice(0, 4)).toEqual(["ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted"]);
    expect(types.at(-1)).toBe("ExecutionSucceeded");
  });

  it("exposes every operation's details", async () => {
    await runner.run({ payload: { cart: ["a"] } });

    const price = runner.getOperation("price");
    expect(price.getType()).toBe(OperationType.STEP);
    expect(price.getStatus()).toBe(OperationStatus.SUCCEEDED);
    expect(price.getStepDetails()).toMatchObject({ attempt: 1, result: 10 });
    expect(price.getStartTimestamp()).toBeInstanceOf(Date);
    expect(runner.getOperationById(price.getId()!).getName()).toBe("price");
    expect(runner.getOperationByIndex(0).getName()).toBe("price");

    const settle = runner.getOperation("settle");
    expect(settle.getType()).toBe(OperationType.WAIT);
    expect(settle.getWaitDetails()?.waitSeconds).toBe(30);
    expect(() => settle.getStepDetails()).toThrow("Operation type WAIT is not STEP");

    expect(runner.getOperation("charge").getStepDetails()).toMatchObject({ attempt: 2, result: { total: 10, id: "r-1" } });

    const summary = runner.getOperation("summary");
    expect(summary.getContextDetails()?.result).toBe("1 items");
    const children: DurableOperation[] = summary.getChildOperations() ?? [];
    expect(children.map((c) => c.getName())).toEqual(["count"]);
    expect(children[0].getParentId()).toBe(summary.getId());

    expect(runner.getOperation("audit").getStepDetails()?.result).toBe("first");
    expect(runner.getOperationByNameAndIndex("audit", 1).getStepDetails()?.result).toBe("second");
  });

  it("reports a failure", async () => {
    const failing = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async () => {
        throw new Error("out of stock");
      }),
    });
    const execution = await failing.run({ payload: {} });
    expect(execution.getStatus()).toBe(ExecutionStatus.FAILED);
    expect(execution.getError().errorMessage).toBe("out of stock");
    expect(() => execution.getResult()).toThrow("out of stock");
  });
});

describe("approvals (callbacks driven by the test)", () => {

  const approval = withDurableExecution(async (_event: unknown, context: DurableContext) => {
    const [manager] = await context.createCallback("manager", { timeout: { hours: 1 } });
    const managerSays = await manager;
    const finance = await context
      .waitForCallback("finance", async () => undefined, { timeout: { hours: 1 } })
      .catch((e: unknown) => `finance refused: ${(e as Error).message}`);
    return { managerSays, finance };
  });

  it("answers callbacks while run() is pending", async () => {
    const runner = new LocalDurableTestRunner({ handlerFunction: approval });
    const resultPromise = runner.run({ payload: {} });

    const manager = runner.getOperation("manager");
    await manager.waitForData(WaitingOperationStatus.STARTED);
    expect(manager.isCallback()).toBe(true);
    expect(manager.getCallbackDetails()?.callbackId).toEqual(expect.any(String));
    await manager.sendCallbackSuccess(JSON.stringify({ ok: true }));

    const finance = runner.getOperation("finance");
    await finance.waitForData(WaitingOperationStatus.SUBMITTED);
    expect(finance.isWaitForCallback()).toBe(true);
    await finance.sendCallbackFailure({ ErrorType: "Refused", ErrorMessage: "over budget" });

    const execution = await resultPromise;
    expect(execution.getResult()).toEqual({ managerSays: '{"ok":true}', finance: "finance refused: over budget" });
    expect(manager.getStatus()).toBe(OperationStatus.SUCCEEDED);
    expect(manager.getCallbackDetails()?.result).toEqual({ ok: true });
    expect(finance.getStatus()).toBe(OperationStatus.FAILED);
    expect(finance.getCallbackDetails()?.error).toMatchObject({ errorMessage: "over budget" });
  });

  it("times a callback out", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        const [answer] = await context.createCallback("unanswered", { timeout: { seconds: 1 } });
        return answer.then(
          () => "answered",
          () => "timed out",
        );
      }),
    });
    const execution = await runner.run({ payload: {} });
    expect(execution.getResult()).toBe("timed out");
    const op = runner.getOperation("unanswered");
    expect(op.getStatus()).toBe(OperationStatus.TIMED_OUT);
    expect(op.getCallbackDetails()?.error?.errorMessage).toBe("Callback timed out");
  });

  it("rejects waitForData for an operation that never comes", async () => {
    const runner = new LocalDurableTestRunner({ handlerFunction: withDurableExecution(async () => "nothing to wait for") });
    const missing = runner.getOperation("missing").waitForData(WaitingOperationStatus.COMPLETED);
    await runner.run({ payload: {} });
    await expect(missing).rejects.toThrow("Operation was not found after execution completion");
  });
});

describe("chained invokes", () => {

  const orchestrator = withDurableExecution(async (event: { sku: string }, context: DurableContext) => {
    const stock = await context.invoke("check-stock", "inventory", { sku: event.sku });
    const quote = await context.invoke("get-quote", "pricing", { sku: event.sku });
    return { stock, quote };
  });
  const inventory = withDurableExecution(async (event: { sku: string }, context: DurableContext) =>
    context.step("lookup", async () => ({ sku: event.sku, available: 3 })),
  );

  it("invokes registered durable and plain functions", async () => {
    const runner = new LocalDurableTestRunner({ handlerFunction: orchestrator })
      .registerDurableFunction("inventory", inventory)
      .registerFunction("pricing", async (event: { sku: string }) => ({ sku: event.sku, price: 9.5 }));
    const execution = await runner.run({ payload: { sku: "s-1" } });
    expect(execution.getResult()).toEqual({ stock: { sku: "s-1", available: 3 }, quote: { sku: "s-1", price: 9.5 } });
    expect(runner.getOperation("check-stock").getType()).toBe(OperationType.CHAINED_INVOKE);
    expect(runner.getOperation("check-stock").getChainedInvokeDetails()?.result).toEqual({ sku: "s-1", available: 3 });
    expect(runner.getOperation("get-quote").getChainedInvokeDetails()?.result).toEqual({ sku: "s-1", price: 9.5 });
    expect(execution.getOperations().map((op) => op.getName())).toEqual(["check-stock", "get-quote"]);
  });

  it("rejects run() when an invoked function is not registered", async () => {
    const runner = new LocalDurableTestRunner({ handlerFunction: orchestrator });
    await expect(runner.run({ payload: { sku: "s-2" } })).rejects.toThrow("No function found for function name inventory");
  });
});

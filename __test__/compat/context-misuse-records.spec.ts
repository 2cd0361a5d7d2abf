// A test file written for the official runner (see official-runner.spec.ts for how it runs on
// both runners): using the parent context inside a child context, a step function or a
// waitForCondition check fails the execution, and what had started before the misuse (the
// child context's START, the step's START) stays in the operations and the history: the
// checkpoints queued before the failure are sent.

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { ExecutionStatus, LocalDurableTestRunner, OperationStatus, type TestResult } from "@aws/durable-execution-sdk-js-testing";

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const usageError = (method: string, expected: string) =>
  `Context usage error in "${method}": You are using a parent or sibling context instead of the current child context. ` +
  `Expected context ID: "${expected}", but got: "undefined". ` +
  `When inside runInChildContext(), you must use the child context parameter, not the parent context.`;

const summary = (execution: TestResult<unknown>) => ({
  operations: execution.getOperations().map((op) => [op.getName(), op.getStatus()]),
  events: execution.getHistoryEvents().map((e) => `${e.EventType}${e.Name ? ` ${e.Name}` : ""}`),
});

describe("context misuse keeps what started", () => {
  it("records the child context that used its parent", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        await context.runInChildContext("child", async () => {
          await context.wait("wrong", { seconds: 1 });
          return "never";
        });
        return "never";
      }),
    });
    const execution = await runner.run();
    expect(execution.getStatus()).toBe(ExecutionStatus.FAILED);
    expect(execution.getError()).toMatchObject({ errorType: "Error", errorMessage: usageError("wait", "1") });
    expect(summary(execution)).toEqual({
      operations: [["child", OperationStatus.STARTED]],
      events: ["ExecutionStarted", "ContextStarted child", "InvocationCompleted", "ExecutionFailed"],
    });
  });

  it("records the child's own work before the misuse", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        await context.runInChildContext("child", async (child) => {
          await child.step("fine", async () => "ok");
          await context.step("wrong", async () => "never");
          return "never";
        });
        return "never";
      }),
    });
    const execution = await runner.run();
    expect(execution.getError().errorMessage).toBe(usageError("step", "1"));
    expect(summary(execution).operations).toEqual([
      ["child", OperationStatus.STARTED],
      ["fine", OperationStatus.SUCCEEDED],
    ]);
  });

  it("records the step whose function used the context", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        await context.step("outer", async () => {
          await context.step("inner", async () => "never");
          return "never";
        });
        return "never";
      }),
    });
    const execution = await runner.run();
    expect(execution.getError().errorMessage).toBe(usageError("step", "1"));
    expect(summary(execution)).toEqual({
      operations: [["outer", OperationStatus.STARTED]],
      events: ["ExecutionStarted", "StepStarted outer", "InvocationCompleted", "ExecutionFailed"],
    });
  });

  it("records the waitForCondition whose check used the context", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        await context.step("first", async () => 0);
        return context.waitForCondition(
          "poll",
          async (state: number) => {
            await context.step("sneaky", async () => state);
            return state + 1;
          },
          { initialState: 0, waitStrategy: () => ({ shouldContinue: false }) },
        );
      }),
    });
    const execution = await runner.run();
    expect(execution.getError().errorMessage).toBe(usageError("step", "2"));
    expect(summary(execution).operations).toEqual([
      ["first", OperationStatus.SUCCEEDED],
      ["poll", OperationStatus.STARTED],
    ]);
  });
});

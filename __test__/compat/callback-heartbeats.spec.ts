// A test file written for the official runner (see official-runner.spec.ts for how it runs on
// both runners): with skipTime on, a callback that the test heartbeats every few hundred
// milliseconds within a one-second heartbeat timeout stays open until the test answers it; one
// the test stops heartbeating times out; and a test that pauses before answering a callback
// with a long timeout still answers in time (README, "Testing": callback deadlines).

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { ExecutionStatus, LocalDurableTestRunner, OperationStatus, WaitingOperationStatus } from "@aws/durable-execution-sdk-js-testing";

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const approval = withDurableExecution(async (_event: unknown, context: DurableContext) => {
  const [answer] = await context.createCallback("approval", { timeout: { minutes: 5 }, heartbeatTimeout: { seconds: 1 } });
  return answer.then(
    (value) => `answered ${value}`,
    (error: Error) => `failed: ${error.message}`,
  );
});

describe("callback heartbeats under skipTime", () => {
  it("keeps a heartbeated callback open until the test answers it", async () => {
    const runner = new LocalDurableTestRunner({ handlerFunction: approval });
    const running = runner.run();
    const callback = runner.getOperation("approval");
    await callback.waitForData(WaitingOperationStatus.STARTED);
    for (let i = 0; i < 5; i++) {
      await pause(400);
      await callback.sendCallbackHeartbeat();
    }
    await pause(400);
    await callback.sendCallbackSuccess("yes");
    const execution = await running;
    expect(execution.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
    expect(execution.getResult()).toBe("answered yes");
    expect(callback.getStatus()).toBe(OperationStatus.SUCCEEDED);
  }, 30_000);

  it("times the callback out once the test stops heartbeating", async () => {
    const runner = new LocalDurableTestRunner({ handlerFunction: approval });
    const running = runner.run();
    const callback = runner.getOperation("approval");
    await callback.waitForData(WaitingOperationStatus.STARTED);
    await pause(300);
    await callback.sendCallbackHeartbeat();
    const execution = await running;
    expect(execution.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
    expect(execution.getResult()).toBe("failed: Callback timed out on heartbeat");
    expect(callback.getStatus()).toBe(OperationStatus.TIMED_OUT);
  }, 30_000);

  it("lets a test pause before answering a callback with a long timeout", async () => {
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        const [answer] = await context.createCallback("slow-reviewer", { timeout: { hours: 1 } });
        return answer;
      }),
    });
    const running = runner.run();
    const callback = runner.getOperation("slow-reviewer");
    await callback.waitForData(WaitingOperationStatus.STARTED);
    await pause(500);
    await callback.sendCallbackSuccess("late but fine");
    const execution = await running;
    expect(execution.getResult()).toBe("late but fine");
  }, 30_000);
});

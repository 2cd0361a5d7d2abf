// A test file written for the official runner (see official-runner.spec.ts for how it runs on
// both runners): while one branch keeps the invocation from ending (a step still running), the
// other branch's invokes, waits and retries complete inside the same invocation, as the SDK
// keeps polling them instead of suspending (forced checkpointing).

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { ExecutionStatus, LocalDurableTestRunner } from "@aws/durable-execution-sdk-js-testing";

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

/**
 * The branch that keeps the invocation alive: a step that runs until the other branch is done
 * (checking every 10 ms, for 20 s at most).
 */
const longRunning = (until: () => boolean) => (branch: DurableContext) =>
  branch.step("long-running", async () => {
    for (let i = 0; i < 2000 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    return "long done";
  });

const names = (events: { EventType?: string; Name?: string }[], type: string) => events.filter((e) => e.EventType === type).map((e) => e.Name);

describe("forced checkpointing", () => {
  it("completes several invokes in the one invocation a running step keeps open", async () => {
    let invoked = false;
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        const batch = await context.parallel([
          longRunning(() => invoked),
          async (branch) => {
            const results: unknown[] = [];
            for (const n of [1, 2, 3]) results.push(await branch.invoke(`invoke-${n}`, "worker", { n }));
            invoked = true;
            return results;
          },
        ]);
        return batch.getResults();
      }),
    }).registerFunction("worker", async (event: { n: number }) => ({ doubled: event.n * 2 }));
    const execution = await runner.run();
    expect(execution.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
    expect(execution.getResult()).toEqual(["long done", [{ doubled: 2 }, { doubled: 4 }, { doubled: 6 }]]);
    expect(execution.getInvocations()).toHaveLength(1);
    const events = execution.getHistoryEvents();
    expect(names(events, "ChainedInvokeSucceeded")).toEqual(["invoke-1", "invoke-2", "invoke-3"]);
    // All three ended while the long step still ran.
    const types = events.map((e) => `${e.EventType} ${e.Name ?? ""}`.trim());
    expect(types.indexOf("ChainedInvokeSucceeded invoke-3")).toBeLessThan(types.indexOf("StepSucceeded long-running"));
  });

  it("completes short waits and retries in that invocation too", async () => {
    let attempts = 0;
    const runner = new LocalDurableTestRunner({
      handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
        const batch = await context.parallel([
          longRunning(() => attempts >= 3),
          async (branch) => {
            await branch.wait("pause-1", { seconds: 1 });
            await branch.wait("pause-2", { seconds: 1 });
            return branch.step(
              "flaky",
              async () => {
                attempts++;
                if (attempts < 3) throw new Error(`attempt ${attempts} failed`);
                return attempts;
              },
              { retryStrategy: (_error, attempt) => ({ shouldRetry: attempt < 5, delay: { seconds: 1 } }) },
            );
          },
        ]);
        return batch.getResults();
      }),
    });
    const execution = await runner.run();
    expect(execution.getResult()).toEqual(["long done", 3]);
    expect(execution.getInvocations()).toHaveLength(1);
    const types = execution.getHistoryEvents().map((e) => `${e.EventType} ${e.Name ?? ""}`.trim());
    expect(types.filter((t) => t === "StepFailed flaky")).toHaveLength(2);
    expect(types.indexOf("StepSucceeded flaky")).toBeLessThan(types.indexOf("StepSucceeded long-running"));
    expect(types.indexOf("WaitSucceeded pause-2")).toBeLessThan(types.indexOf("StepSucceeded long-running"));
  });
});

// A test file written for the official runner (see official-runner.spec.ts for how it runs on
// both runners): a map whose completion config is met early (minSuccessful) returns while an
// item is still retrying. What that item checkpointed before the map returned stays recorded
// (its StepStarted and StepFailed events); what it does after is not: once a context's
// function has returned, the SDK drops its descendants' checkpoints (queued earlier, they are
// still sent).

import { afterAll, beforeAll, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { BatchItemStatus } from "@aws/durable-execution-sdk-js";
import { ExecutionStatus, LocalDurableTestRunner } from "@aws/durable-execution-sdk-js-testing";

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: true }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

it("keeps the failures of an item still retrying when the map returned, and nothing after", async () => {
  let flakyAttempts = 0;
  const runner = new LocalDurableTestRunner({
    handlerFunction: withDurableExecution(async (_event: unknown, context: DurableContext) => {
      const batch = await context.map(
        "jobs",
        ["slow", "flaky"],
        async (item, job) =>
          item.step(
            `run-${job}`,
            async () => {
              if (job === "slow") {
                await new Promise((resolve) => setTimeout(resolve, 400));
                return "slow done";
              }
              flakyAttempts++;
              throw new Error(`flaky attempt ${flakyAttempts}`);
            },
            { retryStrategy: () => ({ shouldRetry: true, delay: { seconds: 5 } }) },
          ),
        { completionConfig: { minSuccessful: 1 } },
      );
      // The invocation goes on for a while: the flaky item could still retry meanwhile.
      await context.step("after", async () => {
        await new Promise((resolve) => setTimeout(resolve, 300));
        return "after done";
      });
      return { reason: batch.completionReason, statuses: batch.all.map((i) => i.status), results: batch.getResults() };
    }),
  });
  const execution = await runner.run();
  expect(execution.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
  expect(execution.getResult()).toEqual({
    reason: "MIN_SUCCESSFUL_REACHED",
    statuses: [BatchItemStatus.SUCCEEDED, BatchItemStatus.STARTED],
    results: ["slow done"],
  });
  const events = execution.getHistoryEvents().map((e) => `${e.EventType} ${e.Name ?? ""}`.trim());
  const mapEnd = events.indexOf("ContextSucceeded jobs");
  expect(mapEnd).toBeGreaterThan(0);
  const failures = events.flatMap((e, i) => (e === "StepFailed run-flaky" ? [i] : []));
  expect(failures.length).toBeGreaterThanOrEqual(1);
  expect(failures.every((i) => i < mapEnd)).toBe(true);
  expect(events.slice(mapEnd)).toEqual(["ContextSucceeded jobs", "StepStarted after", "StepSucceeded after", "InvocationCompleted", "ExecutionSucceeded"]);
  expect(execution.getInvocations()).toHaveLength(1);
  expect(flakyAttempts).toBeGreaterThanOrEqual(failures.length);
});

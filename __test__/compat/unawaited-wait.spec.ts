// A test file written for the official runner (see official-runner.spec.ts for how it runs on
// both runners): a handler that starts a one-day wait without awaiting it and returns after a
// moment of its own work completes, in real time, instead of suspending on the wait it never
// awaited. Its own file: it needs skipTime off, and the environment is set once per file.

import { afterAll, beforeAll, expect, it } from "vitest";

import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";
import { ExecutionStatus, LocalDurableTestRunner } from "@aws/durable-execution-sdk-js-testing";

beforeAll(() => LocalDurableTestRunner.setupTestEnvironment({ skipTime: false }));
afterAll(() => LocalDurableTestRunner.teardownTestEnvironment());

const handler = withDurableExecution(async (_event: unknown, context: DurableContext) => {
  void context.wait("someday", { days: 1 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  return "returned without awaiting the wait";
});

it("completes when the handler returns while an unawaited one-day wait is pending", async () => {
  const runner = new LocalDurableTestRunner({ handlerFunction: handler });
  const result = await runner.run();
  expect(result.getStatus()).toBe(ExecutionStatus.SUCCEEDED);
  expect(result.getResult()).toBe("returned without awaiting the wait");
}, 20_000);

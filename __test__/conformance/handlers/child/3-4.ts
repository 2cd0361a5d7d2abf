import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.runInChildContext("failing_child", async (child) => {
    return await child.step(
      "failing_step",
      async (): Promise<string> => {
        throw new Error("step inside child context failed");
      },
      { retryStrategy: retryPresets.noRetry },
    );
  });
});

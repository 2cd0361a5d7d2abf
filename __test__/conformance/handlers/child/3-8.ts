import { JitterStrategy, createRetryStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.runInChildContext("child_retry_exhaustion", async (child) => {
    return await child.step(
      "always_failing_step",
      async (): Promise<string> => {
        throw new Error("step always fails");
      },
      { retryStrategy: createRetryStrategy({ maxAttempts: 2, initialDelay: { seconds: 1 }, jitter: JitterStrategy.NONE }) },
    );
  });
});

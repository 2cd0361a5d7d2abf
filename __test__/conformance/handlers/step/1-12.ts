import { JitterStrategy, createRetryStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(
    async () => {
      throw new Error("always fails");
    },
    {
      retryStrategy: createRetryStrategy({ maxAttempts: 4, initialDelay: { seconds: 1 }, backoffRate: 1, jitter: JitterStrategy.NONE }),
    },
  );
});

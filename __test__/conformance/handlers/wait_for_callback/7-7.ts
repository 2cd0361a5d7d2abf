import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.waitForCallback(
    event,
    async () => {
      throw new Error("submitter failed");
    },
    {
      retryStrategy: (_error, attemptCount) => (attemptCount < 2 ? { shouldRetry: true, delay: { seconds: 1 } } : { shouldRetry: false }),
    },
  );
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(
    async (stepContext) => {
      if (stepContext.attempt === 1) throw new Error("Transient failure on first attempt");
      return "Operation succeeded";
    },
    { retryStrategy: (_error, attemptsMade) => ({ shouldRetry: attemptsMade < 3, delay: { seconds: 1 } }) },
  );
});

import { JitterStrategy, createRetryStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

// The attempt count is tracked by the step context (it survives re-invocations, as the
// requirement's external store does).
export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(
    async (stepContext) => {
      if (stepContext.attempt <= 2) throw new Error(`Failure on attempt ${stepContext.attempt}`);
      return `Succeeded on attempt ${stepContext.attempt}`;
    },
    {
      retryStrategy: createRetryStrategy({ maxAttempts: 5, initialDelay: { seconds: 2 }, backoffRate: 3, jitter: JitterStrategy.NONE }),
    },
  );
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext("child_with_retry", async (child) => {
    return await child.step(
      "flaky_step",
      async (stepContext) => {
        if (stepContext.attempt === 1) throw new Error("Transient failure on first attempt");
        return event;
      },
      { retryStrategy: (_error, attemptsMade) => ({ shouldRetry: attemptsMade < 3, delay: { seconds: 1 } }) },
    );
  });
});

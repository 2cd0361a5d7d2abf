import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(
    async () => {
      throw new Error("step always fails");
    },
    { retryStrategy: retryPresets.noRetry },
  );
});

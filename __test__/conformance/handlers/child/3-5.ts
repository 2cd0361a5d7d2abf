import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  try {
    await context.runInChildContext(async (child) => {
      return await child.step(
        async (): Promise<string> => {
          throw new Error("step inside child context failed");
        },
        { retryStrategy: retryPresets.noRetry },
      );
    });
  } catch {
    // The child context failed; recover with a step outside it.
  }
  return await context.step(async () => event);
});

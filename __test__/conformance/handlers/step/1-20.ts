import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  let value: string;
  try {
    value = await context.step(
      async (): Promise<string> => {
        throw new Error("step failed");
      },
      { retryStrategy: retryPresets.noRetry },
    );
  } catch {
    value = "fallback_result";
  }
  return await context.step(async () => value);
});

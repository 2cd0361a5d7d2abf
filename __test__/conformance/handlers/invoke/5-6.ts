import { InvokeError, withDurableExecution } from "@aws/durable-execution-sdk-js";

const failing = withDurableExecution(async () => {
  throw new Error("target function failed");
});

export const functions = { failing };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  try {
    return await context.invoke("failing");
  } catch (error) {
    if (!(error instanceof InvokeError)) throw error;
    return "fallback";
  }
});

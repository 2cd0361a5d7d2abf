import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const failing = withDurableExecution(async () => {
  throw new Error("target function failed");
});

export const functions = { failing };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.invoke("failing");
});

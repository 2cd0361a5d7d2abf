import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const result = await context.waitForCallback(event, async () => {});
  return result ?? null;
});

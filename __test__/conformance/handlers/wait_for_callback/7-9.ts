import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.waitForCallback("first", async () => {});
  return await context.waitForCallback("second", async () => {});
});

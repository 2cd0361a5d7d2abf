import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext("wrapper", async (child) => {
    return await child.waitForCallback(event, async () => {});
  });
});

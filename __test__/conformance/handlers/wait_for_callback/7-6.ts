import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  try {
    return await context.waitForCallback(event, async () => {});
  } catch {
    return "recovered";
  }
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  try {
    return await context.waitForCallback(event, async () => {}, { timeout: { seconds: 3 } });
  } catch {
    return "timed-out-handled";
  }
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  await context.wait({ seconds: 1 });
  await context.step(async () => ({ prepared: true }));
  return await context.waitForCallback(event, async () => {});
});

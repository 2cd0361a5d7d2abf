import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const [result] = await context.createCallback(event, { timeout: { seconds: 5 } });
  return await result;
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const [result] = await context.createCallback("approval");
  return await result;
});

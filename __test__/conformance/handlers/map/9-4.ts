import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string[], context) => {
  const result = await context.map("empty", event, async (_ctx, item: string) => item);
  return result.getResults();
});

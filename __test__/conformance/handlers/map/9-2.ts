import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: number[], context) => {
  const result = await context.map(event, async (_ctx, item: number) => item * 2, { maxConcurrency: 1 });
  return result.getResults();
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: number[], context) => {
  const result = await context.map("indexed", event, async (_ctx, item: number, index) => item + index, {
    maxConcurrency: 1,
  });
  return result.getResults();
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: number[], context) => {
  const result = await context.map("named-items", event, async (_ctx, item: number) => item * 10, {
    maxConcurrency: 1,
    itemNamer: (item: number) => `item-${item}`,
  });
  return result.getResults();
});

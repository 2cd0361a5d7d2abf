import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const ITEM_SIZE = 70 * 1024;

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map(
    "large",
    [0, 1, 2, 3],
    async (_ctx, item: number) => String(item).repeat(ITEM_SIZE),
    { maxConcurrency: 1 },
  );
  return { successCount: result.successCount, totalCount: result.totalCount };
});

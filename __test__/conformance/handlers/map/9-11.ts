import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map("concurrent", ["r0", "r1", "r2"], async (_ctx, item: string) => item, {
    maxConcurrency: 2,
  });
  return result.getResults();
});

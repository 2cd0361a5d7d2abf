import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map("then-wait", ["a", "b"], async (_ctx, item: string) => item.toUpperCase(), {
    maxConcurrency: 1,
  });
  await context.wait({ seconds: 1 });
  return result.getResults();
});

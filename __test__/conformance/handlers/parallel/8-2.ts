import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel([async () => "alpha", async () => "beta"], { maxConcurrency: 1 });
  return result.getResults();
});

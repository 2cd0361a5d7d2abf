import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel("bad-concurrency", [async () => "b0", async () => "b1"], { maxConcurrency: 0 });
  return result.getResults();
});

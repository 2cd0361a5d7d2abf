import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel("concurrent", [async () => "r0", async () => "r1", async () => "r2"], {
    maxConcurrency: 2,
  });
  return result.getResults();
});

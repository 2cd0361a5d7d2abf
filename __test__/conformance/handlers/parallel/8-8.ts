import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel(
    "min-successful",
    [async () => "b0", async () => "b1", async () => "b2", async () => "b3"],
    { maxConcurrency: 1, completionConfig: { minSuccessful: 2 } },
  );
  return {
    completionReason: result.completionReason,
    successCount: result.successCount,
    totalCount: result.totalCount,
  };
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map("min-successful", ["i0", "i1", "i2", "i3"], async () => "done", {
    maxConcurrency: 1,
    completionConfig: { minSuccessful: 2 },
  });
  return {
    completionReason: result.completionReason,
    successCount: result.successCount,
    totalCount: result.totalCount,
  };
});

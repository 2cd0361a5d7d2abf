import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map(
    "tolerated-pct",
    ["fail", "fail", "ok", "ok"],
    async (_ctx, item: string, index) => {
      if (item === "fail") throw new Error(`item ${index} failed`);
      return item;
    },
    { maxConcurrency: 1, completionConfig: { toleratedFailurePercentage: 25 } },
  );
  return {
    completionReason: result.completionReason,
    successCount: result.successCount,
    failureCount: result.failureCount,
    totalCount: result.totalCount,
  };
});

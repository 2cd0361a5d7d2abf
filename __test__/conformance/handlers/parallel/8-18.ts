import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const fail = (i: number) => async (): Promise<string> => {
  throw new Error(`branch ${i} failed`);
};

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel<string>("combined", [fail(0), fail(1), async () => "b2", async () => "b3"], {
    maxConcurrency: 1,
    completionConfig: { minSuccessful: 3, toleratedFailureCount: 1 },
  });
  return {
    completionReason: result.completionReason,
    successCount: result.successCount,
    failureCount: result.failureCount,
    totalCount: result.totalCount,
  };
});

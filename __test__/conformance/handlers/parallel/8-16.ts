import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const fail = (i: number) => async (): Promise<string> => {
  throw new Error(`branch ${i} failed`);
};

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel<string>("all-fail", [fail(0), fail(1), fail(2)], {
    maxConcurrency: 1,
    completionConfig: { toleratedFailureCount: 3 },
  });
  return {
    completionReason: result.completionReason,
    status: result.status,
    successCount: result.successCount,
    failureCount: result.failureCount,
    totalCount: result.totalCount,
  };
});

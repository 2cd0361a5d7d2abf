import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (threshold: number, context) => {
  return await context.waitForCondition<number>(async (state) => state, {
    initialState: 5,
    waitStrategy: (state) => (state >= threshold ? { shouldContinue: false } : { shouldContinue: true, delay: { seconds: 1 } }),
  });
});

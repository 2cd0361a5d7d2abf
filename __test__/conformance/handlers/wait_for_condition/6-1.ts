import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (threshold: number, context) => {
  return await context.waitForCondition<number>(async (state) => state + 1, {
    initialState: 0,
    waitStrategy: (state) => (state < threshold ? { shouldContinue: true, delay: { seconds: 1 } } : { shouldContinue: false }),
  });
});

import { JitterStrategy, createWaitStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (threshold: number, context) => {
  return await context.waitForCondition<number>(async (state) => state + 1, {
    initialState: 0,
    waitStrategy: createWaitStrategy<number>({
      initialDelay: { seconds: 2 },
      maxDelay: { seconds: 2 },
      backoffRate: 1,
      jitter: JitterStrategy.NONE,
      shouldContinuePolling: (state) => state < threshold,
    }),
  });
});

import { JitterStrategy, createWaitStrategy, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: number, context) => {
  return await context.waitForCondition<number>(async (state) => state + 1, {
    initialState: 0,
    waitStrategy: createWaitStrategy<number>({
      maxAttempts: 3,
      initialDelay: { seconds: 1 },
      backoffRate: 1,
      jitter: JitterStrategy.NONE,
      // The condition is never met.
      shouldContinuePolling: () => true,
    }),
  });
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  return await context.waitForCondition<number>(
    async () => {
      throw new Error("check failed");
    },
    {
      initialState: 0,
      waitStrategy: () => ({ shouldContinue: true, delay: { seconds: 1 } }),
    },
  );
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  return await context.waitForCondition<string | null>(async () => null, {
    initialState: "polling",
    waitStrategy: () => ({ shouldContinue: false }),
  });
});

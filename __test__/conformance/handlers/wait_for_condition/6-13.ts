import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const until = (target: number) => (state: number) =>
  state < target ? ({ shouldContinue: true, delay: { seconds: 1 } } as const) : ({ shouldContinue: false } as const);

export const handler = withDurableExecution(async (_event: null, context) => {
  const first = await context.waitForCondition<number>(async (state) => state + 1, { initialState: 0, waitStrategy: until(2) });
  return await context.waitForCondition<number>(async (state) => state + 1, { initialState: first, waitStrategy: until(4) });
});

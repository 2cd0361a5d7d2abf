import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string[], context) => {
  const result = await context.map(
    "map",
    event,
    async (ctx, item: string) => await ctx.step(async () => `Hello, ${item}!`),
    { maxConcurrency: 1 },
  );
  return result.getResults();
});

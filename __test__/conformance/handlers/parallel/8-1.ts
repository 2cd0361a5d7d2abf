import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel(
    "parallel",
    [
      async (ctx) => await ctx.step(async () => "task-1"),
      async (ctx) => await ctx.step(async () => "task-2"),
    ],
    { maxConcurrency: 1 },
  );
  return result.getResults();
});

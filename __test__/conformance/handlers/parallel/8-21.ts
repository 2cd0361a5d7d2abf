import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const outer = await context.parallel(
    "outer",
    [
      async (branch) => {
        const inner = await branch.parallel(
          "inner",
          [async (ctx) => await ctx.step(async () => "i1"), async (ctx) => await ctx.step(async () => "i2")],
          { maxConcurrency: 1 },
        );
        return inner.getResults();
      },
    ],
    { maxConcurrency: 1 },
  );
  return outer.getResults();
});

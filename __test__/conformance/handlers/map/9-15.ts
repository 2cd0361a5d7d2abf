import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map(
    "suspend",
    ["r0", "r1"],
    async (ctx, item: string, index) => {
      if (index === 1) await ctx.wait({ seconds: 1 });
      return await ctx.step(async () => item);
    },
    { maxConcurrency: 1 },
  );
  return result.getResults();
});

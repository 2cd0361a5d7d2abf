import { NestingType, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map(
    "flat",
    ["fa", "fb"],
    async (ctx, item: string) => await ctx.step(async () => item),
    { maxConcurrency: 1, nesting: NestingType.FLAT },
  );
  return result.getResults();
});

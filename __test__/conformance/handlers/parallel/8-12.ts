import { NestingType, withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel(
    "flat",
    [async (ctx) => await ctx.step(async () => "fa"), async (ctx) => await ctx.step(async () => "fb")],
    { maxConcurrency: 1, nesting: NestingType.FLAT },
  );
  return result.getResults();
});

// The soak benchmark's handler (bench/soak.ts): three steps whose result is a function of the
// input, so a lost or repeated step shows in the result the benchmark checks.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: { n: number; pad: string }, ctx) => {
  const doubled = await ctx.step("double", async () => event.n * 2);
  const plusOne = await ctx.step("plus-one", async () => doubled + 1);
  const size = await ctx.step("measure", async () => event.pad.length);
  return { n: event.n, value: plusOne, size };
});

// A handler of `event.n` tiny steps, for the CLI benchmark (bench/core.ts).
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: { n: number }, ctx) => {
  let acc = 0;
  for (let i = 0; i < event.n; i++) acc += await ctx.step(async () => i);
  return acc;
});

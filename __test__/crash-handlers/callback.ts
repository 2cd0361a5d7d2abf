// Crash test handler: waits on a callback; the process is killed while suspended and the
// callback is completed by another process while nothing runs the execution.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { record } from "../../examples/services/ledger";

export const handler = withDurableExecution(async (_event, ctx) => {
  await ctx.step("before", async () => record("crash", "before", {}));
  const [approval] = await ctx.createCallback("approval", { timeout: { hours: 1 } });
  const answer = await approval;
  await ctx.step("after", async () => record("crash", "after", { answer }));
  return { answer };
});

// Crash test handler: a side effect, a real-time wait (the process is killed during it), another side effect.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { record } from "../../examples/services/ledger";

export const handler = withDurableExecution(async (event: { seconds: number }, ctx) => {
  const before = await ctx.step("before", async () => {
    record("crash", "before", {});
    return "before done";
  });
  await ctx.wait("pause", { seconds: event.seconds });
  const after = await ctx.step("after", async () => {
    record("crash", "after", {});
    return "after done";
  });
  return { before, after };
});

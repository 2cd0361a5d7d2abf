// Crash test handler: invokes a durable target that waits; the process is killed while the
// caller is suspended on the invoke and the target on its wait.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { record } from "../../examples/services/ledger";

const target = withDurableExecution(async (event: { seconds: number; sku: string }, ctx) => {
  const reserved = await ctx.step("reserve", async () => {
    record("target", "reserve", { sku: event.sku });
    return `reserved ${event.sku}`;
  });
  await ctx.wait("settle", { seconds: event.seconds });
  return reserved;
});

export const functions = { "crash-target": target };

export const handler = withDurableExecution(async (event: { seconds: number }, ctx) => {
  await ctx.step("before", async () => record("crash", "before", {}));
  const reserved = await ctx.invoke<{ seconds: number; sku: string }, string>("reserve-stock", "crash-target", { seconds: event.seconds, sku: "sku-9" });
  await ctx.step("after", async () => record("crash", "after", { reserved }));
  return reserved;
});

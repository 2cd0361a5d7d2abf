// Results near and above the checkpoint size limit: a step, a child context, a map.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const child = await context.runInChildContext("big-child", async (c) => {
    const a = await c.step("a", async () => "a".repeat(200_000));
    const b = await c.step("b", async () => "b".repeat(200_000));
    return a + b;
  });
  const mapped = await context.map("big-map", [1, 2, 3], async (c, i) => c.step(async () => String(i).repeat(120_000)));
  await context.wait({ seconds: 1 });
  return { child: child.length, mapped: mapped.getResults().map((r) => r.length) };
});

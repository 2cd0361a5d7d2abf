// A handler that returns nothing, after concurrent un-awaited steps and an unnamed wait.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const a = context.step("a", async () => "A");
  const b = context.step("b", async () => "B");
  await context.wait({ seconds: 1 });
  await Promise.all([b, a]);
});

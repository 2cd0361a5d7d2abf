// Deliberately wrong: tsc must report both errors (line 8 and line 10), so the type-check
// spec can fail.
import { withDurableExecution, type DurableContext } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context: DurableContext) => {
  await context.step("ok", async () => 1);
  // A number where a string is declared:
  const text: string = await context.step(async () => 42);
  // A wait without a Duration object:
  await context.wait(5);
  return text;
});

// Crash test handler: a step whose first attempt fails; the process is killed during the retry delay.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { record } from "../../examples/services/ledger";

export const handler = withDurableExecution(async (event: { seconds: number }, ctx) => {
  const charged = await ctx.step(
    "charge",
    async ({ attempt }) => {
      record("crash", "attempt", { attempt });
      if (attempt === 1) throw new Error("gateway timeout");
      return `charged on attempt ${attempt}`;
    },
    { retryStrategy: (_error, attempts) => ({ shouldRetry: attempts < 3, delay: { seconds: event.seconds } }) },
  );
  await ctx.step("after", async () => record("crash", "after", {}));
  return charged;
});

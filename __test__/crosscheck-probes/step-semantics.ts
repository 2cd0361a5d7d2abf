// AtMostOncePerRetry and AtLeastOncePerRetry steps that fail and retry (no crash).
import { StepSemantics, withDurableExecution } from "@aws/durable-execution-sdk-js";

let calls = 0;
export const handler = withDurableExecution(async (_event: unknown, context) => {
  const once = await context.step("at-most-once", async (s) => {
    calls++;
    if (s.attempt === undefined) throw new Error("no attempt");
    if (calls < 2) throw new Error("first attempt fails");
    return "second";
  }, { semantics: StepSemantics.AtMostOncePerRetry, retryStrategy: (_e, n) => ({ shouldRetry: n < 3, delay: { seconds: 2 } }) });
  const least = await context.step("at-least-once", async () => "least", { semantics: StepSemantics.AtLeastOncePerRetry });
  return { once, least };
});

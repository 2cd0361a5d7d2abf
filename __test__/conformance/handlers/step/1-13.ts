import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(async (stepContext) => {
    if (stepContext.attempt < 3) throw new Error(`Failure on attempt ${stepContext.attempt}`);
    return `Succeeded on attempt ${stepContext.attempt}`;
  });
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const doNothing = (): null => null;

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.step(async () => doNothing());
});

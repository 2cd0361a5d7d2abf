import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

export const handler = withDurableExecution(async (event: { name: string; payload: string }, context) => {
  return await context.invoke(event.name, "echo", event.payload);
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

export const handler = withDurableExecution(async (event: { tenantId: string; payload: string }, context) => {
  return await context.invoke("tenant-invoke", "echo", event.payload, { tenantId: event.tenantId });
});

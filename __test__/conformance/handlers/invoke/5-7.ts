import { withDurableExecution } from "@aws/durable-execution-sdk-js";

// Near the 256 KB payload limit once JSON-encoded.
const LARGE_PAYLOAD = { data: "x".repeat(250 * 1024) };

const measure = withDurableExecution(async (event: { data: string }) => ({ receivedLength: event.data.length }));

export const functions = { measure };

export const handler = withDurableExecution(async (_event: unknown, context) => {
  return await context.invoke("measure", LARGE_PAYLOAD);
});

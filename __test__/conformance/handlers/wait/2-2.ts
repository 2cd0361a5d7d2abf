import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.wait("custom_wait_name", { seconds: 2 });
  return "wait completed";
});

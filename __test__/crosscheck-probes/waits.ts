// Waits of several durations and names, sequential and concurrent.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.wait({ seconds: 1 });
  await context.wait("named", { minutes: 1, seconds: 5 });
  await context.wait({ hours: 1 });
  await Promise.all([context.wait("a", { seconds: 3 }), context.wait("b", { seconds: 2 })]);
  await context.wait("days", { days: 1 });
  return "done";
});

// A handler that throws something that is not an Error: the execution's error.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.step(async () => 1);
  throw "plain string thrown";
});

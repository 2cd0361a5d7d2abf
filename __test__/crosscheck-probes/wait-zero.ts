// A wait of zero seconds.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.wait({ seconds: 0 });
  return "waited";
});

// A wait of a fractional duration.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (_event: unknown, context) => {
  await context.wait({ seconds: 1.5 });
  return "waited";
});

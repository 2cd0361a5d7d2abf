import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

export const handler = withDurableExecution(async (event: string, context) => {
  // A string as second argument selects invoke(name, funcId, input), so a string input needs the named form.
  return await context.invoke("echo-input", "echo", event);
});

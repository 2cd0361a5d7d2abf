import { withDurableExecution } from "@aws/durable-execution-sdk-js";

interface Input {
  name: string;
  value: string;
}

export const handler = withDurableExecution(async (event: Input, context) => {
  return await context.runInChildContext(event.name, async (child) => {
    return await child.step(async () => event.value);
  });
});

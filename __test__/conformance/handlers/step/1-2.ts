import { withDurableExecution } from "@aws/durable-execution-sdk-js";

const greet = (name: string) => `Hello, ${name}!`;

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.step("custom_step_name", async () => greet(event));
});

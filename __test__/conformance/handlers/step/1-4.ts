import { withDurableExecution } from "@aws/durable-execution-sdk-js";

interface Input {
  name: string;
  tags: string[];
}

const buildResponse = (event: Input) => ({
  user: { name: event.name, tags: [...event.tags] },
  count: event.tags.length,
});

export const handler = withDurableExecution(async (event: Input, context) => {
  return await context.step(async () => buildResponse(event));
});

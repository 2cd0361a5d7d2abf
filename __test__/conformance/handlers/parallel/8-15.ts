import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

const wrappingSerdes: Serdes<string> = {
  serialize: async (value) => (value === undefined ? undefined : JSON.stringify({ wrapped: value })),
  deserialize: async (data) => (data === undefined ? undefined : (JSON.parse(data) as { wrapped: string }).wrapped),
};

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.parallel("serde", [async () => "x", async () => "y"], {
    maxConcurrency: 1,
    itemSerdes: wrappingSerdes,
  });
  return result.getResults();
});

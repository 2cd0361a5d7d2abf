import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

const PREFIX = "wrapped:";

const wrappingSerdes: Serdes<string> = {
  serialize: async (value) => (value === undefined ? undefined : `${PREFIX}${value}`),
  deserialize: async (data) => (data === undefined ? undefined : data.startsWith(PREFIX) ? data.slice(PREFIX.length) : data),
};

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map("serdes", ["x", "y"], async (_ctx, item: string) => item.toUpperCase(), {
    maxConcurrency: 1,
    itemSerdes: wrappingSerdes,
  });
  return result.getResults();
});

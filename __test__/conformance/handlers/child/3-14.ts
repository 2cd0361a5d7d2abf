import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

// Writes the result as upper-cased raw text; reads it back as is.
const uppercaseSerdes: Serdes<string> = {
  serialize: async (value) => (value === undefined ? undefined : value.toUpperCase()),
  deserialize: async (data) => data,
};

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.runInChildContext(
    "uppercase_child",
    async (child) => {
      return await child.step(async () => event);
    },
    { serdes: uppercaseSerdes },
  );
});

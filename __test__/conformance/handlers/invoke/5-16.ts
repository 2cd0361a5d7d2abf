import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

// Uppercases the raw result text when reading it back.
const upperCaseResult: Serdes<string> = {
  serialize: async (value) => (value === undefined ? undefined : JSON.stringify(value)),
  deserialize: async (data) => (data === undefined ? undefined : data.toUpperCase()),
};

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.invoke<string, string>("echo-hello", "echo", event, { resultSerdes: upperCaseResult });
});

import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

const echo = withDurableExecution(async (event: unknown) => event);

export const functions = { echo };

// Uppercases the outgoing payload's JSON text.
const upperCasePayload: Serdes<{ data: string }> = {
  serialize: async (value) => (value === undefined ? undefined : JSON.stringify(value).toUpperCase()),
  deserialize: async (data) => (data === undefined ? undefined : JSON.parse(data)),
};

export const handler = withDurableExecution(async (event: { data: string }, context) => {
  return await context.invoke("echo", event, { payloadSerdes: upperCasePayload });
});

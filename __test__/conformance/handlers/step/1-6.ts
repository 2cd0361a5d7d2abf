import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

// Every string value is written upper-cased; reading is plain JSON.
const uppercaseSerdes: Serdes<string> = {
  serialize: async (value) =>
    value === undefined ? undefined : JSON.stringify(value, (_key, v: unknown) => (typeof v === "string" ? v.toUpperCase() : v)),
  deserialize: async (data) => (data === undefined ? undefined : (JSON.parse(data) as string)),
};

export const handler = withDurableExecution(async (event: string, context) => {
  return await context.step(async () => event, { serdes: uppercaseSerdes });
});

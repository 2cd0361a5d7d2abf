import { withDurableExecution, type Serdes } from "@aws/durable-execution-sdk-js";

// The state is checkpointed base64-encoded and decoded when the execution resumes.
const base64Serdes: Serdes<string> = {
  serialize: async (value) => (value === undefined ? undefined : Buffer.from(value, "utf8").toString("base64")),
  deserialize: async (data) => (data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8")),
};

export const handler = withDurableExecution(async (_event: null, context) => {
  return await context.waitForCondition<string>(async (state) => `${state}x`, {
    initialState: "",
    serdes: base64Serdes,
    waitStrategy: (state) => (state.length < 2 ? { shouldContinue: true, delay: { seconds: 1 } } : { shouldContinue: false }),
  });
});

import { withDurableExecution } from "@aws/durable-execution-sdk-js";

interface Decision {
  status: string;
}

export const handler = withDurableExecution(async (event: string, context) => {
  const decision = await context.waitForCallback<Decision>(event, async () => {}, {
    serdes: { deserialize: async (data: string | undefined) => JSON.parse(data ?? "null") as Decision },
  });
  return decision.status;
});

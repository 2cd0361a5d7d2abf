import { withDurableExecution } from "@aws/durable-execution-sdk-js";

export const handler = withDurableExecution(async (event: string, context) => {
  const [promise] = await context.createCallback<number>(event, {
    serdes: { deserialize: async (data: string | undefined) => Number(JSON.parse(data ?? "0")) },
  });
  const count = await promise;
  return { count, doubled: count * 2 };
});

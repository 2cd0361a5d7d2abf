import { BatchItemStatus, withDurableExecution, type BatchResult, type Serdes } from "@aws/durable-execution-sdk-js";

const PREFIX = "OPSERDE:";

// Writes the whole map result as "OPSERDE:" + the comma-joined results and reads it back as a
// batch result of succeeded items.
const opSerdes: Serdes<BatchResult<string>> = {
  serialize: async (value) => (value === undefined ? undefined : `${PREFIX}${value.getResults().join(",")}`),
  deserialize: async (data) => {
    if (data === undefined) return undefined;
    const body = data.slice(PREFIX.length);
    const results = body === "" ? [] : body.split(",");
    return {
      all: results.map((result, index) => ({ result, index, status: BatchItemStatus.SUCCEEDED })),
      completionReason: "ALL_COMPLETED",
    } as unknown as BatchResult<string>;
  },
};

export const handler = withDurableExecution(async (_event: null, context) => {
  const result = await context.map("op-serde", ["x", "y"], async (_ctx, item: string) => item.toUpperCase(), {
    maxConcurrency: 1,
    serdes: opSerdes,
  });
  return result.getResults();
});

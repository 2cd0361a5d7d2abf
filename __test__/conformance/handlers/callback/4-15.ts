import { withDurableExecution } from "@aws/durable-execution-sdk-js";

interface Approval {
  id: string;
  message: string;
  timestamp: Date;
}

export const handler = withDurableExecution(async (event: string, context) => {
  const [promise] = await context.createCallback<Approval>(event, {
    serdes: {
      deserialize: async (data: string | undefined) => {
        const raw = JSON.parse(data ?? "null") as { id: string; message: string; timestamp: string };
        return { id: raw.id, message: raw.message, timestamp: new Date(raw.timestamp) };
      },
    },
  });
  const received = await promise;
  return { received: { id: received.id, message: received.message, timestamp: Math.floor(received.timestamp.getTime() / 1000) } };
});

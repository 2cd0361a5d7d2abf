import { withDurableExecution } from "@aws/durable-execution-sdk-js";

interface JobState {
  status: "PENDING" | "DONE";
  attempts: number;
}

export const handler = withDurableExecution(async (_event: null, context) => {
  return await context.waitForCondition<JobState>(
    async (state) => {
      const attempts = state.attempts + 1;
      return { status: attempts >= 2 ? "DONE" : "PENDING", attempts };
    },
    {
      initialState: { status: "PENDING", attempts: 0 },
      waitStrategy: (state) => (state.status === "PENDING" ? { shouldContinue: true, delay: { seconds: 1 } } : { shouldContinue: false }),
    },
  );
});

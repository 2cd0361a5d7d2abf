// Crash test handler: waitForCondition polls a job; the process is killed between two polls.
import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { record } from "../../examples/services/ledger";

export const handler = withDurableExecution(async (event: { seconds: number }, ctx) => {
  const final = await ctx.waitForCondition(
    "job",
    async (state: { polls: number }, { attempt }) => {
      record("crash", "check", { attempt, polls: state.polls });
      return { polls: state.polls + 1 };
    },
    {
      initialState: { polls: 0 },
      waitStrategy: (state) => (state.polls < 2 ? { shouldContinue: true, delay: { seconds: event.seconds } } : { shouldContinue: false }),
    },
  );
  await ctx.step("after", async () => record("crash", "after", {}));
  return final;
});

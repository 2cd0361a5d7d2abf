// Custom serdes on steps and children, class serdes with dates.
import { createClassSerdesWithDates, withDurableExecution } from "@aws/durable-execution-sdk-js";

class Money {
  constructor(public amount = 0, public at: Date = new Date(0)) {}
  label() {
    return `${this.amount}@${this.at.toISOString()}`;
  }
}

const upper = {
  serialize: async (v: string | undefined) => (v === undefined ? undefined : JSON.stringify(v.toUpperCase())),
  deserialize: async (s: string | undefined) => (s === undefined ? undefined : (JSON.parse(s) as string).toLowerCase()),
};

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const m = await context.step("money", async () => new Money(5, new Date(Date.UTC(2024, 5, 1))), { serdes: createClassSerdesWithDates(Money, ["at"]) });
  const s = await context.step("upper", async () => "MiXeD", { serdes: upper });
  const c = await context.runInChildContext("child", async (cc) => cc.step(async () => "inner"), { serdes: upper });
  await context.wait({ seconds: 1 });
  return { money: m.label(), s, c };
});

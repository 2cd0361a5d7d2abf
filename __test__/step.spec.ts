import { describe, expect, it } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { DurableEngine, StepError } from "../ts/index";

describe("step", () => {
  it("checkpoints a result and replays it without running the function again", async () => {
    const engine = DurableEngine.open({ skipTime: true });
    let calls = 0;
    engine.register(
      "f",
      withDurableExecution(async (event: { x: number }, ctx) => {
        const a = await ctx.step("add", async () => {
          calls++;
          return event.x + 1;
        });
        await ctx.wait({ seconds: 5 });
        return a;
      }),
    );
    const record = await engine.run("f", { x: 41 });
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toBe(42);
    expect(calls).toBe(1);
    const types = engine.history(record.DurableExecutionArn).map((e) => e.EventType);
    expect(types).toEqual([
      "ExecutionStarted",
      "StepStarted",
      "StepSucceeded",
      "WaitStarted",
      "InvocationCompleted",
      "WaitSucceeded",
      "InvocationCompleted",
      "ExecutionSucceeded",
    ]);
    engine.close();
  });

  it("checkpoints a thrown error and rethrows it as a StepError on replay", async () => {
    const engine = DurableEngine.open({ skipTime: true });
    const seen: string[] = [];
    engine.register(
      "f",
      withDurableExecution(async (_event, ctx) => {
        try {
          await ctx.step("boom", async () => {
            throw new RangeError("bad range");
          }, { retryStrategy: () => ({ shouldRetry: false }) });
        } catch (e) {
          seen.push(`${(e as Error).constructor.name}:${(e as Error).message}:${(e as StepError).cause?.name}`);
        }
        await ctx.wait({ seconds: 1 });
        return "done";
      }),
    );
    const record = await engine.run("f");
    expect(record.Status).toBe("SUCCEEDED");
    expect(seen).toEqual(["StepError:bad range:RangeError", "StepError:bad range:RangeError"]);
    engine.close();
  });
});

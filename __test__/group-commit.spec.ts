// Group commit: checkpoints of concurrent invocations share one transaction, and a refused
// request in a group fails only its own execution.

import path from "node:path";

import { describe, expect, it } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { DurableEngine } from "../ts/index";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-group-");

async function runFifty(groupCommit: boolean): Promise<{ requests: number; transactions: number }> {
  const engine = DurableEngine.open({ path: path.join(tempDir(), "group.db"), skipTime: true, synchronousFull: true, groupCommit });
  try {
      engine.register(
        "steps",
        withDurableExecution(async (event: { n: number; huge?: boolean }, ctx) => {
          let sum = 0;
          for (let i = 0; i < 20; i++) sum += await ctx.step(`s${i}`, async () => i * event.n);
          await ctx.wait({ seconds: 5 });
          if (event.huge) await ctx.step("huge", async () => "x".repeat(300_000));
          return sum;
        }),
      );
      const arns = Array.from({ length: 50 }, (_, n) => engine.start("steps", { n, huge: n === 7 }).execution.DurableExecutionArn);
      const records = await Promise.all(arns.map((arn) => engine.drive(arn)));
      records.forEach((record, n) => {
        if (n === 7) {
          expect(record.Status).toBe("FAILED");
          expect(record.Error?.ErrorMessage).toMatch(/over the limit of 262144 bytes/);
        } else {
          expect(record.Status, JSON.stringify(record.Error)).toBe("SUCCEEDED");
          expect(JSON.parse(record.Result!)).toBe(190 * n);
        }
      });
      const history = engine.history(arns[3]).map((e) => e.EventType);
      expect(history.filter((t) => t === "StepSucceeded")).toHaveLength(20);
      expect(history.filter((t) => t === "InvocationCompleted")).toHaveLength(2);
      return engine.checkpointStats();
    } finally {
      engine.close();
    }
}

describe("group commit", () => {
  it("runs many executions at once to the same results as one by one, in shared transactions, with a refused checkpoint failing only its execution", async () => {
    const grouped = await runFifty(true);
    // 50 concurrent executions of 21 checkpoints each: most transactions carry many requests.
    expect(grouped.requests).toBeGreaterThanOrEqual(50 * 21);
    expect(grouped.transactions).toBeLessThan(grouped.requests / 5);
  });

  it("without grouping every request is its own transaction (what the grouped run is measured against)", async () => {
    const alone = await runFifty(false);
    expect(alone.transactions).toBe(alone.requests);
  });
});

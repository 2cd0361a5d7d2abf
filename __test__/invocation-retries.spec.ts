// Bounded invocation retries: an invocation that fails without a verdict is invoked again with a
// delay that doubles each time, and a deterministic failure (a step returning a BigInt, which
// no serdes can write) ends the execution FAILED, naming the cause, instead of retrying for
// ever. A failure after progress starts the count again.

import path from "node:path";

import { describe, expect, it } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { DurableEngine, InvalidParameterError, InvocationFailedError } from "../ts/index";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-retries-");

/** Drives as a worker does: an invocation that fails is simply run again when due. */
async function driveLikeAWorker(engine: DurableEngine, arn: string): Promise<{ record: Awaited<ReturnType<DurableEngine["drive"]>>; failures: number }> {
  let failures = 0;
  for (;;) {
    try {
      return { record: await engine.drive(arn), failures };
    } catch (e) {
      if (!(e instanceof InvocationFailedError)) throw e;
      failures++;
      if (failures > 50) throw new Error("the engine retried an invocation more than 50 times");
    }
  }
}

describe("invocation retries", () => {
  it("end a deterministic failure FAILED after the sixth failure in a row, with the cause named", async () => {
    const engine = DurableEngine.open({ path: path.join(tempDir(), "retries.db"), skipTime: true });
    try {
      engine.register(
        "bigint",
        withDurableExecution(async (_e, ctx) => ctx.step("big", async () => BigInt(42) as unknown as number)),
      );
      const { execution } = engine.start("bigint", {});
      const before = engine.now();
      const { record, failures } = await driveLikeAWorker(engine, execution.DurableExecutionArn);
      expect(record.Status).toBe("FAILED");
      expect(failures).toBe(5);
      expect(record.Error?.ErrorMessage).toMatch(/failed 6 times in a row without checkpointing anything; the last failure: .*BigInt/);
      const ended = engine.history(execution.DurableExecutionArn).filter((e) => e.EventType === "InvocationCompleted");
      expect(ended).toHaveLength(6);
      // 1 + 2 + 4 + 8 + 16 s of backoff passed on the engine's (skipped) clock.
      expect(engine.now() - before).toBeGreaterThanOrEqual(31_000);
    } finally {
      engine.close();
    }
  });

  it("count only failures in a row that checkpointed nothing", async () => {
    const engine = DurableEngine.open({ skipTime: true, maxFailedInvocations: 2 });
    try {
      let invocation = 0;
      // Invocation k records step k, then step k+1 cannot be serialized (k = 1..3): three
      // failed invocations in a row, each of which made progress.
      const serdesFor = (step: number) => ({
        serialize: async (value: unknown) => {
          if (invocation === step - 1 && step <= 4) throw new Error(`step ${step} cannot be written in invocation ${invocation}`);
          return JSON.stringify(value);
        },
        deserialize: async (text: string | undefined) => (text === undefined ? undefined : JSON.parse(text)),
      });
      engine.register(
        "progresses",
        withDurableExecution(async (_e, ctx) => {
          invocation++;
          let sum = 0;
          for (let i = 1; i <= 4; i++) sum += (await ctx.step(`s${i}`, async () => i, { serdes: serdesFor(i) })) as number;
          return sum;
        }),
      );
      const arn = engine.start("progresses", {}).execution.DurableExecutionArn;
      const { record, failures } = await driveLikeAWorker(engine, arn);
      expect(failures).toBe(3);
      expect(record.Status, JSON.stringify(record.Error)).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toBe(10);
    } finally {
      engine.close();
    }
  });

  it("refuses a cap of zero, naming the option", () => {
    expect(() => DurableEngine.open({ maxFailedInvocations: 0 })).toThrow(InvalidParameterError);
    expect(() => DurableEngine.open({ maxFailedInvocations: 0 })).toThrow(/maxFailedInvocations/);
  });
});

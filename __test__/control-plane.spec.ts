// The control plane through `DurableEngine` with durable-node's own SDK, in process, on a
// manual clock (no test sleeps for time to pass): a pause stops `drive` with the execution
// PAUSED while its wait still elapses, the resume drives it to the end; ExecutionTimeout ends
// an execution TIMED_OUT; retention and delete remove ended executions; out-of-range configs
// and refused requests are typed errors.

import { afterEach, describe, expect, it } from "vitest";
import { withDurableExecution } from "@aws/durable-execution-sdk-js";

import { ClientTokenReusedError, DurableEngine, ExecutionConflictError, InvalidParameterError } from "../ts/index";
import { eventTypes, suspended } from "./helpers/callbacks";

const T0 = Date.parse("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
let engine: DurableEngine | undefined;

afterEach(() => {
  engine?.close();
  engine = undefined;
});

function open(options: Parameters<typeof DurableEngine.open>[0] = {}): DurableEngine {
  engine = DurableEngine.open({ manualClockMs: T0, ...options });
  let steps = 0;
  engine.register(
    "waits",
    withDurableExecution(async (_e: unknown, ctx) => {
      const a = await ctx.step("a", async () => ++steps);
      await ctx.wait({ seconds: 30 });
      return { a, b: await ctx.step("b", async () => ++steps) };
    }),
  );
  engine.register("quick", withDurableExecution(async () => "done"));
  return engine;
}

describe("DurableEngine pause, resume and delete", () => {
  it("a paused execution is not driven; its wait elapses meanwhile and the resume drives it to the end", async () => {
    const e = open();
    const arn = e.start("waits", {}).execution.DurableExecutionArn;
    const driving = e.drive(arn);
    await suspended(e, arn, 1);
    e.pause(arn, { reason: "deploy" });
    const stopped = await driving;
    expect(stopped.Status).toBe("PAUSED");
    const described = e.describe(arn);
    expect(described.PauseDetails).toMatchObject({ Reason: "deploy", ExecutionTimeoutPaused: true, PauseRequestTimestamp: new Date(T0).toISOString() });
    expect(described.DurableConfig).toEqual({ ExecutionTimeout: 31_622_400, RetentionPeriodInDays: 14 });
    expect(Date.parse(described.ExpectedExecutionTimeoutTimestamp!)).toBe(T0 + 366 * DAY);

    e.advanceClockTo(T0 + 31_000);
    e.runDueTimers();
    expect(e.operations(arn).find((o) => o.Type === "WAIT")!.Status).toBe("SUCCEEDED");
    expect(e.get(arn).Status).toBe("PAUSED");
    expect(e.list({ status: "PAUSED" }).map((r) => r.DurableExecutionArn)).toEqual([arn]);

    e.resume(arn, { reason: "deployed" });
    const done = await e.drive(arn);
    expect(done.Status).toBe("SUCCEEDED");
    expect(JSON.parse(done.Result!)).toEqual({ a: 1, b: 2 });
    const types = eventTypes(e, arn);
    expect(types.indexOf("ExecutionPaused")).toBeLessThan(types.indexOf("WaitSucceeded"));
    expect(types.indexOf("WaitSucceeded")).toBeLessThan(types.indexOf("ExecutionResumed"));
    expect(e.describe(arn).ExpectedExecutionTimeoutTimestamp).toBeUndefined();
  });

  it("refuses what the model refuses with typed errors and changes nothing", async () => {
    const e = open();
    const done = await e.run("quick");
    const arn = done.DurableExecutionArn;
    const before = eventTypes(e, arn);
    expect(() => e.pause(arn)).toThrow(ExecutionConflictError);
    const error = (() => {
      try {
        e.resume(arn);
      } catch (thrown) {
        return thrown as ExecutionConflictError;
      }
    })();
    expect(error).toBeInstanceOf(ExecutionConflictError);
    expect(error!.awsName).toBe("ResourceConflictException");
    expect(error!.fields).toMatchObject({ status: "SUCCEEDED", action: "resume" });
    expect(() => e.pause(arn, { reason: "x".repeat(1025) })).toThrow(InvalidParameterError);
    expect(eventTypes(e, arn)).toEqual(before);
    const waiting = e.start("waits", {}).execution.DurableExecutionArn;
    e.pause(waiting, { clientToken: "t1", reason: "a" });
    expect(e.pause(waiting, { clientToken: "t1", reason: "a" })).toBe(T0);
    expect(() => e.pause(waiting, { clientToken: "t1", reason: "b" })).toThrow(ClientTokenReusedError);
    expect(eventTypes(e, waiting).filter((t) => t === "ExecutionPaused")).toHaveLength(1);
  });

  it("deletes an ended execution (DELETING, then not found) and removes expired ones", async () => {
    const e = open();
    const deleted = (await e.run("quick")).DurableExecutionArn;
    const { execution } = e.start("quick", undefined, { retentionPeriodInDays: 1 });
    const expiring = (await e.drive(execution.DurableExecutionArn)).DurableExecutionArn;
    const kept = (await e.run("quick")).DurableExecutionArn;
    expect(e.delete(deleted)).toBe(T0);
    expect(e.get(deleted).Status).toBe("DELETING");
    e.runDueTimers();
    expect(e.find(deleted)).toBeUndefined();
    e.advanceClockTo(T0 + DAY);
    e.runDueTimers();
    expect(e.find(expiring)).toBeUndefined();
    expect(e.describe(kept).DurableConfig.RetentionPeriodInDays).toBe(14);
  });
});

describe("execution timeouts", () => {
  it("an execution still running at its ExecutionTimeout ends TIMED_OUT", async () => {
    const e = open({ executionTimeout: 10 });
    const arn = e.start("waits", {}).execution.DurableExecutionArn;
    const driving = e.drive(arn);
    await suspended(e, arn, 1);
    expect(Date.parse(e.describe(arn).ExpectedExecutionTimeoutTimestamp!)).toBe(T0 + 10_000);
    e.advanceClockTo(T0 + 10_000);
    const ended = await driving;
    expect(ended.Status).toBe("TIMED_OUT");
    expect(eventTypes(e, arn).at(-1)).toBe("ExecutionTimedOut");
    const other = e.start("quick", undefined, { executionTimeout: 60 }).execution.DurableExecutionArn;
    expect(e.describe(other).DurableConfig.ExecutionTimeout).toBe(60);
  });

  it("refuses a timeout or retention outside the API's ranges, naming the field", () => {
    expect(() => DurableEngine.open({ executionTimeout: 0 })).toThrow(/executionTimeout.*from 1 to 31622400/);
    expect(() => DurableEngine.open({ retentionPeriodInDays: 91 })).toThrow(/retentionPeriodInDays.*from 1 to 90/);
    const e = open();
    expect(() => e.start("quick", undefined, { executionTimeout: 31_622_401 })).toThrow(InvalidParameterError);
    expect(e.list()).toEqual([]);
  });
});

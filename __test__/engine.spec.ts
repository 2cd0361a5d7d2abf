// The programmatic API (DurableEngine) on a real SQLite file: running to completion, the
// history of a step and a wait, persistence across engines, and refusing what it cannot run.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { DatabaseOpenError, DurableEngine, NotADatabaseError } from "../ts/index";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-engine-");

const addThenWait = withDurableExecution(async (event: { x: number }, ctx) => {
  const sum = await ctx.step("add", async () => event.x + 1);
  await ctx.wait({ seconds: 5 });
  return { sum };
});

function dbFile(): string {
  return path.join(tempDir(), "engine.db");
}

describe("DurableEngine on a SQLite file", () => {
  it("runs an execution to completion and returns its record", async () => {
    const engine = DurableEngine.open({ path: dbFile(), skipTime: true });
    engine.register("add-then-wait", addThenWait);
    const record = await engine.run("add-then-wait", { x: 41 }, { name: "first" });
    engine.close();

    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toEqual({ sum: 42 });
    expect(record.DurableExecutionName).toBe("first");
    expect(record.DurableExecutionArn).toContain(":function:add-then-wait:");
    expect(JSON.parse(record.InputPayload!)).toEqual({ x: 41 });
    expect(Date.parse(record.EndTimestamp!)).toBeGreaterThanOrEqual(Date.parse(record.StartTimestamp));
    expect(record.Error).toBeUndefined();
  });

  it("records the history of a step and a wait in order", async () => {
    const engine = DurableEngine.open({ path: dbFile(), skipTime: true });
    engine.register("add-then-wait", addThenWait);
    const record = await engine.run("add-then-wait", { x: 1 });
    const history = engine.history(record.DurableExecutionArn) as Record<string, any>[];
    engine.close();

    expect(history.map((e) => e.EventType)).toEqual([
      "ExecutionStarted",
      "StepStarted",
      "StepSucceeded",
      "WaitStarted",
      "InvocationCompleted",
      "WaitSucceeded",
      "InvocationCompleted",
      "ExecutionSucceeded",
    ]);
    expect(history.map((e) => e.EventId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const times = history.map((e) => Date.parse(e.EventTimestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const succeeded = history.find((e) => e.EventType === "StepSucceeded")!;
    expect(succeeded.Name).toBe("add");
    expect(succeeded.StepSucceededDetails.Result.Payload).toBe("2");
    expect(history.find((e) => e.EventType === "WaitStarted")!.WaitStartedDetails.Duration).toBe(5);
    expect(history[history.length - 1].ExecutionSucceededDetails.Result.Payload).toBe(JSON.stringify({ sum: 2 }));
  });

  it("lets a new engine on the same file see a finished execution", async () => {
    const db = dbFile();
    const first = DurableEngine.open({ path: db, skipTime: true });
    first.register("add-then-wait", addThenWait);
    const record = await first.run("add-then-wait", { x: 9 }, { name: "kept" });
    const history = first.history("kept");
    first.close();

    const second = DurableEngine.open({ path: db });
    try {
      const seen = second.get("kept");
      expect(seen.DurableExecutionArn).toBe(record.DurableExecutionArn);
      expect(seen.Status).toBe("SUCCEEDED");
      expect(JSON.parse(seen.Result!)).toEqual({ sum: 10 });
      expect(second.get(record.DurableExecutionArn).DurableExecutionName).toBe("kept");
      expect(second.history("kept")).toEqual(history);
      expect(second.list().map((e) => e.DurableExecutionName)).toContain("kept");
    } finally {
      second.close();
    }
  });

  it("lets a new engine on the same file finish an execution started by another", async () => {
    const db = dbFile();
    const first = DurableEngine.open({ path: db, skipTime: true });
    first.register("add-then-wait", addThenWait);
    const { execution, created } = first.start("add-then-wait", { x: 2 }, { name: "started-elsewhere" });
    expect(created).toBe(true);
    expect(execution.Status).toBe("RUNNING");
    first.close();

    const second = DurableEngine.open({ path: db, skipTime: true });
    try {
      second.register("add-then-wait", addThenWait);
      const record = await second.drive(execution.DurableExecutionArn);
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual({ sum: 3 });
    } finally {
      second.close();
    }
  });

  it("refuses to register a function that is not wrapped with withDurableExecution", () => {
    const engine = DurableEngine.open({ path: dbFile() });
    try {
      const plain = async () => "not durable";
      expect(() => engine.register("plain", plain as never)).toThrow(TypeError);
      expect(() => engine.register("plain", plain as never)).toThrow(/"plain".*withDurableExecution/);
      expect(() => engine.register("object", { handler: addThenWait } as never)).toThrow(TypeError);
      expect(engine.register("wrapped", addThenWait)).toBe(engine);
    } finally {
      engine.close();
    }
  });

  it("rejects run() for a function nobody registered, naming it, instead of hanging", async () => {
    const engine = DurableEngine.open({ path: dbFile(), skipTime: true });
    try {
      engine.register("someone-else", addThenWait);
      const outcome = await Promise.race([
        engine.run("nobody-registered-this", { x: 1 }).then(
          (record) => ({ record }),
          (error: unknown) => ({ error }),
        ),
        new Promise<"hung">((resolve) => setTimeout(() => resolve("hung"), 10_000)),
      ]);
      expect(outcome).not.toBe("hung");
      expect(outcome).toHaveProperty("error");
      const { error } = outcome as { error: Error };
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/"nobody-registered-this"/);
      expect(error.message).toMatch(/regist/i);
      // Refused up front: no execution is left behind for a function this engine cannot run.
      expect(engine.list({ functionName: "nobody-registered-this" })).toEqual([]);
    } finally {
      engine.close();
    }
  });

  it("refuses a database path in a missing directory, naming the directory", () => {
    const missing = path.join(tempDir(), "no-such-dir");
    expect(() => DurableEngine.open({ path: path.join(missing, "x.db") })).toThrow(DatabaseOpenError);
    expect(() => DurableEngine.open({ path: path.join(missing, "x.db") })).toThrow(/no-such-dir.*does not exist/);
  });

  it("refuses a file that is not a database without changing it", () => {
    const file = path.join(tempDir(), "notes.txt");
    writeFileSync(file, "just some notes\n");
    expect(() => DurableEngine.open({ path: file })).toThrow(NotADatabaseError);
    expect(readFileSync(file, "utf8")).toBe("just some notes\n");
  });
});

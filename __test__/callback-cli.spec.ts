// `durable-node callback succeed|fail|heartbeat` from another process: an execution driven by
// this test process, waiting on a callback, resumes when a separate CLI process completes the
// callback on the same SQLite file; refusals and bad input are one clear line and an exit status.

import diagnostics_channel from "node:diagnostics_channel";
import path from "node:path";

import { afterEach, beforeAll, describe, expect, it } from "vitest";

import { withDurableExecution } from "@aws/durable-execution-sdk-js";
import { CallbackExternalError, DurableEngine, INVOCATION_CHANNEL, type InvocationEvent } from "../ts/index";
import { callbackId, startRun, suspended } from "./helpers/callbacks";
import { lines, requireCurrentDist, runCli, type CliResult } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-callback-cli-");
beforeAll(requireCurrentDist);

let engine: DurableEngine | undefined;
afterEach(() => {
  engine?.close();
  engine = undefined;
});

/** An engine on a fresh database file, real time (another process shares the file). */
function openShared(): { engine: DurableEngine; db: string } {
  const db = path.join(tempDir(), "shared.db");
  engine = DurableEngine.open({ path: db });
  return { engine, db };
}

/** A refusal or usage error: nothing on stdout, exactly one `error:` line on stderr. */
function expectOneErrorLine(result: CliResult, code: number, pattern: RegExp): void {
  expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(code);
  expect(result.stdout).toBe("");
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr).toMatch(/^error: /);
  expect(result.stderr).toMatch(pattern);
}

describe("durable-node callback (another process)", () => {
  it("succeed: resumes the execution this process is driving, with the payload as given", async () => {
    const { engine, db } = openShared();
    let runs = 0;
    engine.register(
      "approval",
      withDurableExecution(async (_e, ctx) => {
        runs++;
        const [promise] = await ctx.createCallback("approval");
        return { answer: await promise };
      }),
    );
    let resumedAt = 0;
    const onInvocation = (m: unknown) => {
      const e = m as InvocationEvent;
      if (e.phase === "started" && e.number === 2) resumedAt = Date.now();
    };
    diagnostics_channel.subscribe(INVOCATION_CHANNEL, onInvocation);
    try {
      const { arn, done } = startRun(engine, "approval");
      const id = await callbackId(engine, arn);
      await suspended(engine, arn, 1);

      const cli = await runCli(["callback", "succeed", id, "--payload", '"x"', "--db", db]);
      const exitedAt = Date.now();
      expect(cli.code, cli.stderr).toBe(0);
      expect(cli.stdout).toBe(`callback ${id} succeeded\n`);
      expect(cli.stderr).toBe("");

      const record = await done;
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual({ answer: '"x"' });
      expect(runs).toBe(2);

      // Latency: from the completion written by the other process (engine clock = wall clock
      // here) to the start of the invocation that resumes the handler.
      const completed = engine.history(arn).find((e) => e.EventType === "CallbackSucceeded") as Record<string, any>;
      const latency = resumedAt - Date.parse(completed.EventTimestamp);
      console.log(`cross-process callback resume latency: ${latency} ms after the completion was written (${resumedAt - exitedAt} ms after the CLI process exited)`);
      expect(resumedAt).toBeGreaterThan(0);
      expect(latency).toBeGreaterThanOrEqual(0);
      expect(latency).toBeLessThan(1_000); // issue 3 asks for 200 ms; generous bound against CI noise
    } finally {
      diagnostics_channel.unsubscribe(INVOCATION_CHANNEL, onInvocation);
    }
  });

  it("fail: the handler sees CallbackExternalError with the --error object's type, message and data", async () => {
    const { engine, db } = openShared();
    let seen: unknown;
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback();
        try {
          await promise;
        } catch (e) {
          const err = e as CallbackExternalError;
          seen = { isExternal: e instanceof CallbackExternalError, message: err.message, data: err.errorData, cause: err.cause?.name };
        }
        return "handled";
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const id = await callbackId(engine, arn);
    await suspended(engine, arn, 1);
    const error = JSON.stringify({ ErrorType: "RejectedError", ErrorMessage: "not approved", ErrorData: '{"by":"bob"}' });
    const cli = await runCli(["callback", "fail", id, "--error", error, "--db", db]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toBe(`callback ${id} failed\n`);
    expect((await done).Status).toBe("SUCCEEDED");
    expect(seen).toEqual({ isExternal: true, message: "not approved", data: '{"by":"bob"}', cause: "RejectedError" });
  });

  it("heartbeat: keeps a callback with a 2-second heartbeat timeout open until it succeeds", async () => {
    const { engine, db } = openShared();
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [promise] = await ctx.createCallback({ heartbeatTimeout: { seconds: 2 } });
        return await promise;
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const id = await callbackId(engine, arn);
    await suspended(engine, arn, 1);
    const started = Date.now();
    // Each CLI run takes a few hundred ms; keep beating for longer than the timeout.
    while (Date.now() - started < 3_000) {
      const beat = await runCli(["callback", "heartbeat", id, "--db", db]);
      expect(beat.code, beat.stderr).toBe(0);
      expect(beat.stdout).toBe(`callback ${id} heartbeat recorded\n`);
    }
    const cli = await runCli(["callback", "succeed", id, "--db", db]);
    expect(cli.code, cli.stderr).toBe(0);
    const record = await done;
    expect(record.Status).toBe("SUCCEEDED");
    expect(record.Result).toBeUndefined();
  });

  it("refuses an unknown id, a second completion and a callback of a finished execution (exit 1, one line), leaving everything intact", async () => {
    const { engine, db } = openShared();
    engine.register(
      "f",
      withDurableExecution(async (_e, ctx) => {
        const [first] = await ctx.createCallback("first");
        const value = await first;
        await ctx.createCallback("abandoned"); // still open when the execution ends
        return value;
      }),
    );
    const { arn, done } = startRun(engine, "f");
    const id = await callbackId(engine, arn, (o) => o.Name === "first");
    await suspended(engine, arn, 1);

    expectOneErrorLine(await runCli(["callback", "succeed", "not-a-callback", "--payload", "1", "--db", db]), 1, /callback not found: not-a-callback/);

    expect((await runCli(["callback", "succeed", id, "--payload", '"once"', "--db", db])).code).toBe(0);
    const record = await done;
    expect(JSON.parse(record.Result!)).toBe('"once"');

    expectOneErrorLine(await runCli(["callback", "succeed", id, "--payload", '"twice"', "--db", db]), 1, new RegExp(`callback ${id} is already closed \\(SUCCEEDED\\)`));
    const abandoned = engine.operations(arn).find((o) => o.Name === "abandoned")!.CallbackDetails!.CallbackId!;
    expectOneErrorLine(await runCli(["callback", "fail", abandoned, "--db", db]), 1, /already closed \(SUCCEEDED\)/);
    expectOneErrorLine(await runCli(["callback", "heartbeat", abandoned, "--db", db]), 1, /already closed/);

    expect(engine.get(arn)).toEqual(record);
    expect(engine.history(arn).filter((e) => String(e.EventType).startsWith("Callback")).map((e) => e.EventType)).toEqual([
      "CallbackStarted",
      "CallbackSucceeded",
      "CallbackStarted",
    ]);
  });

  it("usage errors exit 2 with one line and touch nothing", async () => {
    const db = path.join(tempDir(), "untouched.db");
    const cases: Array<[string[], RegExp]> = [
      [["callback", "succeed", "id", "--payload", "{not json"], /--payload is not valid JSON/],
      [["callback", "fail", "id", "--error", "[1]"], /--error must be a JSON object/],
      [["callback", "fail", "id", "--error", '{"errorMessage":"x"}'], /--error has unknown field\(s\) errorMessage; expected ErrorType, ErrorMessage, ErrorData, StackTrace/],
      [["callback", "fail", "id", "--error", '{"ErrorData":{"a":1}}'], /ErrorData must be a string/],
      [["callback", "fail", "id", "--error", '{"StackTrace":"at x"}'], /StackTrace must be an array of strings/],
      [["callback", "succeed", "id", "--error", "{}"], /unknown option '--error'/],
      [["callback", "heartbeat", "id", "--payload", "1"], /unknown option '--payload'/],
      [["callback", "succeed"], /missing required argument 'callbackId'/],
      [["callback", "finish", "id"], /unknown command 'finish'/],
    ];
    for (const [args, pattern] of cases) {
      expectOneErrorLine(await runCli([...args, "--db", db]), 2, pattern);
    }
  });
});

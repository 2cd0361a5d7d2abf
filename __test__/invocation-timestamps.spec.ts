// The Lambda invocation event carries operation timestamps as epoch milliseconds, as the
// service sends them (../shared/spec/CONTROL-PLANE-UPDATE.md, last section): the official
// Python SDK reads nothing else (the Python specs run it), and both JavaScript SDKs — ours and
// the official @aws/durable-execution-sdk-js 2.4.0 — must read them too. Each runs here as
// Lambda runs it (`plainInput`: the plain event, no injected client), checkpointing and paging
// over the HTTP API with @aws-sdk/client-lambda, through a retried step and a wait whose
// records (NextAttemptTimestamp, ScheduledEndTimestamp) reach the resumed invocations.

import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DurableEngine } from "../ts/engine/durable-engine";
import { DurableHttpServer } from "../ts/http/server";
import { lambdaInvocationEvent, operationsWithDates } from "../ts/invocation-timestamps";
import { withDurableExecution as ours } from "../ts/index";

const OFFICIAL_ENTRY = createRequire(import.meta.url).resolve("@aws/durable-execution-sdk-js");

type Wrap = (handler: (event: any, context: any) => Promise<unknown>) => (event: any, context: any) => Promise<any>;

/** A step that fails once (retried after 1 s), then a 1-second wait. */
function workflow(wrap: Wrap) {
  const attempts = new Map<string, number>();
  return wrap(async (event: { key: string }, context) => {
    const value = await context.step(
      "flaky",
      async () => {
        const n = (attempts.get(event.key) ?? 0) + 1;
        attempts.set(event.key, n);
        if (n === 1) throw new Error("the first attempt fails");
        return `ok after ${n} attempts`;
      },
      { retryStrategy: (_error: unknown, attempt: number) => ({ shouldRetry: attempt < 3, delay: { seconds: 1 } }) },
    );
    await context.wait({ seconds: 1 });
    return { value };
  });
}

/** Every `…Timestamp` field of the operations in an event, with its JavaScript type. */
function timestampFields(event: any): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const visit = (value: unknown, at: string) => {
    if (!value || typeof value !== "object") return;
    for (const [k, v] of Object.entries(value)) {
      if (k.endsWith("Timestamp")) found.push([`${at}${k}`, typeof v]);
      else visit(v, `${at}${k}.`);
    }
  };
  for (const op of event.InitialExecutionState?.Operations ?? []) visit(op, `${op.Type}.`);
  return found;
}

let engine: DurableEngine;
let server: DurableHttpServer;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  engine = DurableEngine.open({ skipTime: true });
  server = new DurableHttpServer(engine);
  const url = await server.listen();
  // What the SDKs' LambdaClients read, as on Lambda (and nothing the runner may have set).
  const env: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL_LAMBDA: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_ENDPOINT_URL: undefined,
  };
  for (const [k, v] of Object.entries(env)) {
    saved[k] = process.env[k];
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  await server?.close();
  engine?.close();
});

describe("epoch-millisecond timestamps in the invocation event", () => {
  const sdks: Array<[string, () => Promise<Wrap>]> = [
    ["durable-node's SDK", async () => ours as unknown as Wrap],
    ["the official @aws/durable-execution-sdk-js 2.4.0", async () => ((await import(pathToFileURL(OFFICIAL_ENTRY).href)) as { withDurableExecution: Wrap }).withDurableExecution],
  ];
  for (const [label, load] of sdks) {
    it(`${label} reads them: a retried step and a wait, over the HTTP API`, async () => {
      const handler = workflow(await load());
      const events: any[] = [];
      const name = label.startsWith("durable") ? "ours" : "official";
      engine.register(name, (async (event: any, context: any) => {
        events.push(JSON.parse(JSON.stringify(event)));
        return handler(event, context);
      }) as never, { plainInput: true });
      const record = await engine.run(name, { key: name }, { name: `${name}-1` });
      expect(record.Status, JSON.stringify(record.Error)).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual({ value: "ok after 2 attempts" });
      // Invocations: the failed attempt, the retry (then the wait), the end of the wait.
      expect(events).toHaveLength(3);
      const fields = events.flatMap(timestampFields);
      expect(new Set(fields.map(([f]) => f))).toEqual(
        new Set(["EXECUTION.StartTimestamp", "STEP.StartTimestamp", "STEP.EndTimestamp", "STEP.StepDetails.NextAttemptTimestamp", "WAIT.StartTimestamp", "WAIT.EndTimestamp", "WAIT.WaitDetails.ScheduledEndTimestamp"]),
      );
      expect(fields.filter(([, type]) => type !== "number")).toEqual([]);
      // They are the engine's times: the wait ends 1 s after it started.
      const wait = events[2].InitialExecutionState.Operations.find((o: any) => o.Type === "WAIT");
      expect(wait.WaitDetails.ScheduledEndTimestamp - wait.StartTimestamp).toBe(1000);
      expect(Math.abs(wait.StartTimestamp - engine.now())).toBeLessThan(60_000);
    });
  }
});

describe("ts/invocation-timestamps.ts", () => {
  it("writes the event: ISO strings become epoch ms, no UpdatedOperationIds on the first invocation", () => {
    const input = {
      DurableExecutionArn: "arn",
      CheckpointToken: "t",
      UpdatedOperationIds: ["a"],
      InitialExecutionState: { Operations: [{ Id: "a", Type: "WAIT", Status: "STARTED", StartTimestamp: "2026-01-02T03:04:05.678Z", WaitDetails: { ScheduledEndTimestamp: "2026-01-02T03:04:15.678Z" } }] },
    } as never;
    const first = lambdaInvocationEvent(input, true) as any;
    expect(first.UpdatedOperationIds).toBeUndefined();
    expect(first.InitialExecutionState.Operations[0]).toEqual({ Id: "a", Type: "WAIT", Status: "STARTED", StartTimestamp: 1767323045678, WaitDetails: { ScheduledEndTimestamp: 1767323055678 } });
    expect((lambdaInvocationEvent(input, false) as any).UpdatedOperationIds).toEqual(["a"]);
  });

  it("reads one: numbers become Dates, strings and Dates are kept", () => {
    const date = new Date(5);
    const [op] = operationsWithDates([{ Id: "a", StartTimestamp: 1767323045678, EndTimestamp: "2026-01-02T03:04:05.678Z", StepDetails: { NextAttemptTimestamp: date } } as never]) as any[];
    expect(op.StartTimestamp).toEqual(new Date(1767323045678));
    expect(op.EndTimestamp).toBe("2026-01-02T03:04:05.678Z");
    expect(op.StepDetails.NextAttemptTimestamp).toBe(date);
  });
});

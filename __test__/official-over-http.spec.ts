// Handlers built with the OFFICIAL @aws/durable-execution-sdk-js run on durable-node's worker:
// the worker invokes them with the plain Lambda input (no injected client), and the official
// SDK's own LambdaClient (@aws-sdk/client-lambda, SigV4-signed with dummy credentials) talks to
// the worker's HTTP API through AWS_ENDPOINT_URL_LAMBDA, exactly as it would talk to Lambda.
//
// How the handler gets the real package: the worker aliases the bare name
// "@aws/durable-execution-sdk-js" to durable-node for every module it loads, so the tutorial
// handler (examples/order-processing.ts) is copied to a temp dir with its two import lines
// pointing at absolute paths — the official package's own entry file (as Node resolves it, not
// vitest's alias) and the example services. An absolute path is not the aliased name, so it
// loads the official SDK, like a deployed bundle that carries its own copy. The rest of the file
// is the tutorial line for line (checked). The worker config marks it `"durable": true`.
//
// 1. Worker child processes (`durable-node worker --skip-time` + `durable-node start`): the
//    tutorial handler succeeds, every side effect once, the same history as our SDK's run of the
//    same handler; a worker killed after a side effect is finished by the next one.
// 2. In process (DurableEngine + DurableHttpServer): the official SDK pages the invocation input
//    with GetDurableExecutionState, and the wire contract it relies on, checked with the client
//    the official SDK uses: token rotation, typed refusals and their statuses, epoch timestamps,
//    Marker paging, ClientToken retries.

import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import {
  CheckpointDurableExecutionCommand,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  GetDurableExecutionStateCommand,
  InvalidParameterValueException,
  LambdaClient,
  type Event as HistoryEvent,
  type Operation,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { DurableEngine } from "../ts/engine/durable-engine";
import { DurableApi } from "../ts/http/api";
import { DurableHttpServer } from "../ts/http/server";
import { ORDER_HANDLER, REPO_ROOT, lines, requireCurrentDist, runCli } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";
import { WorkerProcess, eventually } from "./helpers/worker";

const tempDir = tempDirs("durable-node-official-http-");

// Node's resolution from this file: the real package's CommonJS entry inside node_modules.
const OFFICIAL_ENTRY = createRequire(import.meta.url).resolve("@aws/durable-execution-sdk-js");
const SERVICES = path.join(REPO_ROOT, "examples", "services");
const OFFICIAL_IMPORT = `import { withDurableExecution } from "@aws/durable-execution-sdk-js";`;
const SERVICES_IMPORT = `import { customerService, paymentService, inventoryService } from "./services";`;

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
/** What the official SDK's LambdaClient reads from the environment (and nothing the runner may have set). */
const AWS_ENV: Record<string, string | undefined> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_ENDPOINT_URL_LAMBDA: undefined,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
};

/** The tutorial handler, importing the official SDK: returns the file. */
function writeOfficialTutorial(dir: string): string {
  const source = readFileSync(ORDER_HANDLER, "utf8").split("\n");
  expect(source.slice(0, 2)).toEqual([OFFICIAL_IMPORT, SERVICES_IMPORT]);
  const file = path.join(dir, "orders-official.ts");
  writeFileSync(
    file,
    [
      `import { withDurableExecution } from ${JSON.stringify(OFFICIAL_ENTRY)};`,
      `import { customerService, paymentService, inventoryService } from ${JSON.stringify(SERVICES)};`,
      ...source.slice(2),
    ].join("\n"),
  );
  return file;
}

interface Setup {
  dir: string;
  db: string;
  ledger: string;
  config: string;
}

/** A worker config with the tutorial twice: on the official SDK, and on ours (the alias). */
function setup(): Setup {
  const dir = tempDir();
  const official = writeOfficialTutorial(dir);
  const config = path.join(dir, "durable.config.json");
  writeFileSync(
    config,
    JSON.stringify({
      functions: {
        "orders-official": { handler: `./${path.basename(official)}`, durable: true },
        orders: { handler: ORDER_HANDLER },
      },
    }),
  );
  return { dir, db: path.join(dir, "worker.db"), ledger: path.join(dir, "ledger.jsonl"), config };
}

function startWorker(s: Setup, env: Record<string, string | undefined> = {}, flags: string[] = []): Promise<WorkerProcess> {
  return new WorkerProcess(["worker", "--db", s.db, "--config", s.config, "--port", "0", "--skip-time", ...flags], {
    env: { ...AWS_ENV, DURABLE_LEDGER: s.ledger, ...env },
  }).ready();
}

async function start(s: Setup, fn: string, input: unknown, name: string): Promise<string> {
  const result = await runCli(["start", fn, "--db", s.db, "--config", s.config, "--input", JSON.stringify(input), "--name", name]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

async function finished(client: LambdaClient, arn: string) {
  return eventually(async () => {
    const record = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    return record.Status === "RUNNING" ? undefined : record;
  }, 30_000, `the end of ${arn}`);
}

/** Side effects of one order in the example services' ledger, by "service.action". */
function sideEffects(ledger: string, orderId: string, customerId: string): Record<string, number> {
  const counts: Record<string, number> = { "customer.validate": 0, "payment.charge": 0, "inventory.confirm": 0 };
  let text = "";
  try {
    text = readFileSync(ledger, "utf8");
  } catch {
    return counts;
  }
  for (const line of lines(text)) {
    const e = JSON.parse(line) as { service: string; action: string; orderId?: string; customerId?: string };
    if (e.orderId === orderId || (e.service === "customer" && e.customerId === customerId)) counts[`${e.service}.${e.action}`]++;
  }
  return counts;
}

/** What both SDKs must record alike: event type, subtype, name, and the operation id (hashed step id). */
function shape(events: HistoryEvent[]): string[] {
  return events.map((e) => [e.EventType, e.SubType, e.Name, /^(Execution|Invocation)/.test(e.EventType ?? "") ? "" : e.Id].filter(Boolean).join(" "));
}

const withoutIds = (events: string[]) => events.map((e) => e.replace(/ [0-9a-f]{16}$/, ""));

async function history(client: LambdaClient, arn: string): Promise<HistoryEvent[]> {
  return (await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, MaxItems: 1000 }))).Events ?? [];
}

const TUTORIAL_EVENTS = [
  "ExecutionStarted",
  "StepStarted Step validate-order",
  "StepSucceeded Step validate-order",
  "StepStarted Step process-payment",
  "StepSucceeded Step process-payment",
  "WaitStarted Wait",
  "InvocationCompleted",
  "WaitSucceeded Wait",
  "StepStarted Step confirm-order",
  "StepSucceeded Step confirm-order",
  "InvocationCompleted",
  "ExecutionSucceeded",
];

beforeAll(() => requireCurrentDist());

describe.each([
  ["in the worker's process (--no-isolate)", ["--no-isolate"]],
  ["in runtime processes (the default)", []],
])("the official SDK's tutorial handler on `durable-node worker`, %s", (_where, flags) => {
  const isolated = flags.length === 0;
  it("runs to completion over the HTTP API: each side effect once, the history our SDK records for the same handler", async () => {
    const s = setup();
    const worker = await startWorker(s, {}, flags);
    try {
      // In process, the worker pointed its own process's Lambda clients at its API (the variable
      // was unset); a runtime process is given the API's address in its environment.
      if (isolated) expect(worker.stdout).not.toContain("AWS_ENDPOINT_URL_LAMBDA=");
      else expect(worker.stdout).toContain(`AWS_ENDPOINT_URL_LAMBDA=${worker.url} for orders-official`);
      const client = new LambdaClient({ endpoint: worker.url, region: "us-east-1", credentials });
      const officialArn = await start(s, "orders-official", { orderId: "o-1", customerId: "c-1", amount: 12.5 }, "official-1");
      const oursArn = await start(s, "orders", { orderId: "o-2", customerId: "c-2", amount: 7 }, "ours-1");
      const [official, ours] = await Promise.all([finished(client, officialArn), finished(client, oursArn)]);

      expect(official.Status, worker.stdout + worker.stderr).toBe("SUCCEEDED");
      expect(JSON.parse(official.Result!)).toEqual({ status: "completed", orderId: "o-1" });
      expect(sideEffects(s.ledger, "o-1", "c-1")).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 1 });
      expect(ours.Status).toBe("SUCCEEDED");
      expect(JSON.parse(ours.Result!)).toEqual({ status: "completed", orderId: "o-2" });
      expect(sideEffects(s.ledger, "o-2", "c-2")).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 1 });

      // Same events, names and operation ids; the wait suspended both (two invocations each).
      const officialEvents = shape(await history(client, officialArn));
      expect(officialEvents).toEqual(shape(await history(client, oursArn)));
      expect(withoutIds(officialEvents)).toEqual(TUTORIAL_EVENTS);

      await worker.waitForLine(/\[orders-official\/official-1\] invocation 2 ended: execution SUCCEEDED/);
      expect(worker.stdout).toMatch(/\[orders-official\/official-1\] invocation 1 suspended \(PENDING\)/);
      expect(worker.stdout).toMatch(/\[orders\/ours-1\] .*validate-order/);
      if (isolated) {
        // From a runtime process, the operations are logged from what its SDK checkpointed over HTTP.
        expect(worker.stdout).toMatch(/\[orders-official\/official-1\] .*process-payment/);
      } else {
        // In process our SDK reports each operation to the worker's log; the official one does
        // not: the official-1 lines are invocation lines only, proof that the official SDK ran it.
        expect(worker.stdout).not.toMatch(/\[orders-official\/official-1\] .*(validate-order|process-payment|confirm-order)/);
      }
    } finally {
      expect((await worker.stop()).code).toBe(0);
    }
  });

  it(`${isolated ? "a runtime process" : "a worker"} killed right after the payment side effect: the execution is finished over the HTTP API`, async () => {
    const s = setup();
    const first = await startWorker(s, { DURABLE_CRASH_AFTER: "payment.charge" }, flags);
    const arn = await start(s, "orders-official", { orderId: "o-9", customerId: "c-9", amount: 3 }, "crash-1");
    // In process the handler's SIGKILL kills the worker, and the next worker finishes the
    // execution; in a runtime process only that process dies, and the same worker goes on.
    let second = first;
    if (!isolated) {
      const crashed = await first.exited;
      expect(crashed.signal).toBe("SIGKILL");
      expect(sideEffects(s.ledger, "o-9", "c-9")).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 0 });
      second = await startWorker(s, {}, flags);
      expect(second.url).not.toBe(first.url);
    }
    try {
      const client = new LambdaClient({ endpoint: second.url, region: "us-east-1", credentials });
      const done = await finished(client, arn);
      expect(done.Status, second.stdout + second.stderr).toBe("SUCCEEDED");
      expect(JSON.parse(done.Result!)).toEqual({ status: "completed", orderId: "o-9" });
      // The validation was checkpointed before the crash; the charge was not, so the official
      // SDK's at-least-once step ran it again (once per attempt); the rest ran once.
      expect(sideEffects(s.ledger, "o-9", "c-9")).toEqual({ "customer.validate": 1, "payment.charge": 2, "inventory.confirm": 1 });
      const events = await history(client, arn);
      expect(events.filter((e) => e.EventType === "StepSucceeded").map((e) => e.Name)).toEqual(["validate-order", "process-payment", "confirm-order"]);
      expect(events.some((e) => e.EventType === "InvocationCompleted" && e.InvocationCompletedDetails?.Error?.Payload?.ErrorType === "Runtime.ExitError")).toBe(true);
      if (isolated) expect(second.child.exitCode).toBeNull();
    } finally {
      expect((await second.stop()).code).toBe(0);
    }
  });
});

describe("config entries with \"durable\"", () => {
  it("refuses a non-boolean, a durable-node handler declared not durable, and an official handler without the HTTP API", async () => {
    const s = setup();
    const official = path.join(s.dir, "orders-official.ts");
    const cases: Array<[string, unknown, string[], RegExp]> = [
      ["notbool.json", { functions: { f: { handler: official, durable: "yes" } } }, [], /function "f" in .*: "durable" must be true or false/],
      ["ours.json", { functions: { f: { handler: ORDER_HANDLER, durable: false } } }, [], /export "handler" is a durable handler \(withDurableExecution\), but the config says "durable": false/],
      ["nohttp.json", { functions: { f: { handler: official, durable: true } } }, ["--no-http"], /function\(s\) f \("durable": true\) checkpoint over this worker's HTTP API: drop --no-http/],
    ];
    for (const [name, config, extra, message] of cases) {
      const file = path.join(s.dir, name);
      writeFileSync(file, JSON.stringify(config));
      const result = await runCli(["worker", "--db", s.db, "--config", file, "--port", "0", ...extra], { env: AWS_ENV });
      expect(result.code, name).toBe(2);
      expect(result.stderr, name).toMatch(message);
    }
  });
});

describe("the HTTP checkpoint and state endpoints, as the official SDK's client sees them (in process)", () => {
  let engine: DurableEngine;
  let server: DurableHttpServer;
  let url: string;
  let dir: string;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    dir = tempDir();
    // First pages of two operations, so a resumed tutorial needs GetDurableExecutionState.
    engine = DurableEngine.open({ skipTime: true, pageSize: 2 });
    server = new DurableHttpServer(engine);
    url = await server.listen();
    const env = { ...AWS_ENV, AWS_ENDPOINT_URL_LAMBDA: url, DURABLE_LEDGER: path.join(dir, "ledger.jsonl") };
    for (const [key, value] of Object.entries(env)) {
      savedEnv[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  afterAll(async () => {
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await server?.close();
    engine?.close();
  });

  it("the official SDK pages a resumed invocation's input through GetDurableExecutionState with Marker", async () => {
    const mod = (await import(pathToFileURL(writeOfficialTutorial(dir)).href)) as { handler: (...args: any[]) => any };
    engine.register("orders-official", mod.handler, { plainInput: true });
    const state = vi.spyOn(DurableApi.prototype, "state");
    try {
      const record = await engine.run("orders-official", { orderId: "o-3", customerId: "c-3", amount: 1 }, { name: "paged" });
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual({ status: "completed", orderId: "o-3" });
      // Invocation 2 starts with EXECUTION and validate-order; the SDK fetched the rest.
      const queries = state.mock.calls.map(([req]) => Object.fromEntries(req.query));
      expect(queries).toEqual([{ CheckpointToken: expect.any(String), Marker: "2", MaxItems: "1000" }]);
      const answer = state.mock.results[0].value as { body: { Operations: Operation[]; NextMarker?: string } };
      expect(answer.body.Operations.map((o) => o.Name ?? o.Type)).toEqual(["process-payment", "WAIT"]);
      expect(answer.body.NextMarker).toBeUndefined();
      expect(sideEffects(path.join(dir, "ledger.jsonl"), "o-3", "c-3")).toEqual({ "customer.validate": 1, "payment.charge": 1, "inventory.confirm": 1 });
      expect(withoutIds(shape(engine.history("paged") as HistoryEvent[]))).toEqual(TUTORIAL_EVENTS);
    } finally {
      state.mockRestore();
    }
  });

  it("speaks the wire contract the official SDK relies on: token rotation, typed refusals, epoch timestamps, paging, ClientToken retries", async () => {
    const lambda = new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
    const events: Record<string, unknown>[] = [];
    engine.registerFunction("echo", async (event: unknown) => event);
    engine.register(
      "raw",
      (async (event: any) => {
        events.push(event);
        if (events.length > 1) return { Status: "SUCCEEDED", Result: JSON.stringify({ updated: event.UpdatedOperationIds }) };
        const arn: string = event.DurableExecutionArn;
        const send = (token: string, Updates: any[], ClientToken?: string) =>
          lambda.send(new CheckpointDurableExecutionCommand({ DurableExecutionArn: arn, CheckpointToken: token, Updates, ClientToken }));

        // The checkpoint answers a new token and the records it changed, timestamps as epoch
        // seconds (the client turns them into Dates).
        const t0: string = event.CheckpointToken;
        const first = await send(t0, [
          { Id: "a", Type: "STEP", SubType: "Step", Name: "a", Action: "START" },
          { Id: "a", Type: "STEP", SubType: "Step", Name: "a", Action: "SUCCEED", Payload: '"A"' },
        ]);
        const t1 = first.CheckpointToken!;
        expect(t1).not.toBe(t0);
        const a = first.NewExecutionState!.Operations!.find((o) => o.Id === "a")!;
        expect(a).toMatchObject({ Status: "SUCCEEDED", StepDetails: { Result: '"A"', Attempt: 1 } });
        expect(a.StartTimestamp).toBeInstanceOf(Date);
        expect(Math.abs(a.StartTimestamp!.getTime() - engine.now())).toBeLessThan(60_000);

        // A used token: 400 InvalidParameterValueException "Invalid Checkpoint Token…", which the
        // official SDK treats as an invocation failure (retry), not an execution failure.
        const stale = (await send(t0, []).catch((e: unknown) => e)) as InvalidParameterValueException;
        expect(stale).toBeInstanceOf(InvalidParameterValueException);
        expect(stale.$metadata.httpStatusCode).toBe(400);
        expect(stale.message).toMatch(/^Invalid Checkpoint Token/);
        expect(stale.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
        // An invalid update: 400 of the same type but not about the token (the SDK fails the
        // execution); the refused request did not consume the token.
        const invalid = (await send(t1, [{ Id: "w", Type: "WAIT", Action: "SUCCEED" }]).catch((e: unknown) => e)) as InvalidParameterValueException;
        expect(invalid).toBeInstanceOf(InvalidParameterValueException);
        expect(invalid.$metadata.httpStatusCode).toBe(400);
        expect(invalid.message).not.toMatch(/^Invalid Checkpoint Token/);
        // An execution that does not exist: the operation declares no ResourceNotFoundException.
        const unknownArn = arn.replace(/[0-9a-f-]{36}$/, randomUUID());
        const unknown = (await lambda
          .send(new CheckpointDurableExecutionCommand({ DurableExecutionArn: unknownArn, CheckpointToken: t1, Updates: [] }))
          .catch((e: unknown) => e)) as InvalidParameterValueException;
        expect(unknown).toBeInstanceOf(InvalidParameterValueException);
        expect(unknown.message).toMatch(/^Invalid Checkpoint Token/);
        const unknownState = await lambda.send(new GetDurableExecutionStateCommand({ DurableExecutionArn: unknownArn, CheckpointToken: t1 })).catch((e: unknown) => e);
        expect(unknownState).toBeInstanceOf(InvalidParameterValueException);

        // The client resends a request after a network error or 5xx with the same ClientToken:
        // the same answer comes back and the updates are applied once.
        const clientToken = randomUUID();
        const updates = [
          { Id: "b", Type: "STEP", SubType: "Step", Name: "b", Action: "SUCCEED", Payload: '"B"' },
          { Id: "w", Type: "WAIT", SubType: "Wait", Action: "START", WaitOptions: { WaitSeconds: 5 } },
          // XAmznTraceId is in the client's model of ChainedInvokeOptions.
          { Id: "c", Type: "CHAINED_INVOKE", SubType: "ChainedInvoke", Name: "c", Action: "START", Payload: '{"n":1}', ChainedInvokeOptions: { FunctionName: "echo", XAmznTraceId: "Root=1-00000000-000000000000000000000000" } },
        ];
        const second = await send(t1, updates, clientToken);
        const again = await send(t1, updates, clientToken);
        expect(again.CheckpointToken).toBe(second.CheckpointToken);
        expect(again.NewExecutionState).toEqual(second.NewExecutionState);
        const wait = second.NewExecutionState!.Operations!.find((o) => o.Id === "w")!;
        expect(wait.WaitDetails!.ScheduledEndTimestamp).toBeInstanceOf(Date);
        expect(wait.WaitDetails!.ScheduledEndTimestamp!.getTime() - wait.StartTimestamp!.getTime()).toBe(5000);
        const t2 = second.CheckpointToken!;

        // GetDurableExecutionState in pages of one, following NextMarker to the end.
        const paged: Operation[] = [];
        let marker: string | undefined;
        for (let page = 0; page < 10; page++) {
          const out = await lambda.send(new GetDurableExecutionStateCommand({ DurableExecutionArn: arn, CheckpointToken: t2, MaxItems: 1, Marker: marker }));
          expect(out.Operations).toHaveLength(1);
          paged.push(...out.Operations!);
          marker = out.NextMarker;
          if (!marker) break;
        }
        expect(paged.map((o) => o.Id)).toEqual(engine.operations(arn).map((o) => o.Id));
        expect(paged.map((o) => o.Type)).toEqual(["EXECUTION", "STEP", "STEP", "WAIT", "CHAINED_INVOKE"]);
        expect(paged[0].ExecutionDetails?.InputPayload).toBe('{"k":"v"}');
        const badMarker = (await lambda.send(new GetDurableExecutionStateCommand({ DurableExecutionArn: arn, CheckpointToken: t2, Marker: "zzz" })).catch((e: unknown) => e)) as InvalidParameterValueException;
        expect(badMarker).toBeInstanceOf(InvalidParameterValueException);
        expect(badMarker.$metadata.httpStatusCode).toBe(400);
        // On the wire the timestamps are numbers (epoch seconds), not ISO strings.
        const raw = await fetch(`${url}/2025-12-01/durable-executions/${encodeURIComponent(arn)}/state?CheckpointToken=${encodeURIComponent(t2)}`, {
          headers: { authorization: "Bearer unused" },
        });
        const body = (await raw.json()) as { Operations: Array<{ StartTimestamp: unknown; WaitDetails?: { ScheduledEndTimestamp: unknown } }> };
        expect(typeof body.Operations[0].StartTimestamp).toBe("number");
        expect(typeof body.Operations[3].WaitDetails!.ScheduledEndTimestamp).toBe("number");
        return { Status: "PENDING" };
      }) as any,
      { plainInput: true },
    );

    const record = await engine.run("raw", { k: "v" }, { name: "raw-1" });
    expect(record.Status).toBe("SUCCEEDED");
    // Lambda's event: JSON with epoch-millisecond timestamps (as the service sends them:
    // __test__/invocation-timestamps.spec.ts); UpdatedOperationIds only when resumed.
    expect(Object.keys(events[0]).sort()).toEqual(["CheckpointToken", "DurableExecutionArn", "InitialExecutionState"]);
    expect(typeof (events[0] as any).InitialExecutionState.Operations[0].StartTimestamp).toBe("number");
    expect(Object.getPrototypeOf(events[0])).toBe(Object.prototype);
    // Resumed when the chained invoke (or the wait) completed.
    const updated = JSON.parse(record.Result!).updated as string[];
    expect(updated.length).toBeGreaterThan(0);
    expect(updated.every((id) => id === "c" || id === "w")).toBe(true);
    // The retried checkpoint was applied once.
    const succeeded = (engine.history("raw-1") as HistoryEvent[]).filter((e) => e.EventType === "StepSucceeded").map((e) => e.Name);
    expect(succeeded).toEqual(["a", "b"]);
  });
});

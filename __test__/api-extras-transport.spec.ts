// DurableExecutionApiClient (API.md §3.3), the default transport, by behaviour: durable-node
// handlers without an injected client checkpoint and page state over the worker's HTTP API
// through @aws-sdk/client-lambda (a recording proxy in front of the server keeps what the real AWS
// client sent); config `client` / `durableExecutionClient` / both; the event's own client wins;
// errors logged and rethrown unchanged; state-reading failures at start; a missing
// @aws-sdk/client-lambda reported by name. The other late root exports: api-extras.spec.ts.

import http from "node:http";
import type { AddressInfo } from "node:net";

import { InvalidParameterValueException, LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { DurableExecutionApiClient, DurableExecutionClientError, withDurableExecution } from "@aws/durable-execution-sdk-js";
import { DurableEngine } from "../ts/engine/durable-engine";
import { DurableHttpServer } from "../ts/http/server";

const LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:orders:$LATEST/durable-execution/order-7/0f1e2d3c-aaaa-bbbb-cccc-111122223333";

interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}
type Responder = (req: Recorded, res: http.ServerResponse) => void;

/** A node:http proxy in front of the worker's HTTP API that records every request; `respond` answers instead of the worker. */
class RecordingProxy {
  readonly requests: Recorded[] = [];
  respond: Responder | undefined;
  private readonly server: http.Server;

  constructor(private readonly target: URL) {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const recorded = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8") };
        this.requests.push(recorded);
        if (this.respond) return this.respond(recorded, res);
        const forward = http.request(
          { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on("error", (e) => res.destroy(e));
        forward.end(body);
      });
    });
  }

  listen(): Promise<string> {
    return new Promise((resolve) => this.server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`)));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  take(): Recorded[] {
    return this.requests.splice(0);
  }
}

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
/** What the default LambdaClient reads from the environment (AWS_ENDPOINT_URL_LAMBDA is set per test run). */
const AWS_ENV: Record<string, string | undefined> = {
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
};

/** Three steps around a wait: the resumed invocation's input is paged (pageSize 2), so it calls GetDurableExecutionState. */
const steps = async (event: { id: string }, context: any) => {
  const a = await context.step("a", async () => `${event.id}-a`);
  const b = await context.step("b", async () => `${event.id}-b`);
  await context.wait({ seconds: 1 });
  const c = await context.step("c", async () => `${event.id}-c`);
  return [a, b, c];
};

const isCheckpoint = (r: Recorded) => r.method === "POST" && /^\/2025-12-01\/durable-executions\/[^/]+\/checkpoint$/.test(r.url);
const isState = (r: Recorded) => r.method === "GET" && /^\/2025-12-01\/durable-executions\/[^/]+\/state\?/.test(r.url);
const userAgent = (r: Recorded) => `${r.headers["user-agent"] ?? ""} ${r.headers["x-amz-user-agent"] ?? ""}`;

describe("DurableExecutionApiClient: the default transport over @aws-sdk/client-lambda", () => {
  let engine: DurableEngine;
  let server: DurableHttpServer;
  let proxy: RecordingProxy;
  let url: string;
  const savedEnv: Record<string, string | undefined> = {};

  beforeAll(async () => {
    engine = DurableEngine.open({ skipTime: true, pageSize: 2 });
    server = new DurableHttpServer(engine);
    proxy = new RecordingProxy(new URL(await server.listen()));
    url = await proxy.listen();
    for (const [key, value] of Object.entries({ ...AWS_ENV, AWS_ENDPOINT_URL_LAMBDA: url })) {
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
    await proxy?.close();
    await server?.close();
    engine?.close();
  });

  it("a handler given no transport checkpoints and pages state over the worker's HTTP API with the SDK's own LambdaClient", async () => {
    proxy.take();
    engine.register("default-transport", withDurableExecution(steps), { plainInput: true });
    const record = await engine.run("default-transport", { id: "d" }, { name: "default-1" });
    expect(record.Status).toBe("SUCCEEDED");
    expect(JSON.parse(record.Result!)).toEqual(["d-a", "d-b", "d-c"]);
    const requests = proxy.take();
    const arn = encodeURIComponent(record.DurableExecutionArn);
    expect(requests.every((r) => r.url.startsWith(`/2025-12-01/durable-executions/${arn}/`))).toBe(true);
    expect(requests.filter(isCheckpoint).length).toBeGreaterThanOrEqual(3);
    // The resumed invocation got EXECUTION and "a" inline and fetched the rest.
    const state = requests.filter(isState);
    expect(state).toHaveLength(1);
    expect(Object.fromEntries(new URL(state[0].url, url).searchParams)).toEqual({ CheckpointToken: expect.any(String), Marker: "2", MaxItems: "1000" });
    // SigV4-signed by the real client, with the SDK's user agent and its updates as JSON.
    for (const r of requests) {
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=local\//);
      expect(userAgent(r)).toContain("aws-durable-execution-sdk-js/2.4.0");
    }
    const first = JSON.parse(requests.find(isCheckpoint)!.body);
    expect(first).toEqual({
      CheckpointToken: expect.any(String),
      ClientToken: expect.any(String), // the AWS client fills in the idempotency token
      Updates: expect.arrayContaining([expect.objectContaining({ Type: "STEP", Name: "a", Action: "SUCCEED", Payload: '"d-a"' })]),
    });
    expect((engine.history("default-1") as any[]).filter((e) => e.EventType === "StepSucceeded").map((e) => e.Name)).toEqual(["a", "b", "c"]);
  });

  it("config `client` (a LambdaClient) and `durableExecutionClient: new DurableExecutionApiClient(client)` use that client", async () => {
    const lambda = new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1, customUserAgent: "my-app/7" });
    const send = vi.spyOn(lambda, "send");
    for (const [name, config] of [
      ["with-client", { client: lambda }],
      ["with-api-client", { durableExecutionClient: new DurableExecutionApiClient(lambda) }],
    ] as const) {
      proxy.take();
      send.mockClear();
      engine.register(name, withDurableExecution(steps, config), { plainInput: true });
      const record = await engine.run(name, { id: name });
      expect(record.Status).toBe("SUCCEEDED");
      expect(JSON.parse(record.Result!)).toEqual([`${name}-a`, `${name}-b`, `${name}-c`]);
      const requests = proxy.take();
      expect(send).toHaveBeenCalledTimes(requests.length);
      expect(send.mock.calls.map(([command]) => command.constructor.name).sort()).toEqual(
        requests.map((r) => (isState(r) ? "GetDurableExecutionStateCommand" : "CheckpointDurableExecutionCommand")).sort(),
      );
      // An injected client is used as configured: its user agent, not the SDK's default client's.
      for (const r of requests) {
        expect(userAgent(r)).toContain("my-app/7");
        expect(userAgent(r)).not.toContain("aws-durable-execution-sdk-js");
      }
    }
  });

  it("`client` and `durableExecutionClient` together: every invocation returns FAILED, nothing is sent and the handler does not run", async () => {
    const handlerBody = vi.fn(async () => "never");
    const transport = { getExecutionState: vi.fn(), checkpoint: vi.fn() };
    const handler = withDurableExecution(handlerBody, { client: new LambdaClient({ endpoint: url, region: "us-east-1", credentials }), durableExecutionClient: transport });
    proxy.take();
    const event = { DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "t", InitialExecutionState: { Operations: [] } };
    for (let i = 0; i < 2; i++) {
      const output = (await handler(event, {} as any)) as any;
      expect(output.Status).toBe("FAILED");
      expect(output.Error.ErrorType).toBe("Error");
      expect(output.Error.ErrorMessage).toMatch(/Both `client` and `durableExecutionClient`.*new DurableExecutionApiClient\(lambdaClient\)/s);
    }
    expect(handlerBody).not.toHaveBeenCalled();
    expect(transport.getExecutionState).not.toHaveBeenCalled();
    expect(transport.checkpoint).not.toHaveBeenCalled();
    expect(proxy.take()).toEqual([]);
  });

  it("an event carrying its own client (durable-node's engine, the testing runner) overrides config `client`", async () => {
    const unreachable = new LambdaClient({ endpoint: "http://127.0.0.1:9", region: "us-east-1", credentials, maxAttempts: 1 });
    const send = vi.spyOn(unreachable, "send");
    engine.register("injected", withDurableExecution(steps, { client: unreachable }));
    const record = await engine.run("injected", { id: "i" });
    expect(record.Status).toBe("SUCCEEDED");
    expect(send).not.toHaveBeenCalled();
  });

  it("direct calls send the request fields; failures are logged to the given logger and rethrown unchanged", async () => {
    const client = new DurableExecutionApiClient(); // the shared default client (AWS_ENDPOINT_URL_LAMBDA → the proxy)
    proxy.take();
    proxy.respond = (req, res) => {
      if (isState(req)) {
        res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "req-ok" });
        res.end(JSON.stringify({ Operations: [{ Id: "x", Type: "STEP", Status: "SUCCEEDED", StartTimestamp: 1_700_000_000 }], NextMarker: "m2" }));
        return;
      }
      res.writeHead(400, { "content-type": "application/json", "x-amzn-requestid": "req-400", "x-amzn-errortype": "InvalidParameterValueException" });
      res.end(JSON.stringify({ Type: "User", message: "Invalid Checkpoint Token: used" }));
    };
    try {
      const page = await client.getExecutionState({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "tok/1", Marker: "m1", MaxItems: 5 });
      expect(page.NextMarker).toBe("m2");
      expect(page.Operations![0]).toMatchObject({ Id: "x", Status: "SUCCEEDED" });
      expect(page.Operations![0].StartTimestamp).toEqual(new Date(1_700_000_000_000));

      const logger = { error: vi.fn(), warn: vi.fn(), info: vi.fn(), debug: vi.fn() };
      const updates = [{ Id: "s", Type: "STEP" as const, Action: "SUCCEED" as const, SubType: "Step", Payload: '"v"' }];
      const error = await client.checkpoint({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "tok/2", ClientToken: "ct-1", Updates: updates }, logger).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidParameterValueException);
      expect((error as Error).message).toBe("Invalid Checkpoint Token: used");
      expect(logger.error).toHaveBeenCalledWith("Failed to checkpoint durable execution", error, { requestId: "req-400" });

      proxy.respond = (_req, res) => {
        res.writeHead(400, { "content-type": "application/json", "x-amzn-requestid": "req-401", "x-amzn-errortype": "InvalidParameterValueException" });
        res.end(JSON.stringify({ message: "bad marker" }));
      };
      const stateError = await client.getExecutionState({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "tok/3" }, logger).catch((e: unknown) => e);
      expect(stateError).toBeInstanceOf(InvalidParameterValueException);
      expect(logger.error).toHaveBeenLastCalledWith("Failed to get durable execution state", stateError, { requestId: "req-401" });

      const [state, checkpoint] = proxy.take();
      expect(state.url).toBe(`/2025-12-01/durable-executions/${encodeURIComponent(LAMBDA_ARN)}/state?CheckpointToken=tok%2F1&Marker=m1&MaxItems=5`);
      expect(checkpoint.url).toBe(`/2025-12-01/durable-executions/${encodeURIComponent(LAMBDA_ARN)}/checkpoint`);
      expect(JSON.parse(checkpoint.body)).toEqual({ CheckpointToken: "tok/2", ClientToken: "ct-1", Updates: updates });
    } finally {
      proxy.respond = undefined;
    }
  });
  it("reading the state at start: a KMS refusal or an EXECUTION-scoped client error fails the execution, anything else is thrown (retried)", async () => {
    const event = {
      DurableExecutionArn: LAMBDA_ARN,
      CheckpointToken: "t",
      InitialExecutionState: { Operations: [{ Id: "e", Type: "EXECUTION", Status: "STARTED", ExecutionDetails: { InputPayload: "{}" } }], NextMarker: "1" },
    };
    const body = vi.fn(async () => "ran");
    const answer = (status: number, type: string) => (_req: Recorded, res: http.ServerResponse) => {
      res.writeHead(status, { "content-type": "application/json", "x-amzn-errortype": type, "x-amzn-requestid": "r" });
      res.end(JSON.stringify({ message: `${type} says no` }));
    };
    const lambda = new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
    try {
      proxy.respond = answer(400, "KMSAccessDeniedException");
      const kms = (await withDurableExecution(body, { client: lambda })(event as any, {} as any)) as any;
      expect(kms).toEqual({ Status: "FAILED", Error: expect.objectContaining({ ErrorType: "KMSAccessDeniedException", ErrorMessage: "KMSAccessDeniedException says no" }) });

      proxy.respond = answer(500, "ServiceException");
      await expect(withDurableExecution(body, { client: lambda })(event as any, {} as any)).rejects.toMatchObject({ name: "ServiceException" });
    } finally {
      proxy.respond = undefined;
    }
    const scoped = (scope: "EXECUTION" | "INVOCATION") => ({
      getExecutionState: async () => {
        throw new DurableExecutionClientError(`${scope} trouble`, { scope });
      },
      checkpoint: async () => ({}),
    });
    const failed = (await withDurableExecution(body, { durableExecutionClient: scoped("EXECUTION") })(event as any, {} as any)) as any;
    expect(failed).toEqual({ Status: "FAILED", Error: expect.objectContaining({ ErrorMessage: "EXECUTION trouble" }) });
    await expect(withDurableExecution(body, { durableExecutionClient: scoped("INVOCATION") })(event as any, {} as any)).rejects.toThrow("INVOCATION trouble");
    expect(body).not.toHaveBeenCalled();
  });
});

describe("DurableExecutionApiClient without @aws-sdk/client-lambda installed", () => {
  it("the invocation throws an error naming the package before the handler runs; a later install is picked up", async () => {
    vi.resetModules();
    const fresh = (await import("../ts/runtime/api-client")) as typeof import("../ts/runtime/api-client");
    const { withDurableExecution: freshWith } = (await import("../ts/with-durable-execution")) as typeof import("../ts/with-durable-execution");
    const realLoad = fresh.lambdaModuleLoader.load;
    const missing = Object.assign(new Error("Cannot find package '@aws-sdk/client-lambda' imported from /app/dist/runtime/api-client.js"), { code: "ERR_MODULE_NOT_FOUND" });
    fresh.lambdaModuleLoader.load = vi.fn(async () => {
      throw missing;
    });
    try {
      const body = vi.fn(async () => "ran");
      const handler = freshWith(body);
      const event = { DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "t", InitialExecutionState: { Operations: [{ Id: "e", Type: "EXECUTION", Status: "STARTED", ExecutionDetails: { InputPayload: "{}" } }] } };
      const error = (await handler(event as any, {} as any).catch((e: unknown) => e)) as Error;
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(/needs the package "@aws-sdk\/client-lambda", which is not installed/);
      expect(error.message).toMatch(/npm install @aws-sdk\/client-lambda/);
      expect(error.message).toMatch(/durableExecutionClient/);
      expect(error.cause).toBe(missing);
      expect(body).not.toHaveBeenCalled();

      // Direct use reports it from the call, not the constructor.
      const client = new fresh.DurableExecutionApiClient();
      await expect(client.checkpoint({ DurableExecutionArn: LAMBDA_ARN, CheckpointToken: "t" })).rejects.toThrow(/"@aws-sdk\/client-lambda"/);

      // Other load failures pass through as they are; failures are not memoized.
      const broken = new SyntaxError("Unexpected token");
      fresh.lambdaModuleLoader.load = vi.fn(async () => {
        throw broken;
      });
      await expect(fresh.loadLambdaModule()).rejects.toBe(broken);
      fresh.lambdaModuleLoader.load = realLoad;
      const module = await fresh.loadLambdaModule();
      expect(typeof module.CheckpointDurableExecutionCommand).toBe("function");
    } finally {
      fresh.lambdaModuleLoader.load = realLoad;
      vi.resetModules();
    }
  });
});

// The worker's HTTP API on the AWS wire paths, driven by the real @aws-sdk/client-lambda over
// loopback: Invoke (with DurableExecutionName idempotency), callbacks, get/history/list/stop,
// checkpoint refusals, typed AWS exceptions, the token, body limits and malformed input — and
// the worker still serving after each refusal.

import path from "node:path";

import {
  CallbackTimeoutException,
  CheckpointDurableExecutionCommand,
  DurableExecutionAlreadyStartedException,
  GetDurableExecutionCommand,
  GetDurableExecutionHistoryCommand,
  InvalidParameterValueException,
  InvokeCommand,
  LambdaClient,
  ListDurableExecutionsByFunctionCommand,
  ResourceNotFoundException,
  SendDurableExecutionCallbackFailureCommand,
  SendDurableExecutionCallbackHeartbeatCommand,
  SendDurableExecutionCallbackSuccessCommand,
  StopDurableExecutionCommand,
} from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { requireCurrentDist, runCli } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";
import { WORKER_CONFIG, eventually, startWorker, type WorkerProcess } from "./helpers/worker";

const tempDir = tempDirs("durable-node-http-");
let worker: WorkerProcess;
let client: LambdaClient;
let db: string;

const credentials = { accessKeyId: "local", secretAccessKey: "local" };
const encode = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const decode = (b: Uint8Array | undefined) => (b ? JSON.parse(new TextDecoder().decode(b)) : undefined);

async function invokeAsync(fn: string, input: unknown, name?: string): Promise<string> {
  const out = await client.send(new InvokeCommand({ FunctionName: fn, InvocationType: "Event", Payload: encode(input), DurableExecutionName: name }));
  expect(out.StatusCode).toBe(202);
  return out.DurableExecutionArn!;
}

async function callbackIdOf(arn: string): Promise<string> {
  return eventually(async () => {
    const { Events } = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }));
    return Events?.find((e) => e.EventType === "CallbackStarted")?.CallbackStartedDetails?.CallbackId;
  }, 20_000, "CallbackStarted");
}

/** Resolves once the execution's current invocation has ended (it waits for its callback). */
async function suspended(arn: string): Promise<void> {
  await eventually(async () => {
    const { Events } = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }));
    return Events?.some((e) => e.EventType === "InvocationCompleted") || undefined;
  }, 20_000, "the invocation to suspend");
}

async function finished(arn: string) {
  return eventually(async () => {
    const out = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    return out.Status === "RUNNING" ? undefined : out;
  }, 20_000, `the end of ${arn}`);
}

/** A raw request, for what the typed client cannot send. */
async function raw(method: string, urlPath: string, body?: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(worker.url + urlPath, { method, body, headers });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("x-amzn-errortype"), body: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  requireCurrentDist();
  db = path.join(tempDir(), "http.db");
  worker = await startWorker(db);
  client = new LambdaClient({ endpoint: worker.url, region: "us-east-1", credentials });
});

afterAll(async () => {
  client?.destroy();
  await worker?.stop();
});

describe("the AWS client against the worker", () => {
  it("invokes, completes a callback with heartbeat and success, and reads the execution and its history", async () => {
    const arn = await invokeAsync("approval", { order: 1 }, "approve-1");
    expect(arn).toMatch(/:function:approval:\$LATEST\/durable-execution\/approve-1\//);
    const callbackId = await callbackIdOf(arn);
    await client.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: callbackId }));
    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: new TextEncoder().encode("yes") }));
    const done = await finished(arn);
    expect(done.Status).toBe("SUCCEEDED");
    expect(JSON.parse(done.Result!)).toEqual({ approved: "yes" });
    expect(done.DurableExecutionName).toBe("approve-1");
    expect(done.StartTimestamp).toBeInstanceOf(Date);
    expect(done.EndTimestamp!.getTime()).toBeGreaterThanOrEqual(done.StartTimestamp!.getTime());
    expect(JSON.parse(done.InputPayload!)).toEqual({ order: 1 });

    const { Events } = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }));
    const types = Events!.map((e) => e.EventType);
    expect(types[0]).toBe("ExecutionStarted");
    expect(types).toContain("CallbackSucceeded");
    expect(types[types.length - 1]).toBe("ExecutionSucceeded");
    expect(Events![0].EventTimestamp).toBeInstanceOf(Date);
    const succeeded = Events!.find((e) => e.EventType === "CallbackSucceeded")!;
    expect(succeeded.CallbackSucceededDetails?.Result?.Payload).toBe("yes");

    // Paging and data exclusion.
    const first = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, MaxItems: 2 }));
    expect(first.Events).toHaveLength(2);
    const rest = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, Marker: first.NextMarker }));
    expect([...first.Events!, ...rest.Events!].map((e) => e.EventId)).toEqual(Events!.map((e) => e.EventId));
    const reversed = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, ReverseOrder: true, IncludeExecutionData: false }));
    expect(reversed.Events![0].EventType).toBe("ExecutionSucceeded");
    expect(reversed.Events!.find((e) => e.EventType === "CallbackSucceeded")!.CallbackSucceededDetails?.Result?.Payload).toBeUndefined();

    // The callback is closed now: completing it again is refused with the typed exception.
    const again = client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: encode("again") }));
    await expect(again).rejects.toBeInstanceOf(CallbackTimeoutException);
  });

  it("fails a callback with an error object and the execution fails with it", async () => {
    const arn = await invokeAsync("approval", {});
    const callbackId = await callbackIdOf(arn);
    await client.send(new SendDurableExecutionCallbackFailureCommand({ CallbackId: callbackId, Error: { ErrorType: "Rejected", ErrorMessage: "not approved" } }));
    const done = await finished(arn);
    expect(done.Status).toBe("FAILED");
    expect(done.Error?.ErrorMessage).toContain("not approved");
    const { Events } = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }));
    const failed = Events!.find((e) => e.EventType === "CallbackFailed")!;
    expect(failed.CallbackFailedDetails?.Error?.Payload).toMatchObject({ ErrorType: "Rejected", ErrorMessage: "not approved" });
  });

  it("a synchronous Invoke answers with the result; names are idempotent", async () => {
    const out = await client.send(new InvokeCommand({ FunctionName: "quick", Payload: encode({ n: 21 }), DurableExecutionName: "q-1" }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(decode(out.Payload)).toEqual({ doubled: 42 });
    const arn = out.DurableExecutionArn!;
    // Same name, same input: the same execution; different input: refused.
    const same = await client.send(new InvokeCommand({ FunctionName: "quick", Payload: encode({ n: 21 }), DurableExecutionName: "q-1" }));
    expect(same.DurableExecutionArn).toBe(arn);
    const other = client.send(new InvokeCommand({ FunctionName: "quick", Payload: encode({ n: 1 }), DurableExecutionName: "q-1" }));
    await expect(other).rejects.toBeInstanceOf(DurableExecutionAlreadyStartedException);
    // A function ARN works as the function name; a plain function runs too.
    const echo = await client.send(new InvokeCommand({ FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo:$LATEST", Payload: encode({ hi: 1 }) }));
    expect(decode(echo.Payload)).toEqual({ hi: 1 });
    await expect(client.send(new InvokeCommand({ FunctionName: "nope", Payload: encode({}) }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("lists executions by function with status filters and paging, and stops one", async () => {
    const a = await invokeAsync("approval", {}, "list-a");
    const b = await invokeAsync("approval", {}, "list-b");
    await suspended(b);
    const running = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "approval", Statuses: ["RUNNING"] }));
    const arns = running.DurableExecutions!.map((e) => e.DurableExecutionArn);
    expect(arns).toEqual(expect.arrayContaining([a, b]));
    expect(running.DurableExecutions!.every((e) => e.Status === "RUNNING" && e.StartTimestamp instanceof Date)).toBe(true);
    const byName = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "approval", DurableExecutionName: "list-a" }));
    expect(byName.DurableExecutions!.map((e) => e.DurableExecutionArn)).toEqual([a]);
    const page1 = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "approval", MaxItems: 1, ReverseOrder: true }));
    expect(page1.DurableExecutions).toHaveLength(1);
    expect(page1.NextMarker).toBeDefined();
    const page2 = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "approval", MaxItems: 1, ReverseOrder: true, Marker: page1.NextMarker }));
    expect(page2.DurableExecutions![0].DurableExecutionArn).not.toBe(page1.DurableExecutions![0].DurableExecutionArn);

    const stopped = await client.send(new StopDurableExecutionCommand({ DurableExecutionArn: b, Error: { ErrorType: "Cancelled", ErrorMessage: "by test" } }));
    expect(stopped.StopTimestamp).toBeInstanceOf(Date);
    const record = await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: b }));
    expect(record.Status).toBe("STOPPED");
    expect(record.Error).toMatchObject({ ErrorType: "Cancelled", ErrorMessage: "by test" });
    const { Events } = await client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: b }));
    expect(Events![Events!.length - 1].EventType).toBe("ExecutionStopped");
    // Stopping it again, and listing a function that does not exist, are typed refusals.
    await expect(client.send(new StopDurableExecutionCommand({ DurableExecutionArn: b }))).rejects.toBeInstanceOf(InvalidParameterValueException);
    await expect(client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "no-such-function" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    const stoppedList = await client.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "approval", Statuses: ["STOPPED"] }));
    expect(stoppedList.DurableExecutions!.map((e) => e.DurableExecutionArn)).toEqual([b]);
  });

  it("unknown ARNs and callback ids are ResourceNotFoundException; a callback id is matched whole", async () => {
    const unknownArn = "arn:aws:lambda:us-east-1:000000000000:function:approval:$LATEST/durable-execution/nope/0";
    await expect(client.send(new GetDurableExecutionCommand({ DurableExecutionArn: unknownArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: unknownArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new StopDurableExecutionCommand({ DurableExecutionArn: unknownArn }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(client.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: "not-a-callback" }))).rejects.toBeInstanceOf(ResourceNotFoundException);

    const arn = await invokeAsync("approval", {});
    const id = await callbackIdOf(arn);
    for (const wrong of [id.slice(0, -1), id + "0", id.toUpperCase()]) {
      await expect(client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: wrong, Result: encode("x") }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    }
    // A checkpoint token of another execution is refused for this one.
    const error = await client
      .send(new CheckpointDurableExecutionCommand({ DurableExecutionArn: arn, CheckpointToken: "1.1.0", Updates: [] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect((error as Error).message).toMatch(/Invalid Checkpoint Token/);
    expect((await client.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).Status).toBe("RUNNING");
    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: encode("late") }));
    expect((await finished(arn)).Status).toBe("SUCCEEDED");
  });
});

describe("bad input over raw HTTP", () => {
  it("answers malformed JSON, unknown fields, wrong types and unknown paths in the AWS error shape", async () => {
    const arn = await invokeAsync("approval", {});
    const id = await callbackIdOf(arn);
    const fail = `/2025-12-01/durable-execution-callbacks/${encodeURIComponent(id)}/fail`;
    const malformed = await raw("POST", fail, "{not json");
    expect(malformed).toMatchObject({ status: 400, type: "InvalidParameterValueException" });
    expect(malformed.body.message).toMatch(/not valid JSON/);
    const unknownField = await raw("POST", fail, JSON.stringify({ ErrorType: "x", Colour: "red" }));
    expect(unknownField).toMatchObject({ status: 400, type: "InvalidParameterValueException" });
    expect(unknownField.body.message).toMatch(/unknown field\(s\) Colour/);
    const wrongType = await raw("POST", fail, JSON.stringify({ ErrorMessage: 42 }));
    expect(wrongType.body.message).toMatch(/ErrorMessage must be a string/);
    const checkpoint = await raw("POST", `/2025-12-01/durable-executions/${encodeURIComponent(arn)}/checkpoint`, JSON.stringify({ CheckpointToken: "x", Updates: [{ Id: 1 }] }));
    expect(checkpoint).toMatchObject({ status: 400, type: "InvalidParameterValueException" });
    const badQuery = await raw("GET", `/2025-12-01/durable-executions/${encodeURIComponent(arn)}/history?MaxItems=5000`);
    expect(badQuery).toMatchObject({ status: 400, type: "InvalidParameterValueException" });
    const extraQuery = await raw("GET", `/2025-12-01/durable-executions/${encodeURIComponent(arn)}?Foo=1`);
    expect(extraQuery).toMatchObject({ status: 400, type: "InvalidParameterValueException" });
    const unknownPath = await raw("GET", "/2025-12-01/nothing-here");
    expect(unknownPath).toMatchObject({ status: 404, type: "UnknownOperationException" });
    const wrongMethod = await raw("PUT", `/2025-12-01/durable-executions/${encodeURIComponent(arn)}`);
    expect(wrongMethod.status).toBe(404);
    // DELETE is DeleteDurableExecution: a running execution is refused (409) and goes on.
    const deleteRunning = await raw("DELETE", `/2025-12-01/durable-executions/${encodeURIComponent(arn)}`);
    expect(deleteRunning).toMatchObject({ status: 409, type: "ResourceConflictException" });
    const invokeBad = await raw("POST", "/2015-03-31/functions/quick/invocations", "{oops");
    expect(invokeBad).toMatchObject({ status: 400, type: "InvalidRequestContentException" });

    // Nothing was lost: the callback is still open and completes the execution.
    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: encode("ok") }));
    expect((await finished(arn)).Status).toBe("SUCCEEDED");
  });

  it("rejects bodies over the limit before reading them, and oversize payloads within it", async () => {
    const arn = await invokeAsync("approval", {});
    const id = await callbackIdOf(arn);
    const succeed = `/2025-12-01/durable-execution-callbacks/${encodeURIComponent(id)}/succeed`;
    const huge = await raw("POST", succeed, Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect(huge).toMatchObject({ status: 413, type: "RequestTooLargeException" });
    // Under the body limit but over the engine's 256 KiB callback result limit.
    const tooBig = client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: encode("x".repeat(300 * 1024)) }));
    await expect(tooBig).rejects.toBeInstanceOf(InvalidParameterValueException);
    // The worker still serves, and the callback is still open.
    await client.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: id, Result: encode("fine") }));
    expect((await finished(arn)).Status).toBe("SUCCEEDED");
  });
});

describe("shutdown", () => {
  it("SIGTERM does not wait for a synchronous Invoke whose execution waits for a callback", async () => {
    const own = await startWorker(path.join(tempDir(), "shutdown.db"));
    const pending = fetch(`${own.url}/2015-03-31/functions/approval/invocations`, { method: "POST", body: "{}" }).then(
      (r) => r.status,
      () => "closed",
    );
    await own.waitForLine(/\[approval\/[^\]]+\] invocation 1 suspended/);
    const signalled = Date.now();
    const exit = await own.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(5000);
    expect(await pending).toBe("closed");
  });
});

describe("token", () => {
  it("a worker with a token refuses requests without it and accepts the client that presents it", async () => {
    const secured = await startWorker(path.join(tempDir(), "token.db"), ["--token", "s3cret-token"]);
    try {
      const wrong = new LambdaClient({ endpoint: secured.url, region: "us-east-1", credentials });
      const refused = await wrong.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "quick" })).catch((e: Error) => e);
      expect((refused as Error).name).toBe("UnrecognizedClientException");
      expect((refused as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode).toBe(403);
      wrong.destroy();
      const right = new LambdaClient({ endpoint: secured.url, region: "us-east-1", credentials: { accessKeyId: "s3cret-token", secretAccessKey: "unused" } });
      const out = await right.send(new InvokeCommand({ FunctionName: "quick", Payload: encode({ n: 2 }) }));
      expect(decode(out.Payload)).toEqual({ doubled: 4 });
      right.destroy();
      const bearer = await fetch(`${secured.url}/2025-12-01/functions/quick/durable-executions`, { headers: { authorization: "Bearer s3cret-token" } });
      expect(bearer.status).toBe(200);
    } finally {
      await secured.stop();
    }
  });

  it("binding a non-loopback address without a token is refused with one line", async () => {
    const result = await runCli(["worker", "--db", path.join(tempDir(), "x.db"), "--config", WORKER_CONFIG, "--host", "0.0.0.0", "--port", "0"], {
      env: { DURABLE_NODE_TOKEN: undefined },
    });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/token is required/);
  });
});

// The Node.js runtime of a runtime process (the child side of node-function.ts): what Lambda's
// Node runtime interface client does, for a handler file loaded as `durable-node run` loads it
// (tsx, the official SDK's package names aliased). It initialises the handler, then loops on
// the Runtime API: `next` → call the handler → `response` or `error`. An exception or rejection
// nobody handles is reported for the invocation in progress and ends the process, as on Lambda
// (exit 129 / 128); so do `process.exit`, a full heap and a timeout, seen by the sandbox.
//
// durable-node's own SDK gets its checkpoints carried to the parent's engine over the IPC
// channel (an injected transport, as the testing runners inject theirs); a handler of another
// SDK (`"durable": true`) gets the plain Lambda event and talks to AWS_ENDPOINT_URL_LAMBDA.

import http from "node:http";

import { importUserModule } from "../cli/load-handler";
import { native } from "../native";
import { DurableExecutionInvocationInputWithClient, type DurableExecutionClient } from "../runtime/client";
import type { LambdaContext } from "../types";
import { DURABLE_HANDLER } from "../with-durable-execution";
import { HANDLER_EXPORT_ENV, HANDLER_FILE_ENV, PARENT_ENV, rebuildError, type ChannelAnswer, type ChannelRequest } from "./node-channel";

const PREFIX = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method: "GET" | "POST", path: string, body?: string, headers: Record<string, string> = {}): Promise<{ headers: http.IncomingHttpHeaders; body: string }> {
  const [host, port] = String(process.env.AWS_LAMBDA_RUNTIME_API).split(":");
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path: PREFIX + path, agent, headers: body === undefined ? headers : { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function errorDocument(e: unknown, type?: string): string {
  const err = e instanceof Error ? e : new Error(String(e));
  return JSON.stringify({ errorType: type ?? err.name ?? "Error", errorMessage: err.message, stackTrace: err.stack?.split("\n").slice(1).map((l) => l.trim()) ?? [] });
}

/** The parent's engine, reached over the IPC channel; the channel holds the process open only while a call is out. */
class ParentClient implements DurableExecutionClient {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: any) => void; reject: (e: unknown) => void }>();

  constructor() {
    process.on("message", (m: ChannelAnswer) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (this.waiting.size === 0) process.channel?.unref();
      if (m.error) w.reject(rebuildError(m.error));
      else w.resolve(m.value);
    });
    process.channel?.unref();
  }

  private call(op: ChannelRequest["op"], params: unknown): Promise<any> {
    return new Promise((resolve, reject) => {
      const id = this.next++;
      this.waiting.set(id, { resolve, reject });
      process.channel?.ref();
      process.send!({ id, op, params } satisfies ChannelRequest);
    });
  }

  checkpoint(params: never) {
    return this.call("checkpoint", params);
  }

  getExecutionState(params: never) {
    return this.call("state", params);
  }
}

function lambdaContext(headers: http.IncomingHttpHeaders): LambdaContext {
  const deadline = Number(headers["lambda-runtime-deadline-ms"]);
  const fn = process.env.AWS_LAMBDA_FUNCTION_NAME ?? "";
  return {
    awsRequestId: String(headers["lambda-runtime-aws-request-id"]),
    functionName: fn,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? "$LATEST",
    invokedFunctionArn: String(headers["lambda-runtime-invoked-function-arn"] ?? ""),
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? "",
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? "",
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? "",
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: unknown, context: LambdaContext) => unknown;

async function load(): Promise<Handler> {
  const file = String(process.env[HANDLER_FILE_ENV]);
  const path = String(process.env[HANDLER_EXPORT_ENV] ?? "handler").split(".");
  let mod: Record<string, unknown>;
  try {
    mod = await importUserModule(file, "handler file", { preferRequire: true });
  } catch (e) {
    await request("POST", "/init/error", errorDocument(e, "Runtime.ImportModuleError"));
    process.exit(1);
  }
  const defaults = (mod.default && typeof mod.default === "object" ? mod.default : {}) as Record<string, unknown>;
  let value: unknown = mod[path[0]] ?? defaults[path[0]];
  for (const key of path.slice(1)) value = (value as Record<string, unknown> | undefined)?.[key];
  if (typeof value !== "function") {
    await request("POST", "/init/error", errorDocument(new Error(`${file} has no function export ${path.join(".")}`), "Runtime.HandlerNotFound"));
    process.exit(1);
  }
  return value as Handler;
}

async function main(): Promise<void> {
  // Ended with the worker: a runtime must not run on beside the invocation another worker starts.
  native.dieWithParent();
  if (String(process.ppid) !== process.env[PARENT_ENV]) process.exit(0);
  delete process.env[PARENT_ENV];
  let current: string | undefined;
  const crash = (e: unknown, type: string | undefined, code: number) => {
    process.stderr.write(`${type ?? "Uncaught Exception"}: ${(e as Error)?.stack ?? e}\n`);
    const id = current;
    current = undefined;
    if (!id) process.exit(code);
    request("POST", `/invocation/${encodeURIComponent(id)}/error`, errorDocument(e, type)).finally(() => process.exit(code));
  };
  process.on("uncaughtException", (e) => crash(e, undefined, 129));
  process.on("unhandledRejection", (reason) => crash(reason, "Runtime.UnhandledPromiseRejection", 128));

  const handler = await load();
  const ours = Boolean((handler as unknown as Record<symbol, unknown>)[DURABLE_HANDLER]) && typeof process.send === "function";
  const client = ours ? new ParentClient() : undefined;
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const id = String(next.headers["lambda-runtime-aws-request-id"]);
    current = id;
    let answer: { path: string; body: string; headers?: Record<string, string> };
    try {
      const parsed = JSON.parse(next.body) as never;
      const event = client ? new DurableExecutionInvocationInputWithClient(parsed, client) : parsed;
      const result = await handler(event, lambdaContext(next.headers));
      answer = { path: "response", body: result === undefined ? "" : JSON.stringify(result) };
    } catch (e) {
      answer = { path: "error", body: errorDocument(e), headers: { "lambda-runtime-function-error-type": (e as Error)?.name ?? "Error" } };
    }
    if (current !== id) continue;
    current = undefined;
    await request("POST", `/invocation/${encodeURIComponent(id)}/${answer.path}`, answer.body, answer.headers);
  }
}

void main();

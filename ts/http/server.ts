// The worker's HTTP server (node:http): routes the AWS wire paths to DurableApi, checks the
// token, enforces body limits before anything is parsed, and answers every refusal in the AWS
// error shape; the console's paths (the page, its API and streams, /metrics) go to the console
// handler, which guards them itself (ts/console/auth.ts). It binds 127.0.0.1 unless told
// otherwise; any other address needs a token.

import { randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import type { DurableEngine } from "../engine/durable-engine";
import { ConsoleHandler } from "../console/handler";
import { DurableApi, type ApiRequest, type ApiResponse } from "./api";
import { ClientGoneError, readBody } from "./body";
import { AwsError, toAwsError } from "./aws-errors";

export const TOKEN_ENV = "DURABLE_NODE_TOKEN";
const MiB = 1024 * 1024;

export interface HttpServerOptions {
  host?: string;
  port?: number;
  /** Required on every request when set; required to bind a non-loopback address. */
  token?: string;
  /** Called for internal errors (the client only sees a ServiceException). */
  onInternalError?: (error: unknown, method: string, path: string) => void;
  /** Called when a client went away before sending its whole request (nothing is answered). */
  onClientGone?: (error: ClientGoneError, method: string, path: string) => void;
  /** Serve the console and /metrics (default true). */
  console?: boolean;
  /** Serve the AWS API (default true; `durable-node console` serves the console alone). */
  awsApi?: boolean;
}

interface Route {
  method: string;
  /** Path segments; `{name}` captures one (URL-decoded) segment. */
  pattern: string[];
  /** Largest body accepted (bytes). */
  limit: number;
  handle: (api: DurableApi, req: ApiRequest) => ApiResponse | Promise<ApiResponse>;
}

const EXEC = ["2025-12-01", "durable-executions", "{arn}"];
const CALLBACK = ["2025-12-01", "durable-execution-callbacks", "{callbackId}"];
const ROUTES: Route[] = [
  { method: "GET", pattern: EXEC, limit: 0, handle: (api, r) => api.getExecution(r) },
  { method: "GET", pattern: [...EXEC, "history"], limit: 0, handle: (api, r) => api.history(r) },
  { method: "GET", pattern: [...EXEC, "state"], limit: 0, handle: (api, r) => api.state(r) },
  { method: "DELETE", pattern: EXEC, limit: 0, handle: (api, r) => api.delete(r) },
  { method: "POST", pattern: [...EXEC, "stop"], limit: 2 * MiB, handle: (api, r) => api.stop(r) },
  { method: "POST", pattern: [...EXEC, "pause"], limit: 64 * 1024, handle: (api, r) => api.pause(r) },
  { method: "POST", pattern: [...EXEC, "resume"], limit: 64 * 1024, handle: (api, r) => api.resume(r) },
  { method: "POST", pattern: [...EXEC, "checkpoint"], limit: 16 * MiB, handle: (api, r) => api.checkpoint(r) },
  { method: "POST", pattern: [...CALLBACK, "succeed"], limit: 1 * MiB, handle: (api, r) => api.callbackSuccess(r) },
  { method: "POST", pattern: [...CALLBACK, "fail"], limit: 2 * MiB, handle: (api, r) => api.callbackFailure(r) },
  { method: "POST", pattern: [...CALLBACK, "heartbeat"], limit: 1024, handle: (api, r) => api.callbackHeartbeat(r) },
  { method: "GET", pattern: ["2025-12-01", "functions", "{functionName}", "durable-executions"], limit: 0, handle: (api, r) => api.list(r) },
  { method: "POST", pattern: ["2015-03-31", "functions", "{functionName}", "invocations"], limit: 6 * MiB, handle: (api, r) => api.invoke(r) },
];

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

function match(method: string, rawPath: string): { route: Route; params: Record<string, string> } | { allow: string[] } | undefined {
  const segments = rawPath.split("/").filter((s) => s !== "");
  const allow: string[] = [];
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const ok = route.pattern.every((p, i) => {
      if (!p.startsWith("{")) return p === segments[i];
      try {
        params[p.slice(1, -1)] = decodeURIComponent(segments[i]);
        return true;
      } catch {
        return false;
      }
    });
    if (!ok) continue;
    if (route.method === method) return { route, params };
    allow.push(route.method);
  }
  return allow.length ? { allow } : undefined;
}

/** The presented token: `Authorization: Bearer <t>`, or the access key id of a SigV4 signature. */
function presentedToken(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization ?? "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(auth);
  if (bearer) return bearer[1];
  return /Credential=([^/,\s]+)\//.exec(auth)?.[1];
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function send(res: http.ServerResponse, response: ApiResponse): void {
  const status = response.status ?? 200;
  const headers: Record<string, string> = { ...response.headers };
  let body: Buffer | string = "";
  if (response.body === undefined) body = "";
  else if (typeof response.body === "string" || Buffer.isBuffer(response.body)) body = response.body;
  else {
    body = JSON.stringify(response.body);
    headers["content-type"] ??= "application/json";
  }
  headers["content-length"] = String(Buffer.byteLength(body));
  // As Lambda does: the AWS clients report it as $metadata.requestId (the official SDK logs it).
  headers["x-amzn-requestid"] ??= randomUUID();
  res.writeHead(status, headers);
  res.end(body);
}

export class DurableHttpServer {
  private readonly server: http.Server;
  private readonly api: DurableApi;
  private readonly console: ConsoleHandler | undefined;

  constructor(
    engine: DurableEngine,
    private readonly options: HttpServerOptions = {},
  ) {
    const host = options.host ?? "127.0.0.1";
    if (!isLoopback(host) && !options.token) {
      throw new AwsError("InvalidParameterValueException", `binding ${host} (not loopback) needs a token: pass --token or set ${TOKEN_ENV}`);
    }
    this.api = new DurableApi(engine);
    if (options.console ?? true) {
      this.console = new ConsoleHandler(engine, { token: options.token, loopback: isLoopback(host), onInternalError: options.onInternalError, onClientGone: options.onClientGone });
    }
    this.server = http.createServer((req, res) => void this.serve(req, res));
  }

  /** Starts listening; resolves with the bound URL. */
  listen(): Promise<string> {
    const host = this.options.host ?? "127.0.0.1";
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.options.port ?? 0, host, () => {
        const { port } = this.server.address() as AddressInfo;
        resolve(`http://${host.includes(":") ? `[${host}]` : host}:${port}`);
      });
    });
  }

  /**
   * Stops accepting connections; requests in progress get `graceMs` to finish (a synchronous
   * Invoke may wait for an execution indefinitely), then their connections are closed.
   */
  close(graceMs = 1000): Promise<void> {
    this.console?.close();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), graceMs).unref();
    });
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    const rawPath = (req.url ?? "/").split("?")[0];
    if (this.console?.owns(url.pathname)) return this.console.handle(req, res, url);
    try {
      if (this.options.awsApi === false) throw new AwsError("UnknownOperationException", `No operation at ${method} ${rawPath} (this server runs the console only)`);
      if (this.options.token !== undefined && !sameToken(presentedToken(req), this.options.token)) {
        throw new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.");
      }
      const found = match(method, rawPath);
      if (!found) throw new AwsError("UnknownOperationException", `No operation at ${method} ${rawPath}`);
      if ("allow" in found) throw new AwsError("UnknownOperationException", `${method} is not supported on ${rawPath} (use ${found.allow.join(", ")})`);
      const body = await readBody(req, found.route.limit);
      const closed = new Promise<void>((resolve) => res.once("close", () => resolve()));
      const response = await found.route.handle(this.api, { params: found.params, query: url.searchParams, headers: req.headers, body, closed });
      if (!res.writableEnded && !res.destroyed) send(res, response);
    } catch (e) {
      if (e instanceof ClientGoneError) return this.options.onClientGone?.(e, method, rawPath);
      const { error, internal } = toAwsError(e);
      if (internal) this.options.onInternalError?.(e, method, rawPath);
      if (res.headersSent || res.destroyed) return;
      const { status, headers, body } = error.response();
      // An over-limit body is not read: the connection is closed after the answer.
      if (error.awsName === "RequestTooLargeException") headers.connection = "close";
      send(res, { status, headers, body });
      if (error.awsName === "RequestTooLargeException") res.once("finish", () => discardRest(req));
    }
  }
}

/** Bytes of a refused body read and dropped before the connection is cut. */
const DISCARD_LIMIT = 16 * 1024 * 1024;

/**
 * The rest of a refused body is read and dropped, up to a bound, before the connection closes:
 * cutting it while the client still sends makes the kernel answer with a reset, and a client
 * that is still writing then loses the 413 it was sent.
 */
function discardRest(req: http.IncomingMessage): void {
  let dropped = 0;
  const cut = setTimeout(() => req.destroy(), 5_000).unref();
  req.on("data", (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_LIMIT) req.destroy();
  });
  req.once("close", () => clearTimeout(cut));
  req.once("end", () => req.destroy());
  req.resume();
}

// The Lambda Runtime API (version 2018-06-01) that one runtime process talks to, served with
// node:http on loopback: the process long-polls `GET /runtime/invocation/next` for its next
// event and answers each with `POST /runtime/invocation/{id}/response` or `/error`; a process
// that cannot initialise reports `POST /runtime/init/error`. As on Lambda each sandbox (one
// runtime process) has its own endpoint, so the server knows who is asking without any routing.
// This module owns the HTTP protocol only; what an answer means is the sandbox's (sandbox.ts).

import http from "node:http";
import type { AddressInfo } from "node:net";
import { readUpTo } from "../http/body";

const PREFIX = "/2018-06-01/runtime";
/** Lambda's limit on a synchronous response (and our limit on an error document). */
export const RESPONSE_LIMIT = 6 * 1024 * 1024;
const ERROR_TYPE_HEADER = "lambda-runtime-function-error-type";

/** One invocation handed to the runtime: its event and the headers Lambda sends with it. */
export interface RuntimeInvocation {
  requestId: string;
  /** The event, JSON text. */
  event: string;
  deadlineMs: number;
  functionArn: string;
  traceId: string;
}

/** An error the runtime reported (`{errorMessage, errorType, stackTrace}` by convention). */
export interface RuntimeErrorReport {
  errorType: string;
  errorMessage: string;
  stackTrace?: string[];
}

export interface RuntimeApiListener {
  /** The runtime asked for work and nothing was queued for it (the first call means its
   * initialisation is done). */
  onNext(): void;
  onResponse(requestId: string, body: Buffer): void;
  onError(requestId: string, report: RuntimeErrorReport): void;
  onInitError(report: RuntimeErrorReport): void;
}

/** The body of an error post: the document if it is one, else its text; the header names the type. */
export function errorReport(body: Buffer, headerType: string | undefined): RuntimeErrorReport {
  let doc: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(body.toString("utf8")) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) doc = parsed as Record<string, unknown>;
  } catch {
    doc = { errorMessage: body.toString("utf8") };
  }
  const errorType = typeof doc.errorType === "string" && doc.errorType !== "" ? doc.errorType : (headerType ?? "Runtime.Unknown");
  const errorMessage = typeof doc.errorMessage === "string" ? doc.errorMessage : "";
  const stackTrace = Array.isArray(doc.stackTrace) ? doc.stackTrace.map(String) : undefined;
  return { errorType, errorMessage, ...(stackTrace?.length ? { stackTrace } : {}) };
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}

export class RuntimeApiServer {
  private readonly server: http.Server;
  /** The runtime's `next` request, held until there is an invocation for it. */
  private waiting: http.ServerResponse | undefined;
  /** An invocation handed out before the runtime asked (delivered on its next `next`). */
  private queued: RuntimeInvocation | undefined;
  /** The invocation the runtime is working on: only its id is answered. */
  private current: string | undefined;

  constructor(private readonly listener: RuntimeApiListener) {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    // A runtime long-polls `next` for as long as the function is idle.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 0;
    this.server.keepAliveTimeout = 0;
  }

  /** Listens on 127.0.0.1 (a free port); resolves with the `host:port` for AWS_LAMBDA_RUNTIME_API. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => {
        const { port } = this.server.address() as AddressInfo;
        resolve(`127.0.0.1:${port}`);
      });
    });
  }

  /** Hands an invocation to the runtime: at once if it is waiting in `next`, else on its next call. */
  deliver(invocation: RuntimeInvocation): void {
    this.current = invocation.requestId;
    const res = this.waiting;
    this.waiting = undefined;
    if (res && !res.destroyed) this.send(res, invocation);
    else this.queued = invocation;
  }

  /** Forgets the current invocation (ended by a timeout or a crash): later answers to it are refused. */
  abandon(): void {
    this.current = undefined;
    this.queued = undefined;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting?.destroy();
      this.waiting = undefined;
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private send(res: http.ServerResponse, inv: RuntimeInvocation): void {
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(inv.event)),
      "lambda-runtime-aws-request-id": inv.requestId,
      "lambda-runtime-deadline-ms": String(inv.deadlineMs),
      "lambda-runtime-invoked-function-arn": inv.functionArn,
      "lambda-runtime-trace-id": inv.traceId,
    });
    res.end(inv.event);
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    const method = req.method ?? "GET";
    try {
      if (method === "GET" && path === `${PREFIX}/invocation/next`) {
        const queued = this.queued;
        this.queued = undefined;
        if (queued) {
          this.send(res, queued);
          return;
        }
        this.waiting?.destroy();
        this.waiting = res;
        res.once("close", () => {
          if (this.waiting === res) this.waiting = undefined;
        });
        this.listener.onNext();
        return;
      }
      const body = method === "POST" ? await readUpTo(req, RESPONSE_LIMIT) : Buffer.alloc(0);
      if (body === undefined) {
        answer(res, 413, { errorMessage: `The payload exceeds the limit of ${RESPONSE_LIMIT} bytes`, errorType: "RequestEntityTooLarge" });
        // Lambda fails an invocation whose response is too large.
        const id = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/response$/.exec(path)?.[1];
        if (id && decodeURIComponent(id) === this.current) {
          this.current = undefined;
          this.listener.onError(decodeURIComponent(id), { errorType: "Function.ResponseSizeTooLarge", errorMessage: `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT} bytes).` });
        }
        return;
      }
      const headerType = req.headers[ERROR_TYPE_HEADER];
      const type = Array.isArray(headerType) ? headerType[0] : headerType;
      if (method === "POST" && path === `${PREFIX}/init/error`) {
        answer(res, 202, { status: "OK" });
        this.listener.onInitError(errorReport(body, type));
        return;
      }
      const m = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
      if (method === "POST" && m) {
        const id = decodeURIComponent(m[1]);
        if (id !== this.current) {
          answer(res, 400, { errorMessage: `Invalid request ID: ${id} is not the invocation in progress`, errorType: "InvalidRequestID" });
          return;
        }
        this.current = undefined;
        answer(res, 202, { status: "OK" });
        if (m[2] === "response") this.listener.onResponse(id, body);
        else this.listener.onError(id, errorReport(body, type));
        return;
      }
      answer(res, 404, { errorMessage: `No such Runtime API resource: ${method} ${path}`, errorType: "InvalidRequest" });
    } catch (e) {
      if (!res.headersSent && !res.destroyed) answer(res, 500, { errorMessage: (e as Error)?.message ?? String(e), errorType: "ServiceException" });
    }
  }
}

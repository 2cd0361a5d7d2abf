// The console's part of the worker's HTTP server (and all of `durable-node console`'s): the
// page and its assets, the JSON reads and actions (routes.ts), the live streams (feeds.ts) and
// `GET /metrics`, behind the console's guard (auth.ts). Paths are split per segment and each
// segment URL-decoded, as the AWS routes are, so an ARN travels as one encoded segment.

import type http from "node:http";

import type { DurableEngine } from "../engine/durable-engine";
import { AwsError, toAwsError } from "../http/aws-errors";
import { ClientGoneError, readBody } from "../http/body";
import { EngineMetricsExporter } from "../metrics/prometheus";
import { ConsoleAssets } from "./assets";
import { ConsoleGuard } from "./auth";
import { ConsoleFeeds } from "./feeds";
import { ConsoleRoutes, type Json } from "./routes";

const MiB = 1024 * 1024;

export interface ConsoleOptions {
  token?: string;
  /** The server is bound to a loopback address. */
  loopback: boolean;
  /** How often live streams look for changes (ms, default 250). */
  feedIntervalMs?: number;
  onInternalError?: (error: unknown, method: string, path: string) => void;
  onClientGone?: (error: ClientGoneError, method: string, path: string) => void;
}

type Req = { req: http.IncomingMessage; res: http.ServerResponse; url: URL; p: string[] };
type Handler = (r: Req) => Json | string | Promise<Json> | "streamed";

interface Route {
  method: "GET" | "POST";
  pattern: string[];
  handle: Handler;
}

/** A JSON answer; a string is JSON text already. */
function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

export class ConsoleHandler {
  private readonly guard: ConsoleGuard;
  private readonly assets = new ConsoleAssets();
  private readonly feeds: ConsoleFeeds;
  private readonly metrics: EngineMetricsExporter;
  private readonly routes: Route[];

  constructor(
    engine: DurableEngine,
    private readonly options: ConsoleOptions,
  ) {
    this.guard = new ConsoleGuard(options.token, options.loopback);
    this.feeds = new ConsoleFeeds(engine, options.feedIntervalMs);
    this.metrics = new EngineMetricsExporter(engine);
    const api = new ConsoleRoutes(engine);
    const E = ["console", "api", "executions", "{}"];
    const C = ["console", "api", "callbacks", "{}"];
    this.routes = [
      { method: "GET", pattern: ["console", "api", "functions"], handle: () => api.functions() },
      { method: "GET", pattern: ["console", "api", "executions"], handle: ({ url }) => api.executions(url.searchParams) },
      { method: "GET", pattern: ["console", "api", "stream"], handle: ({ req, res }) => (this.feeds.openList(req, res), "streamed") },
      { method: "GET", pattern: E, handle: ({ p }) => api.execution(p[0]) },
      { method: "GET", pattern: [...E, "payloads"], handle: ({ p }) => api.payloads(p[0]) },
      { method: "GET", pattern: [...E, "history"], handle: ({ p, url }) => api.history(p[0], url.searchParams) },
      { method: "GET", pattern: [...E, "operations", "{}"], handle: ({ p }) => api.operation(p[0], p[1]) },
      { method: "GET", pattern: [...E, "stream"], handle: ({ req, res, p }) => (engine.executionVersion(p[0]), this.feeds.openExecution(req, res, p[0]), "streamed") },
      { method: "POST", pattern: [...E, "stop"], handle: async ({ req, p }) => api.stop(p[0], await readBody(req, 2 * MiB)) },
      { method: "POST", pattern: [...E, "restart"], handle: ({ p }) => api.restart(p[0]) },
      { method: "POST", pattern: ["console", "api", "start"], handle: async ({ req }) => api.start(await readBody(req, 7 * MiB)) },
      { method: "POST", pattern: [...C, "succeed"], handle: async ({ req, p }) => api.callbackSucceed(p[0], await readBody(req, 2 * MiB)) },
      { method: "POST", pattern: [...C, "fail"], handle: async ({ req, p }) => api.callbackFail(p[0], await readBody(req, 2 * MiB)) },
      { method: "POST", pattern: [...C, "heartbeat"], handle: ({ p }) => api.callbackHeartbeat(p[0]) },
    ];
  }

  /** The paths this handler answers; everything else is the AWS API's. */
  owns(pathname: string): boolean {
    return pathname === "/" || pathname === "/metrics" || pathname.startsWith("/assets/") || pathname.startsWith("/console/");
  }

  close(): void {
    this.feeds.close();
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    try {
      const refusal = this.guard.check(req, url);
      if (refusal?.redirect) {
        res.writeHead(303, { location: refusal.redirect.location, "set-cookie": refusal.redirect.cookie, "content-length": 0 });
        res.end();
        return;
      }
      if (refusal) return json(res, refusal.status, { error: refusal.message });
      if (url.pathname === "/metrics" && method === "GET") {
        const text = await this.metrics.scrape();
        res.writeHead(200, { "content-type": this.metrics.contentType, "content-length": Buffer.byteLength(text) });
        res.end(text);
        return;
      }
      if (method === "GET" && (url.pathname === "/" || url.pathname.startsWith("/assets/"))) return this.serveAsset(res, url.pathname);
      const found = this.match(method, url.pathname);
      if (!found) throw new AwsError("UnknownOperationException", `No console endpoint at ${method} ${url.pathname}`);
      const answer = await found.route.handle({ req, res, url, p: found.params });
      if (answer !== "streamed") json(res, 200, answer);
    } catch (e) {
      if (e instanceof ClientGoneError) return this.options.onClientGone?.(e, method, url.pathname);
      const { error, internal } = toAwsError(e);
      if (internal) this.options.onInternalError?.(e, method, url.pathname);
      if (!res.headersSent && !res.destroyed) json(res, error.status, { error: error.message, type: error.awsName });
    }
  }

  private serveAsset(res: http.ServerResponse, pathname: string): void {
    const asset = pathname === "/" ? this.assets.page : this.assets.get(pathname);
    if (!asset) return json(res, 404, { error: `no asset ${pathname}` });
    const headers: Record<string, string | number> = { "content-type": asset.type, "content-length": asset.body.length, "x-content-type-options": "nosniff", "cache-control": "no-cache" };
    if (pathname === "/") {
      headers["content-security-policy"] = this.assets.csp;
      headers["referrer-policy"] = "no-referrer";
    }
    res.writeHead(200, headers);
    res.end(asset.body);
  }

  private match(method: string, pathname: string): { route: Route; params: string[] } | undefined {
    const segments = pathname.split("/").filter((s) => s !== "");
    for (const route of this.routes) {
      if (route.method !== method || route.pattern.length !== segments.length) continue;
      const params: string[] = [];
      const ok = route.pattern.every((part, i) => {
        if (part !== "{}") return part === segments[i];
        try {
          params.push(decodeURIComponent(segments[i]));
          return true;
        } catch {
          return false;
        }
      });
      if (ok) return { route, params };
    }
    return undefined;
  }
}

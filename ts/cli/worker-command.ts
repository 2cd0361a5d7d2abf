// `durable-node worker`, `start` and `stop`: a long-running worker that owns the executions of
// the functions its config file names (and serves the HTTP API), and the two commands that hand
// it work or take work away through the shared database.

import type { Command } from "commander";

import { DB_HELP } from "./database";

import type { DurableEngine } from "../engine/durable-engine";
import { call } from "../native";
import { DurableHttpServer, TOKEN_ENV, isLoopback } from "../http/server";
import { preparePythonFunctions } from "../python/worker-functions";
import { RuntimeFunctions } from "../runtime-api/functions";
import { watchEndedExecutions } from "../runtime-api/ended-watch";
import { findConfig, readConfig } from "../worker/config";
import { createLog, executionLabel } from "../worker/log";
import { prepareNodeFunctions } from "../worker/node-functions";
import { Worker } from "../worker/worker";
import { parseErrorObject } from "./callback-command";
import { oneLine } from "./printer";
import { UsageError, usage } from "./usage-error";
import { checkOtelUrl, startTracing } from "../tracing/setup";
import { checkLimit, optionalLimit } from "../limits";

export const DEFAULT_PORT = 9014;

type Open = (db: string | undefined, options?: { leaseMs?: number; skipTime?: boolean; synchronousFull?: boolean }) => DurableEngine;

/** The environment variable the AWS SDK for JavaScript reads the Lambda endpoint from. */
export const LAMBDA_ENDPOINT_ENV = "AWS_ENDPOINT_URL_LAMBDA";

interface WorkerCliOptions {
  db?: string;
  config?: string;
  port: string;
  host: string;
  http: boolean;
  console: boolean;
  token?: string;
  concurrency: string;
  shutdownTimeout: string;
  leaseMs?: string;
  skipTime?: boolean;
  synchronousFull?: boolean;
  json?: boolean;
  otel?: string;
  isolate: boolean;
}

function parseInput(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--input is not valid JSON: ${(e as Error).message}`);
  }
  return text;
}

/** Runs a worker until SIGTERM/SIGINT; resolves with the exit status. */
async function runWorker(options: WorkerCliOptions, open: Open, write: (line: string) => void): Promise<number> {
  const port = checkLimit("port", options.port, "--port");
  const concurrency = checkLimit("concurrency", options.concurrency, "--concurrency");
  const graceMs = checkLimit("shutdownTimeoutMs", options.shutdownTimeout, "--shutdown-timeout");
  const leaseMs = optionalLimit("leaseMs", options.leaseMs, "--lease-ms");
  const token = options.token ?? process.env[TOKEN_ENV] ?? undefined;
  if (options.http && !isLoopback(options.host) && !token) {
    throw new UsageError(`--host ${options.host} is not a loopback address: a token is required (--token or ${TOKEN_ENV})`);
  }
  if (options.otel !== undefined) usage(() => checkOtelUrl(options.otel!));
  const config = await readConfig(findConfig(options.config));
  const log = createLog(options.json ?? false, write);
  const pythonNames = Object.entries(config.functions).filter(([, f]) => f.runtime === "python").map(([n]) => n);
  if (pythonNames.length > 0 && !options.http) {
    throw new UsageError(`Python function(s) ${pythonNames.join(", ")} checkpoint over this worker's HTTP API: drop --no-http`);
  }
  const runtimes = new RuntimeFunctions();
  await preparePythonFunctions(config, runtimes, { concurrency, log });
  const engine = open(options.db, { leaseMs, skipTime: options.skipTime ?? false, synchronousFull: options.synchronousFull ?? false });
  let server: DurableHttpServer | undefined;
  let serverOpen = false;
  let unwatch = () => {};
  const tracing = await startTracing(engine, options.otel);
  if (tracing) log.event("info", `tracing to ${tracing.endpoint}`, { otel: tracing.endpoint });
  try {
    const { external: externalTs, inProcess } = await prepareNodeFunctions(engine, config, runtimes, { isolate: options.isolate, concurrency, log });
    const isolated = runtimes.register(engine);
    if (externalTs.length > 0 && !options.http) {
      throw new UsageError(`function(s) ${externalTs.join(", ")} ("durable": true) checkpoint over this worker's HTTP API: drop --no-http`);
    }
    const worker = new Worker(engine, log, { concurrency, shutdownGraceMs: graceMs });
    // A stop (or execution timeout) from any process ends the invocation running here.
    unwatch = watchEndedExecutions(engine, (arn, status) =>
      log.event("warn", `[${executionLabel(arn)}] ${status} while its invocation ran: invocation ended`, { executionArn: arn, status }),
    );
    let url: string | undefined;
    if (options.http) {
      server = new DurableHttpServer(engine, {
        host: options.host,
        port,
        token,
        console: options.console,
        onInternalError: (e, method, path) => log.event("error", `HTTP ${method} ${path} failed: ${(e as Error)?.stack ?? e}`),
        onClientGone: (e, method, path) => log.event("warn", `HTTP ${method} ${path}: ${e.message}`, { method, path }),
      });
      url = await server.listen().catch((e: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot listen on ${options.host}:${port}: ${e.code ?? e.message}`);
      });
      serverOpen = true;
      log.event("info", `HTTP API listening on ${url}${token ? " (token required)" : ""}${options.console ? " (console at /, metrics at /metrics)" : ""}`, { url });
      if (inProcess.length > 0) pointLambdaClientsAt(url, inProcess, token, log);
    }
    // Each isolated function's first runtime process must initialise before work is taken.
    await runtimes.start(url === undefined ? "" : reachable(url), token);
    const stopFollowing = log.follow();
    worker.start();
    log.event("info", `worker ready: ${worker.functions.join(", ")} (config ${config.file}, concurrency ${concurrency})`, { functions: worker.functions, pid: process.pid });
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once("SIGTERM", () => resolve("SIGTERM"));
      process.once("SIGINT", () => resolve("SIGINT"));
    });
    // A second signal during shutdown exits at once; leases of unfinished invocations are then
    // recovered by the next worker (this process is gone).
    const hard = () => process.exit(130);
    process.once("SIGTERM", hard);
    process.once("SIGINT", hard);
    log.event("info", `${signal} received: shutting down`, { signal });
    if (isolated.length > 0 || externalTs.length > 0) {
      // Runtime processes (and handlers of another SDK) finish their invocations first; the
      // HTTP API stays up for those that checkpoint over it.
      await worker.shutdown();
      await runtimes.close();
      await server?.close();
    } else {
      await server?.close();
      await worker.shutdown();
    }
    serverOpen = false;
    stopFollowing();
    log.event("info", "worker stopped");
    // Handlers released unfinished may still hold timers: they must not keep the process alive.
    setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref();
    return 0;
  } finally {
    unwatch();
    await runtimes.close();
    if (serverOpen) await server?.close();
    await tracing?.shutdown();
    engine.close();
  }
}

/** The URL a client on this machine reaches the API at (a wildcard bind answers on loopback). */
function reachable(url: string): string {
  return url.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//[::1]:");
}

/**
 * Handlers built with another SDK (the official one uses its own LambdaClient) checkpoint over
 * HTTP, and only this worker accepts the tokens of the invocations it runs: unless the user set
 * AWS_ENDPOINT_URL_LAMBDA already, this process's Lambda clients are pointed at its own API.
 * Region and credentials are not invented (they would override the user's for every AWS client).
 */
function pointLambdaClientsAt(url: string, functions: string[], token: string | undefined, log: ReturnType<typeof createLog>): void {
  const own = reachable(url);
  const set = process.env[LAMBDA_ENDPOINT_ENV];
  if (set === undefined || set === "") {
    process.env[LAMBDA_ENDPOINT_ENV] = own;
    log.event("info", `${LAMBDA_ENDPOINT_ENV}=${own} for ${functions.join(", ")} (handlers of another SDK checkpoint over HTTP)`, { functions, endpoint: own });
  } else if (set.replace(/\/+$/, "") !== own) {
    log.event("warn", `${LAMBDA_ENDPOINT_ENV} is ${set}, not this worker (${own}): ${functions.join(", ")} will checkpoint there, which only works if it reaches this worker`, { functions, endpoint: set });
  }
  if (!process.env.AWS_REGION) {
    log.event("warn", `AWS_REGION is not set: the AWS SDK of ${functions.join(", ")} may refuse to call the API (any region works, e.g. AWS_REGION=us-east-1)`, { functions });
  }
  if (token && process.env.AWS_ACCESS_KEY_ID !== token) {
    log.event("warn", `the HTTP API needs its token: give ${functions.join(", ")} AWS_ACCESS_KEY_ID=<token> (any secret key)`, { functions });
  }
}

async function configuredFunctions(config: string | undefined): Promise<string[] | undefined> {
  let file: string;
  try {
    file = findConfig(config);
  } catch (e) {
    if (config !== undefined) throw e;
    return undefined; // no config here: any function name is accepted
  }
  return Object.keys((await readConfig(file)).functions);
}

export function registerWorkerCommands(program: Command, open: Open, out: (line: string) => void, setCode: (code: number) => void): void {
  program
    .command("worker")
    .description("run the functions named in a config file: start, resume and recover their executions; serve the HTTP API")
    .option("--db <path|url>", DB_HELP)
    .option("--config <file>", "config file (default: durable.config.ts|js|json in the current directory)")
    .option("--port <n>", "HTTP API port (0 picks a free one)", String(DEFAULT_PORT))
    .option("--host <address>", "HTTP API address; other than loopback needs a token", "127.0.0.1")
    .option("--no-http", "do not serve the HTTP API (nor the console)")
    .option("--no-console", "serve the HTTP API without the web console and /metrics")
    .option("--token <token>", `token every HTTP request must present (or ${TOKEN_ENV})`)
    .option("--concurrency <n>", "invocations run at the same time", "8")
    .option("--shutdown-timeout <ms>", "on SIGTERM/SIGINT, how long to let running invocations finish", "10000")
    .option("--lease-ms <ms>", "invocation lease: how long another worker waits before taking over an invocation whose worker stopped renewing it")
    .option("--skip-time", "fire waits and other timers at once through the engine's virtual clock (tests, demos)")
    .option("--synchronous-full", "fsync every commit (SQLite synchronous=FULL); concurrent checkpoints share one commit")
    .option("--no-isolate", "run JavaScript/TypeScript handlers in the worker's own process instead of runtime processes (no function timeout, no crash isolation; a config entry's \"isolated\" wins)")
    .option("--json", "structured logs: one JSON object per line")
    .option("--otel <url>", "export OpenTelemetry spans to this OTLP/HTTP endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT, if set)")
    .action(async (options: WorkerCliOptions) => setCode(await runWorker(options, open, out)));

  program
    .command("start")
    .description("start an execution for a worker to run; prints its ARN")
    .argument("<function>", "function name (as in the worker's config file)")
    .option("--input <json>", "execution input as JSON")
    .option("--name <name>", "execution name (the same name and input returns the existing execution)")
    .option("--db <path|url>", DB_HELP)
    .option("--config <file>", "check the function name against this config file (default: durable.config.* here, if any)")
    .option("--json", "print the execution record instead of the ARN")
    .action(async (fn: string, options: { input?: string; name?: string; db?: string; config?: string; json?: boolean }) => {
      const input = parseInput(options.input);
      const known = await configuredFunctions(options.config);
      if (known && !known.includes(fn)) throw new UsageError(`function "${fn}" is not in the config file (it names: ${known.join(", ")})`);
      const engine = open(options.db);
      try {
        // The function runs in a worker, not here: it need not be registered on this engine.
        const { execution } = call(() => engine.native.startExecution(fn, options.name, input));
        out(options.json ? JSON.stringify(execution) : execution.DurableExecutionArn);
      } finally {
        engine.close();
      }
    });

  program
    .command("stop")
    .description("stop a running execution (StopDurableExecution); an invocation running in a worker or run is ended (its runtime process killed)")
    .argument("<execution>", "execution name or ARN")
    .option("--error <json>", 'error recorded with the stop, e.g. {"ErrorType":"Cancelled","ErrorMessage":"by operator"}')
    .option("--db <path|url>", DB_HELP)
    .action((execution: string, options: { error?: string; db?: string }) => {
      const error = parseErrorObject(options.error);
      const engine = open(options.db);
      try {
        engine.stop(execution, error);
        out(`stopped ${oneLine(engine.get(execution).DurableExecutionArn)}`);
      } finally {
        engine.close();
      }
    });
}

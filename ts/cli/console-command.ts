// `durable-node console`: the console's pages over a database, without a worker. Reads come
// from the file (any process's executions); actions (callbacks, stop, start) are written to it
// and a worker on the same file picks them up. Loopback by default; another address needs the
// token, as for the worker.

import type { Command } from "commander";

import type { DurableEngine } from "../engine/durable-engine";
import { DurableHttpServer, TOKEN_ENV, isLoopback } from "../http/server";
import { UsageError } from "./usage-error";
import { checkLimit } from "../limits";
import { DEFAULT_PORT } from "./worker-command";

interface ConsoleCliOptions {
  db?: string;
  port: string;
  host: string;
  token?: string;
}

async function runConsole(options: ConsoleCliOptions, open: (db: string | undefined) => DurableEngine, out: (line: string) => void): Promise<number> {
  const port = checkLimit("port", options.port, "--port");
  const token = options.token ?? process.env[TOKEN_ENV] ?? undefined;
  if (!isLoopback(options.host) && !token) throw new UsageError(`--host ${options.host} is not a loopback address: a token is required (--token or ${TOKEN_ENV})`);
  const engine = open(options.db);
  const server = new DurableHttpServer(engine, { host: options.host, port, token, awsApi: false, onInternalError: (e, m, p) => out(`error: ${m} ${p}: ${(e as Error)?.stack ?? e}`), onClientGone: (e, m, p) => out(`warning: ${m} ${p}: ${e.message}`) });
  try {
    const url = await server.listen().catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot listen on ${options.host}:${port}: ${e.code ?? e.message}`);
    });
    out(`console on ${url}/${token ? " (open it once with ?token=<token>)" : ""}`);
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", () => resolve());
      process.once("SIGINT", () => resolve());
    });
    await server.close(200);
    return 0;
  } finally {
    engine.close();
  }
}

export function registerConsoleCommand(program: Command, open: (db: string | undefined) => DurableEngine, out: (line: string) => void, setCode: (code: number) => void): void {
  program
    .command("console")
    .description("serve the web console over a database (no worker needed): executions, timelines, callbacks, stop, start")
    .option("--db <path>", "SQLite database file (default .durable/durable.db)")
    .option("--port <n>", "port (0 picks a free one)", String(DEFAULT_PORT))
    .option("--host <address>", "address; other than loopback needs a token", "127.0.0.1")
    .option("--token <token>", `token every page, stream and action must present (or ${TOKEN_ENV})`)
    .action(async (options: ConsoleCliOptions) => setCode(await runConsole(options, open, out)));
}

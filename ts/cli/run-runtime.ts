// `durable-node run` of a handler that runs in runtime processes (Python, and JavaScript or
// TypeScript unless --no-isolate): the functions' pools start (and must initialise) before the
// execution is created, so a function that cannot start is one usage error with nothing
// written; then the execution is driven to its end. The HTTP API listens when a process's SDK
// checkpoints over it (Python); durable-node's SDK uses the IPC channel instead.

import { existsSync, rmSync } from "node:fs";
import path from "node:path";

import type { DurableEngine } from "../engine/durable-engine";
import { DurableHttpServer } from "../http/server";
import { RuntimeFunctions } from "../runtime-api/functions";
import { watchEndedExecutions } from "../runtime-api/ended-watch";
import { startTracing } from "../tracing/setup";
import { resolveDb } from "./database";
import { followExecution } from "./printer";
import { driveExecution, type RunOutputOptions } from "./run-execution";

export interface RuntimeRunOptions extends RunOutputOptions {
  input?: unknown;
  db?: string;
  skipTime?: boolean;
  otel?: string;
}

export interface RuntimeRunPlan {
  /** The function the execution is started for. */
  functionName: string;
  /** Whether the processes' SDK checkpoints over the HTTP API. */
  http: boolean;
  /**
   * Adds the pools (the run's function first) once the engine is open. `show` prints a
   * process's output — held until every function initialised, so a failed start is one line.
   */
  prepare(engine: DurableEngine, functions: RuntimeFunctions, show: (print: () => void) => void): void;
}

type Open = (db: string | undefined, skipTime: boolean) => DurableEngine;

export async function runOnRuntimes(plan: RuntimeRunPlan, options: RuntimeRunOptions, out: (line: string) => void, open: Open): Promise<number> {
  const db = resolveDb(options.db);
  const dbFile = db.isUrl ? undefined : path.resolve(db.location);
  const dbExisted = dbFile === undefined || existsSync(dbFile);
  const engine = open(options.db, options.skipTime ?? false);
  const server = plan.http ? new DurableHttpServer(engine) : undefined;
  const functions = new RuntimeFunctions();
  let held: Array<() => void> | undefined = [];
  plan.prepare(engine, functions, (print) => (held ? held.push(print) : print()));
  let stop = () => {};
  let started = false;
  const tracing = await startTracing(engine, options.otel);
  // `durable-node stop` from another process ends the invocation running here.
  const unwatch = watchEndedExecutions(engine);
  try {
    const url = server ? await server.listen() : "";
    await functions.start(url, undefined);
    for (const print of held) print();
    held = undefined;
    functions.register(engine);
    stop = followExecution(out);
    started = true;
    return await driveExecution(engine, plan.functionName, options.input, options, out);
  } finally {
    unwatch();
    stop();
    await functions.close();
    await server?.close();
    await tracing?.shutdown();
    engine.close();
    // A database this command created for a function that could not start holds nothing.
    if (!started && !dbExisted && dbFile) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  }
}

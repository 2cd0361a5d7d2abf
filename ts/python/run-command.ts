// `durable-node run handler.py`: the same command as for a .ts file, with the handler run by
// the official Python runtime interface client and SDK in a runtime process; its checkpoints
// reach the embedded engine over an HTTP API on a loopback port of this process. The function
// is started (and must initialise) before the execution is created, so a missing interpreter,
// module or function, or a module that fails to import, is one usage error with nothing written.

import { existsSync, rmSync } from "node:fs";
import path from "node:path";

import type { DurableEngine } from "../engine/durable-engine";
import { DurableHttpServer } from "../http/server";
import { durableRuntimeHandler } from "../runtime-api/function";
import { followExecution } from "../cli/printer";
import { driveExecution } from "../cli/run-execution";
import { resolveDb } from "../cli/database";
import { UsageError } from "../cli/usage-error";
import { optionalLimit } from "../limits";
import { checkRuntimeInterpreter, ensurePythonEnv } from "./environment";
import { DEFAULT_PYTHON_EXPORT, checkPythonHandler, createPythonPool, initErrorMessage, pythonOutputLines } from "./function";

export interface PythonRunOptions {
  export?: string;
  python?: string;
  timeout?: string;
  input?: unknown;
  name?: string;
  db?: string;
  skipTime?: boolean;
  json?: boolean;
}

type Open = (db: string | undefined, skipTime: boolean) => DurableEngine;

/** `order_processing.py` → "order_processing"; another export than the default is appended. */
export function pythonFunctionName(file: string, exportName: string): string {
  const base = path.basename(file).replace(/\.py$/i, "");
  const name = exportName === DEFAULT_PYTHON_EXPORT ? base : `${base}-${exportName}`;
  return name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64) || "handler";
}

export async function runPythonFile(file: string, options: PythonRunOptions, out: (line: string) => void, open: Open): Promise<number> {
  const exportName = options.export ?? DEFAULT_PYTHON_EXPORT;
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new UsageError(`handler file not found: ${file}`);
  checkPythonHandler(absolute, exportName, file);
  const timeoutSeconds = optionalLimit("functionTimeout", options.timeout, "--timeout");
  const say = (line: string) => process.stderr.write(`durable-node: ${line}\n`);
  const python = options.python !== undefined ? path.resolve(options.python) : await ensurePythonEnv(say);
  checkRuntimeInterpreter(python, options.python !== undefined ? "--python" : "durable-node's Python environment");
  const functionName = pythonFunctionName(absolute, exportName);

  const db = resolveDb(options.db);
  const dbFile = db.isUrl ? undefined : path.resolve(db.location);
  const dbExisted = dbFile === undefined || existsSync(dbFile);
  const engine = open(options.db, options.skipTime ?? false);
  const server = new DurableHttpServer(engine);
  let url = "";
  // The runtime's own output (its logs, print()) goes to stderr: stdout is the run's report.
  // What it writes while initialising is held until it succeeded: a failed start is one line.
  let held: string[] | undefined = [];
  const show = (l: string) => process.stderr.write(`  │ ${l}\n`);
  const pool = createPythonPool(
    { functionName, file: absolute, exportName, python, timeoutSeconds, size: 1 },
    {
      endpoint: () => ({ url }),
      onOutput: (line) => {
        for (const l of pythonOutputLines(line)) (held ? held.push(l) : show(l));
      },
    },
  );
  let stop = () => {};
  let started = false;
  try {
    url = await server.listen();
    try {
      await pool.warm();
    } catch (e) {
      throw new UsageError(initErrorMessage(e, absolute, exportName, file));
    }
    for (const l of held) show(l);
    held = undefined;
    engine.register(functionName, durableRuntimeHandler(pool) as never, { plainInput: true });
    stop = followExecution(out);
    started = true;
    return await driveExecution(engine, functionName, options.input, options, out);
  } finally {
    stop();
    await pool.close();
    await server.close();
    engine.close();
    // A database this command created for a function that could not start holds nothing.
    if (!started && !dbExisted && dbFile) for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) rmSync(f, { force: true });
  }
}

// The worker's Python functions: one warm pool of runtime processes per function named in the
// config with `"runtime": "python"`, sized by the worker's concurrency. Prepared before the
// engine opens (interpreter checks, the managed environment set up if needed), registered on
// the engine as durable handlers invoked with the Lambda event (or plain functions with
// `"durable": false`), and started once the HTTP API listens — each function's first process
// must initialise, or the worker refuses to start, naming the function and the reason.

import type { DurableEngine } from "../engine/durable-engine";
import { durableRuntimeHandler, plainRuntimeHandler } from "../runtime-api/function";
import type { RuntimePool } from "../runtime-api/pool";
import type { WorkerConfig } from "../worker/config";
import type { WorkerLog } from "../worker/log";
import { UsageError } from "../cli/usage-error";
import { checkRuntimeInterpreter, ensurePythonEnv } from "./environment";
import { checkPythonHandler, createPythonPool, initErrorMessage, pythonOutputLines } from "./function";

interface Entry {
  name: string;
  file: string;
  exportName: string;
  durable: boolean;
  pool: RuntimePool;
}

export class PythonFunctions {
  private endpoint: { url: string; token?: string } = { url: "" };

  private constructor(private readonly entries: Entry[]) {}

  get names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** Checks every Python function of the config and makes its pool (no process started yet). */
  static async prepare(config: WorkerConfig, options: { concurrency: number; log: WorkerLog }): Promise<PythonFunctions> {
    const entries: Entry[] = [];
    const functions = new PythonFunctions(entries);
    let managed: string | undefined;
    for (const [name, fn] of Object.entries(config.functions)) {
      if (fn.runtime !== "python") continue;
      const where = `function "${name}" in ${config.file}`;
      checkPythonHandler(fn.handler, fn.export, where);
      let python = fn.python;
      if (python === undefined) {
        managed ??= await ensurePythonEnv((line) => options.log.event("info", line));
        python = managed;
      }
      const version = checkRuntimeInterpreter(python, fn.python === undefined ? `${where}: durable-node's Python environment` : `${where}: "python"`);
      const pool = createPythonPool(
        { functionName: name, file: fn.handler, exportName: fn.export, python, timeoutSeconds: fn.timeout, size: options.concurrency },
        {
          endpoint: () => functions.endpoint,
          onOutput: (line, stream, pid) => {
            for (const l of pythonOutputLines(line)) options.log.event(stream === "stderr" ? "warn" : "info", `[${name}] ${l}`, { event: "runtime", functionName: name, pid, stream });
          },
          onLifecycle: (message, fields) => options.log.event("info", message, { event: "runtime", ...fields, python, version }),
        },
      );
      entries.push({ name, file: fn.handler, exportName: fn.export, durable: fn.durable ?? true, pool });
    }
    return functions;
  }

  /** Registers the functions on the engine; returns their names (they need the HTTP API). */
  register(engine: DurableEngine): string[] {
    for (const e of this.entries) {
      if (e.durable) engine.register(e.name, durableRuntimeHandler(e.pool) as never, { plainInput: true });
      else engine.registerFunction(e.name, plainRuntimeHandler(e.pool));
    }
    return this.names;
  }

  /**
   * Starts one process per function with the HTTP API's address; a function that cannot
   * initialise (missing function, module that fails to import) is a UsageError.
   */
  async start(url: string, token: string | undefined): Promise<void> {
    this.endpoint = { url, token };
    const results = await Promise.allSettled(this.entries.map((e) => e.pool.warm()));
    const failed = results.findIndex((r) => r.status === "rejected");
    if (failed >= 0) {
      const e = this.entries[failed];
      throw new UsageError(initErrorMessage((results[failed] as PromiseRejectedResult).reason, e.file, e.exportName, `function "${e.name}" (${e.file})`));
    }
  }

  /** Pids of the live runtime processes, by function. */
  pids(): Record<string, number[]> {
    return Object.fromEntries(this.entries.map((e) => [e.name, e.pool.pids]));
  }

  async close(): Promise<void> {
    await Promise.all(this.entries.map((e) => e.pool.close()));
  }
}

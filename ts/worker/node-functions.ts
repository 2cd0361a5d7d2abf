// The worker's JavaScript/TypeScript functions: each module the config names is loaded here
// once to learn what its export is — durable-node's durable handler, another SDK's
// (`"durable": true`) or a plain function — and then runs either in runtime processes (a warm
// pool per function, sized by the worker's concurrency: ts/runtime-api/node-function.ts), or,
// with `"isolated": false` / --no-isolate, in the worker's own process.

import { existsSync } from "node:fs";

import { importUserModule } from "../cli/load-handler";
import { UsageError } from "../cli/usage-error";
import type { DurableEngine, PlainHandler } from "../engine/durable-engine";
import type { RuntimeFunctions } from "../runtime-api/functions";
import { createNodePool } from "../runtime-api/node-function";
import { RuntimeInitError } from "../runtime-api/sandbox";
import { DURABLE_HANDLER, type DurableLambdaHandler } from "../with-durable-execution";
import type { WorkerConfig } from "./config";
import type { WorkerLog } from "./log";

export interface NodeFunctionOptions {
  /** Functions without an `"isolated"` entry run in runtime processes (the default) or not. */
  isolate: boolean;
  concurrency: number;
  log: WorkerLog;
}

/**
 * Loads every Node module the config names; registers the in-process ones on `engine` and adds
 * the isolated ones to `functions`. Returns the names of the durable functions whose handler
 * durable-node did not make (`"durable": true`), whose SDK checkpoints over the HTTP API, and
 * which of them run in this process (their Lambda clients are this process's).
 */
export async function prepareNodeFunctions(
  engine: DurableEngine,
  config: WorkerConfig,
  functions: RuntimeFunctions,
  options: NodeFunctionOptions,
): Promise<{ external: string[]; inProcess: string[] }> {
  const external: string[] = [];
  const inProcess: string[] = [];
  for (const [name, fn] of Object.entries(config.functions)) {
    if (fn.runtime === "python") continue;
    const where = `function "${name}" (${fn.handler})`;
    if (!existsSync(fn.handler)) throw new UsageError(`${where}: module not found: ${fn.handler}`);
    const mod = await importUserModule(fn.handler, `module of function "${name}"`);
    const defaults = (mod.default && typeof mod.default === "object" ? mod.default : {}) as Record<string, unknown>;
    const exported = mod[fn.export] ?? defaults[fn.export];
    if (typeof exported !== "function") {
      const names = [...new Set([...Object.keys(mod), ...Object.keys(defaults)])].filter((k) => k !== "default" && k !== "__esModule");
      throw new UsageError(`${where} has no function export "${fn.export}"${names.length ? ` (it exports: ${names.join(", ")})` : ""}`);
    }
    const ours = Boolean((exported as unknown as Record<symbol, unknown>)[DURABLE_HANDLER]);
    if (ours && fn.durable === false) throw new UsageError(`${where}: export "${fn.export}" is a durable handler (withDurableExecution), but the config says "durable": false`);
    const durable = ours || fn.durable === true;
    if (durable && !ours) external.push(name);
    const isolated = fn.isolated ?? options.isolate;
    if (!isolated && (fn.timeout !== undefined || fn.memory !== undefined)) {
      const field = fn.timeout !== undefined ? "timeout" : "memory";
      throw new UsageError(`${where}: "${field}" applies to a function run in runtime processes, and this one runs in the worker's process (${fn.isolated === false ? '"isolated": false' : "--no-isolate"})`);
    }
    if (isolated) {
      const pool = createNodePool(
        { functionName: name, file: fn.handler, exportPath: fn.export, timeoutSeconds: fn.timeout, memoryMb: fn.memory, size: options.concurrency },
        {
          engine,
          endpoint: functions.endpoint,
          onOutput: (line, stream, pid) => options.log.event(stream === "stderr" ? "warn" : "info", `[${name}] ${line}`, { event: "runtime", functionName: name, pid, stream }),
          onLifecycle: (message, fields) => options.log.event("info", message, { event: "runtime", ...fields }),
        },
      );
      functions.add({ name, durable, pool, initError: (e) => `${where} failed to initialise: ${e instanceof RuntimeInitError ? `${e.errorType}: ${e.message}` : ((e as Error)?.message ?? e)}` });
    } else if (ours) {
      engine.register(name, exported as DurableLambdaHandler);
    } else if (durable) {
      engine.register(name, exported as DurableLambdaHandler, { plainInput: true });
      inProcess.push(name);
    } else {
      engine.registerFunction(name, exported as PlainHandler);
    }
  }
  return { external, inProcess };
}

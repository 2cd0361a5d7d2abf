// The worker's config file, `durable.config.(ts|js|json)`: which functions the worker owns,
// each a handler module (path relative to the config file) and the export that holds it.
//
//   { "functions": { "orders": { "handler": "./src/orders.ts", "export": "handler" } } }
//
// An export made by durable-node's withDurableExecution is a durable function; any other is a
// plain function (a target for chained invokes) unless the entry says `"durable": true`: then it
// is a durable handler built with another SDK (e.g. a bundle of the official
// @aws/durable-execution-sdk-js), invoked with the plain Lambda input so its SDK checkpoints over
// the worker's HTTP API (see worker-command.ts, AWS_ENDPOINT_URL_LAMBDA).
//
// A Python module (`"runtime": "python"`, implied by a .py handler; export "lambda_handler" by
// default) runs in runtime processes on the official runtime interface client and SDK
// (ts/python/worker-functions.ts), optionally on its own interpreter (`"python"`). A JavaScript
// or TypeScript module runs in runtime processes too (ts/worker/node-functions.ts) unless the
// entry says `"isolated": false` (or the worker runs with --no-isolate). Every function has a
// timeout per invocation (`"timeout"`, seconds) and a memory size (`"memory"`, MB), within
// Lambda's ranges (ts/runtime-api/limits.ts).
//
// A .ts/.js config default-exports (or `module.exports =`) the same object. Every problem — a
// missing file, an unknown field, a module that does not load, an export that is not a
// function — is a UsageError naming the function, the file and the field.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

import { importUserModule } from "../cli/load-handler";
import { UsageError, usage } from "../cli/usage-error";
import { checkLimit } from "../limits";
import { DEFAULT_PYTHON_EXPORT, isPythonFile } from "../python/function";

export const CONFIG_NAMES = ["durable.config.ts", "durable.config.js", "durable.config.mjs", "durable.config.cjs", "durable.config.json"];

export interface FunctionConfig {
  /** Module file, resolved against the config file's directory. */
  handler: string;
  /** Export that holds the handler (default "handler"). */
  export: string;
  /** true: a durable handler even though durable-node did not make it; false: a plain function. */
  durable?: boolean;
  /** "node" (in this process) or "python" (runtime processes); from the file name by default. */
  runtime: "node" | "python";
  /** Python functions: the interpreter (a path resolved against the config file, or a command). */
  python?: string;
  /** The function timeout of each invocation (seconds; default DEFAULT_TIMEOUT_SECONDS). */
  timeout?: number;
  /** Memory size (MB): a Node process's heap limit; default DEFAULT_MEMORY_MB. */
  memory?: number;
  /** Node functions: run in runtime processes (true) or in the worker's process (false); default: the worker's --isolate. */
  isolated?: boolean;
}

export interface WorkerConfig {
  file: string;
  functions: Record<string, FunctionConfig>;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;
const FUNCTION_FIELDS = ["handler", "export", "durable", "runtime", "python", "timeout", "memory", "isolated"];
const RUNTIMES = ["node", "python"];

/** The config file to use: the one given, or the first durable.config.* in `cwd`. */
export function findConfig(given: string | undefined, cwd = process.cwd()): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new UsageError(`config file not found: ${given}`);
    return path.resolve(given);
  }
  const found = CONFIG_NAMES.map((n) => path.join(cwd, n)).find((f) => existsSync(f));
  if (!found) throw new UsageError(`no config file: pass --config or create one of ${CONFIG_NAMES.join(", ")} in ${cwd}`);
  return found;
}

async function readRaw(file: string): Promise<unknown> {
  if (file.endsWith(".json")) {
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new UsageError(`config file ${file} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const mod = await importUserModule(file, "config file");
  const value = (mod.default ?? mod) as Record<string, unknown>;
  // A CommonJS module imported from ESM may nest its exports once more under `default`.
  return value && typeof value === "object" && "default" in value && !("functions" in value) ? value.default : value;
}

/** Reads and checks a config file without loading the handler modules it names. */
export async function readConfig(file: string): Promise<WorkerConfig> {
  const raw = await readRaw(file);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new UsageError(`config file ${file} must hold an object like { "functions": { ... } }`);
  const unknown = Object.keys(raw).filter((k) => k !== "functions");
  if (unknown.length) throw new UsageError(`config file ${file} has unknown field(s) ${unknown.join(", ")}; expected "functions"`);
  const functions = (raw as { functions?: unknown }).functions;
  if (!functions || typeof functions !== "object" || Array.isArray(functions) || Object.keys(functions).length === 0) {
    throw new UsageError(`config file ${file} must name at least one function under "functions"`);
  }
  const dir = path.dirname(file);
  const out: Record<string, FunctionConfig> = {};
  for (const [name, entry] of Object.entries(functions)) {
    const where = `function "${name}" in ${file}`;
    if (!NAME.test(name)) throw new UsageError(`${where}: a function name is 1 to 64 letters, digits, '-' or '_'`);
    const spec = typeof entry === "string" ? { handler: entry } : entry;
    if (!spec || typeof spec !== "object" || Array.isArray(spec)) throw new UsageError(`${where} must be a module path or { "handler": "./file.ts", "export": "handler" }`);
    const extra = Object.keys(spec).filter((k) => !FUNCTION_FIELDS.includes(k));
    if (extra.length) throw new UsageError(`${where} has unknown field(s) ${extra.join(", ")}; expected ${FUNCTION_FIELDS.join(", ")}`);
    const { handler, durable, python, timeout, memory, isolated } = spec as Record<string, unknown>;
    if (typeof handler !== "string" || handler === "") throw new UsageError(`${where}: "handler" must be the path of a module`);
    const runtime = (spec as { runtime?: unknown }).runtime ?? (isPythonFile(handler) ? "python" : "node");
    if (typeof runtime !== "string" || !RUNTIMES.includes(runtime)) throw new UsageError(`${where}: "runtime" must be ${RUNTIMES.map((r) => JSON.stringify(r)).join(" or ")}, not ${JSON.stringify(runtime)}`);
    const exportName = (spec as { export?: unknown }).export ?? (runtime === "python" ? DEFAULT_PYTHON_EXPORT : "handler");
    if (typeof exportName !== "string" || exportName === "") throw new UsageError(`${where}: "export" must be an export name`);
    if (durable !== undefined && typeof durable !== "boolean") throw new UsageError(`${where}: "durable" must be true or false`);
    if (runtime !== "python" && python !== undefined) throw new UsageError(`${where}: "python" applies to "runtime": "python" functions only`);
    if (runtime === "python" && isolated !== undefined) throw new UsageError(`${where}: "isolated" applies to Node functions only (Python functions always run in runtime processes)`);
    if (python !== undefined && (typeof python !== "string" || python === "")) throw new UsageError(`${where}: "python" must be the path of a Python interpreter`);
    if (isolated !== undefined && typeof isolated !== "boolean") throw new UsageError(`${where}: "isolated" must be true or false`);
    if (timeout !== undefined) {
      if (typeof timeout !== "number") throw new UsageError(`${where}: "timeout" must be a number of seconds, not ${JSON.stringify(timeout)}`);
      usage(() => checkLimit("functionTimeout", timeout, `${where}: "timeout"`));
    }
    if (memory !== undefined) {
      if (typeof memory !== "number") throw new UsageError(`${where}: "memory" must be a number of MB, not ${JSON.stringify(memory)}`);
      usage(() => checkLimit("functionMemory", memory, `${where}: "memory"`));
    }
    out[name] = {
      handler: path.resolve(dir, handler),
      export: exportName,
      runtime: runtime as FunctionConfig["runtime"],
      ...(durable === undefined ? {} : { durable }),
      // A bare command ("python3") is looked up on PATH; a path is relative to the config file.
      ...(typeof python === "string" ? { python: python.includes("/") ? path.resolve(dir, python) : python } : {}),
      ...(timeout === undefined ? {} : { timeout: timeout as number }),
      ...(memory === undefined ? {} : { memory: memory as number }),
      ...(isolated === undefined ? {} : { isolated: isolated as boolean }),
    };
  }
  return { file, functions: out };
}

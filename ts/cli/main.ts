// The durable-node command line. Each command is a thin layer over DurableEngine.

import { mkdirSync } from "node:fs";
import path from "node:path";

import { Command, CommanderError } from "commander";

import { DurableEngine } from "../engine/durable-engine";
import {
  DatabaseOpenError,
  DurableNodeError,
  ExecutionAlreadyStartedError,
  InvalidParameterError,
  MigrationSourceBusyError,
  MigrationTargetNotEmptyError,
  NotADatabaseError,
} from "../engine-errors";
import { registerCallbackCommand } from "./callback-command";
import { registerCheckCommand } from "./check-command";
import { registerConsoleCommand } from "./console-command";
import { registerInspectCommands } from "./inspect-commands";
import { registerMigrateCommand } from "./migrate-command";
import { functionNameFor, loadHandler, registerFunctions } from "./load-handler";
import { DEFAULT_PYTHON_EXPORT, isPythonFile } from "../python/function";
import { runPythonFile } from "../python/run-command";
import { registerPythonCommand } from "../python/setup-command";
import { followExecution, oneLine } from "./printer";
import { driveExecution } from "./run-execution";
import { runOnRuntimes, type RuntimeRunOptions, type RuntimeRunPlan } from "./run-runtime";
import { watchEndedExecutions } from "../runtime-api/ended-watch";
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from "../runtime-api/limits";
import { optionalLimit } from "../limits";
import { createNodePool } from "../runtime-api/node-function";
import { RuntimeInitError } from "../runtime-api/sandbox";
import { DURABLE_HANDLER } from "../with-durable-execution";
import { checkOtelUrl, startTracing } from "../tracing/setup";
import { DB_HELP, DEFAULT_DB, resolveDb } from "./database";
import { UsageError, usage } from "./usage-error";
import { registerWorkerCommands } from "./worker-command";

export { DEFAULT_DB };

/** The handler's promise never settled and nothing was left to settle it. */
class HandlerNeverSettledError extends Error {
  constructor() {
    super("the handler's promise never settled and the event loop emptied: the runtime exited without a result");
    this.name = "Runtime.ExitError";
  }
}

/** Engine errors caused by the arguments given (bad path, name or input, a database migrate
 * refuses) are usage errors. */
const ARGUMENT_ERRORS = [DatabaseOpenError, NotADatabaseError, InvalidParameterError, ExecutionAlreadyStartedError, MigrationSourceBusyError, MigrationTargetNotEmptyError];

interface RunOptions {
  export?: string;
  python?: string;
  timeout?: string;
  memory?: string;
  isolate: boolean;
  input?: string;
  name?: string;
  db?: string;
  skipTime?: boolean;
  json?: boolean;
  otel?: string;
}

function parseInput(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--input is not valid JSON: ${(e as Error).message}`);
  }
}

/** Opens the database (--db, else DURABLE_NODE_DB, else the default file); only the default
 * location has its directory created for it. */
export function openEngine(db: string | undefined, skipTime: boolean, options: { leaseMs?: number; groupCommit?: boolean; synchronousFull?: boolean } = {}): DurableEngine {
  const { location, isUrl, isDefault } = resolveDb(db);
  if (isDefault) mkdirSync(path.dirname(DEFAULT_DB), { recursive: true });
  return DurableEngine.open({ ...(isUrl ? { url: location } : { path: location }), skipTime, ...options });
}

async function run(file: string, options: RunOptions, out: (line: string) => void): Promise<number> {
  const input = parseInput(options.input);
  if (options.otel !== undefined) usage(() => checkOtelUrl(options.otel!));
  if (isPythonFile(file)) return runPythonFile(file, { ...options, input }, out, openEngine);
  if (options.python !== undefined) throw new UsageError(`--python applies to Python handlers (.py files), not ${file}`);
  const timeoutSeconds = optionalLimit("functionTimeout", options.timeout, "--timeout");
  const memoryMb = optionalLimit("functionMemory", options.memory, "--memory");
  if (!options.isolate && (timeoutSeconds !== undefined || memoryMb !== undefined)) {
    throw new UsageError(`--${timeoutSeconds !== undefined ? "timeout" : "memory"} applies to handlers run in a runtime process: drop --no-isolate`);
  }
  const exportName = options.export ?? "handler";
  // Loaded here too, so that a missing or wrong export is a usage error before anything starts.
  const { handler, functions } = await loadHandler(file, exportName);
  const functionName = functionNameFor(file, exportName);
  if (options.isolate) return runIsolated(path.resolve(file), exportName, functionName, functions, { ...options, input, timeoutSeconds, memoryMb }, out);
  const engine = openEngine(options.db, options.skipTime ?? false);
  const stop = followExecution(out);
  const tracing = await startTracing(engine, options.otel);
  // A handler whose promise never settles leaves the event loop empty: as on Lambda, the
  // runtime has exited without a result, and the invocation fails with Runtime.ExitError.
  const emptied = () => engine.abandonPending(new HandlerNeverSettledError());
  process.on("beforeExit", emptied);
  const unwatch = watchEndedExecutions(engine);
  try {
    engine.register(functionName, handler);
    registerFunctions(engine, functions);
    return await driveExecution(engine, functionName, input, options, out);
  } finally {
    unwatch();
    process.removeListener("beforeExit", emptied);
    stop();
    await tracing?.shutdown();
    engine.close();
  }
}

/**
 * The handler (and the file's `functions`) run in runtime processes, one invocation at a time
 * each: the process's stdout is the handler's and goes to stdout as it would in this process.
 */
function runIsolated(
  file: string,
  exportName: string,
  functionName: string,
  functions: Record<string, unknown>,
  options: RuntimeRunOptions & { timeoutSeconds?: number; memoryMb?: number },
  out: (line: string) => void,
): Promise<number> {
  const plan: RuntimeRunPlan = {
    functionName,
    http: false,
    prepare: (engine, runtimes, show) => {
      const add = (name: string, exportPath: string, durable: boolean) =>
        runtimes.add({
          name,
          durable,
          pool: createNodePool(
            { functionName: name, file, exportPath, timeoutSeconds: options.timeoutSeconds, memoryMb: options.memoryMb, size: 1 },
            { engine, endpoint: runtimes.endpoint, onOutput: (line, stream) => show(() => (stream === "stdout" ? out(line) : process.stderr.write(`${line}\n`))) },
          ),
          initError: (e) => `${file} failed to initialise: ${e instanceof RuntimeInitError ? `${e.errorType}: ${e.message}` : ((e as Error)?.message ?? e)}`,
        });
      add(functionName, exportName, true);
      for (const [name, fn] of Object.entries(functions)) add(name, `functions.${name}`, Boolean((fn as unknown as Record<symbol, unknown>)[DURABLE_HANDLER]));
    },
  };
  return runOnRuntimes(plan, options, out, openEngine);
}

export function buildProgram(out: (line: string) => void, setCode: (code: number) => void): Command {
  const program = new Command("durable-node")
    .description("Durable functions for Node.js on an embedded engine")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program
    .command("run")
    .description("start an execution of a handler file and drive it to the end")
    .argument("<handler>", "handler file (.ts, .js, or .py: run by the official Python runtime and SDK)")
    .option("--export <name>", `export that holds the handler (default "handler"; "${DEFAULT_PYTHON_EXPORT}" for .py)`)
    .option("--python <interpreter>", "for .py: a Python with awslambdaric and the durable SDK (default: durable-node's environment, set up on first use)")
    .option("--timeout <seconds>", `the function timeout of each invocation, in seconds (default ${DEFAULT_TIMEOUT_SECONDS})`)
    .option("--memory <MB>", `the function's memory size in MB, a Node runtime's heap limit (default ${DEFAULT_MEMORY_MB})`)
    .option("--no-isolate", "run a .ts/.js handler in this process rather than in a runtime process (no timeout; a crash or process.exit ends the run)")
    .option("--input <json>", "execution input as JSON")
    .option("--name <name>", "execution name (running again with the same name attaches to it)")
    .option("--db <path|url>", DB_HELP)
    .option("--skip-time", "fire waits and other timers at once through the engine's virtual clock")
    .option("--json", "print the execution record as JSON on the last line")
    .option("--otel <url>", "export OpenTelemetry spans to this OTLP/HTTP endpoint (default: OTEL_EXPORTER_OTLP_ENDPOINT, if set)")
    .action(async (file: string, options: RunOptions) => setCode(await run(file, options, out)));
  registerInspectCommands(program, (db) => openEngine(db, false), out);
  registerCallbackCommand(program, (db) => openEngine(db, false), out);
  registerCheckCommand(program, (db) => openEngine(db, false), out, setCode);
  registerPythonCommand(program, out);
  registerMigrateCommand(program, out);
  registerConsoleCommand(program, (db) => openEngine(db, false), out, setCode);
  registerWorkerCommands(program, (db, o) => openEngine(db, o?.skipTime ?? false, { leaseMs: o?.leaseMs, groupCommit: true, synchronousFull: o?.synchronousFull }), out, setCode);
  return program;
}

/**
 * Standard output, one write per event-loop turn: a run prints two lines per step, and a write
 * of its own for each line cost more than the step (pipes and files are written synchronously).
 */
function stdoutLines(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    const text = pending.join("");
    pending = [];
    process.stdout.write(text);
  };
  return (line) => {
    if (pending.length === 0) setImmediate(flush);
    pending.push(line + "\n");
  };
}

/** Runs the command line; resolves with the exit status. */
export async function main(argv: string[], out: (line: string) => void = stdoutLines()): Promise<number> {
  let code = 0;
  const program = buildProgram(out, (c) => (code = c));
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof UsageError || ARGUMENT_ERRORS.some((Class) => e instanceof Class)) {
      process.stderr.write(`error: ${oneLine((e as Error).message)}\n`);
      return 2;
    }
    if (e instanceof DurableNodeError) {
      process.stderr.write(`error: ${oneLine(e.message)}\n`);
      return 1;
    }
    throw e;
  }
}

// The durable-node command line. Each command is a thin layer over DurableEngine.

import { mkdirSync } from "node:fs";
import path from "node:path";

import { Command, CommanderError } from "commander";

import { DurableEngine } from "../engine/durable-engine";
import { DatabaseOpenError, DurableNodeError, ExecutionAlreadyStartedError, InvalidParameterError, NotADatabaseError } from "../engine-errors";
import { registerCallbackCommand } from "./callback-command";
import { registerCheckCommand } from "./check-command";
import { registerInspectCommands } from "./inspect-commands";
import { functionNameFor, loadHandler, registerFunctions } from "./load-handler";
import { DEFAULT_PYTHON_EXPORT, isPythonFile } from "../python/function";
import { runPythonFile } from "../python/run-command";
import { registerPythonCommand } from "../python/setup-command";
import { followExecution, oneLine } from "./printer";
import { driveExecution } from "./run-execution";
import { DB_HELP, DEFAULT_DB, resolveDb } from "./database";
import { UsageError } from "./usage-error";
import { registerWorkerCommands } from "./worker-command";

export { DEFAULT_DB };

/** Engine errors caused by the arguments given (bad path, name or input) are usage errors. */
const ARGUMENT_ERRORS = [DatabaseOpenError, NotADatabaseError, InvalidParameterError, ExecutionAlreadyStartedError];

interface RunOptions {
  export?: string;
  python?: string;
  timeout?: string;
  input?: string;
  name?: string;
  db?: string;
  skipTime?: boolean;
  json?: boolean;
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
  if (isPythonFile(file)) return runPythonFile(file, { ...options, input }, out, openEngine);
  for (const flag of ["python", "timeout"] as const) {
    if (options[flag] !== undefined) throw new UsageError(`--${flag} applies to Python handlers (.py files), not ${file}`);
  }
  const exportName = options.export ?? "handler";
  const { handler, functions } = await loadHandler(file, exportName);
  const functionName = functionNameFor(file, exportName);
  const engine = openEngine(options.db, options.skipTime ?? false);
  const stop = followExecution(out);
  try {
    engine.register(functionName, handler);
    registerFunctions(engine, functions);
    return await driveExecution(engine, functionName, input, options, out);
  } finally {
    stop();
    engine.close();
  }
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
    .option("--timeout <seconds>", "for .py: the function timeout of each invocation (default 900)")
    .option("--input <json>", "execution input as JSON")
    .option("--name <name>", "execution name (running again with the same name attaches to it)")
    .option("--db <path|url>", DB_HELP)
    .option("--skip-time", "fire waits and other timers at once through the engine's virtual clock")
    .option("--json", "print the execution record as JSON on the last line")
    .action(async (file: string, options: RunOptions) => setCode(await run(file, options, out)));
  registerInspectCommands(program, (db) => openEngine(db, false), out);
  registerCallbackCommand(program, (db) => openEngine(db, false), out);
  registerCheckCommand(program, (db) => openEngine(db, false), out, setCode);
  registerPythonCommand(program, out);
  registerWorkerCommands(program, (db, o) => openEngine(db, o?.skipTime ?? false, { leaseMs: o?.leaseMs, groupCommit: true, synchronousFull: o?.synchronousFull }), out, setCode);
  return program;
}

/** Runs the command line; resolves with the exit status. */
export async function main(argv: string[], out: (line: string) => void = (l) => process.stdout.write(l + "\n")): Promise<number> {
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

// The durable-node command line. Each command is a thin layer over DurableEngine.

import { mkdirSync } from "node:fs";
import path from "node:path";

import { Command, CommanderError } from "commander";

import { DurableEngine, InvocationFailedError, type ExecutionRecord } from "../engine/durable-engine";
import { DatabaseOpenError, DurableNodeError, ExecutionAlreadyStartedError, InvalidParameterError, NotADatabaseError } from "../engine-errors";
import { registerCallbackCommand } from "./callback-command";
import { registerCheckCommand } from "./check-command";
import { registerInspectCommands } from "./inspect-commands";
import { functionNameFor, loadHandler, registerFunctions } from "./load-handler";
import { followExecution, oneLine } from "./printer";
import { UsageError } from "./usage-error";
import { registerWorkerCommands } from "./worker-command";

export const DEFAULT_DB = path.join(".durable", "durable.db");

/** Engine errors caused by the arguments given (bad path, name or input) are usage errors. */
const ARGUMENT_ERRORS = [DatabaseOpenError, NotADatabaseError, InvalidParameterError, ExecutionAlreadyStartedError];

interface RunOptions {
  export: string;
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

/** Opens the database; only the default location has its directory created for it. */
export function openEngine(db: string | undefined, skipTime: boolean, options: { leaseMs?: number; groupCommit?: boolean; synchronousFull?: boolean } = {}): DurableEngine {
  if (db === undefined) mkdirSync(path.dirname(DEFAULT_DB), { recursive: true });
  return DurableEngine.open({ path: db ?? DEFAULT_DB, skipTime, ...options });
}

function summary(record: ExecutionRecord): string {
  const outcome = record.Status === "SUCCEEDED" ? (record.Result ?? "(no result)") : record.Error ? `${record.Error.ErrorType ?? "Error"}: ${record.Error.ErrorMessage ?? ""}` : "";
  return `${record.Status} ${outcome}`;
}

async function run(file: string, options: RunOptions, out: (line: string) => void): Promise<number> {
  const input = parseInput(options.input);
  const { handler, functions } = await loadHandler(file, options.export);
  const functionName = functionNameFor(file, options.export);
  const engine = openEngine(options.db, options.skipTime ?? false);
  const stop = followExecution(out);
  try {
    engine.register(functionName, handler);
    registerFunctions(engine, functions);
    const { execution, created } = engine.start(functionName, input, { name: options.name });
    const arn = execution.DurableExecutionArn;
    out(`${created ? "started" : "attached to"} execution ${execution.DurableExecutionName} of ${functionName}`);
    out(`  arn: ${arn}`);
    let record: ExecutionRecord;
    try {
      record = await engine.drive(arn);
    } catch (e) {
      if (!(e instanceof InvocationFailedError)) throw e;
      out(`error: ${oneLine(e.message)}`);
      out(`the execution is still RUNNING; run the same command again (with --name ${execution.DurableExecutionName}) to resume it`);
      if (options.json) out(JSON.stringify(engine.get(arn)));
      return 1;
    }
    out(summary(record));
    if (options.json) out(JSON.stringify(record));
    return record.Status === "SUCCEEDED" ? 0 : 1;
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
    .argument("<handler>", "handler file (.ts or .js)")
    .option("--export <name>", "export that holds the handler", "handler")
    .option("--input <json>", "execution input as JSON")
    .option("--name <name>", "execution name (running again with the same name attaches to it)")
    .option("--db <path>", `SQLite database file (default ${DEFAULT_DB})`)
    .option("--skip-time", "fire waits and other timers at once through the engine's virtual clock")
    .option("--json", "print the execution record as JSON on the last line")
    .action(async (file: string, options: RunOptions) => setCode(await run(file, options, out)));
  registerInspectCommands(program, (db) => openEngine(db, false), out);
  registerCallbackCommand(program, (db) => openEngine(db, false), out);
  registerCheckCommand(program, (db) => openEngine(db, false), out, setCode, DEFAULT_DB);
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

// A Python function: a module file and a function in it, run by the official runtime interface
// client (`awslambdaric module.function`, as Lambda's Python runtime does) in a warm
// pool of processes speaking the Runtime API (ts/runtime-api). The handler is the user's code
// unchanged, decorated with the official SDK's @durable_execution (or a plain function for
// chained invokes); its SDK checkpoints over the HTTP API at AWS_ENDPOINT_URL_LAMBDA.

import { existsSync, statSync } from "node:fs";
import path from "node:path";

import { UsageError } from "../cli/usage-error";
import { runtimeFunctionPool, type RuntimePoolHooks } from "../runtime-api/function-pool";
import { PARENT_ENV } from "../runtime-api/node-channel";
import type { RuntimePool } from "../runtime-api/pool";
import { RuntimeInitError } from "../runtime-api/sandbox";

export const DEFAULT_PYTHON_EXPORT = "lambda_handler";
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * `python -m awslambdaric module.fn`, after asking Linux to SIGKILL the process when the
 * worker dies (PR_SET_PDEATHSIG): a runtime busy in a step must not outlive a killed worker and
 * run on beside the invocation the next worker starts. awslambdaric itself runs unchanged.
 */
const BOOTSTRAP = [
  "import ctypes, os, runpy, sys",
  "try:",
  "    ctypes.CDLL(None, use_errno=True).prctl(1, 9)",
  "except Exception:",
  "    pass",
  `if os.getppid() != int(os.environ.pop("${PARENT_ENV}", os.getppid())):`,
  "    sys.exit(0)",
  'sys.argv = ["awslambdaric", sys.argv[1]]',
  'runpy.run_module("awslambdaric", run_name="__main__", alter_sys=True)',
].join("\n");

export function isPythonFile(file: string): boolean {
  return /\.py$/i.test(file);
}

export interface PythonFunctionSpec {
  functionName: string;
  /** Absolute path of the module file. */
  file: string;
  exportName: string;
  /** Interpreter with awslambdaric and the durable SDK. */
  python: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  /** Most processes at once. */
  size: number;
}

/** The module file must exist and the export be a Python name: UsageErrors naming `where`. */
export function checkPythonHandler(file: string, exportName: string, where: string): void {
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`${where}: module not found: ${file}`);
  const module = path.basename(file).replace(/\.py$/i, "");
  if (!IDENTIFIER.test(module)) throw new UsageError(`${where}: ${path.basename(file)} cannot be imported as a Python module (its name must be a Python identifier, e.g. ${module.replace(/[^A-Za-z0-9_]/g, "_")}.py)`);
  if (!IDENTIFIER.test(exportName)) throw new UsageError(`${where}: export ${JSON.stringify(exportName)} is not a Python function name`);
}

export type PoolHooks = RuntimePoolHooks;

export function createPythonPool(spec: PythonFunctionSpec, hooks: PoolHooks): RuntimePool {
  const module = path.basename(spec.file).replace(/\.py$/i, "");
  return runtimeFunctionPool({ ...spec, handler: `${module}.${spec.exportName}` }, hooks, ({ env, taskRoot }) => {
    env.PYTHONPATH = [taskRoot, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
    env.PYTHONUNBUFFERED = "1";
    env.PYTHONDONTWRITEBYTECODE ??= "1";
    return { command: spec.python, args: ["-c", BOOTSTRAP, `${module}.${spec.exportName}`], cwd: taskRoot, env };
  });
}

/**
 * awslambdaric's text log records end with the message's newline but not after a traceback,
 * and error records join their lines with "\r": one output line may hold several records.
 */
export function pythonOutputLines(line: string): string[] {
  return line.split(/\r|(?=\[(?:DEBUG|INFO|WARNING|ERROR|CRITICAL)\]\t\d{4}-)/).filter((l) => l !== "");
}

/**
 * What a runtime's init error means for the user, in one line: the module or function is
 * missing, or the module fails to import.
 */
export function initErrorMessage(e: unknown, file: string, exportName: string, where: string): string {
  if (!(e instanceof RuntimeInitError)) return `${where}: ${(e as Error)?.message ?? e}`;
  const base = path.basename(file);
  switch (e.errorType) {
    case "Runtime.HandlerNotFound":
      return `${where}: ${base} has no function "${exportName}" (${e.errorType}: ${e.message})`;
    case "Runtime.ImportModuleError":
    case "Runtime.UserCodeSyntaxError":
      return `${where}: cannot import ${base} (${e.errorType}: ${e.message})`;
    default:
      return `${where}: ${base} failed to initialise (${e.errorType}: ${e.message})`;
  }
}

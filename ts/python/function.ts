// A Python function: a module file and a function in it, run by the official runtime interface
// client (`awslambdaric module.function`, as Lambda's Python runtime does) in a warm
// pool of processes speaking the Runtime API (ts/runtime-api). The handler is the user's code
// unchanged, decorated with the official SDK's @durable_execution (or a plain function for
// chained invokes); its SDK checkpoints over the HTTP API at AWS_ENDPOINT_URL_LAMBDA.

import { existsSync, statSync } from "node:fs";
import path from "node:path";

import { UsageError } from "../cli/usage-error";
import { runtimeEnv } from "../runtime-api/function";
import { RuntimePool } from "../runtime-api/pool";
import { RuntimeInitError } from "../runtime-api/sandbox";
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from "../runtime-api/limits";

export const DEFAULT_PYTHON_EXPORT = "lambda_handler";
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

const PARENT_ENV = "DURABLE_NODE_PARENT_PID";
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

export interface PoolHooks {
  /** The durable HTTP API's URL and token, known once it listens. */
  endpoint: () => { url: string; token?: string };
  onOutput?: (line: string, stream: "stdout" | "stderr", pid: number | undefined) => void;
  onLifecycle?: (message: string, fields: Record<string, unknown>) => void;
}

export function createPythonPool(spec: PythonFunctionSpec, hooks: PoolHooks): RuntimePool {
  const taskRoot = path.dirname(spec.file);
  const module = path.basename(spec.file).replace(/\.py$/i, "");
  const handler = `${module}.${spec.exportName}`;
  const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  return new RuntimePool({
    functionName: spec.functionName,
    size: spec.size,
    timeoutMs: timeoutSeconds * 1000,
    onOutput: hooks.onOutput,
    onLifecycle: hooks.onLifecycle,
    runtime: () => {
      const { url, token } = hooks.endpoint();
      const env = runtimeEnv(process.env, {
        functionName: spec.functionName,
        endpoint: url,
        token,
        timeoutSeconds,
        memoryMb: spec.memoryMb ?? DEFAULT_MEMORY_MB,
        taskRoot,
        handler,
      });
      env.PYTHONPATH = [taskRoot, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter);
      env.PYTHONUNBUFFERED = "1";
      env.PYTHONDONTWRITEBYTECODE ??= "1";
      env[PARENT_ENV] = String(process.pid);
      return { command: spec.python, args: ["-c", BOOTSTRAP, handler], cwd: taskRoot, env };
    },
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

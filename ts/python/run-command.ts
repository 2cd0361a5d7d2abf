// `durable-node run handler.py`: the same command as for a .ts file, with the handler run by
// the official Python runtime interface client and SDK in a runtime process; its checkpoints
// reach the embedded engine over an HTTP API on a loopback port of this process. The function
// is started (and must initialise) before the execution is created, so a missing interpreter,
// module or function, or a module that fails to import, is one usage error with nothing written.

import { existsSync } from "node:fs";
import path from "node:path";

import type { DurableEngine } from "../engine/durable-engine";
import { runOnRuntimes, type RuntimeRunOptions, type RuntimeRunPlan } from "../cli/run-runtime";
import { UsageError } from "../cli/usage-error";
import { optionalLimit } from "../limits";
import { checkRuntimeInterpreter, ensurePythonEnv } from "./environment";
import { DEFAULT_PYTHON_EXPORT, checkPythonHandler, createPythonPool, initErrorMessage, pythonOutputLines } from "./function";

export interface PythonRunOptions extends RuntimeRunOptions {
  export?: string;
  python?: string;
  timeout?: string;
  memory?: string;
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
  const memoryMb = optionalLimit("functionMemory", options.memory, "--memory");
  const say = (line: string) => process.stderr.write(`durable-node: ${line}\n`);
  const python = options.python !== undefined ? path.resolve(options.python) : await ensurePythonEnv(say);
  checkRuntimeInterpreter(python, options.python !== undefined ? "--python" : "durable-node's Python environment");
  const functionName = pythonFunctionName(absolute, exportName);

  const plan: RuntimeRunPlan = {
    functionName,
    http: true,
    // The runtime's own output (its logs, print()) goes to stderr: stdout is the run's report.
    prepare: (_engine, functions, show) =>
      functions.add({
        name: functionName,
        durable: true,
        pool: createPythonPool(
          { functionName, file: absolute, exportName, python, timeoutSeconds, memoryMb, size: 1 },
          {
            endpoint: functions.endpoint,
            onOutput: (line) => {
              for (const l of pythonOutputLines(line)) show(() => process.stderr.write(`  │ ${l}\n`));
            },
          },
        ),
        initError: (e) => initErrorMessage(e, absolute, exportName, file),
      }),
  };
  return runOnRuntimes(plan, options, out, open);
}

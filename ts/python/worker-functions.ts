// The worker's Python functions: one warm pool of runtime processes per function named in the
// config with `"runtime": "python"`, sized by the worker's concurrency. Prepared before the
// engine opens (interpreter checks, the managed environment set up if needed), and added to the
// worker's runtime functions (ts/runtime-api/functions.ts), which register and start them.

import type { WorkerConfig } from "../worker/config";
import type { WorkerLog } from "../worker/log";
import type { RuntimeFunctions } from "../runtime-api/functions";
import { checkRuntimeInterpreter, ensurePythonEnv } from "./environment";
import { checkPythonHandler, createPythonPool, initErrorMessage, pythonOutputLines } from "./function";

/** Checks every Python function of the config and adds its pool (no process started yet). */
export async function preparePythonFunctions(config: WorkerConfig, functions: RuntimeFunctions, options: { concurrency: number; log: WorkerLog }): Promise<void> {
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
      { functionName: name, file: fn.handler, exportName: fn.export, python, timeoutSeconds: fn.timeout, memoryMb: fn.memory, size: options.concurrency },
      {
        endpoint: functions.endpoint,
        onOutput: (line, stream, pid) => {
          for (const l of pythonOutputLines(line)) options.log.event(stream === "stderr" ? "warn" : "info", `[${name}] ${l}`, { event: "runtime", functionName: name, pid, stream });
        },
        onLifecycle: (message, fields) => options.log.event("info", message, { event: "runtime", ...fields, python, version }),
      },
    );
    functions.add({
      name,
      durable: fn.durable ?? true,
      pool,
      initError: (e) => initErrorMessage(e, fn.handler, fn.export, `function "${name}" (${fn.handler})`),
    });
  }
}

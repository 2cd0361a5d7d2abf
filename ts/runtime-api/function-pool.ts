// The warm pool of one function whose handler runs in runtime processes, whatever its language:
// the Lambda environment each process gets (runtimeEnv), the function timeout, and the parent
// pid a process checks so that it never runs on after its worker died. What differs by language
// (the command, its extra environment) is the caller's `command`.

import path from "node:path";

import { runtimeEnv } from "./function";
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS } from "./limits";
import { PARENT_ENV } from "./node-channel";
import { RuntimePool } from "./pool";
import type { RuntimeCommand } from "./sandbox";

export interface RuntimeFunctionSpec {
  functionName: string;
  /** Absolute path of the module file; its directory is the task root. */
  file: string;
  /** Lambda's handler setting (`module.export`). */
  handler: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  /** Most processes at once. */
  size: number;
}

export interface RuntimePoolHooks {
  /** The durable HTTP API's URL and token, once it listens ("" when it does not). */
  endpoint: () => { url: string; token?: string };
  onOutput?: (line: string, stream: "stdout" | "stderr", pid: number | undefined) => void;
  onLifecycle?: (message: string, fields: Record<string, unknown>) => void;
}

/** What a language's `command` is given to start one process. */
export interface RuntimeStart {
  env: NodeJS.ProcessEnv;
  url: string;
  taskRoot: string;
  memoryMb: number;
}

export function runtimeFunctionPool(spec: RuntimeFunctionSpec, hooks: RuntimePoolHooks, command: (start: RuntimeStart) => RuntimeCommand): RuntimePool {
  const timeoutSeconds = spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const memoryMb = spec.memoryMb ?? DEFAULT_MEMORY_MB;
  const taskRoot = path.dirname(spec.file);
  return new RuntimePool({
    functionName: spec.functionName,
    size: spec.size,
    timeoutMs: timeoutSeconds * 1000,
    onOutput: hooks.onOutput,
    onLifecycle: hooks.onLifecycle,
    runtime: () => {
      const { url, token } = hooks.endpoint();
      const env = runtimeEnv(process.env, { functionName: spec.functionName, endpoint: url, token, timeoutSeconds, memoryMb, taskRoot, handler: spec.handler });
      env[PARENT_ENV] = String(process.pid);
      return command({ env, url, taskRoot, memoryMb });
    },
  });
}

// A JavaScript/TypeScript function run in runtime processes (node-runtime.ts), as Lambda runs
// it: one invocation per process at a time, a function timeout, a heap limit, and a crash,
// `process.exit`, an uncaught exception or a full heap ending that invocation only. The parent
// side of the IPC channel lives here: durable-node's SDK in the process sends its checkpoints
// and state reads on it, and they go to this process's engine (DurableEngine.dataPlane) — the
// same two calls the HTTP API answers, without HTTP. Handlers of another SDK use the HTTP API.

import path from "node:path";

import type { DurableEngine } from "../engine/durable-engine";
import { runtimeFunctionPool, type RuntimePoolHooks } from "./function-pool";
import { HANDLER_EXPORT_ENV, HANDLER_FILE_ENV, errorInfo, type ChannelAnswer, type ChannelRequest } from "./node-channel";
import { checkpointed } from "./operation-events";
import type { RuntimePool } from "./pool";

const RUNTIME = path.join(__dirname, "node-runtime.js");

export interface NodeFunctionSpec {
  functionName: string;
  /** Absolute path of the module file. */
  file: string;
  /** The export holding the handler (`handler`, or `functions.<name>`). */
  exportPath: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  /** Most processes at once. */
  size: number;
}

export interface NodePoolHooks extends RuntimePoolHooks {
  engine: DurableEngine;
}

/** Answers a runtime process's data-plane call from this process's engine. */
function serveChannel(engine: DurableEngine): (message: unknown, reply: (answer: ChannelAnswer) => void) => void {
  const plane = engine.dataPlane();
  return (message, reply) => {
    const { id, op, params } = message as ChannelRequest;
    const call = op === "checkpoint" ? plane.checkpoint(params as never) : plane.getExecutionState(params as never);
    call.then(
      (value) => {
        if (op === "checkpoint") {
          const p = params as { DurableExecutionArn: string; Updates?: unknown[] };
          // Progress lines: what the process checkpointed (operation-events.ts).
          checkpointed(p.DurableExecutionArn, p.Updates as never, value as never);
        }
        reply({ id, value });
      },
      (e: unknown) => reply({ id, error: errorInfo(e) }),
    );
  };
}

export function createNodePool(spec: NodeFunctionSpec, hooks: NodePoolHooks): RuntimePool {
  const module = path.basename(spec.file).replace(/\.(c|m)?(t|j)sx?$/, "");
  const channel = serveChannel(hooks.engine);
  return runtimeFunctionPool({ ...spec, handler: `${module}.${spec.exportPath}` }, hooks, ({ env, url, memoryMb }) => {
    // Without the HTTP API (run, --no-http) a handler of another SDK has nowhere to go.
    if (!url) delete env.AWS_ENDPOINT_URL_LAMBDA;
    env[HANDLER_FILE_ENV] = spec.file;
    env[HANDLER_EXPORT_ENV] = spec.exportPath;
    return {
      command: process.execPath,
      args: [`--max-old-space-size=${memoryMb}`, RUNTIME],
      cwd: process.cwd(),
      env,
      channel: channel as never,
    };
  });
}

// A function whose handler runs in runtime processes (a RuntimePool) rather than in this
// process, as the engine sees it: a durable handler invoked with the Lambda event (its SDK
// checkpoints over the HTTP API), or a plain function for chained invokes. Everything about
// "Lambda" that is not the Runtime API wire lives here: the invocation headers, the runtime's
// environment, and how an answer becomes an invocation outcome.

import { randomBytes } from "node:crypto";

import type { InvocationControl } from "../engine/durable-engine";
import type { LambdaContext } from "../types";
import { beginInvocation, endInvocation } from "./operation-events";
import type { RuntimePool } from "./pool";
import { LambdaError } from "./sandbox";

/** Where the engine's ARNs say functions live (ts/engine: `arn:aws:lambda:us-east-1:000000000000:…`). */
const ARN_PREFIX = "arn:aws:lambda:us-east-1:000000000000:function:";

export interface RuntimeEnvironment {
  functionName: string;
  /** The durable HTTP API (AWS_ENDPOINT_URL_LAMBDA). */
  endpoint: string;
  /** The HTTP API's token: the runtime's access key id (placeholder credentials otherwise). */
  token?: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** Directory of the handler (LAMBDA_TASK_ROOT). */
  taskRoot: string;
  /** The handler as the runtime names it (`_HANDLER`, e.g. "orders.lambda_handler"). */
  handler: string;
}

/**
 * The environment of a runtime process: this process's own (as a TypeScript handler sees it),
 * without AWS settings that would send the runtime's clients elsewhere, plus what Lambda sets.
 */
export function runtimeEnv(base: NodeJS.ProcessEnv, e: RuntimeEnvironment): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const key of ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]) {
    delete env[key];
  }
  const region = base.AWS_REGION || base.AWS_DEFAULT_REGION || "us-east-1";
  return {
    ...env,
    AWS_ENDPOINT_URL_LAMBDA: e.endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: e.token ?? "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_LAMBDA_FUNCTION_NAME: e.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(e.memoryMb),
    AWS_LAMBDA_FUNCTION_TIMEOUT: String(e.timeoutSeconds),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${e.functionName}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `durable-node/${e.functionName}`,
    LAMBDA_TASK_ROOT: e.taskRoot,
    _HANDLER: e.handler,
  };
}

/** An X-Ray trace header as Lambda passes it (`Lambda-Runtime-Trace-Id`). */
function traceId(): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, "0");
  return `Root=1-${seconds}-${randomBytes(12).toString("hex")};Parent=${randomBytes(8).toString("hex")};Sampled=0`;
}

function invocationOf(functionName: string, event: unknown, context: LambdaContext | undefined) {
  return {
    requestId: context?.awsRequestId || randomBytes(16).toString("hex"),
    event: JSON.stringify(event ?? {}),
    functionArn: `${ARN_PREFIX}${functionName}:$LATEST`,
    traceId: traceId(),
  };
}

const STATUSES = new Set(["SUCCEEDED", "FAILED", "PENDING"]);

/**
 * The durable handler the engine invokes (registered with `plainInput`): the Lambda event goes
 * to a warm runtime process; its response is the invocation's output. A reported error, a
 * crash (`Runtime.ExitError`) or a timeout (`Sandbox.Timedout`) is thrown, named by its Lambda
 * error type, so the engine ends the invocation with it and invokes again.
 */
export function durableRuntimeHandler(pool: RuntimePool) {
  const functionName = pool.options.functionName;
  return async (event: { DurableExecutionArn: string; InitialExecutionState?: { Operations?: unknown[] } }, context?: LambdaContext, control?: InvocationControl) => {
    const arn = event.DurableExecutionArn;
    beginInvocation(arn, (event.InitialExecutionState?.Operations ?? []) as never);
    try {
      const outcome = await pool.invoke(invocationOf(functionName, event, context), control?.signal);
      if (outcome.kind === "error") throw new LambdaError(outcome.report.errorType, outcome.report.errorMessage, outcome.report.stackTrace);
      let output: { Status?: unknown };
      try {
        output = JSON.parse(outcome.body.toString("utf8")) as { Status?: unknown };
      } catch {
        output = {};
      }
      if (!output || typeof output !== "object" || !STATUSES.has(output.Status as string)) {
        const shown = outcome.body.toString("utf8").slice(0, 200);
        throw new LambdaError("Runtime.InvalidResponse", `${functionName} answered ${shown || "nothing"}, not a durable invocation output ({"Status": "SUCCEEDED" | "FAILED" | "PENDING", …}): is its handler decorated with the durable SDK's @durable_execution?`);
      }
      return output as never;
    } finally {
      endInvocation(arn);
    }
  };
}

/** A plain function (a chained-invoke target that is not durable): the event is its input, the response its result. */
export function plainRuntimeHandler(pool: RuntimePool) {
  const functionName = pool.options.functionName;
  return async (event: unknown, context?: LambdaContext, control?: InvocationControl): Promise<unknown> => {
    const outcome = await pool.invoke(invocationOf(functionName, event, context), control?.signal);
    if (outcome.kind === "error") throw new LambdaError(outcome.report.errorType, outcome.report.errorMessage, outcome.report.stackTrace);
    const text = outcome.body.toString("utf8");
    if (text === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  };
}

// What `durable-node run` does once the handler is registered, whatever its language: start (or
// attach to) the execution, drive it to its end with progress lines, print the outcome, and
// answer the exit status (0 SUCCEEDED, 1 otherwise). An invocation that fails (its handler
// threw, its runtime crashed or timed out) is invoked again as the engine decides — after its
// backoff, on the engine's clock — until the execution ends (FAILED after the engine's limit).

import { InvocationFailedError, type DurableEngine, type ExecutionRecord } from "../engine/durable-engine";
import { oneLine } from "./printer";

export interface RunOutputOptions {
  name?: string;
  json?: boolean;
}

function summary(record: ExecutionRecord): string {
  const outcome = record.Status === "SUCCEEDED" ? (record.Result ?? "(no result)") : record.Error ? `${record.Error.ErrorType ?? "Error"}: ${record.Error.ErrorMessage ?? ""}` : "";
  return `${record.Status} ${outcome}`;
}

export async function driveExecution(engine: DurableEngine, functionName: string, input: unknown, options: RunOutputOptions, out: (line: string) => void): Promise<number> {
  const { execution, created } = engine.start(functionName, input, { name: options.name });
  const arn = execution.DurableExecutionArn;
  out(`${created ? "started" : "attached to"} execution ${execution.DurableExecutionName} of ${functionName}`);
  out(`  arn: ${arn}`);
  let record: ExecutionRecord | undefined;
  while (!record) {
    try {
      record = await engine.drive(arn);
    } catch (e) {
      // The failure was printed as it happened (printer.ts); the engine decides what follows.
      if (!(e instanceof InvocationFailedError)) throw e;
      out(`  the engine invokes it again after its retry delay`);
    }
  }
  out(oneLine(summary(record)));
  if (options.json) out(JSON.stringify(record));
  return record.Status === "SUCCEEDED" ? 0 : 1;
}

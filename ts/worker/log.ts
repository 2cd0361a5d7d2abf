// The worker's log: one line per operation, invocation and worker event — readable text by
// default, one JSON object per line with --json. Operation and invocation lines come from the
// diagnostics channels the SDK layer and DurableEngine publish on.

import diagnostics_channel from "node:diagnostics_channel";

import { oneLine, describeOperation } from "../cli/printer";
import { INVOCATION_CHANNEL, type InvocationEvent } from "../engine/durable-engine";
import { onOperation, type OperationEvent } from "../observe";

export type Level = "info" | "warn" | "error";

export interface WorkerLog {
  /** A worker-level event: `message` is the readable line, `fields` the structured data. */
  event(level: Level, message: string, fields?: Record<string, unknown>): void;
  /** Starts printing operation and invocation lines; returns the function that stops it. */
  follow(): () => void;
}

/** `…/durable-execution/<name>/<id>` → `<function>/<name>`. */
export function executionLabel(arn: string): string {
  const fn = /:function:([^:/]+)/.exec(arn)?.[1] ?? "?";
  const name = /\/durable-execution\/([^/]+)\//.exec(arn)?.[1] ?? arn;
  return `${fn}/${name}`;
}

function invocationLine(e: InvocationEvent): string {
  switch (e.phase) {
    case "started": {
      const why = e.number === 1 ? "" : e.updatedOperationIds?.length ? ` (${e.updatedOperationIds.length} operation(s) changed)` : " (resumed)";
      return `invocation ${e.number} started${why}`;
    }
    case "completed":
      return e.status === "PENDING" ? `invocation ${e.number} suspended (PENDING)` : `invocation ${e.number} ended: execution ${e.status}`;
    case "failed":
      return `invocation ${e.number} failed: ${oneLine(String(e.error))}`;
  }
}

export function createLog(json: boolean, write: (line: string) => void): WorkerLog {
  const emit = (level: Level, message: string, fields: Record<string, unknown>) => {
    if (json) write(JSON.stringify({ time: new Date().toISOString(), level, msg: oneLine(message), ...fields }));
    else write(`${new Date().toISOString()} ${level === "info" ? "" : `${level.toUpperCase()} `}${oneLine(message)}`);
  };
  return {
    event: (level, message, fields = {}) => emit(level, message, { event: "worker", ...fields }),
    follow() {
      const stopOps = onOperation((e: OperationEvent) => {
        const line = describeOperation(e).trim();
        emit(e.phase === "failed" ? "warn" : "info", `[${executionLabel(e.executionArn)}] ${line}`, {
          event: "operation",
          executionArn: e.executionArn,
          stepId: e.stepId,
          id: e.id,
          type: e.type,
          subType: e.subType,
          name: e.name,
          phase: e.phase,
          detail: e.detail,
        });
      });
      const onInvocation = (message: unknown) => {
        const e = message as InvocationEvent;
        // A plain function's one invocation is its execution's whole story: no progress lines.
        if (e.plain) return;
        emit(e.phase === "failed" ? "warn" : "info", `[${executionLabel(e.executionArn)}] ${invocationLine(e)}`, {
          event: "invocation",
          executionArn: e.executionArn,
          functionName: e.functionName,
          invocation: e.number,
          phase: e.phase,
          status: e.status,
          error: e.error,
        });
      };
      diagnostics_channel.subscribe(INVOCATION_CHANNEL, onInvocation);
      return () => {
        stopOps();
        diagnostics_channel.unsubscribe(INVOCATION_CHANNEL, onInvocation);
      };
    },
  };
}

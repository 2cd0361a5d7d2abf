// Live, human-readable output of an execution: one line per invocation and per operation event,
// from the diagnostics channels the engine driver and the SDK publish on.

import diagnostics_channel from "node:diagnostics_channel";

import { INVOCATION_CHANNEL, type InvocationEvent } from "../engine/durable-engine";
import { onOperation, type OperationEvent } from "../observe";

const MARKS: Record<string, string> = {
  started: "▶",
  succeeded: "✔",
  failed: "✖",
  replayed: "↺",
  retrying: "⟳",
  waiting: "⏸",
  resumed: "▶",
};

/** Error messages may span lines (JSON.stringify's cycle report does); the CLI prints one. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ");
}

function label(e: OperationEvent): string {
  const what = e.name ? `${e.type.toLowerCase()} "${e.name}"` : `${e.type.toLowerCase()} #${e.stepId}`;
  return what.padEnd(30);
}

export function describeOperation(e: OperationEvent): string {
  return `  ${MARKS[e.phase] ?? "·"} ${label(e)} ${e.phase}${e.detail ? ` — ${e.detail}` : ""}`;
}

export function describeInvocation(e: InvocationEvent): string {
  switch (e.phase) {
    case "started": {
      const why = e.number === 1 ? "" : e.updatedOperationIds?.length ? ` (resumed: ${e.updatedOperationIds.length} operation(s) changed)` : " (resumed)";
      return `invocation ${e.number} started${why}`;
    }
    case "completed":
      return e.status === "PENDING"
        ? `invocation ${e.number} suspended (PENDING): nothing held in memory; the engine invokes again when a timer or callback is due`
        : `invocation ${e.number} ended: ${e.status}`;
    case "failed":
      return `invocation ${e.number} failed: ${oneLine(String(e.error))}`;
  }
}

/** Prints progress lines with `write` until the returned function is called. */
export function followExecution(write: (line: string) => void): () => void {
  const stopOps = onOperation((e) => write(describeOperation(e)));
  const onInvocation = (message: unknown) => write(describeInvocation(message as InvocationEvent));
  diagnostics_channel.subscribe(INVOCATION_CHANNEL, onInvocation);
  return () => {
    stopOps();
    diagnostics_channel.unsubscribe(INVOCATION_CHANNEL, onInvocation);
  };
}

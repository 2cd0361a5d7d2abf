// The timestamp format of the Lambda invocation event (the input a durable handler gets when it
// runs as Lambda runs it): every `…Timestamp` field of the operations in
// `InitialExecutionState` is a number of epoch milliseconds, as the service sends them
// (the official Python SDK 3.0.0 reads nothing else; the official JS SDK takes any form).
// The engine keeps ISO-8601 strings; `lambdaInvocationEvent` writes the event, and
// `operationsWithDates` is how our SDK reads one (numbers, strings or Dates).

import type { DurableExecutionInvocationInput, WireOperation } from "./types";

/** `value` as JSON data with every `…Timestamp` field holding a date string turned into epoch ms. */
function toEpochMillis(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toEpochMillis);
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (k.endsWith("Timestamp") && (typeof v === "string" || v instanceof Date)) {
      const ms = v instanceof Date ? v.getTime() : Date.parse(v);
      out[k] = Number.isNaN(ms) ? v : ms;
    } else out[k] = toEpochMillis(v);
  }
  return out;
}

/**
 * The event Lambda delivers for an invocation: plain JSON (no client, no prototype), operation
 * timestamps in epoch milliseconds, and no UpdatedOperationIds on the first invocation.
 */
export function lambdaInvocationEvent(input: DurableExecutionInvocationInput, first: boolean): DurableExecutionInvocationInput {
  const event: Record<string, unknown> = {
    DurableExecutionArn: input.DurableExecutionArn,
    CheckpointToken: input.CheckpointToken,
    InitialExecutionState: toEpochMillis(input.InitialExecutionState),
  };
  if (!first && input.UpdatedOperationIds !== undefined) event.UpdatedOperationIds = [...input.UpdatedOperationIds];
  return JSON.parse(JSON.stringify(event)) as DurableExecutionInvocationInput;
}

/** Operation timestamps given as epoch-millisecond numbers become Dates (strings and Dates are kept). */
export function operationsWithDates(operations: WireOperation[]): WireOperation[] {
  return operations.map((op) => withDates(op) as WireOperation);
}

function withDates(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withDates);
  if (!value || typeof value !== "object" || value instanceof Date) return value;
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const next = k.endsWith("Timestamp") && typeof v === "number" ? new Date(v) : withDates(v);
    if (next !== v) changed = true;
    out[k] = next;
  }
  return changed ? out : value;
}

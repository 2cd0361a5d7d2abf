// Driving executions that wait on callbacks: start without awaiting, find the callback ids the
// engine assigned, complete them from the test.

import type { DurableEngine } from "../../ts/index";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface OperationLike {
  Type: string;
  Name?: string;
  Status: string;
  ParentId?: string;
  CallbackDetails?: { CallbackId?: string };
}

/**
 * Resolves with the id of the first CALLBACK of `arn` matching `which` that has a CallbackId
 * and is still open, polling the engine (the execution runs meanwhile).
 */
export async function callbackId(engine: DurableEngine, arn: string, which: (op: OperationLike) => boolean = () => true, timeoutMs = 10_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const op = (engine.operations(arn) as OperationLike[]).find((o) => o.Type === "CALLBACK" && o.Status === "STARTED" && o.CallbackDetails?.CallbackId && which(o));
    if (op) return op.CallbackDetails!.CallbackId!;
    await sleep(2);
  }
  throw new Error(`no open callback appeared in ${arn} within ${timeoutMs} ms: ${JSON.stringify(engine.operations(arn))}`);
}

/**
 * Resolves once `count` invocations of `arn` have ended. Tests complete callbacks only while
 * the execution is suspended: a completion that lands in the last 20 ms before a PENDING
 * answer makes the engine fail the execution (see the engine bug noted in callback.spec.ts).
 */
export async function suspended(engine: DurableEngine, arn: string, count: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (engine.history(arn).filter((e) => e.EventType === "InvocationCompleted").length >= count) return;
    await sleep(2);
  }
  throw new Error(`${arn} did not end ${count} invocation(s) within ${timeoutMs} ms: ${JSON.stringify(eventTypesOf(engine, arn))}`);
}

function eventTypesOf(engine: DurableEngine, arn: string): string[] {
  return engine.history(arn).map((e) => String(e.EventType));
}

/** Starts `fn` with `input` and returns its ARN and the promise of its end. */
export function startRun(engine: DurableEngine, fn: string, input?: unknown, name?: string) {
  const { execution } = engine.start(fn, input, { name });
  const arn = execution.DurableExecutionArn;
  return { arn, done: engine.drive(arn) };
}

/** Event types of an execution's history, in order. */
export function eventTypes(engine: DurableEngine, arn: string): string[] {
  return engine.history(arn).map((e) => String(e.EventType));
}

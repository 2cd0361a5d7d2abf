// Looking at what an execution recorded: hashed operation ids, operation records and history
// events as plain data, and an engine on a fresh SQLite file per test with time skipped.

import { createHash } from "node:crypto";
import path from "node:path";

import { afterEach } from "vitest";

import { DurableEngine } from "../../ts/index";
import { tempDirs } from "./temp";

/** Wire id of a step id: the first 16 hex digits of its MD5 (API.md §4.2). */
export const hashId = (stepId: string): string => createHash("md5").update(stepId).digest("hex").slice(0, 16);

export type Op = Record<string, any>;
export type HistoryEvent = Record<string, any>;

/** Operation records of an execution, without the EXECUTION record, in start order. */
export function opsOf(engine: DurableEngine, arn: string): Op[] {
  return (engine.operations(arn) as Op[]).filter((o) => o.Type !== "EXECUTION");
}

/** The record of the operation at a step id. */
export function opAt(engine: DurableEngine, arn: string, stepId: string): Op | undefined {
  return opsOf(engine, arn).find((o) => o.Id === hashId(stepId));
}

export function eventsOf(engine: DurableEngine, arn: string): HistoryEvent[] {
  return engine.history(arn) as HistoryEvent[];
}

/** How many invocations of the execution ended (one InvocationCompleted event each). */
export function invocationsOf(engine: DurableEngine, arn: string): number {
  return eventsOf(engine, arn).filter((e) => e.EventType === "InvocationCompleted").length;
}

/**
 * Call at the top of a spec file: `engine()` opens a time-skipping engine on a fresh SQLite
 * file; every engine opened is closed after its test.
 */
export function engines(prefix: string): () => DurableEngine {
  const tempDir = tempDirs(prefix);
  const open: DurableEngine[] = [];
  afterEach(() => {
    for (const e of open.splice(0)) e.close();
  });
  return () => {
    const engine = DurableEngine.open({ path: path.join(tempDir(), "engine.db"), skipTime: true });
    open.push(engine);
    return engine;
  };
}

// Context-misuse detection (API.md §4.5): which context's code is running right now, tracked
// through AsyncLocalStorage, so that an operation called on a parent or sibling context (or from
// inside a step body) ends the execution instead of silently producing ids that depend on
// scheduling.

import { AsyncLocalStorage } from "node:async_hooks";

import type { Invocation } from "./invocation";

/** How messages name the root context, whose step-id prefix is empty. */
export const ROOT_CONTEXT_ID = "root";

interface Active {
  /** Stores leak across executions (e.g. an engine driven from inside a step), so they are scoped. */
  invocation: Invocation;
  /** Step-id prefix of the running child context, or the step id of the running step body. */
  contextId: string;
}

const storage = new AsyncLocalStorage<Active>();

/** Runs a child context's body (or a step body) as the active context of `invocation`. */
export function runAsActive<T>(invocation: Invocation, contextId: string, fn: () => T): T {
  return storage.run({ invocation, contextId }, fn);
}

/** The id of the context whose code is running in `invocation` ("root" outside any child). */
export function activeContextId(invocation: Invocation): string {
  const active = storage.getStore();
  return active && active.invocation === invocation ? active.contextId : ROOT_CONTEXT_ID;
}

/** The error that ends the execution when `method` is called on a context that is not active. */
export function contextUsageError(invocation: Invocation, method: string, prefix: string): Error | undefined {
  const expected = activeContextId(invocation);
  const got = prefix === "" ? ROOT_CONTEXT_ID : prefix;
  if (expected === got) return undefined;
  // The message names the context's own prefix, which the root does not have: the SDK prints
  // it as "undefined" (so does the service, running that SDK).
  return new Error(
    `Context usage error in "${method}": You are using a parent or sibling context instead of the current child context. ` +
      `Expected context ID: "${expected}", but got: "${prefix === "" ? "undefined" : prefix}". ` +
      `When inside runInChildContext(), you must use the child context parameter, not the parent context.`,
  );
}

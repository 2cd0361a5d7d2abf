// context.promise.all / allSettled / any / race (API.md §6.10): lazy combinators over durable
// promises created earlier. When awaited, each allocates one id and records the combined
// outcome in a child context, so a replay gets it back without waiting on the inputs again.

import type { DurableContextImpl } from "../context";
import { DurablePromise } from "../durable-promise";
import { PromiseCombinatorError } from "../errors";
import type { Serdes } from "../serdes";
import { runChild } from "./child-context";

export type CombinatorMethod = "all" | "allSettled" | "any" | "race";

export interface PromiseCombinators {
  all<TOutput>(name: string | undefined, promises: DurablePromise<TOutput>[]): DurablePromise<TOutput[]>;
  all<TOutput>(promises: DurablePromise<TOutput>[]): DurablePromise<TOutput[]>;
  allSettled<TOutput>(name: string | undefined, promises: DurablePromise<TOutput>[]): DurablePromise<PromiseSettledResult<TOutput>[]>;
  allSettled<TOutput>(promises: DurablePromise<TOutput>[]): DurablePromise<PromiseSettledResult<TOutput>[]>;
  any<TOutput>(name: string | undefined, promises: DurablePromise<TOutput>[]): DurablePromise<TOutput>;
  any<TOutput>(promises: DurablePromise<TOutput>[]): DurablePromise<TOutput>;
  race<TOutput>(name: string | undefined, promises: DurablePromise<TOutput>[]): DurablePromise<TOutput>;
  race<TOutput>(promises: DurablePromise<TOutput>[]): DurablePromise<TOutput>;
}

const COMBINE: Record<CombinatorMethod, (promises: Iterable<unknown>) => Promise<unknown>> = {
  all: (p) => Promise.all(p),
  allSettled: (p) => Promise.allSettled(p),
  any: (p) => Promise.any(p),
  race: (p) => Promise.race(p),
};

interface RecordedReason {
  message?: string;
  name?: string;
  stack?: string;
}

/** Rejection reasons are recorded as { message, name, stack } and come back as Errors. */
const settledSerdes: Serdes<any> = {
  serialize: async (results) => {
    if (results === undefined) return undefined;
    return JSON.stringify(
      (results as Array<PromiseSettledResult<unknown>>).map((r) => {
        if (r.status === "fulfilled") return r;
        const reason = r.reason as RecordedReason | undefined;
        const recorded: RecordedReason =
          reason && typeof reason === "object"
            ? { message: reason.message, name: reason.name, stack: reason.stack }
            : { message: String(reason), name: "Error" };
        return { status: "rejected", reason: recorded };
      }),
    );
  },
  deserialize: async (data) => {
    if (data === undefined) return undefined;
    return (JSON.parse(data) as Array<PromiseSettledResult<unknown>>).map((r) => {
      if (r.status === "fulfilled") return r;
      const recorded = (r.reason ?? {}) as RecordedReason;
      const error = new Error(recorded.message);
      if (recorded.name !== undefined) error.name = recorded.name;
      if (recorded.stack !== undefined) error.stack = recorded.stack;
      return { status: "rejected" as const, reason: error };
    });
  },
};

/** The combinator's DurablePromise; nothing happens (not even id allocation) until awaited. */
export function combinator(ctx: DurableContextImpl, method: CombinatorMethod, args: unknown[]): DurablePromise<any> {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const [name, promises] = named ? args : [undefined, args[0]];
  return new DurablePromise(() =>
    runChild(ctx, {
      stepId: ctx.nextStepId(),
      name: name as string | undefined,
      fn: () => COMBINE[method](promises as Iterable<unknown>),
      config: {
        serdes: method === "allSettled" ? settledSerdes : undefined,
        errorMapper: (e) => new PromiseCombinatorError(e.message, e),
      },
    }),
  );
}

// Hook dispatch over the configured plugins (API.md §13.2): `on*` hooks run on every plugin
// concurrently and are awaited with their failures swallowed; `wrap*` hooks compose as
// middleware (first plugin outermost) that never hides the user function's error nor runs it
// twice; `enrichLogContext` results are merged.

import type { DurableInstrumentationPlugin } from "./types";

type Hooks = Required<DurableInstrumentationPlugin>;
export type OnHook = {
  [K in keyof Hooks]: K extends `on${string}` ? K : never;
}[keyof Hooks];
export type WrapHook = "wrapInvocation" | "wrapChildContextFn" | "wrapOperationAttemptFn";

type Settled = { threw: false; value: unknown } | { threw: true; error: unknown };

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return !!v && (typeof v === "object" || typeof v === "function") && typeof (v as PromiseLike<unknown>).then === "function";
}

/**
 * The first call runs `f`; every later call returns the same value (or throws the same error).
 * `failure()` tells whether `f` threw or its promise rejected (once that has happened); watching
 * the promise also keeps a wrapper that drops it from causing an unhandled rejection.
 */
function once(f: () => unknown): { call: () => unknown; failure: () => { error: unknown } | undefined } {
  let settled: Settled | undefined;
  let failure: { error: unknown } | undefined;
  return {
    call: () => {
      if (!settled) {
        try {
          const value = f();
          if (isThenable(value)) {
            value.then(undefined, (error: unknown) => {
              failure = { error };
            });
          }
          settled = { threw: false, value };
        } catch (error) {
          settled = { threw: true, error };
          failure = { error };
        }
      }
      if (settled.threw) throw settled.error;
      return settled.value;
    },
    failure: () => failure,
  };
}

export class PluginRunner {
  constructor(readonly plugins: readonly DurableInstrumentationPlugin[]) {}

  get isEmpty(): boolean {
    return this.plugins.length === 0;
  }

  /** Whether any plugin implements `hook`. */
  has(hook: keyof DurableInstrumentationPlugin): boolean {
    return this.plugins.some((plugin) => typeof plugin[hook] === "function");
  }

  /** Calls `hook` on every plugin that has it and waits for all of them; errors are ignored. */
  async dispatch<H extends OnHook>(hook: H, info: Parameters<Hooks[H]>[0]): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const plugin of this.plugins) {
      const fn = plugin[hook] as ((info: unknown) => unknown) | undefined;
      if (typeof fn !== "function") continue;
      pending.push(
        (async () => {
          await fn.call(plugin, info);
        })(),
      );
    }
    if (pending.length > 0) await Promise.allSettled(pending);
  }

  /**
   * Runs `fn` inside every plugin's `hook`, first plugin outermost. The chain's value is the
   * result (a wrapper may replace it, as middleware does), but an error of the user function
   * always wins, whatever a wrapper did with it. A wrapper that throws synchronously is skipped,
   * and `fn` runs at most once: calling it again returns the first call's result.
   */
  async wrap<T>(hook: WrapHook, info: unknown, fn: () => T | Promise<T>): Promise<T> {
    const user = once(fn);
    let next: () => unknown = user.call;
    for (let i = this.plugins.length - 1; i >= 0; i--) {
      const plugin = this.plugins[i];
      const wrapper = plugin[hook] as ((info: unknown, fn: () => unknown) => unknown) | undefined;
      if (typeof wrapper !== "function") continue;
      const inner = next;
      next = once(() => {
        try {
          return wrapper.call(plugin, info, inner);
        } catch {
          return inner();
        }
      }).call;
    }
    let result: unknown;
    let chainFailure: { error: unknown } | undefined;
    try {
      result = await next();
    } catch (error) {
      chainFailure = { error };
    }
    const userFailure = user.failure();
    if (userFailure) throw userFailure.error;
    if (chainFailure) throw chainFailure.error;
    return result as T;
  }

  /** The fields every plugin adds to default-logger records; a throwing plugin adds nothing. */
  enrichLogContext(): Record<string, string | number | boolean> | undefined {
    let fields: Record<string, string | number | boolean> | undefined;
    for (const plugin of this.plugins) {
      if (typeof plugin.enrichLogContext !== "function") continue;
      try {
        const extra = plugin.enrichLogContext();
        if (extra && typeof extra === "object") fields = Object.assign(fields ?? {}, extra);
      } catch {
        // Plugin errors never affect logging.
      }
    }
    return fields;
  }
}

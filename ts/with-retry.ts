// withRetry (API.md §8.6): retries a block of durable logic, not a single step. Each failed
// attempt asks the strategy; a retry is a durable wait ("<name>-backoff-<attempt>" when named),
// so the invocation suspends between attempts and a replay walks the same attempts again from
// their records. By default the loop runs in a child context of its own.

import type { DurableContext } from "./context";
import type { ChildConfig } from "./operations/child-context";
import type { RetryDecision } from "./retry";

export type RetryableFunc<T> = (context: DurableContext, attempt: number) => Promise<T>;

export interface WithRetryConfig<T> {
  retryStrategy: (error: Error, attemptCount: number) => RetryDecision;
  /** Run the attempts inside `runInChildContext` (default true). */
  wrapWithRunInChildContext?: boolean;
  childContextConfig?: ChildConfig<T>;
}

export function withRetry<T>(context: DurableContext, name: string, func: RetryableFunc<T>, config: WithRetryConfig<T>): Promise<T>;
export function withRetry<T>(context: DurableContext, func: RetryableFunc<T>, config: WithRetryConfig<T>): Promise<T>;
export async function withRetry<T>(
  context: DurableContext,
  nameOrFunc: string | RetryableFunc<T>,
  funcOrConfig?: RetryableFunc<T> | WithRetryConfig<T>,
  maybeConfig?: WithRetryConfig<T>,
): Promise<T> {
  const name = typeof nameOrFunc === "string" ? nameOrFunc : undefined;
  const func = (name === undefined ? nameOrFunc : funcOrConfig) as RetryableFunc<T>;
  const config = (name === undefined ? funcOrConfig : maybeConfig) as WithRetryConfig<T> | undefined;
  if (!config) throw new TypeError("withRetry: config is required");
  const { retryStrategy, wrapWithRunInChildContext = true, childContextConfig } = config;

  const attempts = async (ctx: DurableContext): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await func(ctx, attempt);
      } catch (error) {
        const decision = retryStrategy(error as Error, attempt);
        if (!decision.shouldRetry) throw error;
        const delay = decision.delay ?? { seconds: 1 };
        await (name === undefined ? ctx.wait(delay) : ctx.wait(`${name}-backoff-${attempt}`, delay));
      }
    }
  };

  if (!wrapWithRunInChildContext) return attempts(context);
  return name === undefined ? context.runInChildContext(attempts, childContextConfig) : context.runInChildContext(name, attempts, childContextConfig);
}

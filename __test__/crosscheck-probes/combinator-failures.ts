// Promise combinators when operations fail: all, any, race.
import { retryPresets, withDurableExecution } from "@aws/durable-execution-sdk-js";

function describe(e: unknown) {
  const err = e as Error & { errors?: unknown[]; cause?: unknown };
  return {
    name: err?.name,
    message: err?.message,
    constructor: err?.constructor?.name,
    errors: Array.isArray(err?.errors) ? err.errors.map((x) => (x as Error)?.message) : undefined,
    cause: (err?.cause as Error)?.message,
  };
}

export const handler = withDurableExecution(async (_event: unknown, context) => {
  const fail = (name: string) => context.step(name, async () => {
    throw new Error(`${name} failed`);
  }, { retryStrategy: retryPresets.noRetry });
  const out: Record<string, unknown> = {};
  try {
    await context.promise.all("all", [context.step(async () => 1), fail("x")]);
  } catch (e) {
    out.all = describe(e);
  }
  try {
    await context.promise.any("any", [fail("y"), fail("z")]);
  } catch (e) {
    out.any = describe(e);
  }
  try {
    await context.promise.race([fail("r"), context.wait({ seconds: 5 })]);
  } catch (e) {
    out.race = describe(e);
  }
  out.anyOk = await context.promise.any([fail("w"), context.step(async () => "ok")]);
  return out;
});

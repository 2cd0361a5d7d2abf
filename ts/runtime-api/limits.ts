// A function's limits as Lambda sets them, for every runtime process (Node or Python): the
// function timeout of one invocation and the memory size. The one place their defaults and
// ranges are decided; bad values are refused naming the field, the value and the range.

/** Lambda's function timeout range (seconds): at most 15 minutes per invocation. */
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 900;
/**
 * The default function timeout (seconds): Lambda's maximum, the bound the spec gives an
 * invocation (API.md §15) and what the official testing runner hands every invocation
 * (`getRemainingTimeInMillis()` = 900 000). Lambda's 3-second default for plain functions
 * would cut most durable invocations (steps until they suspend) short.
 */
export const DEFAULT_TIMEOUT_SECONDS = 900;
/** Lambda's memory range (MB); for a Node process it is also the V8 heap limit. */
export const MIN_MEMORY_MB = 128;
export const MAX_MEMORY_MB = 10_240;
export const DEFAULT_MEMORY_MB = 1024;

/** A whole number within [min, max], or a RangeError naming the field, the value (as given: `shown`) and the range. */
export function checkLimit(value: unknown, field: string, min: number, max: number, unit: string, shown: unknown = value): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${field} must be a whole number of ${unit} from ${min} to ${max}, not ${JSON.stringify(shown)}`);
  }
  return value;
}

export const checkTimeout = (value: unknown, field: string, shown?: unknown) => checkLimit(value, field, MIN_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS, "seconds", shown ?? value);
export const checkMemory = (value: unknown, field: string, shown?: unknown) => checkLimit(value, field, MIN_MEMORY_MB, MAX_MEMORY_MB, "MB", shown ?? value);

/** A command-line value (text) as a limit, e.g. `--timeout 30`; the message quotes the text given. */
export function parseLimitFlag(text: string | undefined, flag: string, check: typeof checkTimeout): number | undefined {
  if (text === undefined) return undefined;
  return check(/^\d+$/.test(text) ? Number(text) : NaN, flag, text);
}

// Every timeout and limit a user gives — a command-line flag, a config-file field, an option —
// is checked here against the engine's one table of ranges (crates/engine/src/limits.rs), so a
// range is written once and every refusal names the field, the value and the range alike:
//
//   invalid --timeout 0: must be a whole number from 1 to 900 seconds
//
// A flag's text is checked as text ("1.5", "10s" and "" are refused, not rounded); a number from
// a config file or an API must be a whole number. Refusals are InvalidParameterError (the CLI
// reports them in one line with exit status 2).

import { call, native } from "./native";

/** The names of the engine's limits (limits.rs `LIMITS`). */
export type LimitName =
  | "leaseMs"
  | "pollMs"
  | "pageSize"
  | "invocationRetryDelayMs"
  | "maxFailedInvocations"
  | "callbackQuietMs"
  | "storageRetryMs"
  | "manualClockMs"
  | "executionTimeout"
  | "retentionPeriodInDays"
  | "functionTimeout"
  | "functionMemory"
  | "concurrency"
  | "shutdownTimeoutMs"
  | "port";

/**
 * `value` (a flag's text, or a number) if it is within limit `name`'s range; otherwise throws
 * InvalidParameterError naming `shownAs` (the flag, e.g. `--timeout`, or the config field).
 */
export function checkLimit(name: LimitName, value: string | number, shownAs: string = name): number {
  return call(() => native.checkLimit(name, value, shownAs));
}

/** `checkLimit` for an optional flag or field: undefined stays undefined. */
export function optionalLimit(name: LimitName, value: string | number | undefined, shownAs: string = name): number | undefined {
  return value === undefined ? undefined : checkLimit(name, value, shownAs);
}

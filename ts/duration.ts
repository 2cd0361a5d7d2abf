// Durations: the seconds a `Duration` stands for, with a clear error for shapes that are not
// durations (the official SDK sends whatever it is given; we refuse nonsense up front).

import type { Duration } from "./types";

const UNITS = [
  ["days", 86_400],
  ["hours", 3_600],
  ["minutes", 60],
  ["seconds", 1],
] as const;

/** Longest timer the engine accepts (one year, as the service's longest wait). */
export const MAX_DURATION_SECONDS = 31_622_400;

export function durationSeconds(d: Duration): number {
  return UNITS.reduce((sum, [unit, factor]) => sum + (((d as Record<string, number | undefined>)[unit] ?? 0) * factor), 0);
}

/**
 * Validates a duration given by user code and returns its whole seconds. `field` names the
 * argument in the error (e.g. `wait duration`).
 */
export function validDurationSeconds(d: unknown, field: string, minimum = 1): number {
  const shown = (() => {
    try {
      return JSON.stringify(d);
    } catch {
      return String(d);
    }
  })();
  if (!d || typeof d !== "object" || Array.isArray(d)) {
    throw new TypeError(`Invalid ${field} ${shown}: expected an object such as { seconds: 10 } or { minutes: 5 }`);
  }
  const known = new Set(UNITS.map(([unit]) => unit as string));
  const keys = Object.keys(d);
  const unknown = keys.filter((k) => !known.has(k));
  if (unknown.length > 0 || keys.length === 0) {
    throw new TypeError(`Invalid ${field} ${shown}: use days, hours, minutes and seconds`);
  }
  for (const [unit] of UNITS) {
    const v = (d as Record<string, unknown>)[unit];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || v < 0 || !Number.isInteger(v))) {
      throw new TypeError(`Invalid ${field} ${shown}: ${unit} must be a non-negative whole number`);
    }
  }
  const seconds = durationSeconds(d as Duration);
  if (seconds < minimum || seconds > MAX_DURATION_SECONDS) {
    throw new RangeError(`Invalid ${field} ${shown}: ${seconds} seconds is outside ${minimum}..${MAX_DURATION_SECONDS} seconds`);
  }
  return seconds;
}

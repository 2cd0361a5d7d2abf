// The execution statuses of the Lambda API (CONTROL-PLANE-UPDATE.md), for the places that list
// or check them (HTTP filters, CLI, console, metrics). The engine decides transitions; this is
// only the vocabulary.

export const EXECUTION_STATUSES = ["RUNNING", "PAUSING", "PAUSED", "SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "DELETING"] as const;
export type ExecutionStatusName = (typeof EXECUTION_STATUSES)[number];

/** Ended: the execution will not change any more (DELETING comes after one of these). */
export const TERMINAL_STATUSES: readonly string[] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"];

export function isTerminalStatus(status: string): boolean {
  return TERMINAL_STATUSES.includes(status);
}

// The options and answers of the control plane on DurableEngine (pause, resume, describe):
// PauseDurableExecution / ResumeDurableExecution / GetDurableExecution in TypeScript's shapes.

import type { ExecutionRecord } from "../native";

/** PauseDurableExecution / ResumeDurableExecution options. */
export interface ControlOptions {
  /** Why (0 to 1,024 characters), recorded in the history. */
  reason?: string;
  /** Idempotency: the same token and options within 15 minutes succeed again without acting twice. */
  clientToken?: string;
}

export interface PauseOptions extends ControlOptions {
  /** Whether the execution timeout stops counting while paused (default true; an execution
   * still times out 366 days after it started). */
  executionTimeoutPaused?: boolean;
}

/** GetDurableExecution's record with its control-plane fields. */
export type ExecutionDescription = ExecutionRecord & {
  DurableConfig: { ExecutionTimeout: number; RetentionPeriodInDays: number };
  PauseDetails?: { PauseRequestTimestamp: string; Reason?: string; ExecutionTimeoutPaused: boolean };
  ExpectedExecutionTimeoutTimestamp?: string;
};

// Operation progress for tools (the CLI's live output, tests), published on a Node
// diagnostics channel so that nothing is computed when nobody listens.

import diagnostics_channel from "node:diagnostics_channel";

export type OperationPhase = "started" | "succeeded" | "failed" | "replayed" | "retrying" | "waiting" | "resumed";

export interface OperationEvent {
  executionArn: string;
  stepId: string;
  id: string;
  /** Wire id of the enclosing child context (map/parallel items, runInChildContext). */
  parentId?: string;
  type: string;
  subType?: string;
  name?: string;
  phase: OperationPhase;
  /** A short human-readable detail: a retry delay, a wait's end time, an error message. */
  detail?: string;
}

export const OPERATION_CHANNEL = "durable-node:operation";
const channel = diagnostics_channel.channel(OPERATION_CHANNEL);

export function publishOperation(event: () => OperationEvent): void {
  if (channel.hasSubscribers) channel.publish(event());
}

export function onOperation(listener: (event: OperationEvent) => void): () => void {
  const handler = (message: unknown) => listener(message as OperationEvent);
  diagnostics_channel.subscribe(OPERATION_CHANNEL, handler);
  return () => diagnostics_channel.unsubscribe(OPERATION_CHANNEL, handler);
}

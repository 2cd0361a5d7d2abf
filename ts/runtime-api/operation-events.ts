// Progress lines for handlers that run in a runtime process (another language's SDK): they
// publish nothing in this process, so their operations are announced on durable-node's
// operation channel (ts/observe.ts) from what crosses the process boundary — the operations of
// the invocation input (replayed) and the updates the SDK checkpoints over the HTTP API
// (started, succeeded, failed, retrying). The CLI and the worker log print them like those of
// a TypeScript handler. Only executions whose invocation a runtime process is running now are
// tracked; nothing is computed when nobody listens.

import { clock } from "../clock-format";
import { publishOperation, type OperationPhase } from "../observe";

interface Numbering {
  /** Operation id → step id ("3", "2-1"), in order of first appearance, as our SDK numbers them. */
  stepIds: Map<string, string>;
  /** Children seen so far, per parent id ("" for the root). */
  counts: Map<string, number>;
  /** Operations started in this invocation (the others' outcomes open their line first). */
  started: Set<string>;
}

const tracked = new Map<string, Numbering>();
const TERMINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED", "CANCELLED"]);

interface WireOp {
  Id?: string;
  ParentId?: string;
  Name?: string;
  Type?: string;
  SubType?: string;
  Status?: string;
}

interface AnsweredOp extends WireOp {
  WaitDetails?: { ScheduledEndTimestamp?: string };
  CallbackDetails?: { CallbackId?: string };
}

interface WireUpdate extends WireOp {
  Action?: string;
  Error?: { ErrorMessage?: string };
  WaitOptions?: { WaitSeconds?: number };
  StepOptions?: { NextAttemptDelaySeconds?: number };
  ChainedInvokeOptions?: { FunctionName?: string };
  CallbackOptions?: { TimeoutSeconds?: number; HeartbeatTimeoutSeconds?: number };
}

function stepIdOf(n: Numbering, op: WireOp): string {
  const id = op.Id ?? "";
  const known = n.stepIds.get(id);
  if (known) return known;
  const parent = op.ParentId ?? "";
  const count = (n.counts.get(parent) ?? 0) + 1;
  n.counts.set(parent, count);
  const parentStep = parent ? n.stepIds.get(parent) : undefined;
  const stepId = parentStep ? `${parentStep}-${count}` : String(count);
  n.stepIds.set(id, stepId);
  return stepId;
}

function publish(arn: string, n: Numbering, op: WireOp, phase: OperationPhase, detail?: string): void {
  const stepId = stepIdOf(n, op);
  publishOperation(() => ({ executionArn: arn, stepId, id: op.Id ?? "", parentId: op.ParentId, type: op.Type ?? "", subType: op.SubType, name: op.Name, phase, detail }));
}

/** An invocation of `arn` starts in a runtime process with these operations: the finished ones are replayed. */
export function beginInvocation(arn: string, operations: WireOp[]): void {
  const n: Numbering = { stepIds: new Map(), counts: new Map(), started: new Set() };
  tracked.set(arn, n);
  for (const op of operations) {
    if (op.Type === "EXECUTION") continue;
    if (op.Status && TERMINAL.has(op.Status)) publish(arn, n, op, "replayed");
    else stepIdOf(n, op);
  }
}

export function endInvocation(arn: string): void {
  tracked.delete(arn);
}

/**
 * Updates the SDK of a tracked invocation checkpointed (and the engine accepted), with the
 * engine's answer (the records they changed: a wait's end, a callback's id).
 */
export function checkpointed(arn: string, updates: readonly WireUpdate[] | undefined, answer?: { NewExecutionState?: { Operations?: AnsweredOp[] } }): void {
  const n = tracked.get(arn);
  if (!n || !updates) return;
  const answered = (id: string | undefined) => answer?.NewExecutionState?.Operations?.find((o) => o.Id === id);
  for (const u of updates) {
    if (u.Type === "EXECUTION") continue;
    // An outcome of an operation begun in an earlier invocation (a step re-run after a crash,
    // a retry's next attempt): it resumed in this one, unseen until it checkpointed.
    if (u.Action !== "START" && u.Id && !n.started.has(u.Id)) {
      n.started.add(u.Id);
      publish(arn, n, u, "resumed");
    }
    switch (u.Action) {
      case "START": {
        if (u.Id) n.started.add(u.Id);
        const detail =
          u.Type === "WAIT" && u.WaitOptions?.WaitSeconds !== undefined
            ? `${u.WaitOptions.WaitSeconds}s`
            : u.Type === "CHAINED_INVOKE"
              ? u.ChainedInvokeOptions?.FunctionName
              : undefined;
        publish(arn, n, u, "started", detail);
        const record = answered(u.Id);
        if (u.Type === "WAIT" && record?.WaitDetails?.ScheduledEndTimestamp) publish(arn, n, u, "waiting", `until ${clock(record.WaitDetails.ScheduledEndTimestamp)}`);
        if (u.Type === "CALLBACK" && record?.CallbackDetails?.CallbackId) publish(arn, n, u, "waiting", `callback id ${record.CallbackDetails.CallbackId}`);
        // As durable-node's SDK says of its own invokes (ts/operations/invoke.ts).
        if (u.Type === "CHAINED_INVOKE") publish(arn, n, u, "waiting", `for ${u.ChainedInvokeOptions?.FunctionName ?? ""}`);
        break;
      }
      case "SUCCEED":
        publish(arn, n, u, "succeeded");
        break;
      case "FAIL":
        publish(arn, n, u, "failed", u.Error?.ErrorMessage);
        break;
      case "RETRY": {
        const delay = u.StepOptions?.NextAttemptDelaySeconds;
        const why = u.Error?.ErrorMessage;
        publish(arn, n, u, "retrying", [why ? `failed (${why})` : undefined, delay !== undefined ? `next in ${delay}s` : undefined].filter(Boolean).join("; ") || undefined);
        break;
      }
    }
  }
}

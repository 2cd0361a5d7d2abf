// DurableOperation: a live handle on one operation of the runner's execution, found by name and
// index, by position, or by id; it can be taken before run() and fills in as data arrives.

import type { ErrorObject, Operation } from "../types";
import { OperationStatus, OperationSubType, OperationType } from "../types";
import type { ExecutionView, HistoryEvent } from "./view";

export enum WaitingOperationStatus {
  STARTED = "STARTED",
  SUBMITTED = "SUBMITTED",
  COMPLETED = "COMPLETED",
}

export interface TestResultError {
  errorMessage: string | undefined;
  errorType: string | undefined;
  errorData: string | undefined;
  stackTrace: string[] | undefined;
}

export interface ContextDetails<R = unknown> { readonly result: R | undefined; readonly error: TestResultError | undefined }
export interface StepDetails<R = unknown> { readonly attempt: number | undefined; readonly nextAttemptTimestamp: Date | undefined; readonly result: R | undefined; readonly error: TestResultError | undefined }
export interface CallbackDetails<R = unknown> { readonly callbackId: string; readonly error?: TestResultError; readonly result?: R }
export interface ChainedInvokeDetails<R = unknown> { readonly error?: TestResultError; readonly result?: R }
export interface WaitResultDetails { readonly waitSeconds?: number; readonly scheduledEndTimestamp?: Date }

export type Selector = { name: string; index: number } | { index: number } | { id: string };

const COMPLETED: string[] = [OperationStatus.CANCELLED, OperationStatus.FAILED, OperationStatus.STOPPED, OperationStatus.SUCCEEDED, OperationStatus.TIMED_OUT];

export function toTestError(e: ErrorObject | undefined): TestResultError | undefined {
  if (!e) return undefined;
  return { errorMessage: e.ErrorMessage, errorType: e.ErrorType, errorData: e.ErrorData, stackTrace: e.StackTrace };
}

export function parseResult(text: string | undefined): any {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export class DurableOperation<TResult = any> {
  constructor(
    private readonly view: () => ExecutionView | undefined,
    private readonly selector: Selector,
  ) {}

  private find(): Operation | undefined {
    const ops = this.view()?.operations() ?? [];
    const s = this.selector;
    if ("id" in s) return ops.find((o) => o.Id === s.id);
    if ("name" in s) return ops.filter((o) => o.Name === s.name)[s.index];
    return ops[s.index];
  }

  private requireType(type: string): Operation | undefined {
    const op = this.find();
    if (op && op.Type !== type) throw new Error(`Operation type ${op.Type} is not ${type}`);
    return op;
  }

  private children(op: Operation): Operation[] {
    return (this.view()?.operations() ?? []).filter((o) => o.ParentId === op.Id);
  }

  getOperationData(): Operation | undefined {
    return this.find();
  }
  getId(): string | undefined {
    return this.find()?.Id;
  }
  getParentId(): string | undefined {
    return this.find()?.ParentId;
  }
  getName(): string | undefined {
    return this.find()?.Name;
  }
  getType(): OperationType | undefined {
    return this.find()?.Type as OperationType | undefined;
  }
  getSubType(): OperationSubType | undefined {
    return this.find()?.SubType as OperationSubType | undefined;
  }
  getStatus(): OperationStatus | undefined {
    return this.find()?.Status as OperationStatus | undefined;
  }
  getStartTimestamp(): Date | undefined {
    return this.find()?.StartTimestamp;
  }
  getEndTimestamp(): Date | undefined {
    return this.find()?.EndTimestamp;
  }
  isWaitForCallback(): boolean {
    return this.find()?.SubType === OperationSubType.WAIT_FOR_CALLBACK;
  }
  isCallback(): boolean {
    return this.find()?.Type === OperationType.CALLBACK;
  }

  getEvents(): HistoryEvent[] | undefined {
    const op = this.find();
    return op && this.view()?.events().filter((e) => e.Id === op.Id);
  }

  getChildOperations(): DurableOperation[] | undefined {
    const op = this.find();
    return op && this.children(op).map((c) => new DurableOperation(this.view, { id: c.Id }));
  }

  getStepDetails(): StepDetails<TResult> | undefined {
    const op = this.requireType(OperationType.STEP);
    const d = op?.StepDetails;
    return op && { attempt: d?.Attempt, nextAttemptTimestamp: d?.NextAttemptTimestamp, result: parseResult(d?.Result), error: toTestError(d?.Error) };
  }

  getContextDetails(): ContextDetails<TResult> | undefined {
    const op = this.requireType(OperationType.CONTEXT);
    return op && { result: parseResult(op.ContextDetails?.Result), error: toTestError(op.ContextDetails?.Error) };
  }

  getChainedInvokeDetails(): ChainedInvokeDetails<TResult> | undefined {
    const op = this.requireType(OperationType.CHAINED_INVOKE);
    const d = op?.ChainedInvokeDetails;
    return op && { result: d?.Result === undefined ? undefined : JSON.parse(d.Result), error: toTestError(d?.Error) };
  }

  /** The callback of a CALLBACK operation, or the inner callback of a waitForCallback. */
  private callbackRecord(): Operation | undefined {
    const op = this.find();
    if (!op) return undefined;
    if (op.Type === OperationType.CALLBACK) return op;
    if (op.SubType === OperationSubType.WAIT_FOR_CALLBACK) return this.children(op).find((c) => c.Type === OperationType.CALLBACK);
    throw new Error(`Operation type ${op.Type} is not ${OperationType.CALLBACK}`);
  }

  getCallbackDetails(): CallbackDetails<TResult> | undefined {
    const op = this.callbackRecord();
    if (!op) return undefined;
    const d = op.CallbackDetails;
    if (!d?.CallbackId) throw new Error("No callback id is known for this operation yet");
    return { callbackId: d.CallbackId, result: parseResult(d.Result), error: toTestError(d.Error) };
  }

  getWaitDetails(): WaitResultDetails | undefined {
    const op = this.requireType(OperationType.WAIT);
    if (!op) return undefined;
    const started = this.getEvents()?.find((e) => e.EventType === "WaitStarted")?.WaitStartedDetails;
    const end = started?.ScheduledEndTimestamp ?? op.WaitDetails?.ScheduledEndTimestamp;
    return { waitSeconds: started?.Duration, scheduledEndTimestamp: end === undefined ? undefined : new Date(end) };
  }

  private callbackId(): string {
    const details = this.getCallbackDetails();
    if (!details) throw new Error("The operation has no callback yet: await waitForData() first");
    return details.callbackId;
  }

  private engine() {
    const view = this.view();
    if (!view) throw new Error("The runner has not started an execution");
    return view;
  }

  async sendCallbackSuccess(result?: string): Promise<Record<string, never>> {
    const view = this.engine();
    view.engine.sendCallbackSuccess(this.callbackId(), result === "" ? undefined : result);
    view.changed();
    return {};
  }

  async sendCallbackFailure(error?: ErrorObject): Promise<Record<string, never>> {
    const view = this.engine();
    view.engine.sendCallbackFailure(this.callbackId(), error ?? {});
    view.changed();
    return {};
  }

  async sendCallbackHeartbeat(): Promise<Record<string, never>> {
    this.engine().engine.sendCallbackHeartbeat(this.callbackId());
    return {};
  }

  private reached(status: WaitingOperationStatus): boolean {
    const op = this.find();
    if (!op) return false;
    if (op.SubType === OperationSubType.WAIT_FOR_CALLBACK) {
      const kids = this.children(op);
      const callback = kids.find((c) => c.Type === OperationType.CALLBACK);
      const submitter = kids.find((c) => c.Type === OperationType.STEP);
      if (status === WaitingOperationStatus.STARTED) return kids.length > 0 && !!callback?.CallbackDetails?.CallbackId;
      if (status === WaitingOperationStatus.SUBMITTED) return COMPLETED.includes(submitter?.Status ?? "") || COMPLETED.includes(callback?.Status ?? "");
      return COMPLETED.includes(callback?.Status ?? "") || COMPLETED.includes(op.Status);
    }
    if (status === WaitingOperationStatus.STARTED) return op.Type !== OperationType.CALLBACK || !!op.CallbackDetails?.CallbackId;
    return COMPLETED.includes(op.Status);
  }

  async waitForData(status: WaitingOperationStatus = WaitingOperationStatus.STARTED): Promise<DurableOperation<TResult>> {
    const view = await this.viewWhenStarted();
    return view.until(
      () => (this.reached(status) ? this : undefined),
      () => new Error(`Operation was not found after execution completion. Expected status: ${status}`),
    );
  }

  /** Handles may be taken before run(); wait until the runner has an execution. */
  private async viewWhenStarted(): Promise<ExecutionView> {
    for (let view = this.view(); ; view = this.view()) {
      if (view) return view;
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}

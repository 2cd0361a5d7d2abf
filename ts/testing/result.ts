// TestResult: the outcome of one run() — status, result or error, operations, invocations and
// the history in the service's event shapes.

import type { ExecutionRecord } from "../engine/durable-engine";
import type { OperationStatus } from "../types";
import { DurableOperation, parseResult, toTestError, type TestResultError } from "./operation";
import type { ExecutionView, HistoryEvent } from "./view";

export interface Invocation {
  startTimestamp: Date | undefined;
  endTimestamp: Date | undefined;
  requestId: string | undefined;
  error: TestResultError | undefined;
}

export class TestResult<TResult = any> {
  constructor(
    private readonly view: ExecutionView,
    private readonly record: ExecutionRecord,
  ) {}

  getStatus(): string | undefined {
    return this.record.Status;
  }

  getResult(): TResult | undefined {
    if (this.record.Status !== "SUCCEEDED") {
      throw new Error(this.getError().errorMessage ?? `Execution ${this.record.Status}`);
    }
    return parseResult(this.record.Result);
  }

  getError(): TestResultError {
    if (this.record.Status === "SUCCEEDED") throw new Error("Cannot get error for succeeded execution");
    return toTestError(this.record.Error) ?? { errorMessage: `Execution failed with status "${this.record.Status}"`, errorType: undefined, errorData: undefined, stackTrace: undefined };
  }

  getOperations(params?: { status: OperationStatus }): DurableOperation[] {
    return this.view
      .operations()
      .filter((o) => !params || o.Status === params.status)
      .map((o) => new DurableOperation(() => this.view, { id: o.Id }));
  }

  getHistoryEvents(): HistoryEvent[] {
    return this.view.events();
  }

  getInvocations(): Invocation[] {
    return this.view
      .events()
      .filter((e) => e.EventType === "InvocationCompleted")
      .map((e) => {
        const d = e.InvocationCompletedDetails ?? {};
        return {
          startTimestamp: d.StartTimestamp ? new Date(d.StartTimestamp) : undefined,
          endTimestamp: d.EndTimestamp ? new Date(d.EndTimestamp) : undefined,
          requestId: d.RequestId,
          error: toTestError(d.Error?.Payload),
        };
      });
  }

  print(config: { parentId?: boolean; name?: boolean; type?: boolean; subType?: boolean; status?: boolean; startTime?: boolean; endTime?: boolean; duration?: boolean } = {}): void {
    const show = (key: keyof typeof config) => config[key] ?? true;
    const rows = this.view.operations().map((o) => {
      const row: Record<string, unknown> = {};
      if (show("parentId")) row.parentId = o.ParentId ?? "-";
      if (show("name")) row.name = o.Name ?? "-";
      if (show("type")) row.type = o.Type;
      if (show("subType")) row.subType = o.SubType ?? "-";
      if (show("status")) row.status = o.Status;
      if (show("startTime")) row.startTime = o.StartTimestamp?.toISOString() ?? "-";
      if (show("endTime")) row.endTime = o.EndTimestamp?.toISOString() ?? "-";
      if (show("duration")) row.duration = o.StartTimestamp && o.EndTimestamp ? `${o.EndTimestamp.getTime() - o.StartTimestamp.getTime()}ms` : "-";
      return row;
    });
    console.table(rows);
  }
}

// LocalDurableTestRunner with the API of the official testing package (API.md §16): each run
// gets its own in-memory engine; time is skipped by the engine's virtual clock (no fake timers
// in the test process), so skipped runs have the same invocations as real ones.

import { DurableEngine, type PlainHandler } from "../engine/durable-engine";
import type { DurableLambdaHandler } from "../with-durable-execution";
import { DurableOperation, type Selector } from "./operation";
import { TestResult } from "./result";
import { ExecutionView } from "./view";

export interface LocalDurableTestRunnerSetupParameters {
  skipTime?: boolean;
  /** Accepted for compatibility; checkpoints are in-process calls here. */
  checkpointDelay?: number;
}

export interface LocalDurableTestRunnerParameters {
  handlerFunction: DurableLambdaHandler;
}

/** Answers a callback as soon as it exists: (callbackId, operation) → nothing. */
export type CallbackAnswer = (callbackId: string, operation: DurableOperation) => unknown;

export interface InvokeRequest {
  payload?: unknown;
  /** durable-node extension: callbacks (by operation name) answered as they are created. */
  callbacks?: Record<string, CallbackAnswer>;
}

const FUNCTION_NAME = "my-function-name";
const environment = { skipTime: false };

export class LocalDurableTestRunner<TResult = any> {
  private readonly durableFunctions = new Map<string, DurableLambdaHandler>();
  private readonly plainFunctions = new Map<string, PlainHandler>();
  private view: ExecutionView | undefined;
  private readonly handlerFunction: DurableLambdaHandler;

  constructor({ handlerFunction }: LocalDurableTestRunnerParameters) {
    this.handlerFunction = handlerFunction;
  }

  static async setupTestEnvironment(params: LocalDurableTestRunnerSetupParameters = {}): Promise<void> {
    environment.skipTime = params.skipTime ?? false;
  }

  static async teardownTestEnvironment(): Promise<void> {
    environment.skipTime = false;
  }

  registerDurableFunction(functionName: string, durableHandler: DurableLambdaHandler): this {
    this.durableFunctions.set(functionName, durableHandler);
    return this;
  }

  registerFunction(functionName: string, handler: PlainHandler): this {
    this.plainFunctions.set(functionName, handler);
    return this;
  }

  async run(params: InvokeRequest = {}): Promise<TestResult<TResult>> {
    this.view?.engine.close();
    const engine = DurableEngine.open({ skipTime: environment.skipTime });
    engine.register(FUNCTION_NAME, this.handlerFunction);
    for (const [name, handler] of this.durableFunctions) engine.register(name, handler);
    for (const [name, handler] of this.plainFunctions) engine.registerFunction(name, handler);
    const { execution } = engine.start(FUNCTION_NAME, params.payload);
    const view = new ExecutionView(engine, execution.DurableExecutionArn);
    this.view = view;
    const answered = new Set<string>();
    const afterInvocation = async () => {
      view.changed();
      if (params.callbacks) await this.answerCallbacks(view, params.callbacks, answered);
      // Let test code awaiting waitForData act before time moves on.
      await new Promise((resolve) => setImmediate(resolve));
    };
    try {
      const record = await engine.drive(execution.DurableExecutionArn, { afterInvocation });
      return new TestResult<TResult>(view, record);
    } finally {
      view.finish();
    }
  }

  private async answerCallbacks(view: ExecutionView, answers: Record<string, CallbackAnswer>, answered: Set<string>): Promise<void> {
    for (const op of view.operations()) {
      const id = op.CallbackDetails?.CallbackId;
      if (op.Type !== "CALLBACK" || op.Status !== "STARTED" || !id || answered.has(id)) continue;
      // A waitForCallback's inner callback is unnamed: answer it by its context's name.
      const parent = op.ParentId ? view.operations().find((o) => o.Id === op.ParentId) : undefined;
      const name = op.Name ?? (parent?.SubType === "WaitForCallback" ? parent.Name : undefined);
      const answer = name === undefined ? undefined : answers[name];
      if (!answer) continue;
      answered.add(id);
      await answer(id, new DurableOperation(() => view, { id: op.Id }));
      view.changed();
    }
  }

  getOperation<R = any>(name: string, index = 0): DurableOperation<R> {
    return this.handle({ name, index });
  }

  getOperationByNameAndIndex<R = any>(name: string, index: number): DurableOperation<R> {
    return this.handle({ name, index });
  }

  getOperationByIndex<R = any>(index: number): DurableOperation<R> {
    return this.handle({ index });
  }

  getOperationById<R = any>(id: string): DurableOperation<R> {
    return this.handle({ id });
  }

  private handle<R>(selector: Selector): DurableOperation<R> {
    return new DurableOperation<R>(() => this.view, selector);
  }

  reset(): void {
    this.view?.engine.close();
    this.view = undefined;
  }
}

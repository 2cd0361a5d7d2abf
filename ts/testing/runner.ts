// LocalDurableTestRunner with the API of the official testing package (API.md §16): each run
// gets its own in-memory engine; time is skipped by the engine's virtual clock (no fake timers
// in the test process), so skipped runs have the same invocations as real ones.

import { DurableEngine, InvocationFailedError, type PlainHandler } from "../engine/durable-engine";
import { DurableExecutionInvocationInputWithClient } from "../runtime/client";
import { DURABLE_HANDLER, type DurableLambdaHandler } from "../with-durable-execution";
import { realSetImmediate } from "../real-timers";
import { LocalDurableOperation, fixedSource, type Selector, type ViewSource } from "./operation";
import { LocalTestResult } from "./result";
import type { Callback, CallbackAnswer, DurableOperation, DurableTestRunner, Handler, InvokeRequest, TestResult } from "./types";
import { ExecutionView } from "./view";

export interface LocalDurableTestRunnerSetupParameters {
  /** Skip waits, retry delays, polls and callback timeouts on the engine's virtual clock. */
  skipTime?: boolean;
  /** Accepted for compatibility; checkpoints are in-process calls here. */
  checkpointDelay?: number;
}

export interface LocalDurableTestRunnerParameters {
  handlerFunction: DurableLambdaHandler;
}

const FUNCTION_NAME = "my-function-name";
/**
 * With skipTime, a callback's timeout or heartbeat deadline is jumped to only after this much
 * real time without activity in this process: the test may still answer the callback. The
 * engine decides it (crates/engine/src/timers.rs); waits and retries are skipped at once.
 */
const CALLBACK_QUIET_MS = 100;

/** One turn of the event loop, so test code awaiting the run's data can act on it. */
const turn = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));
const NOTHING_PENDING = "Cannot return PENDING status with no pending operations.";
const environment = { skipTime: false };

/** A handler not marked by withDurableExecution (e.g. a wrapper around one) still gets the
 * in-process client through the invocation input, as in the official runner. */
function isMarked(handler: DurableLambdaHandler): boolean {
  return typeof handler === "function" && (handler as unknown as Record<symbol, unknown>)[DURABLE_HANDLER] === true;
}

/** A Lambda handler in promise or callback style as the engine's plain function. */
function plainFunction(handler: Handler): PlainHandler {
  return (event, context) =>
    new Promise((resolve, reject) => {
      const callback: Callback = (error, result) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(result));
      const returned = handler(event, context, callback) as unknown;
      if (returned !== null && typeof returned === "object" && typeof (returned as PromiseLike<unknown>).then === "function") {
        (returned as PromiseLike<unknown>).then(resolve, reject);
      } else if (handler.length < 3) {
        // Neither a promise nor a callback parameter: its return value is its result.
        resolve(returned);
      }
    });
}

export class LocalDurableTestRunner<TResult = any> implements DurableTestRunner<DurableOperation, TResult> {
  private readonly durableFunctions = new Map<string, DurableLambdaHandler>();
  private readonly plainFunctions = new Map<string, PlainHandler>();
  private view: ExecutionView | undefined;
  private startWaiters: ((view: ExecutionView) => void)[] = [];
  private readonly handlerFunction: DurableLambdaHandler;
  private readonly source: ViewSource = {
    current: () => this.view,
    started: () => new Promise((resolve) => this.startWaiters.push(resolve)),
  };

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
    this.plainFunctions.delete(functionName);
    return this;
  }

  registerFunction(functionName: string, handler: Handler): this {
    this.plainFunctions.set(functionName, plainFunction(handler));
    this.durableFunctions.delete(functionName);
    return this;
  }

  async run(params: InvokeRequest = {}): Promise<TestResult<TResult>> {
    // The last run's engine stays open until now, so its result is read only if used.
    if (this.view?.finished) this.view.close();
    const skipTime = environment.skipTime;
    const engine = DurableEngine.open({ skipTime, callbackQuietMs: skipTime ? CALLBACK_QUIET_MS : undefined });
    let view: ExecutionView;
    try {
      const register = (name: string, handler: DurableLambdaHandler) =>
        engine.register(name, handler, isMarked(handler) ? {} : { inputWithClient: DurableExecutionInvocationInputWithClient });
      register(FUNCTION_NAME, this.handlerFunction);
      for (const [name, handler] of this.durableFunctions) register(name, handler);
      for (const [name, handler] of this.plainFunctions) engine.registerFunction(name, handler);
      const { execution } = engine.start(FUNCTION_NAME, params.payload);
      view = new ExecutionView(engine, execution.DurableExecutionArn);
    } catch (e) {
      engine.close();
      throw e;
    }
    this.view = view;
    for (const resolve of this.startWaiters.splice(0)) resolve(view);

    const answered = new Set<string>();
    let harnessError: Error | undefined;
    const afterInvocation = async (): Promise<void | "stop"> => {
      view.changed();
      harnessError = this.unregisteredInvoke(view);
      if (harnessError) return "stop";
      if (params.callbacks) await this.answerCallbacks(view, params.callbacks, answered);
      // Let test code that awaits waitForData act on what the invocation did.
      for (let i = 0; i < (skipTime ? 3 : 1); i++) await turn();
    };
    try {
      const record = await engine.drive(view.arn, { afterInvocation });
      if (harnessError) throw harnessError;
      if (record.Status === "FAILED" && record.Error?.ErrorMessage === NOTHING_PENDING) {
        // A harness failure for the official runner too: run() rejects (with its `error` and `status`).
        throw Object.assign(new Error(NOTHING_PENDING), { error: record.Error, status: record.Status });
      }
      return new LocalTestResult<TResult>(view, record);
    } catch (e) {
      // The handler threw instead of answering: run() rejects with its error, as the official runner.
      throw e instanceof InvocationFailedError ? e.cause : e;
    } finally {
      view.finish();
    }
  }

  /** An invoke of a function nobody registered makes run() reject, as in the official runner. */
  private unregisteredInvoke(view: ExecutionView): Error | undefined {
    // Any status: the invoked function runs beside its caller, so its failure may be recorded already.
    if (!view.operations().some((o) => o.Type === "CHAINED_INVOKE")) return undefined;
    // Names as the engine resolves them: an ARN's function name, or the name before a qualifier.
    const unqualified = (target: string) => (target.startsWith("arn:") ? (target.split(":")[6] ?? target) : target.split(":")[0]);
    const known = new Set([FUNCTION_NAME, ...this.durableFunctions.keys(), ...this.plainFunctions.keys()].map(unqualified));
    for (const event of view.events()) {
      if (event.EventType !== "ChainedInvokeStarted") continue;
      const name = unqualified(String(event.ChainedInvokeStartedDetails?.FunctionName ?? ""));
      if (name && !known.has(name)) {
        return new Error(
          `No function found for function name ${name}.\nPlease configure the function handler for "${name}" with LocalDurableTestRunner.registerFunctions.`,
        );
      }
    }
    return undefined;
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
      await answer(id, new LocalDurableOperation(fixedSource(view), { id: op.Id }));
      view.changed();
    }
  }

  getOperation<TOperationResult = any>(name: string, index = 0): DurableOperation<TOperationResult> {
    return this.handle({ name, index });
  }

  getOperationByNameAndIndex<TOperationResult = any>(name: string, index: number): DurableOperation<TOperationResult> {
    return this.handle({ name, index: index ?? 0 });
  }

  getOperationByIndex<TOperationResult = any>(index: number): DurableOperation<TOperationResult> {
    return this.handle({ index });
  }

  getOperationById<TOperationResult = any>(id: string): DurableOperation<TOperationResult> {
    return this.handle({ id });
  }

  private handle<R>(selector: Selector): DurableOperation<R> {
    return new LocalDurableOperation<R>(this.source, selector);
  }

  /** Forgets the last run's operations, so handles taken now wait for the next run. */
  reset(): void {
    if (this.view?.finished) this.view.close();
    this.view = undefined;
  }
}

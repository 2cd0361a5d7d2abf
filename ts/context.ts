// DurableContext (API.md §4): the object handlers receive. It allocates step ids in call order,
// knows its enclosing context and replay mode, and hands each operation to its module.

import { DurablePromise } from "./durable-promise";
import { DefaultLogger, bindLogger, type DurableContextLogger, type DurableLogData, type DurableLogger, type LoggerConfig } from "./logger";
import { parseStepArgs, step, type StepConfig, type StepFunc } from "./operations/step";
import { wait } from "./operations/wait";
// Child contexts, batches, promise combinators and context-misuse detection.
import type { BatchResult } from "./operations/batch-result";
import { runInChildContext, type ChildConfig, type ChildFunc } from "./operations/child-context";
import { map, type MapConfig, type MapFunc } from "./operations/map";
import { parallel, type NamedParallelBranch, type ParallelConfig, type ParallelFunc, type ParallelResultOf } from "./operations/parallel";
import { combinator, type PromiseCombinators } from "./operations/promise-combinators";
import { contextUsageError, runAsActive } from "./runtime/context-tracking";
import { createCallback, type CreateCallbackConfig, type CreateCallbackResult } from "./operations/callback";
import { invoke, type InvokeConfig } from "./operations/invoke";
import { waitForCondition, type WaitForConditionCheckFunc, type WaitForConditionConfig } from "./operations/wait-for-condition";
import { waitForCallback, type WaitForCallbackConfig, type WaitForCallbackSubmitterFunc } from "./operations/wait-for-callback";
import type { Invocation } from "./runtime/invocation";
import type { Scope } from "./scope";
import { defaultSerdes, type AnySerdes, type AnySerdesDeserializer, type SerdesConfig } from "./serdes";
import type { Duration, LambdaContext, WireOperation } from "./types";

export interface DurableContext<TLogger extends DurableLogger = DurableLogger> {
  lambdaContext: LambdaContext;
  logger: DurableContextLogger<TLogger>;
  executionContext: { readonly durableExecutionArn: string };
  step<TOutput>(name: string | undefined, fn: StepFunc<TOutput, TLogger>, config?: StepConfig<TOutput>): DurablePromise<TOutput>;
  step<TOutput>(fn: StepFunc<TOutput, TLogger>, config?: StepConfig<TOutput>): DurablePromise<TOutput>;
  wait(name: string, duration: Duration): DurablePromise<void>;
  wait(duration: Duration): DurablePromise<void>;
  // Child contexts, batches and promise combinators (operations/child-context, map, parallel, promise-combinators).
  runInChildContext<TOutput>(name: string | undefined, fn: ChildFunc<TOutput, TLogger>, config?: ChildConfig<TOutput>): DurablePromise<TOutput>;
  runInChildContext<TOutput>(fn: ChildFunc<TOutput, TLogger>, config?: ChildConfig<TOutput>): DurablePromise<TOutput>;
  map<TInput, TOutput>(
    name: string | undefined,
    items: TInput[],
    mapFunc: MapFunc<TInput, TOutput, TLogger>,
    config?: MapConfig<TInput, TOutput>,
  ): DurablePromise<BatchResult<TOutput>>;
  map<TInput, TOutput>(items: TInput[], mapFunc: MapFunc<TInput, TOutput, TLogger>, config?: MapConfig<TInput, TOutput>): DurablePromise<BatchResult<TOutput>>;
  parallel<TOutput>(
    name: string | undefined,
    branches: (ParallelFunc<TOutput, TLogger> | NamedParallelBranch<TOutput, TLogger>)[],
    config?: ParallelConfig<TOutput>,
  ): DurablePromise<BatchResult<TOutput>>;
  parallel<TOutput>(
    branches: (ParallelFunc<TOutput, TLogger> | NamedParallelBranch<TOutput, TLogger>)[],
    config?: ParallelConfig<TOutput>,
  ): DurablePromise<BatchResult<TOutput>>;
  parallel<Branches extends readonly unknown[]>(
    name: string | undefined,
    branches: Branches,
    config?: ParallelConfig<ParallelResultOf<Branches, TLogger>>,
  ): Promise<BatchResult<ParallelResultOf<Branches, TLogger>>>;
  parallel<Branches extends readonly unknown[]>(
    branches: Branches,
    config?: ParallelConfig<ParallelResultOf<Branches, TLogger>>,
  ): DurablePromise<BatchResult<ParallelResultOf<Branches, TLogger>>>;
  promise: PromiseCombinators;
  configureLogger(config: LoggerConfig<TLogger>): void;
  configureSerdes(config: SerdesConfig): void;
  // Callbacks, chained invokes and polling (operations/callback, invoke, wait-for-condition).
  createCallback<TOutput = string>(name: string | undefined, config?: CreateCallbackConfig<TOutput>): DurablePromise<CreateCallbackResult<TOutput>>;
  createCallback<TOutput = string>(config?: CreateCallbackConfig<TOutput>): DurablePromise<CreateCallbackResult<TOutput>>;
  invoke<TInput, TOutput>(name: string, funcId: string, input?: TInput, config?: InvokeConfig<TInput, TOutput>): DurablePromise<TOutput>;
  invoke<TInput, TOutput>(funcId: string, input?: TInput, config?: InvokeConfig<TInput, TOutput>): DurablePromise<TOutput>;
  waitForCondition<TOutput>(name: string | undefined, checkFunc: WaitForConditionCheckFunc<TOutput, TLogger>, config: WaitForConditionConfig<TOutput>): DurablePromise<TOutput>;
  waitForCondition<TOutput>(checkFunc: WaitForConditionCheckFunc<TOutput, TLogger>, config: WaitForConditionConfig<TOutput>): DurablePromise<TOutput>;
  waitForCallback<TOutput = string>(name: string | undefined, submitter: WaitForCallbackSubmitterFunc<TLogger>, config?: WaitForCallbackConfig<TOutput>): DurablePromise<TOutput>;
  waitForCallback<TOutput = string>(submitter: WaitForCallbackSubmitterFunc<TLogger>, config?: WaitForCallbackConfig<TOutput>): DurablePromise<TOutput>;
}

/** State shared by all contexts of one invocation. */
export interface InvocationShared {
  invocation: Invocation;
  lambdaContext: LambdaContext;
  requestId: string;
  tenantId?: string;
}

/** How a child context is set up by runInChildContext (and the operations built on it). */
export interface ChildContextOptions {
  /** The child's step id, which prefixes the ids of its operations. */
  prefix: string;
  /** ParentId of the child's operations: its own wire id, or the enclosing one when virtual. */
  parentId: string | undefined;
  replaying: boolean;
  /** Re-running a SUCCEEDED context whose children replay (ReplayChildren): nothing may start. */
  replayOnly: boolean;
  replayRecord?: WireOperation;
  operation?: { id: string; name?: string };
}

const NEVER = new Promise<never>(() => {});

export class DurableContextImpl implements DurableContext, Scope {
  readonly executionContext: { readonly durableExecutionArn: string };
  logger: DurableContextLogger;
  baseLogger: DurableLogger;
  defaultSerdes: AnySerdes = defaultSerdes;
  callbackDeserializer: AnySerdesDeserializer | undefined;
  /** See ChildContextOptions.replayOnly. */
  replayOnly = false;
  /** The record of the context being re-run in replayOnly mode (map/parallel read its summary). */
  replayRecord: WireOperation | undefined;
  readonly promise: PromiseCombinators;
  private counter = 0;
  private modeAware = true;

  constructor(
    private readonly shared: InvocationShared,
    /** Un-hashed step id of this context ("" at the root). */
    readonly prefix: string,
    readonly parentId: string | undefined,
    replaying: boolean,
    baseLogger: DurableLogger = new DefaultLogger(),
    private readonly operation?: { id: string; name?: string },
  ) {
    this.executionContext = { durableExecutionArn: shared.invocation.arn };
    // Replay mode is the invocation state machine's (crates/engine/src/vm.rs).
    shared.invocation.vm.openContext(prefix, replaying);
    this.baseLogger = baseLogger;
    this.logger = this.makeLogger();
    this.promise = {
      all: (...args: unknown[]) => this.guardedLazy("promise.all", () => combinator(this, "all", args)),
      allSettled: (...args: unknown[]) => this.guardedLazy("promise.allSettled", () => combinator(this, "allSettled", args)),
      any: (...args: unknown[]) => this.guardedLazy("promise.any", () => combinator(this, "any", args)),
      race: (...args: unknown[]) => this.guardedLazy("promise.race", () => combinator(this, "race", args)),
    } as PromiseCombinators;
  }

  get invocation(): Invocation {
    return this.shared.invocation;
  }

  get lambdaContext(): LambdaContext {
    return this.shared.lambdaContext;
  }

  get [Symbol.toStringTag](): string {
    return "DurableContext";
  }

  nextStepId(): string {
    this.counter += 1;
    return this.prefix ? `${this.prefix}-${this.counter}` : String(this.counter);
  }

  enterExecutionMode(): void {
    this.invocation.vm.enterExecution(this.prefix);
  }

  replayedFinished(): void {
    this.invocation.vm.replayed(this.prefix, this.peekNextStepId());
  }

  logData(): DurableLogData {
    return {
      requestId: this.shared.requestId,
      executionArn: this.shared.invocation.arn,
      tenantId: this.shared.tenantId,
      operationId: this.operation?.id,
      operationName: this.operation?.name,
    };
  }

  private makeLogger(): DurableContextLogger {
    return bindLogger(this.baseLogger, () => this.logData(), () => !this.modeAware || !this.invocation.vm.replaying(this.prefix));
  }

  step(...args: unknown[]): DurablePromise<any> {
    return this.guarded("step", () => {
      const { name, fn, config } = parseStepArgs(args);
      // The body runs as its own active context, so durable calls from inside it are refused.
      const stepId = this.peekNextStepId();
      const tracked: StepFunc<unknown> = (stepContext) => runAsActive(this.invocation, stepId, () => fn(stepContext));
      return step(this, [name, tracked, config]);
    });
  }

  wait(...args: unknown[]): DurablePromise<void> {
    return this.guarded("wait", () => wait(this, args));
  }

  configureLogger(config: LoggerConfig): void {
    if (config.customLogger) this.baseLogger = config.customLogger;
    if (config.modeAware !== undefined) this.modeAware = config.modeAware;
    this.logger = this.makeLogger();
  }

  configureSerdes(config: SerdesConfig): void {
    if (config.defaultSerdes) this.defaultSerdes = config.defaultSerdes;
    if (config.defaultCallbackDeserializer) this.callbackDeserializer = config.defaultCallbackDeserializer;
  }

  // Child contexts, batches and promise combinators; context-misuse detection (API.md §4.5).
  runInChildContext(...args: unknown[]): DurablePromise<any> {
    return this.guarded("runInChildContext", () => runInChildContext(this, args));
  }

  map(...args: unknown[]): DurablePromise<any> {
    return this.guarded("map", () => map(this, args));
  }

  parallel(...args: unknown[]): DurablePromise<any> {
    return this.guarded("parallel", () => parallel(this, args));
  }

  get isReplaying(): boolean {
    return this.invocation.vm.replaying(this.prefix);
  }

  get operationInfo(): { id: string; name?: string } | undefined {
    return this.operation;
  }

  /** The id the next operation called on this context will get. */
  peekNextStepId(): string {
    return this.prefix ? `${this.prefix}-${this.counter + 1}` : String(this.counter + 1);
  }

  /** A context for a child's function: same invocation, defaults copied from this one now. */
  createChild(options: ChildContextOptions): DurableContextImpl {
    const child = new DurableContextImpl(this.shared, options.prefix, options.parentId, options.replaying, this.baseLogger, options.operation);
    child.defaultSerdes = this.defaultSerdes;
    child.callbackDeserializer = this.callbackDeserializer;
    child.replayOnly = options.replayOnly;
    child.replayRecord = options.replayRecord;
    return child;
  }

  /**
   * Every operation method goes through here: an operation called on a context that is not the
   * one whose code is running ends the execution (API.md §4.5), and a context that is only
   * being replayed (ReplayChildren) hands out never-settling promises for anything unfinished.
   */
  guarded<T>(method: string, start: () => DurablePromise<T>): DurablePromise<T> {
    const misuse = contextUsageError(this.invocation, method, this.prefix);
    if (misuse) {
      void this.invocation.fail(misuse);
      return new DurablePromise(() => NEVER);
    }
    if (this.replayOnly && !this.invocation.stepEnded(this.peekNextStepId())) {
      this.nextStepId();
      return new DurablePromise(() => NEVER);
    }
    return start();
  }

  /** For promise.*: checked when called; the id is only allocated when awaited. */
  private guardedLazy<T>(method: string, start: () => DurablePromise<T>): DurablePromise<T> {
    const misuse = contextUsageError(this.invocation, method, this.prefix);
    if (misuse) {
      void this.invocation.fail(misuse);
      return new DurablePromise(() => NEVER);
    }
    return start();
  }

  // Callbacks, chained invokes and polling (operations/callback, invoke, wait-for-condition).
  createCallback(...args: unknown[]): DurablePromise<any> {
    return this.guarded("createCallback", () => createCallback(this, args));
  }

  invoke(...args: unknown[]): DurablePromise<any> {
    return this.guarded("invoke", () => invoke(this, args));
  }

  waitForCondition(...args: unknown[]): DurablePromise<any> {
    return this.guarded("waitForCondition", () => {
      // Like a step body, the check runs as its own active context: durable calls from inside
      // it are refused (API.md §4.5).
      const at = typeof args[0] === "string" || args[0] === undefined ? 1 : 0;
      const check = args[at];
      if (typeof check !== "function") return waitForCondition(this, args);
      const stepId = this.peekNextStepId();
      const tracked = (state: unknown, checkContext: unknown) => runAsActive(this.invocation, stepId, () => check(state, checkContext));
      return waitForCondition(this, args.map((arg, i) => (i === at ? tracked : arg)));
    });
  }

  waitForCallback(...args: unknown[]): DurablePromise<any> {
    return this.guarded("waitForCallback", () => waitForCallback(this, args));
  }
}

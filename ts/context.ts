// DurableContext (API.md §4): the object handlers receive. It allocates step ids in call order,
// knows its enclosing context and replay mode, and hands each operation to its module.

import type { DurablePromise } from "./durable-promise";
import { DefaultLogger, bindLogger, type DurableContextLogger, type DurableLogData, type DurableLogger, type LoggerConfig } from "./logger";
import { step, type StepConfig, type StepFunc } from "./operations/step";
import { wait } from "./operations/wait";
import type { Invocation } from "./runtime/invocation";
import type { Scope } from "./scope";
import { defaultSerdes, type AnySerdes, type AnySerdesDeserializer, type SerdesConfig } from "./serdes";
import type { Duration, LambdaContext } from "./types";

export interface DurableContext<TLogger extends DurableLogger = DurableLogger> {
  lambdaContext: LambdaContext;
  logger: DurableContextLogger<TLogger>;
  executionContext: { readonly durableExecutionArn: string };
  step<TOutput>(name: string | undefined, fn: StepFunc<TOutput, TLogger>, config?: StepConfig<TOutput>): DurablePromise<TOutput>;
  step<TOutput>(fn: StepFunc<TOutput, TLogger>, config?: StepConfig<TOutput>): DurablePromise<TOutput>;
  wait(name: string, duration: Duration): DurablePromise<void>;
  wait(duration: Duration): DurablePromise<void>;
  configureLogger(config: LoggerConfig<TLogger>): void;
  configureSerdes(config: SerdesConfig): void;
}

/** State shared by all contexts of one invocation. */
export interface InvocationShared {
  invocation: Invocation;
  lambdaContext: LambdaContext;
  requestId: string;
  tenantId?: string;
}

export class DurableContextImpl implements DurableContext, Scope {
  readonly executionContext: { readonly durableExecutionArn: string };
  logger: DurableContextLogger;
  baseLogger: DurableLogger;
  defaultSerdes: AnySerdes = defaultSerdes;
  callbackDeserializer: AnySerdesDeserializer | undefined;
  private counter = 0;
  private modeAware = true;

  constructor(
    private readonly shared: InvocationShared,
    /** Un-hashed step id of this context ("" at the root). */
    readonly prefix: string,
    readonly parentId: string | undefined,
    private replaying: boolean,
    baseLogger: DurableLogger = new DefaultLogger(),
    private readonly operation?: { id: string; name?: string },
  ) {
    this.executionContext = { durableExecutionArn: shared.invocation.arn };
    this.baseLogger = baseLogger;
    this.logger = this.makeLogger();
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
    this.replaying = false;
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
    return bindLogger(this.baseLogger, () => this.logData(), () => !this.modeAware || !this.replaying);
  }

  step(...args: unknown[]): DurablePromise<any> {
    return step(this, args);
  }

  wait(...args: unknown[]): DurablePromise<void> {
    return wait(this, args);
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
}

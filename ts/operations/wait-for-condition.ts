// context.waitForCondition (API.md §6.7): poll a check function until the wait strategy says
// stop. The state between polls lives in a STEP record (SubType WaitForCondition): each
// "continue" is a RETRY carrying the state as Payload, so the engine's retry timer spaces the
// polls and the invocation suspends in between.

import { clock } from "../clock-format";
import { DurablePromise } from "../durable-promise";
import { validDurationSeconds } from "../duration";
import { DurableOperationError, UnrecoverableError, WaitForConditionError, errorObject } from "../errors";
import { bindLogger, type DurableContextLogger, type DurableLogger } from "../logger";
import { deserializeOrFail, publisher, serializeOrFail, started, type Scope } from "../scope";
import type { Serdes } from "../serdes";
import { OperationStatus, type OperationUpdate } from "../types";
import type { WaitForConditionDecision, WaitForConditionWaitStrategyFunc } from "../wait-strategy";

export interface WaitForConditionContext<Logger extends DurableLogger = DurableLogger> {
  logger: DurableContextLogger<Logger>;
  /** 1-based number of this check. */
  attempt: number;
}

export type WaitForConditionCheckFunc<T, Logger extends DurableLogger = DurableLogger> = (state: T, context: WaitForConditionContext<Logger>) => Promise<T>;

export interface WaitForConditionConfig<T> {
  waitStrategy: WaitForConditionWaitStrategyFunc<T>;
  initialState: T;
  serdes?: Serdes<T>;
}

interface Request {
  stepId: string;
  name: string | undefined;
  check: WaitForConditionCheckFunc<unknown>;
  config: WaitForConditionConfig<unknown>;
  serdes: Serdes<unknown>;
}

export function waitForCondition(scope: Scope, args: unknown[]): DurablePromise<any> {
  const named = typeof args[0] === "string" || args[0] === undefined;
  const [name, check, config] = (named ? args : [undefined, ...args]) as [string | undefined, WaitForConditionCheckFunc<unknown>, WaitForConditionConfig<unknown> | undefined];
  // Thrown at call time, before an id is taken, as the SDK does.
  if (!config?.waitStrategy || config.initialState === undefined) {
    throw new Error("waitForCondition requires config with waitStrategy and initialState");
  }
  if (typeof check !== "function") {
    throw new TypeError(`waitForCondition requires a check function${name ? ` (waitForCondition "${name}")` : ""}, got ${typeof check}`);
  }
  const stepId = scope.nextStepId();
  const serdes = config.serdes ?? scope.defaultSerdes;
  return new DurablePromise(started(run(scope, { stepId, name, check, config, serdes })));
}

async function run(scope: Scope, req: Request): Promise<unknown> {
  const inv = scope.invocation;
  const { stepId, name, serdes } = req;
  let checked;
  try {
    // The SDK 2.4.0 does not validate waitForCondition on replay; durable-node does, so a
    // changed handler fails with a non-determinism error instead of reading another record.
    checked = inv.check(stepId, "STEP", "WaitForCondition", name);
  } catch (e) {
    return inv.fail(e);
  }
  const { id, operation } = checked;
  const publish = publisher(scope, stepId, id, "STEP", "WaitForCondition", name);
  if (operation?.Status === OperationStatus.SUCCEEDED) {
    publish("replayed");
    return deserializeOrFail(scope, serdes, operation.StepDetails?.Result, stepId, name);
  }
  if (operation?.Status === OperationStatus.FAILED) {
    publish("replayed");
    const recorded = operation.StepDetails?.Error;
    throw recorded ? DurableOperationError.fromErrorObject(recorded) : new WaitForConditionError("waitForCondition failed");
  }
  scope.enterExecutionMode();
  const base: OperationUpdate = { Id: id, ParentId: scope.parentId, Name: name, Type: "STEP", SubType: "WaitForCondition", Action: "START" };
  // Plugins (API.md §13.3): one operation start per invocation, replayed if a record existed.
  const plugins = inv.plugins;
  const call = { id, name, type: "STEP", subType: "WaitForCondition", parentId: scope.parentId };
  let announced = !!operation;
  if (plugins && operation) await plugins.operationStarted(call, true);

  for (;;) {
    let op = inv.get(id);
    if (op?.Status === OperationStatus.PENDING) {
      const due = op.StepDetails?.NextAttemptTimestamp;
      publish("waiting", due ? `next check due ${clock(due)}` : undefined);
      op = await inv.waitFor(id);
    }
    // A record that is STARTED (the last check was interrupted) or READY (a poll is due)
    // carries the state the previous check returned.
    const resumable = op?.Status === OperationStatus.STARTED || op?.Status === OperationStatus.READY;
    const recordedState = resumable ? op?.StepDetails?.Result : undefined;
    const state = recordedState ? await deserializeOrFail(scope, serdes, recordedState, stepId, name) : req.config.initialState;
    const attempt = (op?.StepDetails?.Attempt ?? 0) + 1;
    if (op?.Status !== OperationStatus.STARTED) void inv.enqueue({ ...base, Action: "START" });
    publish("started", attempt > 1 ? `check ${attempt}` : undefined);
    if (plugins && !announced) await plugins.operationStarted(call, attempt > 1);
    announced = true;

    const logger = bindLogger(scope.baseLogger, () => ({ ...scope.logData(), operationId: id, operationName: name, attempt }), () => true);
    let payload: string | undefined;
    let newState: unknown;
    let decision: WaitForConditionDecision;
    let delaySeconds = 0;
    const tracked = plugins ? await plugins.attemptStarted(call, attempt) : undefined;
    try {
      const check = () => req.check(state, { logger, attempt });
      const returned = await inv.executingWhile(() => (plugins && tracked ? plugins.runAttempt(tracked, check) : check()));
      payload = await serializeOrFail(scope, serdes, returned, stepId, name);
      // The strategy sees the state as a replay would: round-tripped through serdes.
      newState = await deserializeOrFail(scope, serdes, payload, stepId, name);
      decision = req.config.waitStrategy(newState, attempt);
      delaySeconds = checkDecision(decision, req);
    } catch (error) {
      if (error instanceof UnrecoverableError) return inv.fail(error);
      // Neither a throwing check nor a throwing strategy is retried (API.md §6.7).
      const errObj = errorObject(error);
      await inv.enqueue({ ...base, Action: "FAIL", Error: errObj });
      publish("failed", errObj.ErrorMessage);
      if (plugins) await plugins.attemptEnded(call, tracked, { ok: false, error }, true);
      throw DurableOperationError.fromErrorObject(errObj);
    }
    if (!decision.shouldContinue) {
      await inv.enqueue({ ...base, Action: "SUCCEED", Payload: payload });
      publish("succeeded");
      if (plugins) await plugins.attemptEnded(call, tracked, { ok: true }, true);
      return newState;
    }
    await inv.enqueue({ ...base, Action: "RETRY", Payload: payload, StepOptions: { NextAttemptDelaySeconds: delaySeconds } });
    if (plugins) await plugins.attemptEnded(call, tracked, { ok: true }, false);
    publish("retrying", `check ${attempt}: condition not met; next check in ${delaySeconds}s`);
  }
}

/** A decision the engine cannot schedule fails the operation with an error saying what came back. */
function checkDecision(decision: unknown, req: Request): number {
  const where = `waitStrategy of waitForCondition "${req.name ?? req.stepId}"`;
  const d = decision as WaitForConditionDecision | undefined;
  if (!d || typeof d !== "object" || typeof d.shouldContinue !== "boolean") {
    let shown: string;
    try {
      shown = JSON.stringify(decision);
    } catch {
      shown = String(decision);
    }
    throw new TypeError(`${where} returned ${shown}: expected { shouldContinue: false } or { shouldContinue: true, delay: Duration }`);
  }
  if (!d.shouldContinue) return 0;
  // Zero is allowed (the service accepts it): an immediate re-check.
  return validDurationSeconds(d.delay, `delay returned by ${where}`, 0);
}

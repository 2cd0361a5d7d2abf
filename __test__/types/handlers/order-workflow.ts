// Type-check only: a handler written against the official SDK's types (steps, waits, retries,
// the context's properties). The @ts-expect-error lines must stay errors.
import {
  JitterStrategy,
  StepError,
  StepSemantics,
  createLinearRetryStrategy,
  createRetryStrategy,
  retryPresets,
  withDurableExecution,
  type DurableContext,
  type DurableLambdaHandler,
  type Duration,
  type RetryDecision,
  type StepConfig,
  type StepFunc,
} from "@aws/durable-execution-sdk-js";

interface OrderEvent {
  orderId: string;
  amount: number;
}

interface Payment {
  chargeId: string;
  amount: number;
}

const chargeConfig: StepConfig<Payment> = {
  retryStrategy: createRetryStrategy({ maxAttempts: 3, initialDelay: { seconds: 2 }, jitter: JitterStrategy.HALF, retryableErrors: [/timeout/] }),
  semantics: StepSemantics.AtMostOncePerRetry,
};

const cooldown: Duration = { minutes: 5 };
const longer: Duration = { days: 1, hours: 2 };

const onlyTimeouts = (error: Error, attempt: number): RetryDecision =>
  error.message.includes("timeout") && attempt < 5 ? { shouldRetry: true, delay: { seconds: attempt * 2 } } : { shouldRetry: false };

const validate: StepFunc<boolean> = async ({ attempt, logger }) => {
  logger.info("validating", { attempt });
  return attempt > 0;
};

export const handler: DurableLambdaHandler = withDurableExecution(async (event: OrderEvent, context: DurableContext) => {
  const valid: boolean = await context.step("validate", validate);
  if (!valid) return { status: "rejected" as const };

  const payment: Payment = await context.step(
    "charge",
    async ({ attempt }) => ({ chargeId: `ch_${event.orderId}_${attempt}`, amount: event.amount }),
    chargeConfig,
  );
  const anonymous: number = await context.step(async () => 42);
  await context.step("linear", async () => "x", { retryStrategy: createLinearRetryStrategy({ maxAttempts: 4 }) });
  await context.step("preset", async () => "y", { retryStrategy: retryPresets.linear });
  await context.step("custom", async () => "z", { retryStrategy: onlyTimeouts });

  await context.wait("cooldown", cooldown);
  await context.wait(longer);
  await context.wait({ seconds: 10 });

  context.logger.info("charged", payment.chargeId);
  context.logger.error("example", new Error("not really"));
  const arn: string = context.executionContext.durableExecutionArn;
  const requestId: string = context.lambdaContext.awsRequestId;
  const remaining: number = context.lambdaContext.getRemainingTimeInMillis();

  try {
    await context.step("may-fail", async () => {
      throw new Error("declined");
    });
  } catch (e) {
    if (e instanceof StepError) context.logger.warn(e.errorType, e.message, e.cause?.name);
  }

  // @ts-expect-error a wait needs a duration
  await context.wait("no-duration");
  // @ts-expect-error a step returning a number is not a string
  const wrong: string = await context.step(async () => 1);
  // @ts-expect-error "seconds" is the unit, not "secs"
  await context.wait({ secs: 5 });

  return { status: "completed" as const, chargeId: payment.chargeId, anonymous, arn, requestId, remaining, wrong };
});

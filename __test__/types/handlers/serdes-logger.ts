// Type-check only: serdes, loggers, handler/config types and error classes, written against the
// official SDK's types.
import {
  ChildContextError,
  DurableOperationError,
  createClassSerdes,
  createClassSerdesWithDates,
  defaultSerdes,
  withDurableExecution,
  type AnySerdes,
  type DurableExecutionConfig,
  type DurableExecutionHandler,
  type DurableLambdaHandler,
  type DurableLogData,
  type DurableLogger,
  type DurableLoggingContext,
  type Serdes,
  type SerdesConfig,
  type SerdesContext,
} from "@aws/durable-execution-sdk-js";

class Invoice {
  id = "";
  issuedAt = new Date(0);
}

class JsonLinesLogger implements DurableLogger {
  private context: DurableLoggingContext | undefined;
  readonly lines: string[] = [];
  private write(level: string, params: unknown[]): void {
    const data: DurableLogData | undefined = this.context?.getDurableLogData();
    this.lines.push(JSON.stringify({ level, executionArn: data?.executionArn, operationId: data?.operationId, params }));
  }
  error(...params: unknown[]): void {
    this.write("ERROR", params);
  }
  warn(...params: unknown[]): void {
    this.write("WARN", params);
  }
  info(...params: unknown[]): void {
    this.write("INFO", params);
  }
  debug(...params: unknown[]): void {
    this.write("DEBUG", params);
  }
  configureDurableLoggingContext(context: DurableLoggingContext): void {
    this.context = context;
  }
}

const upperSerdes: Serdes<string> = {
  serialize: async (value: string | undefined, context: SerdesContext) => (value === undefined ? undefined : `${context.entityId}:${value.toUpperCase()}`),
  deserialize: async (data: string | undefined) => data?.slice(data.indexOf(":") + 1),
};

const invoiceSerdes: Serdes<Invoice> = createClassSerdesWithDates(Invoice, ["issuedAt"]);
const plainInvoiceSerdes: Serdes<Invoice> = createClassSerdes(Invoice);
const fallback: AnySerdes = defaultSerdes;
const serdesConfig: SerdesConfig = { defaultSerdes: fallback, defaultCallbackDeserializer: fallback };

const config: DurableExecutionConfig = {};

const durable: DurableExecutionHandler<{ id: string }, { id: string; year: number }> = async (event, context) => {
  context.configureLogger({ customLogger: new JsonLinesLogger(), modeAware: false });
  context.configureSerdes(serdesConfig);
  const shout: string = await context.step("shout", async () => event.id, { serdes: upperSerdes });
  const invoice: Invoice = await context.step("invoice", async () => Object.assign(new Invoice(), { id: shout, issuedAt: new Date() }), { serdes: invoiceSerdes });
  await context.step("plain", async () => new Invoice(), { serdes: plainInvoiceSerdes });
  try {
    await context.runInChildContext(async () => {
      throw new Error("inner");
    });
  } catch (e) {
    if (e instanceof ChildContextError) {
      const cause: Error | undefined = e.cause;
      const data: string | undefined = e.errorData;
      context.logger.warn(e.errorType, cause?.message, data);
    } else if (e instanceof DurableOperationError) {
      context.logger.error(e.toErrorObject().ErrorType);
    }
  }
  return { id: invoice.id, year: invoice.issuedAt.getUTCFullYear() };
};

export const handler: DurableLambdaHandler = withDurableExecution(durable, config);

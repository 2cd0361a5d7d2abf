// Logging (API.md §12): the default JSON-lines logger, the metadata each record carries, and
// the replay-aware wrapper handed to user code as `context.logger`.

import { format } from "node:util";

export enum DurableLogLevel {
  INFO = "INFO",
  WARN = "WARN",
  ERROR = "ERROR",
  DEBUG = "DEBUG",
}

export interface DurableLogData {
  requestId: string;
  executionArn: string;
  tenantId?: string;
  operationId?: string;
  operationName?: string;
  attempt?: number;
  [key: string]: unknown;
}

export interface DurableLoggingContext {
  getDurableLogData: () => DurableLogData;
}

export interface DurableLogger {
  log?(level: `${DurableLogLevel}`, ...params: any): void;
  error(...params: any): void;
  warn(...params: any): void;
  info(...params: any): void;
  debug(...params: any): void;
  configureDurableLoggingContext?(durableLoggingContext: DurableLoggingContext): void;
}

export type DurableContextLogger<Logger extends DurableLogger = DurableLogger> = Pick<Logger, "log" | "warn" | "info" | "error" | "debug">;

export interface LoggerConfig<Logger extends DurableLogger = DurableLogger> {
  customLogger?: Logger;
  modeAware?: boolean;
}

const LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
type Level = (typeof LEVELS)[number];

function enabledLevel(level: Level): boolean {
  const configured = (process.env.AWS_LAMBDA_LOG_LEVEL ?? "").toUpperCase() as Level;
  const min = LEVELS.includes(configured) ? LEVELS.indexOf(configured) : 0;
  return LEVELS.indexOf(level) >= min;
}

function errorFields(e: Error): Record<string, unknown> {
  return { errorType: e.constructor?.name ?? e.name, errorMessage: e.message, stackTrace: (e.stack ?? "").split("\n") };
}

/** Writes one JSON object per call: metadata, plugin fields (which win over metadata, as in the SDK), then `message`. */
export function formatRecord(level: Level, data: DurableLogData, params: unknown[], extra?: Record<string, unknown>): string {
  const record: Record<string, unknown> = { requestId: data.requestId, timestamp: new Date().toISOString(), level };
  for (const [k, v] of Object.entries(data)) if (k !== "requestId" && v !== undefined) record[k] = v;
  if (extra) for (const [k, v] of Object.entries(extra)) if (v !== undefined) record[k] = v;
  if (params.length === 1) {
    const only = params[0];
    record.message = only instanceof Error ? { ...errorFields(only), ...only } : only;
  } else {
    record.message = format(...params);
    const firstError = params.find((p): p is Error => p instanceof Error);
    if (firstError) Object.assign(record, errorFields(firstError));
  }
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({ ...record, message: format(...params) });
  }
}

/** The logger used when no custom logger is configured. */
export class DefaultLogger implements DurableLogger {
  private data: () => DurableLogData = () => ({ requestId: "", executionArn: "" });

  /** `enrich` adds fields to every record (instrumentation plugins' enrichLogContext, API.md §13.2). */
  constructor(private readonly enrich?: () => Record<string, unknown> | undefined) {}

  configureDurableLoggingContext(context: DurableLoggingContext): void {
    this.data = context.getDurableLogData;
  }

  private write(level: Level, params: unknown[]): void {
    if (!enabledLevel(level)) return;
    const line = formatRecord(level, this.data(), params, this.enrich?.());
    if (level === "ERROR" || level === "WARN") process.stderr.write(line + "\n");
    else process.stdout.write(line + "\n");
  }

  log(level: `${DurableLogLevel}`, ...params: unknown[]): void {
    const l = String(level).toUpperCase() as Level;
    this.write(LEVELS.includes(l) ? l : "INFO", params);
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
}

/**
 * Binds a logger to the metadata of one context or step and, when `enabled` says no (replay
 * suppression), drops the call. The underlying logger's return values pass through.
 */
export function bindLogger<L extends DurableLogger>(base: L, data: () => DurableLogData, enabled: () => boolean): DurableContextLogger<L> {
  const call =
    (method: "error" | "warn" | "info" | "debug") =>
    (...params: unknown[]) => {
      if (!enabled()) return undefined;
      base.configureDurableLoggingContext?.({ getDurableLogData: data });
      return (base[method] as (...p: unknown[]) => unknown)(...params);
    };
  const logger: Record<string, unknown> = { error: call("error"), warn: call("warn"), info: call("info"), debug: call("debug") };
  if (typeof base.log === "function") {
    logger.log = (level: `${DurableLogLevel}`, ...params: unknown[]) => {
      if (!enabled()) return undefined;
      base.configureDurableLoggingContext?.({ getDurableLogData: data });
      return base.log!(level, ...params);
    };
  }
  return logger as DurableContextLogger<L>;
}

// Loading a user's handler file: TypeScript runs without a build step (tsx), and the official
// SDK's package name resolves to durable-node in both module systems, with no configuration.

import { existsSync, statSync } from "node:fs";
import Module from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import type { DurableEngine } from "../engine/durable-engine";
import { DURABLE_HANDLER, type DurableLambdaHandler } from "../with-durable-execution";
import { UsageError } from "./usage-error";

const ALIASES: Record<string, string> = {
  "@aws/durable-execution-sdk-js": path.resolve(__dirname, "..", "index.js"),
  "@aws/durable-execution-sdk-js-testing": path.resolve(__dirname, "..", "testing", "index.js"),
};

let cjsInstalled = false;
let esmInstalled = false;

/** CommonJS: the official package names resolve to this package; tsx compiles TypeScript. */
function installCjsAliases(): void {
  if (cjsInstalled) return;
  cjsInstalled = true;
  const M = Module as unknown as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
  const original = M._resolveFilename;
  M._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    return ALIASES[request] ?? original.call(this, request, ...rest);
  };
  // tsx compiles .ts/.tsx/.mts/.cts on the fly in both module systems.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("tsx/cjs/api").register();
}

/** ES modules: the same, through loader hooks (which run on a thread of their own: costly to start). */
async function installEsmHooks(): Promise<void> {
  if (esmInstalled) return;
  esmInstalled = true;
  const register = (Module as unknown as { register?: (url: string, options: unknown) => void }).register;
  if (register) {
    const urls = Object.fromEntries(Object.entries(ALIASES).map(([name, file]) => [name, pathToFileURL(file).href]));
    register(pathToFileURL(path.join(__dirname, "alias-hooks.js")).href, { data: { aliases: urls } });
  }
  await import("tsx/esm");
}

/** What `require` says of a module only `import` can load. */
function needsImport(e: unknown): boolean {
  const err = e as NodeJS.ErrnoException;
  return err?.code === "ERR_REQUIRE_ESM" || err?.code === "ERR_REQUIRE_ASYNC_MODULE" || /top-level await/i.test(String(err?.message));
}

export interface LoadedHandler {
  handler: DurableLambdaHandler;
  /** Other functions the file offers for chained invokes (its `functions` export). */
  functions: Record<string, (...args: any[]) => unknown>;
}

/**
 * Imports a user's module (TypeScript or JavaScript, either module system) with the official
 * package names aliased; a missing or failing file is a usage error naming `what` it is.
 */
export async function importUserModule(file: string, what: string, options: { preferRequire?: boolean } = {}): Promise<Record<string, unknown>> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new UsageError(`${what} not found: ${file}`);
  }
  installCjsAliases();
  if (options.preferRequire) {
    // A runtime process starts faster without the ESM loader thread; only a module that
    // `require` cannot load (an ES module with top-level await, …) needs it.
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(absolute) as Record<string, unknown>;
    } catch (e) {
      if (!needsImport(e)) throw new UsageError(`cannot load ${what} ${file}: ${(e as Error)?.message ?? e}`);
    }
  }
  await installEsmHooks();
  try {
    return (await import(pathToFileURL(absolute).href)) as Record<string, unknown>;
  } catch (e) {
    throw new UsageError(`cannot load ${what} ${file}: ${(e as Error)?.message ?? e}`);
  }
}

/** Imports `file` and returns its durable handler export, or a usage error naming the problem. */
export async function loadHandler(file: string, exportName: string): Promise<LoadedHandler> {
  const mod = await importUserModule(file, "handler file");
  // A CommonJS module imported from ESM exposes its exports on `default` as well.
  const defaults = (mod.default && typeof mod.default === "object" ? mod.default : {}) as Record<string, unknown>;
  const exported = (name: string): unknown => mod[name] ?? defaults[name];
  const handler = exported(exportName);
  if (handler === undefined) {
    const names = [...new Set([...Object.keys(mod), ...Object.keys(defaults)])].filter((k) => k !== "default" && k !== "__esModule");
    throw new UsageError(`${file} exports no handler named "${exportName}"${names.length ? ` (it exports: ${names.join(", ")})` : ""}; choose one with --export`);
  }
  if (typeof handler !== "function" || !(handler as unknown as Record<symbol, unknown>)[DURABLE_HANDLER]) {
    throw new UsageError(`export "${exportName}" of ${file} is not a durable handler: wrap it with withDurableExecution(...)`);
  }
  const functions = exported("functions") ?? {};
  if (typeof functions !== "object" || functions === null || Object.values(functions).some((f) => typeof f !== "function")) {
    throw new UsageError(`export "functions" of ${file} must be an object from function name to handler`);
  }
  return { handler: handler as DurableLambdaHandler, functions: functions as LoadedHandler["functions"] };
}

/** Registers a file's `functions` on an engine: durable handlers as such, the rest as plain functions. */
export function registerFunctions(engine: DurableEngine, functions: LoadedHandler["functions"]): void {
  for (const [name, fn] of Object.entries(functions)) {
    if ((fn as unknown as Record<symbol, unknown>)[DURABLE_HANDLER]) engine.register(name, fn as DurableLambdaHandler);
    else engine.registerFunction(name, fn);
  }
}

/** A function name derived from the file name: letters, digits, '-' and '_'. */
export function functionNameFor(file: string, exportName: string): string {
  const base = path.basename(file).replace(/\.(c|m)?(t|j)sx?$/, "");
  const name = exportName === "handler" ? base : `${base}-${exportName}`;
  return name.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 64) || "handler";
}

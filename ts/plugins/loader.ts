// Which plugins an invocation runs (API.md §13.4): the explicit `config.plugins`, followed by
// one plugin per module listed in DURABLE_EXECUTION_PLUGINS, each created through the module's
// versioned `durableExecutionPluginProvider`. Any problem is a PluginLoadError, which makes
// every invocation of the handler answer FAILED.

import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { PluginLoadError } from "../errors";
import { DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION, type DurableInstrumentationPlugin, type DurableInstrumentationPluginProvider } from "./types";

export const PLUGIN_ENVIRONMENT_VARIABLE = "DURABLE_EXECUTION_PLUGINS";
export const PLUGIN_PROVIDER_EXPORT = "durableExecutionPluginProvider";

type Environment = Readonly<Record<string, string | undefined>>;

/** Checks `config.plugins` when the handler is wrapped: a mistake there is a programming error. */
export function explicitPlugins(plugins: unknown): DurableInstrumentationPlugin[] {
  if (plugins === undefined || plugins === null) return [];
  if (!Array.isArray(plugins)) {
    throw new TypeError(`DurableExecutionConfig.plugins must be an array of plugin objects, got ${typeof plugins}`);
  }
  plugins.forEach((plugin, index) => {
    if (!plugin || typeof plugin !== "object") {
      throw new TypeError(`DurableExecutionConfig.plugins[${index}] must be a plugin object, got ${plugin === null ? "null" : typeof plugin}`);
    }
  });
  return [...plugins] as DurableInstrumentationPlugin[];
}

/** The module specifiers listed in the environment, validated (no empty entries, no duplicates). */
export function pluginSpecifiers(environment: Environment): string[] {
  const raw = environment[PLUGIN_ENVIRONMENT_VARIABLE];
  if (raw === undefined || raw.trim() === "") return [];
  const specifiers = raw.split(",").map((s) => s.trim());
  if (specifiers.some((s) => s === "")) {
    throw new PluginLoadError(`${PLUGIN_ENVIRONMENT_VARIABLE} must contain non-empty, comma-separated package or module specifiers, got ${JSON.stringify(raw)}.`);
  }
  const seen = new Set<string>();
  for (const s of specifiers) {
    if (seen.has(s)) throw new PluginLoadError(`${PLUGIN_ENVIRONMENT_VARIABLE} contains duplicate module specifier '${s}'.`);
    seen.add(s);
  }
  return specifiers;
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND" || code === "ERR_UNSUPPORTED_DIR_IMPORT";
}

/** Imports a module normally, or else as resolved from LAMBDA_TASK_ROOT (or the working directory). */
async function importPluginModule(specifier: string, environment: Environment): Promise<unknown> {
  let firstError: unknown;
  // A relative specifier means the function's directory, never this module's.
  if (!specifier.startsWith(".")) {
    try {
      return await import(specifier);
    } catch (error) {
      if (!isNotFound(error)) throw new PluginLoadError(`Plugin module '${specifier}' failed to load: ${(error as Error)?.message ?? String(error)}`, { cause: error });
      firstError = error;
    }
  }
  const root = environment.LAMBDA_TASK_ROOT || process.cwd();
  let resolved: string;
  try {
    resolved = createRequire(path.join(path.resolve(root), "package.json")).resolve(specifier);
  } catch (error) {
    const causes = firstError === undefined ? [error] : [firstError, error];
    throw new PluginLoadError(`Plugin module '${specifier}' could not be found (looked from ${path.resolve(root)}).`, { cause: new AggregateError(causes) });
  }
  try {
    return await import(pathToFileURL(resolved).href);
  } catch (error) {
    throw new PluginLoadError(`Plugin module '${specifier}' failed to load from ${resolved}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
}

/** The provider a module exports, directly or on its default export. */
function providerOf(specifier: string, mod: unknown): unknown {
  if (!mod || (typeof mod !== "object" && typeof mod !== "function")) {
    throw new PluginLoadError(`Plugin module '${specifier}' did not evaluate to a module namespace object.`);
  }
  const direct = (mod as Record<string, unknown>)[PLUGIN_PROVIDER_EXPORT];
  const fallback = (mod as { default?: Record<string, unknown> }).default;
  const viaDefault = fallback && (typeof fallback === "object" || typeof fallback === "function") ? fallback[PLUGIN_PROVIDER_EXPORT] : undefined;
  if (direct === undefined && viaDefault === undefined) {
    throw new PluginLoadError(`Plugin module '${specifier}' must export '${PLUGIN_PROVIDER_EXPORT}'.`);
  }
  if (direct !== undefined && viaDefault !== undefined && direct !== viaDefault) {
    throw new PluginLoadError(`Plugin module '${specifier}' exposes multiple different '${PLUGIN_PROVIDER_EXPORT}' values.`);
  }
  return direct ?? viaDefault;
}

/** Checks the provider contract and creates the plugin. */
function createFromProvider(specifier: string, provider: unknown): DurableInstrumentationPlugin {
  const where = `'${PLUGIN_PROVIDER_EXPORT}' of plugin module '${specifier}'`;
  if (!provider || typeof provider !== "object") {
    throw new PluginLoadError(`${where} must be an object, got ${provider === null ? "null" : typeof provider}.`);
  }
  const p = provider as Partial<DurableInstrumentationPluginProvider>;
  if (p.pluginApiVersion !== DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION) {
    throw new PluginLoadError(
      `${where} declares pluginApiVersion ${JSON.stringify(p.pluginApiVersion)}; this SDK supports ${DURABLE_INSTRUMENTATION_PLUGIN_API_VERSION}.`,
    );
  }
  if (typeof p.pluginType !== "function") throw new PluginLoadError(`${where} must have a pluginType constructor, got ${typeof p.pluginType}.`);
  if (typeof p.createPlugin !== "function") throw new PluginLoadError(`${where} must have a createPlugin() function, got ${typeof p.createPlugin}.`);
  let plugin: unknown;
  try {
    plugin = p.createPlugin.call(provider);
  } catch (error) {
    throw new PluginLoadError(`${where}: createPlugin() threw: ${(error as Error)?.message ?? String(error)}`, { cause: error });
  }
  if (!(plugin instanceof (p.pluginType as unknown as new () => unknown))) {
    throw new PluginLoadError(`${where}: createPlugin() must return an instance of ${p.pluginType.name || "its pluginType"}.`);
  }
  return plugin as DurableInstrumentationPlugin;
}

/** Explicit plugins in their order, then the environment's in the order listed. */
export async function loadConfiguredPlugins(
  explicit: readonly DurableInstrumentationPlugin[],
  environment: Environment = process.env,
): Promise<DurableInstrumentationPlugin[]> {
  const specifiers = pluginSpecifiers(environment);
  const loaded: DurableInstrumentationPlugin[] = [];
  for (const specifier of specifiers) {
    const mod = await importPluginModule(specifier, environment);
    loaded.push(createFromProvider(specifier, providerOf(specifier, mod)));
  }
  return [...explicit, ...loaded];
}

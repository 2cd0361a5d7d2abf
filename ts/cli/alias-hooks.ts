// ESM resolve hook (registered with module.register): makes `@aws/durable-execution-sdk-js`
// resolve to durable-node for handler files loaded by the CLI.

interface AliasData {
  aliases: Record<string, string>;
}

let aliases: Record<string, string> = {};

export function initialize(data: AliasData): void {
  aliases = data.aliases;
}

type NextResolve = (specifier: string, context: unknown) => Promise<{ url: string }>;

export async function resolve(specifier: string, context: unknown, nextResolve: NextResolve): Promise<{ url: string; shortCircuit?: boolean }> {
  const target = aliases[specifier];
  if (target) return { url: target, shortCircuit: true };
  return nextResolve(specifier, context);
}

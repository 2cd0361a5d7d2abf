// The conformance suite's matching rules (shared/spec/CONFORMANCE.md §3): placeholders that bind
// once and must agree afterwards, `*` and `{}` wildcards (the key must still exist), `${/re/}`
// regular expressions, partial mappings, exact lists.

export type Bindings = Map<string, unknown>;

const PLACEHOLDER = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const REGEX = /^\$\{\/(.*)\/\}$/s;
const INLINE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces bound `${NAME}` references inside a string. */
export function interpolate(text: string, bindings: Bindings): string {
  return text.replace(INLINE, (whole, name: string) => (bindings.has(name) ? String(bindings.get(name)) : whole));
}

/** Substitutes placeholders throughout a value (a whole-string placeholder keeps its type). */
export function substitute(value: unknown, bindings: Bindings): unknown {
  if (typeof value === "string") {
    const whole = PLACEHOLDER.exec(value);
    if (whole && bindings.has(whole[1])) return bindings.get(whole[1]);
    return interpolate(value, bindings);
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, bindings));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, bindings)]));
  return value;
}

/** A regex from the suite (Python syntax): `(?i)` becomes the i flag. */
export function suiteRegex(source: string): RegExp {
  let flags = "";
  let body = source;
  const inline = /^\(\?([imsx]+)\)/.exec(body);
  if (inline) {
    body = body.slice(inline[0].length);
    flags = inline[1].replace(/x/g, "");
  }
  return new RegExp(body, flags);
}

function isEmptyMapping(v: unknown): boolean {
  return !!v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 0;
}

/** Returns the first mismatch as a path and reason, or undefined when `actual` matches. */
export function match(expected: unknown, actual: unknown, bindings: Bindings, path = ""): string | undefined {
  if (expected === "*" || isEmptyMapping(expected)) return undefined;
  if (typeof expected === "string") {
    const placeholder = PLACEHOLDER.exec(expected);
    if (placeholder) {
      const name = placeholder[1];
      if (!bindings.has(name)) {
        bindings.set(name, actual);
        return undefined;
      }
      return JSON.stringify(bindings.get(name)) === JSON.stringify(actual) ? undefined : `${path}: expected ${name}=${JSON.stringify(bindings.get(name))}, got ${JSON.stringify(actual)}`;
    }
    const regex = REGEX.exec(expected);
    if (regex) {
      const re = suiteRegex(interpolate(regex[1], bindings));
      return re.test(typeof actual === "string" ? actual : JSON.stringify(actual)) ? undefined : `${path}: ${JSON.stringify(actual)} does not match /${regex[1]}/`;
    }
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: expected a list of ${expected.length}, got ${JSON.stringify(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const m = match(expected[i], actual[i], bindings, `${path}[${i}]`);
      if (m) return m;
    }
    return undefined;
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object") return `${path}: expected a mapping, got ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in (actual as object))) return `${path}.${key}: missing`;
      const m = match(value, (actual as Record<string, unknown>)[key], bindings, `${path}.${key}`);
      if (m) return m;
    }
    return undefined;
  }
  if (typeof expected === "number" || typeof actual === "number") {
    return Number(expected) === Number(actual) ? undefined : `${path}: expected ${String(expected)}, got ${JSON.stringify(actual)}`;
  }
  const want = typeof expected === "string" ? interpolate(expected, bindings) : expected;
  return want === actual ? undefined : `${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(actual)}`;
}

/** Matches expected events to actual ones by EventId. */
export function matchHistory(expected: Record<string, unknown>[], actual: Record<string, unknown>[], bindings: Bindings): string[] {
  const byId = new Map(actual.map((e) => [Number(e.EventId), e]));
  const problems: string[] = [];
  for (const event of expected) {
    const found = byId.get(Number(event.EventId));
    if (!found) {
      problems.push(`event ${String(event.EventId)} (${String(event.EventType)}): missing`);
      continue;
    }
    const m = match(event, found, bindings, `event ${String(event.EventId)}`);
    if (m) problems.push(m);
  }
  return problems;
}

/**
 * JSON text as the reference runner (Python `json.dumps` with its defaults) writes it: ", " and
 * ": " separators and non-ASCII characters escaped. Callback payloads are sent in this form, so
 * the recorded histories show e.g. `Payload: '{"status": "approved"}'` (7-11).
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") return `{${Object.entries(value).map(([k, v]) => `${pythonJsonDumps(k)}: ${pythonJsonDumps(v)}`).join(", ")}}`;
  return JSON.stringify(value);
}

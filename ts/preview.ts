// buildPreview (API.md §10.6): a small, size-capped excerpt of a value for checkpoint envelopes
// (createFileSystemSerdes' `generatePreview`), chosen by include / exclude / mask rules.
//
// The value is walked depth-first; every leaf becomes a (dotted path, value) pair. Arrays do
// not add a path segment, so the fields of their elements merge at the array's path. Keys
// containing "." and the keys __proto__ / constructor / prototype are skipped. Pairs are kept in
// walk order while the JSON size estimate stays within `maxPreviewBytes`, then rebuilt into a
// nested object.

/** How a PreviewField's `name` is compared with a field's dotted path. */
export enum FieldMatchMode {
  /** `name` is any one segment of the path (the field at any depth). Default. */
  ANYWHERE = "ANYWHERE",
  /** `name` is the whole dotted path from the root (`"email"` is the root field only). */
  PATH = "PATH",
}

/** Whether fields are shown unless excluded, or hidden unless included. */
export enum PreviewMode {
  INCLUDE_ALL = "INCLUDE_ALL",
  EXCLUDE_ALL = "EXCLUDE_ALL",
}

export interface PreviewField {
  /** Field name or dotted path. */
  name: string;
  /** Defaults to FieldMatchMode.ANYWHERE. */
  match?: FieldMatchMode;
}

export interface PreviewConfig {
  mode: PreviewMode;
  /** Shown fields in EXCLUDE_ALL mode. */
  include?: PreviewField[];
  /** Never shown, and not descended into; wins over include and mask. */
  exclude?: PreviewField[];
  /** Shown (unless excluded) with `maskString` instead of the value. */
  mask?: PreviewField[];
  /** Default "***". */
  maskString?: string;
  /** Size cap of the preview's JSON (estimated); default 4096. */
  maxPreviewBytes?: number;
}

const SKIPPED_KEYS = new Set(["__proto__", "constructor", "prototype"]);

function matchesField(path: string, field: PreviewField): boolean {
  if ((field.match ?? FieldMatchMode.ANYWHERE) === FieldMatchMode.PATH) return path === field.name;
  return path.split(".").includes(field.name);
}

function matchesAny(path: string, fields: PreviewField[] | undefined): boolean {
  return !!fields && fields.some((f) => matchesField(path, f));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object";
}

/** The leaves of `value` that the rules show, as [dotted path, shown value], in walk order. */
function visibleLeaves(value: object, config: PreviewConfig, maskString: string): Array<[string, unknown]> {
  const leaves: Array<[string, unknown]> = [];
  const walk = (node: unknown, prefix: string): void => {
    if (!isObject(node)) return;
    if (Array.isArray(node)) {
      for (const element of node) walk(element, prefix);
      return;
    }
    for (const key of Object.keys(node)) {
      if (SKIPPED_KEYS.has(key) || key.includes(".")) continue;
      const path = prefix === "" ? key : `${prefix}.${key}`;
      if (matchesAny(path, config.exclude)) continue;
      const child = node[key];
      if (matchesAny(path, config.mask)) {
        leaves.push([path, maskString]);
        continue;
      }
      const shown = config.mode === PreviewMode.INCLUDE_ALL || matchesAny(path, config.include);
      // Objects are descended into whether shown or not: their own fields decide for themselves.
      if (isObject(child)) walk(child, path);
      else if (shown) leaves.push([path, child]);
    }
  };
  walk(value, "");
  return leaves;
}

/** Nests dotted-path pairs; a later object path replaces an earlier primitive at its prefix. */
function nest(pairs: Array<[string, unknown]>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [path, value] of pairs) {
    const parts = path.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
    node[parts[parts.length - 1]] = value;
  }
  return root;
}

export function buildPreview(value: any, config: PreviewConfig): Record<string, unknown> | undefined {
  if (!isObject(value)) return undefined;
  const maskString = config.maskString ?? "***";
  const maxBytes = config.maxPreviewBytes ?? 4096;
  const accepted: Array<[string, unknown]> = [];
  let size = 2; // "{}"
  for (const [path, leaf] of visibleLeaves(value, config, maskString)) {
    const entry = Buffer.byteLength(`"${path}":${JSON.stringify(leaf)},`, "utf8");
    if (size + entry > maxBytes) break;
    accepted.push([path, leaf]);
    size += entry;
  }
  if (accepted.length === 0) return undefined;
  const preview = nest(accepted);
  return Object.keys(preview).length > 0 ? preview : undefined;
}

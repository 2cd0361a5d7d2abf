// Loading the conformance requirements (shared/conformance/test-requirements/<suite>/<id>.yaml)
// and binding their Variables.

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { parse } from "yaml";

import type { Bindings } from "./matcher";

/** The suite as copied into the repository (Apache-2.0, LICENSE and NOTICE beside it), so a
 * clean clone tests without the shared folder; conformance-fixtures.spec.ts keeps it equal to
 * ../shared/conformance where that exists. */
export const CONFORMANCE_DIR = path.resolve(__dirname, "..", "fixtures", "conformance", "test-requirements");
export const HANDLERS_DIR = path.resolve(__dirname, "handlers");

export interface CallbackAction {
  CallbackName: string;
  Operation: string;
  Payload?: unknown;
  Delay?: number;
}

export interface Requirement {
  id: string;
  suite: string;
  file: string;
  handlerFile: string;
  description: string;
  optional: boolean;
  Variables?: Record<string, unknown>;
  Input?: unknown;
  ExpectedResult?: { ExecutionStatus: string; Result?: unknown };
  ExpectedExecutionHistory: Record<string, unknown>[];
  AsyncInvoke?: boolean;
  CallbackActions?: CallbackAction[];
  ExpectedLogs?: Record<string, unknown>[];
}

function byId(a: string, b: string): number {
  const [a1, a2] = a.split("-").map(Number);
  const [b1, b2] = b.split("-").map(Number);
  return a1 - b1 || a2 - b2;
}

export function loadRequirements(): Requirement[] {
  if (!existsSync(CONFORMANCE_DIR)) throw new Error(`conformance requirements not found at ${CONFORMANCE_DIR}`);
  const all: Requirement[] = [];
  for (const suite of readdirSync(CONFORMANCE_DIR).sort()) {
    const dir = path.join(CONFORMANCE_DIR, suite);
    for (const name of readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
      const id = name.replace(/\.yaml$/, "");
      const file = path.join(dir, name);
      const doc = parse(readFileSync(file, "utf8")) as Omit<Requirement, "id" | "suite" | "file" | "handlerFile">;
      all.push({
        ...doc,
        id,
        suite,
        file,
        handlerFile: path.join(HANDLERS_DIR, suite, `${id}.ts`),
        optional: Boolean((doc as { optional?: boolean }).optional),
        description: String(doc.description ?? ""),
      });
    }
  }
  return all.sort((a, b) => byId(a.id, b.id));
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Binds Variables: `${GEN_STR:n}` becomes n random characters, anything else is bound as text. */
export function bindVariables(req: Requirement): Bindings {
  const bindings: Bindings = new Map();
  for (const [name, value] of Object.entries(req.Variables ?? {})) {
    const gen = typeof value === "string" ? /^\$\{GEN_STR:(\d+)\}$/.exec(value) : null;
    if (gen) {
      let s = "";
      for (let i = 0; i < Number(gen[1]); i++) s += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
      bindings.set(name, s);
    } else {
      bindings.set(name, typeof value === "string" ? value : String(value));
    }
  }
  return bindings;
}

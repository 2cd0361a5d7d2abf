// PostgreSQL for specs: the run's database (made by postgres-setup.ts) and a fresh schema in it
// per call, so each engine, CLI run or worker fleet of a spec has tables of its own.

import { randomUUID } from "node:crypto";

import { inject } from "vitest";

/** The run's database URL; throws (failing the spec) with what is missing when there is none. */
export function postgresDatabase(): string {
  const { url, problem } = inject("postgres");
  if (!url) throw new Error(problem ?? "no PostgreSQL database was provided to this run");
  return url;
}

/** A URL of the run's database with a schema no one else uses. */
export function freshPostgresUrl(prefix = "s"): string {
  const url = postgresDatabase();
  return `${url}${url.includes("?") ? "&" : "?"}schema=${prefix}_${randomUUID().replace(/-/g, "")}`;
}

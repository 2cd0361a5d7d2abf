// Vitest global setup: one fresh PostgreSQL database per test run, on the server
// DURABLE_NODE_TEST_PG names (default: the local server, postgres://postgres@127.0.0.1:5432/postgres),
// dropped when the run ends. Specs on PostgreSQL get its URL through `postgresDatabase()`
// (helpers/postgres.ts) and a schema of their own in it. When no server can be reached the
// reason is handed to those specs, which fail with it: the PostgreSQL suites never skip.

import type { TestProject } from "vitest/node";

import { native } from "../../ts/native";

export const DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    postgres: { url?: string; problem?: string };
  }
}

export default function setup(project: TestProject): () => void {
  const server = process.env.DURABLE_NODE_TEST_PG || DEFAULT_SERVER;
  const name = `durable_vitest_${process.pid}_${Math.random().toString(16).slice(2, 10)}`;
  try {
    const url = process.env.DURABLE_NODE_TEST_PG_DB || native.postgresCreateDatabase(server, name);
    project.provide("postgres", { url });
  } catch (e) {
    const reason = (e as Error).message;
    project.provide("postgres", {
      problem: `the PostgreSQL specs need a server where this user may CREATE DATABASE; ${server.replace(/:[^:@/]*@/, ":***@")} answered: ${reason}. Start PostgreSQL 15+ there or set DURABLE_NODE_TEST_PG.`,
    });
    return () => {};
  }
  return () => {
    if (!process.env.DURABLE_NODE_TEST_PG_DB) native.postgresDropDatabase(server, name);
  };
}

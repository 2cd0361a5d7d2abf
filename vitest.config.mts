import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Handlers under test import the official package name, exactly as users write them; it
// resolves to this package's TypeScript sources.
export default defineConfig({
  resolve: {
    alias: {
      "@aws/durable-execution-sdk-js-testing": path.resolve(path.dirname(fileURLToPath(import.meta.url)), "ts/testing/index.ts"),
      "@aws/durable-execution-sdk-js": path.resolve(path.dirname(fileURLToPath(import.meta.url)), "ts/index.ts"),
    },
  },
  test: {
    include: ["__test__/**/*.spec.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // One fresh PostgreSQL database for the run (DURABLE_NODE_TEST_PG), dropped after.
    globalSetup: ["__test__/helpers/postgres-setup.ts"],
  },
});

import { defineConfig } from "vitest/config";

// The compatibility check's other side: the user-style tests of __test__/compat run with no
// aliases, so @aws/durable-execution-sdk-js and @aws/durable-execution-sdk-js-testing are the
// official packages from node_modules (the default config runs the same files on durable-node).
// Run by __test__/testing-compat.spec.ts, or: npx vitest run --config vitest.official.config.mts
export default defineConfig({
  test: {
    include: ["__test__/compat/**/*.spec.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});

// Fresh temporary directories under os.tmpdir(), removed after the spec file's tests.

import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { afterAll } from "vitest";

/** Call at the top of a spec file; the returned function makes a new empty directory. */
export function tempDirs(prefix = "durable-node-test-"): () => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

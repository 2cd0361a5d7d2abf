// The copies in __test__/fixtures (the tutorial's seed handlers, TypeScript and Python, and the AWS conformance suite)
// let a clean clone run every test; where the shared folder sits beside the repository, they
// must be byte-for-byte what it holds.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { REPO_ROOT } from "./helpers/cli";

const SHARED = path.resolve(REPO_ROOT, "..", "shared");
const FIXTURES = path.join(REPO_ROOT, "__test__", "fixtures");

function files(dir: string, prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(path.join(dir, name)).isDirectory() ? files(path.join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

describe("fixtures copied from the shared folder", () => {
  it("hold the 171 conformance requirements with their licence", () => {
    const requirements = files(path.join(FIXTURES, "conformance", "test-requirements")).filter((f) => f.endsWith(".yaml"));
    expect(requirements).toHaveLength(171);
    expect(existsSync(path.join(FIXTURES, "conformance", "LICENSE"))).toBe(true);
    expect(existsSync(path.join(FIXTURES, "conformance", "NOTICE"))).toBe(true);
  });

  it("equal the shared folder where it exists", () => {
    const pairs: Array<[string, string]> = [
      [path.join(SHARED, "seed", "order-processing.ts"), path.join(FIXTURES, "seed-order-processing.ts")],
      // In a folder of its own: a Python module's file name must be a Python identifier.
      [path.join(SHARED, "seed", "order_processing.py"), path.join(FIXTURES, "seed-python", "order_processing.py")],
    ];
    const conformance = path.join(SHARED, "conformance");
    if (existsSync(conformance)) {
      expect(files(path.join(FIXTURES, "conformance"))).toEqual(files(conformance));
      for (const f of files(conformance)) pairs.push([path.join(conformance, f), path.join(FIXTURES, "conformance", f)]);
    }
    for (const [shared, copy] of pairs.filter(([shared]) => existsSync(shared))) {
      expect(readFileSync(copy, "utf8"), copy).toBe(readFileSync(shared, "utf8"));
    }
  });
});

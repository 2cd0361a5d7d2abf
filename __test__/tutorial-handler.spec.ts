// The tutorial's handler is kept unchanged: examples/order-processing.ts is the seed
// (../shared/seed/order-processing.ts, copied to __test__/fixtures) line for line, plus one
// import of the three example services, which are real modules under examples/.

import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { ORDER_HANDLER, REPO_ROOT } from "./helpers/cli";

const SEED = path.join(REPO_ROOT, "__test__", "fixtures", "seed-order-processing.ts");
const OFFICIAL_IMPORT = `import { withDurableExecution } from "@aws/durable-execution-sdk-js";`;

describe("examples/order-processing.ts", () => {
  const seed = readFileSync(SEED, "utf8").split("\n");
  const example = readFileSync(ORDER_HANDLER, "utf8").split("\n");
  /** Indexes of the example's lines whose removal leaves exactly the seed. */
  const added = example.map((_, i) => i).filter((i) => [...example.slice(0, i), ...example.slice(i + 1)].join("\n") === seed.join("\n"));

  it("starts with the official import, like the seed", () => {
    expect(seed[0]).toBe(OFFICIAL_IMPORT);
    expect(example[0]).toBe(OFFICIAL_IMPORT);
  });

  it("equals the seed except for one added line", () => {
    expect(example.length).toBe(seed.length + 1);
    expect(added.length).toBeGreaterThan(0);
  });

  it("adds only an import of customerService, paymentService and inventoryService from a module under examples/", async () => {
    expect(added.length).toBeGreaterThan(0);
    const line = example[added[0]];
    const match = /^import \{ ([\w, ]+) \} from "(\.\/[^"]+)";$/.exec(line);
    expect(match, line).not.toBeNull();
    expect(match![1].split(",").map((s) => s.trim()).sort()).toEqual(["customerService", "inventoryService", "paymentService"]);
    const modulePath = path.resolve(path.dirname(ORDER_HANDLER), match![2]);
    expect(path.relative(path.join(REPO_ROOT, "examples"), modulePath).startsWith("..")).toBe(false);
    const services = await import(modulePath);
    expect(typeof services.customerService.validate).toBe("function");
    expect(typeof services.paymentService.charge).toBe("function");
    expect(typeof services.inventoryService.confirm).toBe("function");
  });
});

// Reading the example services' side-effect ledger (one JSON line per side effect).

import { existsSync, readFileSync } from "node:fs";

/** How often each side effect happened, keyed "service.action" (e.g. "payment.charge"). */
export function ledgerCounts(file: string): Record<string, number> {
  const counts: Record<string, number> = { "customer.validate": 0, "payment.charge": 0, "inventory.confirm": 0 };
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as { service: string; action: string };
    const key = `${entry.service}.${entry.action}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

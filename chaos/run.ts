// `npm run chaos`: the full chaos campaign (chaos/chaos.ts) — at least 500 SIGKILLs of a worker
// running the tutorial and the 50-step workflow; prints the counts, the violations (must be 0),
// PRAGMA integrity_check and the recovery time after a kill. Exit status 1 on any violation.
//
// Environment: CHAOS_KILLS (default 500), CHAOS_SEED, CHAOS_WORKFLOWS (6), CHAOS_ORDERS (3),
// CHAOS_KILL_MAX_MS (1000), CHAOS_CONCURRENCY (8), CHAOS_DIR (default: a fresh temp dir),
// CHAOS_JSON=1 (also print the report as one `CHAOS_JSON {...}` line).
// `--db postgres://…` runs it on PostgreSQL with CHAOS_WORKERS (default 3) workers at once, each
// kill taking a random one of them (in a schema of its own, chaos_<time>, unless the URL names one).
// `tsx chaos/run.ts --verify DIR` checks a finished campaign's files again (the directory is
// printed by every run and keeps the database, both ledgers and every worker's log).

import { FULL, formatReport, runChaos, verifyCampaign } from "./chaos";

const num = (name: string, fallback: number) => {
  const v = process.env[name];
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, not ${JSON.stringify(v)}`);
  return n;
};

async function main() {
  if (process.argv[2] === "--verify") {
    const dir = process.argv[3];
    if (!dir) throw new Error("usage: tsx chaos/run.ts --verify <campaign directory>");
    const result = await verifyCampaign(dir);
    console.log(`executions finished right: ${result.executions.finishedRight}/${result.executions.workflow + result.executions.orders}`);
    console.log(`violations: ${result.violations.length}`);
    for (const v of result.violations) console.log(`  VIOLATION ${v.rule}: ${v.execution ?? ""}${v.step ? `/${v.step}` : ""} ${v.detail}`);
    console.log(`integrity_check: ${result.integrity.join("; ")}`);
    process.exitCode = result.violations.length === 0 ? 0 : 1;
    return;
  }
  const dbAt = process.argv.indexOf("--db");
  let db = dbAt > 0 ? process.argv[dbAt + 1] : undefined;
  if (dbAt > 0 && !db?.startsWith("postgres")) throw new Error("--db takes a postgres:// URL (the default is a SQLite file in the campaign directory)");
  if (db && !/[?&]schema=/.test(db)) db = `${db}${db.includes("?") ? "&" : "?"}schema=chaos_${Date.now()}`;
  const options = {
    db,
    workers: num("CHAOS_WORKERS", db ? 3 : 1),
    kills: num("CHAOS_KILLS", FULL.kills),
    seed: num("CHAOS_SEED", FULL.seed),
    workflows: num("CHAOS_WORKFLOWS", FULL.workflows),
    orders: num("CHAOS_ORDERS", FULL.orders),
    killMaxMs: num("CHAOS_KILL_MAX_MS", FULL.killMaxMs),
    concurrency: num("CHAOS_CONCURRENCY", FULL.concurrency),
    dir: process.env.CHAOS_DIR || undefined,
    progress: (line: string) => console.log(line),
  };
  console.log(`chaos: ${options.kills} kills, seed ${options.seed}, ${options.workflows} workflows + ${options.orders} orders at a time, ${options.workers} worker(s) on ${db ? db.replace(/:[^:@/]*@/, ":***@") : "SQLite"}`);
  const report = await runChaos(options);
  for (const line of formatReport(report)) console.log(line);
  if (process.env.CHAOS_JSON === "1") console.log(`CHAOS_JSON ${JSON.stringify(report)}`);
  const ok = report.violations.length === 0 && report.integrity.join() === "ok";
  process.exitCode = ok ? 0 : 1;
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});

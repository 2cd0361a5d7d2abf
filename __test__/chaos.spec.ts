// The chaos campaign's short form (chaos/chaos.ts; `npm run chaos` is the full run): the worker
// running the tutorial and the 50-step workflow is SIGKILLed 20 times at random moments and
// restarted; every execution must finish with the right result, no committed step may run
// again, at-most-once steps run at most once per attempt, every re-run is explained by a kill,
// and the database passes PRAGMA integrity_check. Then the checker itself is checked: ledgers
// tampered with in each of the ways a bug would show are caught, by the right rule.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { formatReport, runChaos, verifyCampaign, type Campaign, type ChaosReport } from "../chaos/chaos";
import { requireCurrentDist } from "./helpers/cli";
import { tempDirs } from "./helpers/temp";

const tempDir = tempDirs("durable-node-chaos-");
beforeAll(requireCurrentDist);

const KILLS = Number(process.env.CHAOS_KILLS || 20);

describe("chaos campaign (short form)", () => {
  let dir: string;
  let report: ChaosReport;

  it(`survives ${KILLS} SIGKILLs of the worker: every execution right, no violation, database intact`, async () => {
    dir = tempDir();
    report = await runChaos({ kills: KILLS, workflows: 4, orders: 2, dir, finishTimeoutMs: 60_000 });
    const text = formatReport(report).join("\n");
    console.log(text);
    const total = report.executions.workflow + report.executions.orders;
    expect(report.violations, text).toEqual([]);
    expect(report.integrity).toEqual(["ok"]);
    expect(report.kills).toBe(KILLS);
    expect(total).toBeGreaterThanOrEqual(6);
    expect(report.executions.finishedRight).toBe(total);
    // Every workflow ran its 50 steps (plus two designed failures) at least once each.
    expect(report.workflowStepRuns).toBeGreaterThanOrEqual(report.executions.workflow * 52);
    expect(report.callbacksSent).toBe(report.executions.workflow);
    // Every worker not killed during its start-up got ready (and was timed).
    expect(report.recovery.restartToReady.n).toBe(report.workerStarts - report.killsDuringStartup);
  }, 240_000);

  describe("the checker catches a tampered ledger", () => {
    type Line = Record<string, any>;
    const read = (file: string): Line[] =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l));
    const write = (name: string, lines: Line[]) => {
      const file = path.join(dir, name);
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
      return file;
    };
    const campaign = (): Campaign => JSON.parse(readFileSync(path.join(dir, "campaign.json"), "utf8"));
    const workflowLines = () => read(path.join(dir, "workflow-ledger.jsonl"));
    /** Index of the last (committed) line of a workflow step. */
    const lastOf = (lines: Line[], exec: string, step: string) => lines.map((l, i) => (l.exec === exec && l.step === step ? i : -1)).filter((i) => i >= 0).pop()!;
    const rules = (v: { rule: string }[]) => [...new Set(v.map((x) => x.rule))].sort();
    const firstWorkflow = () => campaign().executions.find((e) => e.kind === "workflow")!.name;

    it("a step run again after its success was committed (by a process that was not killed)", async () => {
      expect(report.violations).toEqual([]);
      const lines = workflowLines();
      const exec = firstWorkflow();
      const committed = lines[lastOf(lines, exec, "s03")];
      lines.push({ ...committed, nonce: "tampered", pid: campaign().livePids[0], t: Date.now() });
      const result = await verifyCampaign(dir, { workflow: write("tampered-after-commit.jsonl", lines) });
      expect(rules(result.violations)).toEqual(["V3 ran after its success was committed", "V4 re-run not explained by a kill"]);
      expect(result.violations.every((v) => v.execution === exec && v.step === "s03")).toBe(true);
    });

    it("an at-most-once attempt run twice", async () => {
      const lines = workflowLines();
      const exec = firstWorkflow();
      const at = lastOf(lines, exec, "s07");
      const killed = campaign().killedPids.find((pid) => !lines.some((l) => l.exec === exec && l.step === "s07" && l.pid === pid))!;
      lines.splice(at, 0, { ...lines[at], nonce: "tampered", pid: killed });
      const result = await verifyCampaign(dir, { workflow: write("tampered-amo.jsonl", lines) });
      expect(rules(result.violations)).toEqual(["V5 at most once per retry"]);
    });

    it("a step run twice before its commit by a live worker, or twice by one killed worker", async () => {
      const exec = firstWorkflow();
      let lines = workflowLines();
      let at = lastOf(lines, exec, "s05");
      lines.splice(at, 0, { ...lines[at], nonce: "tampered", pid: campaign().livePids[0] });
      let result = await verifyCampaign(dir, { workflow: write("tampered-live-rerun.jsonl", lines) });
      expect(rules(result.violations)).toEqual(["V4 re-run not explained by a kill"]);

      lines = workflowLines();
      at = lastOf(lines, exec, "s05");
      const killed = campaign().killedPids[0];
      lines.splice(at, 0, { ...lines[at], nonce: "tampered-1", pid: killed }, { ...lines[at], nonce: "tampered-2", pid: killed });
      result = await verifyCampaign(dir, { workflow: write("tampered-double-rerun.jsonl", lines) });
      expect(rules(result.violations)).toEqual(["V4 re-run not explained by a kill"]);
    });

    it("a failed attempt run again after the next attempt started", async () => {
      const lines = workflowLines();
      const exec = firstWorkflow();
      const at = lastOf(lines, exec, "s15");
      const firstAttempt = lines.find((l) => l.exec === exec && l.step === "s15" && l.attempt === 1)!;
      const killed = campaign().killedPids.find((pid) => !lines.some((l) => l.exec === exec && l.step === "s15" && l.pid === pid))!;
      lines.splice(at, 0, { ...firstAttempt, nonce: "tampered", pid: killed, t: lines[at].t });
      const result = await verifyCampaign(dir, { workflow: write("tampered-failed-attempt.jsonl", lines) });
      expect(rules(result.violations)).toEqual(["V3 ran after its failure was committed"]);
    });

    it("a tutorial order charged again after its payment was committed", async () => {
      const lines = read(path.join(dir, "orders-ledger.jsonl"));
      const charge = lines.find((l) => l.service === "payment")!;
      lines.push({ ...charge, chargeId: "ch_again", at: new Date().toISOString() });
      const result = await verifyCampaign(dir, { orders: write("tampered-orders.jsonl", lines) });
      expect(rules(result.violations)).toEqual(["V3 ran after its success was committed"]);
      expect(result.violations.every((v) => v.step === "process-payment")).toBe(true);
    });

    it("a torn ledger line", async () => {
      const file = path.join(dir, "tampered-torn.jsonl");
      writeFileSync(file, readFileSync(path.join(dir, "workflow-ledger.jsonl"), "utf8") + '{"exec":"wf-1","st');
      const result = await verifyCampaign(dir, { workflow: file });
      expect(rules(result.violations)).toEqual(["V7 torn ledger line"]);
    });
  });
});

// The console in a real browser (headless Chromium driven by puppeteer-core): a worker runs
// the tutorial's order workflow and a review waiting on a callback; the list shows both and
// follows the order to SUCCEEDED live; the order's timeline shows each operation with its
// status; the review's timeline shows the retried step's two attempts, the map's items nested
// and the callback waiting; the callback is answered from the page (after the editor refused
// invalid JSON) and the page shows the execution SUCCEEDED without a reload. Screenshots are
// written to __test__/artifacts/console (one is in the README), in light and dark.

import { mkdirSync } from "node:fs";
import path from "node:path";

import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { lastJson, ORDER_INPUT, REPO_ROOT, requireCurrentDist, runCli } from "./helpers/cli";
import { chromiumPath, consoleWorker, startExecution } from "./helpers/console";
import { tempDirs } from "./helpers/temp";
import type { WorkerProcess } from "./helpers/worker";

const ARTIFACTS = path.join(REPO_ROOT, "__test__", "artifacts", "console");
const tempDir = tempDirs("durable-node-console-");

let browser: Browser;
let worker: WorkerProcess;
let page: Page;
let db: string;

beforeAll(async () => {
  requireCurrentDist();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await puppeteer.launch({ executablePath: chromiumPath(), headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  db = path.join(tempDir(), "console.db");
  worker = await consoleWorker(db);
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860 });
});

afterAll(async () => {
  await browser?.close();
  await worker?.stop();
});

const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });
const row = (arn: string, status?: string) => `tr[data-arn="${arn}"]${status ? `[data-status="${status}"]` : ""}`;
const op = (name: string, status?: string) => `li[data-op-name="${name}"]${status ? `[data-status="${status}"]` : ""}`;

describe("the console in Chromium", () => {
  it("lists executions live, draws their timelines and answers a callback from the page", async () => {
    const order = await startExecution(db, "orders", ORDER_INPUT, "order-1001");
    const review = await startExecution(db, "review", { documents: ["contract.pdf", "invoice.pdf"] }, "review-7");

    await page.goto(`${worker.url}/`);
    await page.waitForSelector(row(order));
    await page.waitForSelector(row(review, "RUNNING"));
    expect(await page.$eval(row(order), (tr) => tr.textContent)).toContain("orders");
    // The tutorial waits 10 s: its row turns SUCCEEDED through the live stream, no reload.
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = "same page"));
    await page.waitForSelector(row(order, "SUCCEEDED"), { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker)).toBe("same page");
    await shot("list.png");

    await page.click(`${row(order)} a`);
    await page.waitForSelector(op("confirm-order", "SUCCEEDED"));
    for (const step of ["validate-order", "process-payment", "confirm-order"]) {
      expect(await page.$(op(step, "SUCCEEDED")), step).not.toBeNull();
    }
    expect(await page.$$eval('li[data-type="WAIT"][data-status="SUCCEEDED"]', (els) => els.length)).toBe(1);
    expect(await page.$$eval(".band", (els) => els.length), "two invocations: before and after the wait").toBe(2);
    await shot("order-timeline.png");

    await page.goto(`${worker.url}/#/executions/${encodeURIComponent(review)}`);
    await page.waitForSelector(op("approval", "STARTED"));
    await page.waitForSelector(op("fetch-documents", "SUCCEEDED"));
    // The map's items are nested under it, their steps under them.
    const indent = (name: string) => page.$eval(`${op(name)} .tl-label`, (el) => parseFloat(getComputedStyle(el).paddingLeft));
    expect(await indent("scan-contract.pdf")).toBeGreaterThan(await indent("map-item-0"));
    expect(await indent("map-item-0")).toBeGreaterThan(await indent("scan"));
    // The retried step: a failed attempt, its retry delay, the attempt that succeeded.
    expect(await page.$$eval(`${op("fetch-documents")} .bar`, (bars) => bars.map((b) => b.className))).toEqual([
      "bar bar-failed",
      "bar bar-retry-delay",
      "bar bar-succeeded",
    ]);
    // Keyboard: a timeline row is a button; Enter opens its details.
    await page.focus(`${op("fetch-documents")} button`);
    await page.keyboard.press("Enter");
    await page.waitForSelector(".attempts");
    const attempts = await page.$$eval(".attempts tbody tr", (trs) => trs.map((tr) => tr.textContent ?? ""));
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toContain("FAILED");
    expect(attempts[0]).toContain("document store unavailable");
    expect(attempts[1]).toContain("SUCCEEDED");

    await page.click('li[data-type="CALLBACK"][data-status="STARTED"] button');
    await page.waitForSelector(".callback-actions textarea");
    const editor = ".callback-actions textarea";
    const send = ".callback-actions button.primary";
    await page.click(editor, { clickCount: 3 });
    await page.keyboard.press("Backspace");
    await page.type(editor, '{"approved": tru');
    expect(await page.$eval(send, (b) => (b as HTMLButtonElement).disabled), "invalid JSON is not sent").toBe(true);
    expect(await page.$eval(".callback-actions .json-editor .error", (el) => el.textContent)).toMatch(/Invalid JSON/);
    await page.type(editor, 'e, "by": "console"}');
    expect(await page.$eval(send, (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    await shot("review-callback.png");
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = "before the answer"));
    await page.click(send);
    await page.waitForSelector('article.execution[data-status="SUCCEEDED"]', { timeout: 30_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: string }).marker), "no reload").toBe("before the answer");
    await page.waitForSelector(op("approval", "SUCCEEDED"));
    await shot("review-succeeded.png");
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "the dark palette").toBe("rgb(21, 24, 28)");
    await shot("review-dark.png");

    const record = lastJson((await runCli(["get", review, "--db", db, "--json"])).stdout);
    // The payload arrives as sent (the SDK hands a callback's result over as its text).
    expect(JSON.parse(record.Result)).toEqual({ verdict: '{"approved": true, "by": "console"}', scanned: 2 });
  });
});

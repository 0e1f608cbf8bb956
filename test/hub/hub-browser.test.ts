import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { filterHistory } from '../../hub/src/data/history';
import { buildHub } from '../../scripts/build-hub';
import { HubPreview, startHubPreview } from '../../scripts/hub-preview';
import { ROOT } from '../../devkit/project';
import { launchChromium } from '../../devkit/browser';
import { NEWEST_RUN, WAITING_RUN, hostileRecord, sampleData } from '../../devkit/ado-host/sample-data';

const SHOTS = path.join(ROOT, 'test-results', 'hub');

interface Watch { dialogs: string[]; errors: string[] }

/** Every page records dialogs, script errors and CSP violations; each test asserts none happened. */
async function open(browser: Browser, url: string): Promise<{ page: Page; watch: Watch }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const watch: Watch = { dialogs: [], errors: [] };
  page.on('dialog', (d) => {
    watch.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => watch.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.location().url)) watch.errors.push(`console: ${m.text()}`);
  });
  // A string: the test project has no DOM types, and this runs in the page.
  await page.addInitScript("document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))");
  await page.goto(url);
  return { page, watch };
}

/** Polls from Node: string predicates would need eval in the page, which the hub's CSP forbids. */
async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await page.locator(selector).count()) !== n) {
    if (Date.now() > deadline) throw new Error(`${selector}: expected ${n}, found ${await page.locator(selector).count()}`);
    await page.waitForTimeout(50);
  }
}

async function injected(page: Page): Promise<number> {
  return page.evaluate<number>("document.querySelectorAll('img, iframe, object, embed, svg[onload], [onerror], [onload], script:not([src])').length");
}

describe('Promotions hub in headless Chromium (local preview)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let hubDir: string;
  let preview: HubPreview;
  const data = sampleData({ runs: 12, waiting: true });
  const waitingRecords = data.records.filter((r) => r.run.buildId === String(WAITING_RUN)).length;

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    hubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-'));
    await buildHub(hubDir);
    preview = await startHubPreview({ records: data.records, timelines: data.timelines, inProgress: data.inProgress, hubDir: path.join(hubDir, 'hub') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await preview?.stop();
    fs.rmSync(hubDir, { recursive: true, force: true });
  });

  it('renders the matrix in stage order, and a warm reload needs few requests', async () => {
    const { page, watch } = await open(browser, preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    const heads = await page.$$eval('.mcd-env-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(heads, ['shop-dev', 'shop-staging', 'shop-prod']);
    const rows = await page.$$eval('.mcd-row-label', (els) => els.map((e) => e.textContent));
    assert.deepEqual(rows.slice(0, 3), ['shop/api', 'shop/web', 'shop/worker']);
    assert.equal(rows.length, 5);
    assert.match((await page.textContent('[data-testid=matrix]')) ?? '', /newer CanaryShift failed: Aborted at 25%/);
    assert.match((await page.textContent('[data-testid=pending-gate]')) ?? '', /Awaiting approval since .*: run 20261120\.9 · \[shop\]\\Release Managers/);
    assert.match((await page.textContent('tbody tr:nth-child(3) td:nth-child(4) [data-testid=pending-cell]')) ?? '', /next: 1\.104\.3 awaiting approval/);
    await page.screenshot({ path: path.join(SHOTS, 'matrix.png'), fullPage: true });
    await page.waitForTimeout(300); // let the cache write land
    preview.resetCount();
    await page.reload();
    await page.waitForSelector('[data-testid=matrix]');
    // Cache, completed-since, in-progress, environments + 3 deployment lists; cached runs cost
    // nothing; the running one is re-read (attachment list, records, timeline, approvals).
    assert.ok(!preview.requestLog().some((l) => /builds\/(?!1043)\d+\//.test(l)), preview.requestLog().join('\n'));
    assert.ok(preview.requestCount() <= 7 + 1 + waitingRecords + 2, `warm load made ${preview.requestCount()} requests:\n${preview.requestLog().join('\n')}`);
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await page.close();
  });

  it('opens a cell\'s history and filters it', async () => {
    const { page, watch } = await open(browser, preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    await page.click('tbody tr:nth-child(1) td:nth-child(4) .mcd-cell-open');
    await page.waitForSelector('[data-testid=history]');
    assert.equal(await page.inputValue('[data-testid=filter-artifact]'), 'a:shop/api');
    assert.equal(await page.inputValue('[data-testid=filter-environment]'), 'shop-prod');
    const cellRows = filterHistory(data.records, { artifact: 'a:shop/api', environment: 'shop-prod' });
    assert.equal(await page.locator('[data-testid=history-row]').count(), cellRows.length);

    await page.selectOption('[data-testid=filter-artifact]', '');
    await page.selectOption('[data-testid=filter-environment]', '');
    await page.selectOption('[data-testid=filter-task]', 'SmokeTest');
    const smoke = filterHistory(data.records, { task: 'SmokeTest' });
    assert.equal(await page.locator('[data-testid=history-row]').count(), smoke.length);
    await page.fill('[aria-label="Search records"]', 'shop-staging');
    const text = filterHistory(data.records, { task: 'SmokeTest', text: 'shop-staging' });
    assert.ok(text.length > 0 && text.length < smoke.length);
    await waitForCount(page, '[data-testid=history-row]', text.length);
    assert.match((await page.textContent('[data-testid=history-count]')) ?? '', new RegExp(`^${text.length} of ${data.records.length} records`));
    await page.screenshot({ path: path.join(SHOTS, 'history.png'), fullPage: true });
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await page.close();
  });

  it('shows a run: stage strip with checks and approvals, canary steps, smoke, DB and secret-sync events', async () => {
    const { page, watch } = await open(browser, preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    await page.click('[role=tab]:has-text("Run")');
    await page.waitForSelector('[data-testid=stage-strip]');
    // The newest run waits for the production approval.
    assert.match((await page.textContent('[data-testid=approver]')) ?? '', /waiting for \[shop\]\\Release Managers/);
    await page.screenshot({ path: path.join(SHOTS, 'run-waiting.png'), fullPage: true });
    await page.selectOption('[data-testid=run-picker]', String(NEWEST_RUN));
    await page.waitForSelector('text=approved by');
    assert.deepEqual(await page.$$eval('.mcd-stage-name', (els) => els.map((e) => e.textContent)), ['Build', 'Dev', 'Staging', 'Production']);
    assert.match((await page.textContent('[data-testid=approver]')) ?? '', /approved by Dana Okafor at 2026-11-20 10:14/);
    assert.equal(await page.locator('[data-testid=gate]').count(), 3);
    for (const id of ['canary-steps', 'smoke-results', 'db-events', 'secret-sync']) assert.ok((await page.locator(`[data-testid=${id}]`).count()) > 0, id);
    assert.equal(await page.locator('[data-testid=canary-steps] .mcd-step').count(), 4);
    await page.screenshot({ path: path.join(SHOTS, 'run.png'), fullPage: true });
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await page.close();
  });

  it('renders the build results tab for one run', async () => {
    const { page, watch } = await open(browser, preview.runTabUrl(NEWEST_RUN));
    await page.waitForSelector('[data-testid=stage-strip]');
    assert.equal(await page.locator('[data-testid=record]').count(), data.records.filter((r) => r.run.buildId === String(NEWEST_RUN)).length);
    await page.screenshot({ path: path.join(SHOTS, 'run-tab.png'), fullPage: true });
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await page.close();
  });

  it('gets through 429 answers with Retry-After in the browser', async () => {
    const throttled = await startHubPreview({ records: data.records, timelines: data.timelines, inProgress: data.inProgress, hubDir: path.join(hubDir, 'hub'), throttle: { everyNth: 10, retryAfterSeconds: 0.2 } });
    try {
      const { page, watch } = await open(browser, throttled.url);
      await page.waitForSelector('[data-testid=matrix]');
      assert.equal(await page.locator('.mcd-row-label').count(), 5);
      assert.equal(await page.locator('[data-testid=partial]').count(), 0, 'nothing was left out');
      // Chromium logs every 429 as a failed resource load; anything else is an error.
      assert.deepEqual(watch.dialogs, []);
      assert.ok(watch.errors.length > 0 && watch.errors.every((e) => /status of 429/.test(e)), watch.errors.join('\n'));
      await page.close();
    } finally {
      await throttled.stop();
    }
  });

  it('says where it belongs when opened outside Azure DevOps without preview mode', async () => {
    preview.resetCount();
    const { page, watch } = await open(browser, `${preview.origin}/hub.html`);
    await page.waitForSelector('#root.mcd-error');
    assert.match((await page.textContent('#root')) ?? '', /runs inside Azure DevOps \(Pipelines → Promotions\)/);
    assert.equal(preview.requestCount(), 0, 'no data is read without an explicit preview');
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await page.close();
  });

  it('keeps markup in every field of a record inert in all views', async () => {
    const evil = hostileRecord(NEWEST_RUN);
    const hostile = await startHubPreview({ records: [...data.records, evil], timelines: data.timelines, inProgress: data.inProgress, hubDir: path.join(hubDir, 'hub') });
    try {
      const { page, watch } = await open(browser, hostile.url);
      await page.waitForSelector('[data-testid=matrix]');
      assert.ok(((await page.textContent('[data-testid=matrix]')) ?? '').includes('<script>alert("xss-script")</script>'), 'hostile text is shown as text');
      assert.equal(await injected(page), 0);
      await page.click('[role=tab]:has-text("History")');
      await page.fill('[aria-label="Search records"]', 'xss-img');
      await waitForCount(page, '[data-testid=history-row]', 1);
      assert.equal(await injected(page), 0);
      await page.click('[role=tab]:has-text("Run")');
      await page.waitForSelector('[data-testid=stage-strip]');
      await page.selectOption('[data-testid=run-picker]', String(NEWEST_RUN));
      await page.locator('[data-testid=record]', { hasText: 'onerror=alert("xss-img")' }).waitFor();
      assert.equal(await injected(page), 0);
      await page.screenshot({ path: path.join(SHOTS, 'hostile-run.png'), fullPage: true });
      await page.locator('[data-testid=record]', { hasText: 'xss-script' }).screenshot({ path: path.join(SHOTS, 'hostile-record.png') });
      const tab = await open(browser, hostile.runTabUrl(NEWEST_RUN));
      await tab.page.waitForSelector('[data-testid=stage-strip]');
      assert.equal(await injected(tab.page), 0);
      await page.waitForTimeout(200);
      assert.deepEqual(watch, { dialogs: [], errors: [] });
      assert.deepEqual(tab.watch, { dialogs: [], errors: [] });
      await tab.page.close();
      await page.close();
    } finally {
      await hostile.stop();
    }
  });
});

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { filterHistory } from '../../hub/src/data/history';
import { cachedHubBuild } from '../../scripts/build-hub';
import { HubPreview, startHubPreview } from '../../scripts/hub-preview';
import { ROOT } from '../../devkit/project';
import { launchChromium } from '../../devkit/browser';
import {
  FORGED_RUN,
  NEWEST_RUN,
  WAITING_RUN,
  hostileRecord,
  replay,
  sampleData,
  templates,
} from '../../devkit/ado-host/sample-data';

const SHOTS = path.join(ROOT, 'test-results', 'hub');

interface Watch {
  dialogs: string[];
  errors: string[];
}

/**
 * Every page records dialogs, script errors and CSP violations; each test asserts none happened. Pages are
 * kept between tests (blanked, then handed out again with a fresh record): a new page started a renderer and
 * compiled the hub's code afresh for each of this file's tests. The hub keeps nothing in the browser (no
 * storage, its files and answers are no-store), so a page reached by navigation starts as a new one does.
 */
class Pages {
  private readonly idle: Page[] = [];
  private readonly watches = new Map<Page, Watch>();

  constructor(private readonly browser: Browser) {}

  async open(url: string): Promise<{ page: Page; watch: Watch }> {
    const page = this.idle.pop() ?? (await this.create());
    const watch: Watch = { dialogs: [], errors: [] };
    this.watches.set(page, watch);
    await page.goto(url);
    return { page, watch };
  }

  /** Leaves the page on about:blank (its hub stops reading, as a closed page's would), ready for the next test. */
  async release(page: Page): Promise<void> {
    await page.goto('about:blank');
    this.idle.push(page);
  }

  private async create(): Promise<Page> {
    const page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const watch = (): Watch => this.watches.get(page)!;
    page.on('dialog', (d) => {
      watch().dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => watch().errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // A first load finds no cache index yet: the service answers 404 for a missing document.
      if (m.type() === 'error' && !/favicon|\/Documents\/index\?/.test(m.location().url))
        watch().errors.push(`console: ${m.text()}`);
    });
    // A string: the test project has no DOM types, and this runs in the page.
    await page.addInitScript(
      "document.addEventListener('securitypolicyviolation', (e) => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))",
    );
    return page;
  }
}

/** Polls from Node: string predicates would need eval in the page, which the hub's CSP forbids. */
async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await page.locator(selector).count()) !== n) {
    if (Date.now() > deadline)
      throw new Error(`${selector}: expected ${n}, found ${await page.locator(selector).count()}`);
    await page.waitForTimeout(50);
  }
}

/** A choice in one of the FilterBar's dropdowns (azure-devops-ui DropdownFilterBarItem, multi-select). */
async function pick(page: Page, key: string, ...choices: string[]): Promise<void> {
  await page.click(`.mcd-filter-${key} button`);
  for (const choice of choices)
    await page
      .locator('[role=option]', { hasText: new RegExp(`^${choice.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) })
      .click();
  await page.keyboard.press('Escape');
}

/**
 * The Run tab's run (azure-devops-ui Dropdown): its option's id is the run id. The list renders the
 * options near the top only; the dropdown's filter box (run number) brings the others in.
 */
async function pickRun(page: Page, runId: number, buildNumber: string): Promise<void> {
  const input = page.locator('[data-testid=run-picker] input');
  // A click right after the previous choice closed the callout can land while it still holds the
  // focus: it then toggles nothing; a second click opens it.
  for (let i = 0; i < 3 && (await input.getAttribute('aria-expanded')) !== 'true'; i++) {
    await input.click();
    await page.waitForTimeout(i ? 500 : 100);
  }
  const option = page.locator(`[role=option][id="__bolt-${runId}"]`);
  await page.locator('[role=option]').first().waitFor();
  if ((await option.count()) === 0) await page.fill('.bolt-callout input[type=text]', buildNumber);
  await option.click();
  await waitForAttr(page, '[data-testid=run-picker]', 'data-run', String(runId));
}

async function waitForAttr(page: Page, selector: string, name: string, value: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await page.getAttribute(selector, name)) !== value) {
    if (Date.now() > deadline) throw new Error(`${selector}[${name}]: expected ${value}`);
    await page.waitForTimeout(50);
  }
}

/** A matrix cell by artifact row and environment column. */
const cellOf = (row: string, env: string): string => `.mcd-cell[data-row="${row}"][data-env="${env}"]`;

async function injected(page: Page): Promise<number> {
  return page.evaluate<number>(
    "document.querySelectorAll('img, iframe, object, embed, svg[onload], [onerror], [onload], script:not([src])').length",
  );
}

describe('Promotions hub in headless Chromium (local preview)', function () {
  this.timeout(90_000);
  let browser: Browser;
  let pages: Pages;
  let hubDir: string;
  let preview: HubPreview;
  // Newest first: an aborted canary (run 1042), partial results, failures, a success; a PR build
  // with a forged record; a run waiting for the production approval; 600 newer CI runs.
  const data = sampleData({ runs: 12, waiting: true, forged: true });
  const waitingRecords = data.records.filter((r) => r.run.buildId === String(WAITING_RUN)).length;
  const runOf = (scenario: string): number => NEWEST_RUN - ['abort', 'partial', 'failure', 'success'].indexOf(scenario);
  const numberOf = (runId: number): string =>
    [...data.records, ...data.extraBuilds.flatMap((b) => b.records)].find((r) => r.run.buildId === String(runId))?.run
      .buildNumber ?? data.extraBuilds.find((b) => b.id === runId)!.buildNumber;

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    hubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-'));
    await cachedHubBuild(hubDir);
    preview = await startHubPreview({
      records: data.records,
      timelines: data.timelines,
      inProgress: data.inProgress,
      extraBuilds: data.extraBuilds,
      unrelatedRuns: 600,
      hubDir: path.join(hubDir, 'hub'),
    });
    browser = await launchChromium();
    pages = new Pages(browser);
  });
  after(async () => {
    await browser?.close();
    await preview?.stop();
    fs.rmSync(hubDir, { recursive: true, force: true });
  });

  it('cold, past 600 newer unrelated runs: environments in stage order, tag not digest, the aborted canary as a newer attempt', async () => {
    const { page, watch } = await pages.open(preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    await page.waitForSelector('[data-testid=loading-more]', { state: 'detached' });
    const heads = await page.$$eval('.mcd-env-name', (els) => els.map((e) => e.textContent));
    assert.deepEqual(heads, ['shop-staging', 'shop-prod']);
    const rows = await page.$$eval('.mcd-row-label', (els) => els.map((e) => e.textContent ?? ''));
    assert.equal(rows[0], 'shop/web');
    assert.equal(rows.length, 3, rows.join('\n'));
    assert.ok(
      rows.slice(1).every((r) => /^(KeyVaultToOci|OracleDbProvision) · /.test(r)),
      'smoke tests are no rows of their own',
    );
    const prod = page.locator(cellOf('a:shop/web', 'shop-prod'));
    assert.equal(await prod.locator('[data-testid=cell-version]').textContent(), '1.4.2');
    const prodText = (await prod.textContent()) ?? '';
    const signer = (await prod.locator('[data-testid=cell-verified]').textContent()) ?? '';
    assert.equal((prodText.replace(signer, '').match(/sha256:[0-9a-f]{12}/g) ?? []).length, 1, prodText);
    assert.match(prodText, /newer: canary 1\.4\.3 aborted/);
    assert.match(prodText, /smoke passed/);
    // The gate verified the digest the canary runs: the mark and its signer, from the promotion's record.
    assert.match((await prod.locator('[data-testid=cell-verified]').textContent()) ?? '', /verified: key sha256:/);
    // Who approved it (the Approvals API answer for its prod stage), with a link to that stage's approval.
    assert.match((await prod.locator('[data-testid=cell-approver]').textContent()) ?? '', /approved by [A-Z]\w+ \w+/);
    assert.match(
      (await prod.locator('[data-testid=approval-link]').getAttribute('href')) ?? '',
      /\/_build\/results\?buildId=\d+&view=logs&s=[0-9a-f-]{36}$/,
    );
    // Staging runs the waiting run's 1.4.2 now; before it, 1.4.3 (run 1042): the rollback hint names it.
    const staging = page.locator(cellOf('a:shop/web', 'shop-staging'));
    assert.match(
      (await staging.locator('[data-testid=cell-rollback]').textContent()) ?? '',
      /rollback: 1\.4\.3 \(run \d+\.\d\)/,
    );
    // The environments compared: shop/web is the same digest in both; the secrets and database only in staging.
    const diff = (await page.textContent('[data-testid=env-diff]')) ?? '';
    assert.match(diff, /shop\/web1\.4\.2 run \d+\.\d1\.4\.2 run \d+\.\dsame/);
    assert.match(diff, /KeyVaultToOci.*nothing.*differs/);
    assert.doesNotMatch(
      (await page.textContent('[data-testid=matrix]')) ?? '',
      /20261125\.77|Mallory/,
      'the forged record is not in the matrix',
    );
    assert.match(
      (await page.textContent('[data-testid=pending-gate]')) ?? '',
      /Awaiting approval since .*: run \d+\.\d · \[shop\]\\Release Managers/,
    );
    assert.equal(
      preview.requestLog().filter((l) => /_apis\/build\/builds\?/.test(l) && !/tagFilters=multicloud-devsecops/.test(l))
        .length,
      0,
      'only tagged runs are listed',
    );
    await page.screenshot({ path: path.join(SHOTS, 'matrix.png'), fullPage: true });
    // A reload is warm once the shared cache holds this load: the hub marks that moment (hub/src/data/preload.ts).
    await page.waitForFunction(() => performance.getEntriesByName('mcd-cache-written').length > 0, undefined, {
      polling: 50,
    });
    preview.resetCount();
    await page.reload();
    await page.waitForSelector('[data-testid=matrix]');
    // Cache index, readable pipelines, completed-since, in-progress, environments + 2 deployment lists; the running
    // run is re-read (attachment list, records, timeline, approvals); then the cache chunks, for history.
    assert.ok(!preview.requestLog().some((l) => /builds\/(?!1043)\d+\//.test(l)), preview.requestLog().join('\n'));
    assert.ok(
      preview.requestCount() <= 7 + 1 + waitingRecords + 2 + 1,
      `warm load made ${preview.requestCount()} requests:\n${preview.requestLog().join('\n')}`,
    );
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await pages.release(page);
  });

  it("opens a cell's history and filters it; the forged record is listed, flagged", async () => {
    const { page, watch } = await pages.open(preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    await page.click(`${cellOf('a:shop/web', 'shop-prod')} .mcd-cell-open`);
    await page.waitForSelector('[data-testid=history]');
    // The cell's artifact and environment are the History filter, shown in its FilterBar and kept in the URL.
    const all = [...data.records, ...data.extraBuilds.flatMap((b) => b.records)];
    const cellRecords = filterHistory(all, { artifact: 'a:shop/web', environment: 'shop-prod' });
    await waitForCount(page, '[data-testid=history-row]', cellRecords.length);
    assert.match((await page.textContent('.mcd-filter-artifact')) ?? '', /shop\/web/);
    assert.match((await page.textContent('.mcd-filter-environment')) ?? '', /shop-prod/);
    assert.match(page.url(), /[?&]env=shop-prod(&|$)/);
    await page.click('button[aria-label="Clear filters"]');
    await waitForCount(page, '[data-testid=history-row]', all.length);
    await pick(page, 'task', 'SmokeTest');
    const smoke = filterHistory(data.records, { task: 'SmokeTest' });
    await waitForCount(page, '[data-testid=history-row]', smoke.length);
    await page.click('button[aria-label="Clear filters"]');
    await page.fill('[aria-label="Search records"]', 'Mallory');
    await waitForCount(page, '[data-testid=history-row]', 1);
    assert.match(
      (await page.textContent('[data-testid=history-flag]')) ?? '',
      /claims run id 1042.*pull-request validation build/,
    );
    await page.screenshot({ path: path.join(SHOTS, 'history.png'), fullPage: true });
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await pages.release(page);
  });

  it('narrows the matrix and History by pipeline, environment and keyword (FilterBar); a reload keeps the view (URL)', async () => {
    // A second pipeline (api-cd) ships shop/api, newest of all, with the same secrets and database steps.
    const apiRun = NEWEST_RUN + 20;
    const api = replay(templates().success, apiRun, Date.parse('2026-11-22T09:00:00Z'), 'Ada Lovelace').map((r) => ({
      ...r,
      artifact: r.artifact ? { ...r.artifact, repository: 'shop/api' } : r.artifact,
      run: { ...r.run, pipeline: 'api-cd', definitionId: '18' },
    }));
    const two = await startHubPreview({
      records: [...data.records, ...api],
      timelines: data.timelines,
      hubDir: path.join(hubDir, 'hub'),
    });
    const rowLabels = async (page: Page): Promise<string[]> =>
      page.$$eval('.mcd-row-label', (els) => els.map((e) => e.textContent ?? ''));
    const envHeads = async (page: Page): Promise<string[]> =>
      page.$$eval('.mcd-env-name', (els) => els.map((e) => e.textContent ?? ''));
    try {
      const { page, watch } = await pages.open(two.url);
      await page.waitForSelector('[data-testid=matrix]');
      await page.waitForSelector('[data-testid=loading-more]', { state: 'detached' });
      const everything = await rowLabels(page);
      assert.ok(everything.includes('shop/web') && everything.includes('shop/api'), everything.join('\n'));
      await pick(page, 'pipeline', 'api-cd');
      await page.locator('.mcd-row-label', { hasText: 'shop/web' }).waitFor({ state: 'detached' });
      assert.ok((await rowLabels(page)).includes('shop/api'));
      await pick(page, 'environment', 'shop-prod');
      await waitForCount(page, '.mcd-env-name', 1);
      assert.deepEqual(await envHeads(page), ['shop-prod']);
      // Only shop/api reached production in api-cd; the secrets and database rows have nothing there.
      assert.deepEqual(await rowLabels(page), ['shop/api']);
      assert.match(page.url(), /[?&]pipeline=api-cd(&|$)/);
      assert.match(page.url(), /[?&]env=shop-prod(&|$)/);
      await page.reload();
      await page.waitForSelector('[data-testid=matrix]');
      await waitForCount(page, '.mcd-env-name', 1);
      assert.deepEqual(await rowLabels(page), ['shop/api']);
      assert.match((await page.textContent('.mcd-filter-pipeline')) ?? '', /api-cd/);
      assert.match((await page.textContent('.mcd-filter-environment')) ?? '', /shop-prod/);

      // Keyword over tag, digest and run: the api-cd run's number keeps its rows, not shop/web's.
      await page.click('button[aria-label="Clear filters"]');
      await waitForCount(page, '.mcd-row-label', everything.length);
      const buildNumber = api[0].run.buildNumber!;
      await page.fill('[aria-label="Search records"]', 'no-such-tag-anywhere');
      await page.waitForSelector('text=No artifacts match these filters');
      await page.click('button:has-text("Clear filters")');
      await waitForCount(page, '.mcd-row-label', everything.length);
      await page.fill('[aria-label="Search records"]', buildNumber);
      await page.locator('.mcd-row-label', { hasText: 'shop/web' }).waitFor({ state: 'detached' });
      assert.ok((await rowLabels(page)).includes('shop/api'));
      // The same filter narrows History (one filter for both tabs), and survives a reload there too.
      await page.click('[role=tab]:has-text("History")');
      await waitForCount(page, '[data-testid=history-row]', api.length);
      assert.match(page.url(), /[?&]tab=history(&|$)/);
      assert.match(page.url(), new RegExp(`[?&]q=${buildNumber.replace('.', '\\.')}(&|$)`));
      await page.reload();
      await page.waitForSelector('[data-testid=history]');
      await waitForCount(page, '[data-testid=history-row]', api.length);
      assert.equal(await page.inputValue('[aria-label="Search records"]'), buildNumber);
      const none = 'no-such-tag-anywhere';
      await page.fill('[aria-label="Search records"]', none);
      await page.waitForSelector('text=No records match these filters');
      await page.click('button:has-text("Clear filters")');
      await page.waitForSelector('[data-testid=history]');
      assert.deepEqual(watch, { dialogs: [], errors: [] });
      await pages.release(page);
    } finally {
      await two.stop();
    }
  });

  it('sorts History by a column (ColumnSorting): ascending, then descending, marked for assistive technology', async () => {
    const { page, watch } = await pages.open(`${preview.url}&tab=history`);
    await page.waitForSelector('[data-testid=history]');
    // Older runs still arrive after the first rows: compare orders once every run is in.
    await page.waitForSelector('[data-testid=loading-more]', { state: 'detached' });
    const tasks = async (): Promise<string[]> =>
      page.$$eval('.mcd-history-table .mcd-task .mcd-trunc-text', (els) => els.map((e) => e.textContent ?? ''));
    const header = page.locator('.mcd-history-table th[aria-label="Task"]');
    const newestFirst = await tasks();
    assert.equal(await page.getAttribute('.mcd-history-table th[aria-label="Finished"]', 'aria-sort'), 'descending');
    await header.click();
    await waitForAttr(page, '.mcd-history-table th[aria-label="Task"]', 'aria-sort', 'ascending');
    const up = await tasks();
    assert.deepEqual(
      up,
      [...newestFirst].sort((a, b) => a.localeCompare(b)),
    );
    assert.notDeepEqual(up, newestFirst, 'the order changed');
    await header.click();
    await waitForAttr(page, '.mcd-history-table th[aria-label="Task"]', 'aria-sort', 'descending');
    assert.deepEqual(
      await tasks(),
      [...newestFirst].sort((a, b) => b.localeCompare(a)),
    );
    assert.equal(await page.getAttribute('.mcd-history-table th[aria-label="Finished"]', 'aria-sort'), null);
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await pages.release(page);
  });

  it('shows what the records carry: canary measurements and the failed step, smoke failures, DB lifecycle, secrets', async () => {
    const { page, watch } = await pages.open(preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    await page.click('[role=tab]:has-text("Run")');
    await page.waitForSelector('[data-testid=stage-strip]');
    assert.match((await page.textContent('[data-testid=approver]')) ?? '', /waiting for \[shop\]\\Release Managers/);
    // Deep links: every stage, and the approval, open in Azure Pipelines.
    const stageLinks = await page.$$eval('[data-testid=stage-link]', (els) => els.map((e) => e.getAttribute('href')));
    assert.ok(
      stageLinks.length >= 2 &&
        stageLinks.every((h) => /\/_build\/results\?buildId=\d+&view=logs&s=[0-9a-f-]{36}$/.test(h ?? '')),
      stageLinks.join('\n'),
    );
    assert.equal(await page.locator('[data-testid=stage-strip] [data-testid=approval-link]').count(), 1);
    await page.screenshot({ path: path.join(SHOTS, 'run-waiting.png'), fullPage: true });

    await pickRun(page, runOf('abort'), numberOf(runOf('abort')));
    await page.waitForSelector('text=approved by');
    const failed = page.locator('[data-testid=canary-step][data-state=failed][data-kind=analysis]');
    assert.equal(await failed.count(), 1);
    // Two measurements: 0.998 passed, 0.93 failed `result >= 0.99`.
    assert.match((await failed.textContent()) ?? '', /analysis at 10% failed.*✓ 0\.998.*✗ 0\.93/);
    // Every metric of the step: the query failed, the smoke checks beside it passed.
    assert.equal(await failed.locator('[data-testid=canary-metric][data-metric=query][data-passed=false]').count(), 1);
    assert.equal(await failed.locator('[data-testid=canary-metric][data-metric=smoke][data-passed=true]').count(), 1);
    assert.equal(
      await page.locator('[data-testid=canary-step][data-kind=analysis] .mcd-step-fill').count(),
      0,
      'analysis steps repeat no weight',
    );
    assert.equal(
      await page.locator('[data-testid=canary-step][data-kind=pause] .mcd-step-fill').count(),
      0,
      'pause steps repeat no weight',
    );
    await page.screenshot({ path: path.join(SHOTS, 'run-aborted.png'), fullPage: true });
    await page
      .locator('[data-testid=record]', { has: failed })
      .screenshot({ path: path.join(SHOTS, 'record-aborted-canary.png') });

    await pickRun(page, runOf('success'), numberOf(runOf('success')));
    await page.locator('[data-testid=canary-step][data-kind=promote]', { hasText: '100%' }).waitFor();
    assert.match((await page.textContent('[data-testid=db-lifecycle]')) ?? '', /PROVISIONING.*AVAILABLE/);
    const secrets = await page.$$eval('[data-testid=secret-row]', (els) => els.map((e) => e.textContent ?? ''));
    assert.ok(
      secrets.length >= 2 &&
        secrets.every((t) => /orders-admin|payments/.test(t) && /created|updated|unchanged/.test(t)),
      secrets.join('\n'),
    );
    assert.doesNotMatch((await page.textContent('[data-testid=secret-sync]')) ?? '', /\?/);
    assert.ok((await page.locator('[data-testid=secret-version]').count()) >= 2, 'OCI versions shown');
    assert.match(
      (await page.locator('[data-testid=verification-signer]').first().textContent()) ?? '',
      /signed by key sha256:[0-9a-f]{64}/,
    );
    await page.screenshot({ path: path.join(SHOTS, 'run.png'), fullPage: true });
    await page
      .locator('[data-testid=record]', { has: page.locator('[data-testid=secret-sync]') })
      .screenshot({ path: path.join(SHOTS, 'record-secrets.png') });
    await page
      .locator('[data-testid=record]', { has: page.locator('[data-testid=db-lifecycle]') })
      .screenshot({ path: path.join(SHOTS, 'record-db.png') });

    await pickRun(page, runOf('failure'), numberOf(runOf('failure')));
    await page.locator('[data-testid=smoke-check][data-passed=false]').first().waitFor();
    const reasons = await page.$$eval(
      '[data-testid=smoke-check][data-passed=false] [data-testid=smoke-failures]',
      (els) => els.map((e) => e.textContent ?? ''),
    );
    assert.ok(reasons.length >= 1 && reasons.every((t) => t.trim().length > 0), reasons.join('\n'));
    assert.match((await page.textContent('[data-testid=record-error]')) ?? '', /\S/);
    await page
      .locator('[data-testid=record]', { has: page.locator('[data-testid=smoke-check][data-passed=false]') })
      .screenshot({ path: path.join(SHOTS, 'record-smoke-failed.png') });

    await pickRun(page, runOf('partial'), numberOf(runOf('partial')));
    await page.locator('[data-testid=secret-row]', { hasText: 'failed' }).waitFor();
    assert.match(
      (await page.locator('[data-testid=secret-row]', { hasText: 'failed' }).textContent()) ?? '',
      /payments-webhook-secret.*quota/,
    );

    await pickRun(page, FORGED_RUN, numberOf(FORGED_RUN));
    await page.locator('.mcd-flag', { hasText: 'Not counted in the matrix' }).waitFor();
    // The tab and the run are in the URL: a reload (or a shared link) opens the same view.
    assert.match(page.url(), new RegExp(`[?&]tab=run(&|$)`));
    assert.match(page.url(), new RegExp(`[?&]runId=${FORGED_RUN}(&|$)`));
    await page.reload();
    await page.locator('.mcd-flag', { hasText: 'Not counted in the matrix' }).waitFor();
    assert.equal(await page.getAttribute('[data-testid=run-picker]', 'data-run'), String(FORGED_RUN));
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await pages.release(page);
  });

  it('renders the build results tab for one run', async () => {
    const { page, watch } = await pages.open(preview.runTabUrl(NEWEST_RUN));
    await page.waitForSelector('[data-testid=stage-strip]');
    assert.equal(
      await page.locator('[data-testid=record]').count(),
      data.records.filter((r) => r.run.buildId === String(NEWEST_RUN)).length,
    );
    await page.screenshot({ path: path.join(SHOTS, 'run-tab.png'), fullPage: true });
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await pages.release(page);
  });

  it('makes no locale date formatter before the first matrix (azure-devops-ui builds its own on first use)', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // Before any of the page's scripts: every Intl.DateTimeFormat made, with the time it was made.
    await page.addInitScript(
      '(() => { const made = (window.__dateFormatsMade = []); ' +
        'Intl.DateTimeFormat = new Proxy(Intl.DateTimeFormat, { ' +
        'construct(t, a, n) { made.push(performance.now()); return Reflect.construct(t, a, n); }, ' +
        'apply(t, self, a) { made.push(performance.now()); return Reflect.apply(t, self, a); } }); })()',
    );
    await page.goto(preview.url);
    await page.waitForSelector('[data-testid=matrix]');
    const seen = await page.evaluate<{ matrix: number; made: number[] }>(
      "({ matrix: performance.getEntriesByName('mcd-matrix-rendered')[0].startTime, made: window.__dateFormatsMade })",
    );
    assert.ok(seen.matrix > 0);
    // The first one of a page loads the locale's data: tens of milliseconds while the UI's code is evaluated.
    assert.deepEqual(
      seen.made.filter((t) => t <= seen.matrix),
      [],
      JSON.stringify(seen),
    );
    await page.close();
  });

  it('gets through 429 answers with Retry-After in the browser', async () => {
    const throttled = await startHubPreview({
      records: data.records,
      timelines: data.timelines,
      inProgress: data.inProgress,
      extraBuilds: data.extraBuilds,
      hubDir: path.join(hubDir, 'hub'),
      throttle: { everyNth: 10, retryAfterSeconds: 0.2 },
    });
    try {
      const { page, watch } = await pages.open(throttled.url);
      await page.waitForSelector('[data-testid=matrix]');
      await page.waitForSelector('[data-testid=loading-more]', { state: 'detached' });
      assert.equal(await page.locator('.mcd-row-label').count(), 3);
      assert.equal(await page.locator('[data-testid=partial]').count(), 0, 'nothing was left out');
      // Chromium logs every 429 as a failed resource load; anything else is an error.
      assert.deepEqual(watch.dialogs, []);
      assert.ok(watch.errors.length > 0 && watch.errors.every((e) => /status of 429/.test(e)), watch.errors.join('\n'));
      await pages.release(page);
    } finally {
      await throttled.stop();
    }
  });

  it('says when Azure DevOps throttles, and offers Retry when a load fails (azure-devops-ui MessageCard)', async () => {
    const slow = await startHubPreview({
      records: data.records,
      timelines: data.timelines,
      hubDir: path.join(hubDir, 'hub'),
      throttle: { everyNth: 4, retryAfterSeconds: 2 },
    });
    const failing = await startHubPreview({
      records: data.records,
      timelines: data.timelines,
      hubDir: path.join(hubDir, 'hub'),
      failListings: { status: 403, times: 1 },
    });
    try {
      const a = await pages.open(slow.url);
      await a.page.waitForSelector('[data-testid=throttled]', { timeout: 20_000 });
      assert.match(
        (await a.page.textContent('[data-testid=throttled]')) ?? '',
        /slow down; reading continues in \d+ s/,
      );
      await a.page.waitForSelector('[data-testid=matrix]', { timeout: 60_000 });
      await pages.release(a.page);

      const b = await pages.open(failing.url);
      await b.page.waitForSelector('[data-testid=load-error]');
      assert.match((await b.page.textContent('[data-testid=load-error]')) ?? '', /HTTP 403/);
      await b.page.screenshot({ path: path.join(SHOTS, 'load-error.png') });
      await b.page.click('button:has-text("Retry")');
      await b.page.waitForSelector('[data-testid=matrix]');
      assert.equal(await b.page.locator('[data-testid=load-error]').count(), 0);
      assert.ok(
        b.watch.errors.every((e) => /status of 403/.test(e)),
        b.watch.errors.join('\n'),
      );
      await pages.release(b.page);
    } finally {
      await slow.stop();
      await failing.stop();
    }
  });

  it('says where it belongs when opened outside Azure DevOps without preview mode', async () => {
    preview.resetCount();
    const { page, watch } = await pages.open(`${preview.origin}/hub.html`);
    await page.waitForSelector('#root.mcd-error');
    assert.match((await page.textContent('#root')) ?? '', /runs inside Azure DevOps \(Pipelines → Promotions\)/);
    assert.equal(preview.requestCount(), 0, 'no data is read without an explicit preview');
    assert.deepEqual(watch, { dialogs: [], errors: [] });
    await pages.release(page);
  });

  it('keeps markup in every field of a record inert in all views', async () => {
    const evil = hostileRecord(NEWEST_RUN);
    const hostile = await startHubPreview({
      records: [...data.records, evil],
      timelines: data.timelines,
      inProgress: data.inProgress,
      hubDir: path.join(hubDir, 'hub'),
    });
    try {
      const { page, watch } = await pages.open(hostile.url);
      await page.waitForSelector('[data-testid=matrix]');
      // Its run block claims another run: flagged, so it stays out of the matrix (history shows it).
      assert.ok(!((await page.textContent('[data-testid=matrix]')) ?? '').includes('xss'));
      assert.equal(await injected(page), 0);
      await page.click('[role=tab]:has-text("History")');
      await page.fill('[aria-label="Search records"]', 'xss-img');
      await waitForCount(page, '[data-testid=history-row]', 1);
      assert.ok(
        ((await page.textContent('[data-testid=history]')) ?? '').includes('<script>alert("xss-script")</script>'),
        'hostile text is shown as text',
      );
      assert.equal(await injected(page), 0);
      await page.click('[role=tab]:has-text("Run")');
      await page.waitForSelector('[data-testid=stage-strip]');
      await pickRun(page, NEWEST_RUN, numberOf(NEWEST_RUN));
      await page.locator('[data-testid=record]', { hasText: 'onerror=alert("xss-img")' }).waitFor();
      assert.equal(await injected(page), 0);
      await page.screenshot({ path: path.join(SHOTS, 'hostile-run.png'), fullPage: true });
      await page
        .locator('[data-testid=record]', { hasText: 'xss-script' })
        .screenshot({ path: path.join(SHOTS, 'hostile-record.png') });
      const tab = await pages.open(hostile.runTabUrl(NEWEST_RUN));
      await tab.page.waitForSelector('[data-testid=stage-strip]');
      assert.equal(await injected(tab.page), 0);
      await page.waitForTimeout(200);
      assert.deepEqual(watch, { dialogs: [], errors: [] });
      assert.deepEqual(tab.watch, { dialogs: [], errors: [] });
      await pages.release(tab.page);
      await pages.release(page);
    } finally {
      await hostile.stop();
    }
  });
});

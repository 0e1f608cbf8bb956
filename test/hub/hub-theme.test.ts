import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { cachedHubBuild } from '../../scripts/build-hub';
import { HubPreview, startHubPreview } from '../../scripts/hub-preview';
import { ROOT } from '../../devkit/project';
import { launchChromium } from '../../devkit/browser';
import { NEWEST_RUN, replay, sampleData, templates } from '../../devkit/ado-host/sample-data';
import type { LedgerRecord } from '../../tasks/common/ledger';
import { textContrast } from './text-contrast';

const SHOTS = path.join(ROOT, 'test-results', 'hub');
const LONG_ENV = 'shop-production-westeurope-blue-slot-with-a-long-environment-name';

/**
 * The generated runs again, deployed by the same pipeline to six environments (Environment.Name is
 * a pipeline variable the tasks copy): long names and many columns at 1280 px.
 */
function sixEnvironments(): LedgerRecord[] {
  const base = sampleData({
    runs: 6,
    newest: ['abort', 'success', 'success', 'partial', 'success', 'failure'],
  }).records;
  const t = templates().success;
  const extra = ['shop-qa', 'shop-perf', 'shop-preprod', 'shop-dr'].flatMap((env, i) =>
    replay(t, NEWEST_RUN + 10 + i, Date.parse('2026-11-21T09:00:00Z') + i * 3_600_000, 'Ada Lovelace').map((r) => {
      const environment = r.environment === 'shop-prod' ? env : r.environment;
      return {
        ...r,
        environment,
        run: { ...r.run, environment, stage: r.run.stage === 'prod' ? env.replace('shop-', '') : r.run.stage },
      };
    }),
  );
  return [...base, ...extra].map((r) =>
    r.environment === 'shop-prod' ? { ...r, environment: LONG_ENV, run: { ...r.run, environment: LONG_ENV } } : r,
  );
}

/** Resolves once every running animation or transition with an end has reached it. */
const SETTLED = `Promise.all(document.getAnimations()
  .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
  .map((a) => a.finished.catch(() => undefined))).then(() => 0)`;

describe('Promotions hub: themes, layout and accessibility (Chromium, generated records)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let hubDir: string;
  let preview: HubPreview;
  const data = sampleData({ runs: 12, waiting: true, forged: true });

  before(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    hubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-theme-'));
    await cachedHubBuild(hubDir);
    preview = await startHubPreview({
      records: data.records,
      timelines: data.timelines,
      inProgress: data.inProgress,
      extraBuilds: data.extraBuilds,
      hubDir: path.join(hubDir, 'hub'),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await preview?.stop();
    fs.rmSync(hubDir, { recursive: true, force: true });
  });

  /** Sideways overflow of the document and of the azure-devops-ui Page, which scrolls itself. */
  async function sideways(page: Page): Promise<number> {
    return page.evaluate<number>(
      "Math.max(...[...document.querySelectorAll('html, .bolt-page')].map((e) => e.scrollWidth - e.clientWidth))",
    );
  }

  /**
   * One page per kind (the page as served, and one whose context lifts the CSP for axe), navigated from state to
   * state: a new context per test started a renderer and compiled the hub's and axe's code afresh each time,
   * about a third of this file's CPU. Every test still loads its own URL at its own viewport.
   */
  const pages = new Map<boolean, Promise<Page>>();
  async function open(url: string, width: number, bypassCSP = false): Promise<Page> {
    if (!pages.has(bypassCSP))
      pages.set(
        bypassCSP,
        browser.newContext({ viewport: { width, height: 900 }, bypassCSP }).then((c) => c.newPage()),
      );
    const page = await pages.get(bypassCSP)!;
    await page.setViewportSize({ width, height: 900 });
    await page.goto(url);
    await page.waitForSelector('[data-testid=matrix]');
    await page.waitForSelector('[data-testid=loading-more]', { state: 'detached' });
    return page;
  }

  for (const theme of ['light', 'dark', 'high-contrast']) {
    it(`${theme}: text contrast at least 4.5:1 in every view, body text follows the theme`, async () => {
      const page = await open(`${preview.url}&theme=${theme}`, 1280);
      const worst: { view: string; text: string; ratio: number }[] = [];
      for (const view of ['Matrix', 'History', 'Run']) {
        await page.click(`[role=tab]:has-text("${view}")`);
        if (view === 'Run') await page.waitForSelector('[data-testid=record]');
        await page.evaluate(SETTLED);
        const rows = await textContrast(page);
        assert.ok(rows.length > 20, `${view}: ${rows.length} text elements`);
        worst.push(...rows.filter((r) => r.ratio < 4.5).map((r) => ({ view, ...r })));
        const min = Math.min(...rows.map((r) => r.ratio));
        console.log(`      ${theme} ${view}: ${rows.length} text elements, lowest contrast ${min}:1`);
      }
      assert.deepEqual(worst, []);
      const body = await page.evaluate<string>('getComputedStyle(document.body).color');
      if (theme !== 'light') assert.notEqual(body, 'rgb(0, 0, 0)');
    });

    it(`${theme}: axe-core finds no serious or critical violation`, async () => {
      // axe is injected as a script: only this context lifts the CSP to allow it.
      const page = await open(`${preview.url}&theme=${theme}`, 1280, true);
      const found: string[] = [];
      // Once per load: the tabs switch views in the same document.
      await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
      for (const view of ['Matrix', 'History', 'Run']) {
        await page.click(`[role=tab]:has-text("${view}")`);
        if (view === 'Run') await page.waitForSelector('[data-testid=record]');
        // The FilterBar's dropdown open in History: its callout (a listbox of checkboxes) is checked too.
        if (view === 'History') {
          await page.click('.mcd-filter-environment button');
          await page.waitForSelector('[role=option]');
        }
        // Transitions (the open dropdown's button) run to their end first: axe reads the colours then drawn. The
        // script tag's injection used to give them that time by chance; endless animations (spinners) never end.
        await page.evaluate(SETTLED);
        const violations = await page.evaluate<{ id: string; impact: string; nodes: { target: string[] }[] }[]>(
          "axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })) })))",
        );
        console.log(
          `      ${theme} ${view}: axe ${violations.map((v) => `${v.id}(${v.impact})`).join(', ') || 'no violations'}`,
        );
        if (view === 'History') await page.keyboard.press('Escape');
        found.push(
          ...violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => `${view}: ${v.id} ${JSON.stringify(v.nodes)}`),
        );
      }
      assert.deepEqual(found, []);
    });
  }

  it('no horizontal page scroll at 1280 and 1920 with six environments and long names (Matrix, History, Run); sticky environment header; screenshots at 1280 and 1920, light and dark', async () => {
    const wide = await startHubPreview({ records: sixEnvironments(), timelines: {}, hubDir: path.join(hubDir, 'hub') });
    try {
      for (const width of [1280, 1920]) {
        for (const theme of ['light', 'dark']) {
          const page = await open(`${wide.url}&theme=${theme}`, width);
          assert.equal(await page.locator('.mcd-env-name').count(), 6);
          const [scroll, client] = await page.evaluate<[number, number]>(
            '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
          );
          assert.ok(scroll <= client, `${width} ${theme}: page scrolls sideways (${scroll} > ${client})`);
          assert.equal(await sideways(page), 0, `${width} ${theme}: the matrix page scrolls sideways`);
          const table = await page.evaluate<number>(
            "document.querySelector('[data-testid=matrix]').getBoundingClientRect().width",
          );
          assert.ok(table >= client - 80, `${width}: the matrix uses the width (${table} of ${client})`);
          const long = page.locator('.mcd-env-name .mcd-trunc-text', { hasText: LONG_ENV });
          assert.equal(await long.getAttribute('title'), LONG_ENV, 'the full name is in the tooltip');
          await page.screenshot({ path: path.join(SHOTS, `matrix-${width}-${theme}.png`), fullPage: true });
          // The environment header stays on screen while the page (azure-devops-ui Page scrolls itself) moves.
          await page.setViewportSize({ width, height: 420 });
          const [headTop, rowTop, scrollerTop] = await page.evaluate<[number, number, number]>(
            "(() => { const s = document.querySelector('.bolt-page'); s.scrollTop = 260; const th = document.querySelector('[data-testid=matrix] th.mcd-env-head'); const row = document.querySelector('[data-testid=matrix] tbody tr'); return [th.getBoundingClientRect().top, row.getBoundingClientRect().top, s.getBoundingClientRect().top]; })()",
          );
          assert.ok(rowTop < scrollerTop, `${width} ${theme}: the rows scrolled (${rowTop} vs ${scrollerTop})`);
          assert.ok(
            Math.abs(headTop - scrollerTop) <= 1,
            `${width} ${theme}: sticky header at ${headTop}, not ${scrollerTop}`,
          );
          await page.evaluate("document.querySelector('.bolt-page').scrollTop = 0");
          await page.setViewportSize({ width, height: 900 });
          await page.click('[role=tab]:has-text("History")');
          await page.waitForSelector('[data-testid=history]');
          const [s1, c1] = await page.evaluate<[number, number]>(
            '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
          );
          assert.ok(s1 <= c1, `${width} ${theme} history: ${s1} > ${c1}`);
          assert.equal(await sideways(page), 0, `${width} ${theme}: the history page scrolls sideways`);
          const historyWidth = await page.evaluate<number>(
            "document.querySelector('[data-testid=history]').getBoundingClientRect().width",
          );
          assert.ok(historyWidth <= c1, `${width} ${theme}: history is ${historyWidth} wide in ${c1}`);
          await page.screenshot({ path: path.join(SHOTS, `history-${width}-${theme}.png`), fullPage: true });
          await page.click('[role=tab]:has-text("Run")');
          await page.waitForSelector('[data-testid=record]');
          const [s2, c2] = await page.evaluate<[number, number]>(
            '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
          );
          assert.ok(s2 <= c2, `${width} ${theme} run view: ${s2} > ${c2}`);
          assert.equal(await sideways(page), 0, `${width} ${theme}: the run page scrolls sideways`);
          await page.screenshot({ path: path.join(SHOTS, `run-${width}-${theme}.png`), fullPage: true });
        }
      }
    } finally {
      await wide.stop();
    }
  });
});

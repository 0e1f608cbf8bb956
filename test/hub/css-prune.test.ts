import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildHub, cachedHubBuild } from '../../scripts/build-hub';
import {
  classUsed,
  classVocabulary,
  parseCss,
  pruneCss,
  requiredClasses,
  selectorsOf,
  splitSelectors,
} from '../../scripts/prune-css';
import { HubPreview, startHubPreview } from '../../scripts/hub-preview';
import { ROOT } from '../../devkit/project';
import { launchChromium } from '../../devkit/browser';
import { NEWEST_RUN, sampleData } from '../../devkit/ado-host/sample-data';

describe('hub build: stylesheet pruned to the classes the bundle can use', () => {
  it('parses minified CSS: rules, grouping at-rules, statements, strings and escapes with braces', () => {
    const css =
      '@charset "utf-8";.a{content:"}{"}@media (x){.b,.c:not(.d){color:red}}@font-face{src:url(f.woff)}.e\\:f{x:1}';
    assert.deepEqual(parseCss(css), [
      { prelude: '@charset "utf-8"' },
      { prelude: '.a', body: 'content:"}{"' },
      { prelude: '@media (x)', body: '.b,.c:not(.d){color:red}' },
      { prelude: '@font-face', body: 'src:url(f.woff)' },
      { prelude: '.e\\:f', body: 'x:1' },
    ]);
    assert.deepEqual(splitSelectors('.a,.b:is(.c,.d),[x="1,2"]'), ['.a', '.b:is(.c,.d)', '[x="1,2"]']);
    assert.deepEqual(selectorsOf(css), ['.a', '.b', '.c:not(.d)', '.e\\:f']);
  });

  it('requires the classes outside functional pseudo-classes and attribute selectors', () => {
    const table: [string, string[]][] = [
      ['.bolt-button.primary:hover>.x', ['bolt-button', 'primary', 'x']],
      ['.a:not(.never)', ['a']],
      ['div:is(.p,.q) .r', ['r']],
      ['[class*="x.y"] .z', ['z']],
      ['.e\\:f', ['e:f']],
      ['body', []],
    ];
    for (const [selector, classes] of table) assert.deepEqual(requiredClasses(selector), classes, selector);
  });

  it('counts a class as used whole, or assembled from a literal piece and another word of the scripts', () => {
    const v = classVocabulary([
      'x.className = "bolt-button primary"; const d = "depth-" + n; const i = "ms-Icon--" + name; n = 8;',
      'const c = `mcd-filter-${k}`; k = "pipeline"; name = "Refresh"; s = base + "-focused"; base = "bolt-pill";',
    ]);
    const table: [string, boolean][] = [
      ['bolt-button', true],
      ['primary', true],
      ['depth-8', true],
      ['depth-16', false],
      ['ms-Icon--Refresh', true],
      ['ms-Icon--Airplane', false],
      ['mcd-filter-pipeline', true],
      ['bolt-pill-focused', true],
      ['bolt-never-rendered', false],
    ];
    for (const [name, used] of table) assert.equal(classUsed(name, v), used, name);
    assert.equal(
      pruneCss('.bolt-button{a:1}.unused,.primary{b:2}@media (x){.unused{c:3}}.primary:not(.unused){d:4}.gone{e:5}', v),
      '.bolt-button{a:1}.primary{b:2}.primary:not(.unused){d:4}',
    );
  });
});

/**
 * Endless animations (spinners, the running-status icon) held at their start; transitions run to their end:
 * what is compared is what stays drawn.
 */
const SETTLE = `Promise.all(document.getAnimations().map((a) => {
  if (!a.effect || a.effect.getComputedTiming().endTime === Infinity) {
    a.pause();
    a.currentTime = 0;
    return undefined;
  }
  return a.finished.catch(() => undefined);
})).then(() => document.fonts.ready).then(() => Array.from(getComputedStyle(document.body)))`;

/**
 * Every drawn node's computed style (every standard property; custom ones show through the properties that
 * use them), pseudo-elements and text included, in layout order: two builds must draw the same. Read with
 * one DevTools DOMSnapshot.captureSnapshot (what Lighthouse uses) instead of getComputedStyle per element in
 * the page, which costs ~8 ms an element for ~515 properties: ~3 minutes for this file's 26,000 elements.
 */
async function drawnStyles(page: Page): Promise<Styles> {
  const names = (await page.evaluate<string[]>(SETTLE)).filter((n) => !n.startsWith('--'));
  const cdp = await page.context().newCDPSession(page);
  try {
    const snap = await cdp.send('DOMSnapshot.captureSnapshot', { computedStyles: names });
    const str = snap.strings;
    const { nodes, layout } = snap.documents[0];
    const parent = nodes.parentIndex ?? [];
    const attr = (node: number, name: string): string => {
      const a = nodes.attributes?.[node] ?? [];
      for (let i = 0; i < a.length; i += 2) if (str[a[i]] === name) return str[a[i + 1]];
      return '';
    };
    // Screen-reader announcements come and go with timing (azure-devops-ui's live regions): not drawn.
    // Hidden by its own class or an ancestor's, worked out once per node (each element used to walk to the root).
    const hiddenAt: boolean[] = [];
    const hidden = (node: number): boolean =>
      (hiddenAt[node] ??=
        /(^|\s)visually-hidden(\s|$)/.test(attr(node, 'class')) || (parent[node] >= 0 && hidden(parent[node])));
    const elements: Styles['elements'] = [];
    layout.nodeIndex.forEach((node, i) => {
      if (hidden(node)) return;
      elements.push({
        el: `${str[nodes.nodeName?.[node] ?? -1] ?? '?'}.${attr(node, 'class')}`,
        values: layout.styles[i],
      });
    });
    return { names, strings: str, elements };
  } finally {
    await cdp.detach();
  }
}

/**
 * The snapshot's answer as it came: per drawn element, one index per property into the snapshot's string
 * table (-1: no value). Kept as indices and compared value by value: joining ~515 "name:value" pairs for
 * each of ~26,000 elements cost seconds of CPU and garbage for strings that were only compared.
 */
interface Styles {
  names: string[];
  strings: string[];
  elements: { el: string; values: number[] }[];
}

const valueOf = (s: Styles, values: number[], j: number): string => (values[j] < 0 ? '' : s.strings[values[j]]);

/** Elements whose computed styles differ, each with a few of the properties that do (empty: drawn the same). */
function differences(want: Styles, got: Styles): string[] {
  assert.deepEqual(got.names, want.names, 'both pages report the same computed style properties');
  const [w, g] = [want.elements, got.elements];
  const at = w.findIndex((e, i) => g[i]?.el !== e.el);
  assert.ok(
    at < 0 && g.length === w.length,
    `not the same elements at ${at}: ${JSON.stringify([w.slice(at - 2, at + 3).map((e) => e.el), g.slice(at - 2, at + 3).map((e) => e.el)])}`,
  );
  return w.flatMap((e, i) => {
    const differ: [string, string][] = [];
    for (let j = 0; j < want.names.length; j++) {
      const [a, b] = [valueOf(want, e.values, j), valueOf(got, g[i].values, j)];
      if (a !== b) differ.push([`${want.names[j]}:${a}`, `${want.names[j]}:${b}`]);
    }
    if (!differ.length) return [];
    const lost = differ.map((d) => d[0]);
    const gained = differ.map((d) => d[1]);
    return [`${e.el}: ${lost.slice(0, 3).join('; ')} → ${gained.slice(0, 3).join('; ')}`];
  });
}

describe('Promotions hub: the pruned stylesheet draws what the whole one draws (Chromium)', function () {
  this.timeout(300_000);
  let browser: Browser;
  let dir: string;
  let whole: HubPreview;
  let pruned: HubPreview;
  let wholeCss: string;
  const data = sampleData({ runs: 12, waiting: true, forged: true });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-css-'));
    await buildHub(path.join(dir, 'whole'), ROOT, { pruneCss: false });
    // The pruned hub is the default build, which the other hub tests share (one build per content of its inputs).
    await cachedHubBuild(path.join(dir, 'pruned'));
    wholeCss = fs.readFileSync(path.join(dir, 'whole', 'hub', 'hub.css'), 'utf8');
    const start = (hubDir: string): Promise<HubPreview> =>
      startHubPreview({
        records: data.records,
        timelines: data.timelines,
        inProgress: data.inProgress,
        extraBuilds: data.extraBuilds,
        hubDir,
      });
    whole = await start(path.join(dir, 'whole', 'hub'));
    pruned = await start(path.join(dir, 'pruned', 'hub'));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await whole?.stop();
    await pruned?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ships far less CSS than the whole azure-devops-ui stylesheet', () => {
    for (const name of ['hub', 'run-tab']) {
      const before = fs.statSync(path.join(dir, 'whole', 'hub', `${name}.css`)).size;
      const after = fs.statSync(path.join(dir, 'pruned', 'hub', `${name}.css`)).size;
      console.log(`      ${name}.css: ${Math.round(before / 1024)} KiB → ${Math.round(after / 1024)} KiB`);
      assert.ok(after < before * 0.65, `${name}.css ${after} of ${before} bytes`);
    }
  });

  /** The views and open menus a person reaches, each a state whose styles are compared. */
  async function walk(page: Page, visit: (state: string) => Promise<void>): Promise<void> {
    await page.waitForSelector('[data-testid=matrix]');
    await page.waitForSelector('[data-testid=loading-more]', { state: 'detached' });
    await page.waitForSelector('[data-testid=env-diff]');
    await visit('matrix');
    await page.click('.mcd-filter-pipeline button');
    await page.waitForSelector('[role=option]');
    await visit('matrix, pipeline filter open');
    await page.keyboard.press('Escape');
    await page.click('[role=tab]:has-text("History")');
    await page.waitForSelector('[data-testid=history]');
    await visit('history');
    await page.click('[role=tab]:has-text("Run")');
    await page.waitForSelector('[data-testid=record]');
    await visit('run');
  }

  /**
   * Two pages (one per build), each navigated from test to test: a new context per page started a renderer and
   * compiled the hub's code afresh every time (11 contexts in this file). Every test still loads its own URL
   * with its own colour scheme; the viewport stays 1280×900.
   */
  const pages: Promise<Page>[] = [];
  async function open(url: string, forcedColors: boolean, which = 0): Promise<Page> {
    pages[which] ??= browser.newContext({ viewport: { width: 1280, height: 900 } }).then((c) => c.newPage());
    const page = await pages[which];
    await page.emulateMedia({ forcedColors: forcedColors ? 'active' : 'none' });
    await page.goto(url);
    return page;
  }

  for (const [theme, forced] of [
    ['light', false],
    ['dark', false],
    ['high-contrast', false],
    ['light', true],
  ] as const) {
    const label = `${theme}${forced ? ', forced colors' : ''}`;
    it(`${label}: every element's computed style is the same in Matrix (filter open), History and Run`, async () => {
      const a = await open(`${whole.url}&theme=${theme}`, forced);
      const b = await open(`${pruned.url}&theme=${theme}`, forced, 1);
      const states: Record<string, Styles> = {};
      await walk(a, async (state) => {
        states[state] = await drawnStyles(a);
      });
      let compared = 0;
      await walk(b, async (state) => {
        const got = await drawnStyles(b);
        const want = states[state];
        assert.deepEqual(differences(want, got), [], `${label} ${state}: styles differ`);
        compared += want.elements.length;
      });
      assert.ok(compared > 400, `${compared} elements compared`);
      console.log(`      ${label}: ${compared} elements drawn the same`);
    });
  }

  it('every selector of the whole stylesheet that matches an element of the rendered hub is kept', async () => {
    const prunedSelectors = new Set(selectorsOf(fs.readFileSync(path.join(dir, 'pruned', 'hub', 'hub.css'), 'utf8')));
    // State pseudo-classes and pseudo-elements dropped (in the page): does the element structure match?
    const page = await open(`${whole.url}&theme=light`, false);
    const matched = new Set<string>();
    const sels = selectorsOf(wholeCss);
    await walk(page, async () => {
      const hits = await page.evaluate<boolean[]>(
        `(${JSON.stringify(sels)}).map((s) => { s = s.replace(/::?(before|after|placeholder|selection|-webkit-[\\w-]+|-moz-[\\w-]+|-ms-[\\w-]+)/g, '').replace(/:(hover|focus|focus-visible|focus-within|active|visited|checked|disabled|enabled)/g, ''); try { return !!document.querySelector(s || '*'); } catch { return false; } })`,
      );
      hits.forEach((hit, i) => hit && matched.add(sels[i]));
    });
    assert.ok(matched.size > 200, `${matched.size} selectors match the rendered hub`);
    const lost = [...matched].filter((s) => !prunedSelectors.has(s));
    assert.deepEqual(lost, [], 'selectors that match the hub but were pruned');
  });

  it('the run tab (pipeline run page) draws the same with its pruned stylesheet', async () => {
    const a = await open(whole.runTabUrl(NEWEST_RUN), false);
    const b = await open(pruned.runTabUrl(NEWEST_RUN), false, 1);
    for (const p of [a, b]) {
      await p.waitForSelector('[data-testid=record]');
    }
    const want = await drawnStyles(a);
    const got = await drawnStyles(b);
    assert.ok(want.elements.length > 50, `${want.elements.length} elements`);
    assert.deepEqual(differences(want, got), []);
  });
});

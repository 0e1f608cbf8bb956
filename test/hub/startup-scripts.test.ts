import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import { COMPILE_HINT, HUB_PAGES, cachedHubBuild } from '../../scripts/build-hub';
import { HubPreview, startHubPreview } from '../../scripts/hub-preview';
import { POLYFILLS, noPolyfillsPlugin } from '../../scripts/no-polyfills';
import { reactExports, reactNamespacePlugin } from '../../scripts/react-namespace';
import { ROOT } from '../../devkit/project';
import { launchChromium } from '../../devkit/browser';
import { sampleData } from '../../devkit/ado-host/sample-data';

/** The scripts a page's HTML names: its module script first, then its modulepreload links. */
function scriptsOf(html: string): { href: string; attributes: string }[] {
  return [...html.matchAll(/<(?:script type="module" src|link rel="modulepreload" href)="([^"]+)"([^>]*)>/g)].map(
    (m) => ({ href: m[1], attributes: m[2] }),
  );
}

describe('hub build: the scripts a page loads are compiled off the main thread', function () {
  this.timeout(120_000);
  let hubDir: string;
  let stage: string;

  before(async () => {
    stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-scripts-'));
    await cachedHubBuild(stage);
    hubDir = path.join(stage, 'hub');
  });
  after(() => fs.rmSync(stage, { recursive: true, force: true }));

  for (const p of HUB_PAGES) {
    it(`${p.name}.html: every script it loads starts with V8's compile-everything hint`, () => {
      const scripts = scriptsOf(fs.readFileSync(path.join(hubDir, `${p.name}.html`), 'utf8'));
      // The entry, its static imports and the UI's chunks (at least the boot script and one preload).
      assert.ok(scripts.length >= 2, `${p.name}.html names its scripts`);
      for (const { href } of scripts) {
        const firstLine = fs.readFileSync(path.join(hubDir, href), 'utf8').split('\n', 1)[0];
        // Only the very first line counts (V8 reads the magic comment there alone).
        assert.equal(firstLine, COMPILE_HINT, href);
      }
    });
  }

  it("hub.html: the boot script's imports preloaded first at normal priority, the UI's chunks at low", () => {
    const scripts = scriptsOf(fs.readFileSync(path.join(hubDir, 'hub.html'), 'utf8'));
    const low = scripts.filter((s) => s.attributes.includes('fetchpriority="low"')).map((s) => s.href);
    // What the boot script imports statically, transitively (minified: `from"./chunk.js"`, relative to the file).
    const staticImports = (file: string, seen = new Set<string>()): Set<string> => {
      const text = fs.readFileSync(path.join(hubDir, file), 'utf8');
      for (const m of text.matchAll(/(?:from|import)\s*"(\.{1,2}\/[^"]+\.js)"/g)) {
        const dep = path.posix.join(path.posix.dirname(file), m[1]);
        if (!seen.has(dep)) staticImports(dep, seen.add(dep));
      }
      return seen;
    };
    const boot = staticImports('hub.js');
    assert.ok(boot.size > 0, 'the boot script imports chunks');
    for (const dep of boot) {
      const link = scripts.find((s) => s.href === dep);
      assert.ok(link, `${dep} preloaded`);
      assert.ok(!low.includes(dep), `${dep}: the boot script waits for it`);
    }
    assert.ok(
      low.some((href) => /^chunks\/mount-hub-/.test(href)),
      'the UI chunk is preloaded at low priority',
    );
    // Inside Azure DevOps the boot script imports the SDK's chunk to make its context, before any request.
    const sdk = scripts.find((s) => /^chunks\/sdk-context-/.test(s.href));
    assert.ok(sdk && !low.includes(sdk.href), 'the SDK context chunk is preloaded at normal priority');
    // Every low-priority link comes after every normal one (the boot script's are asked for first).
    const firstLow = scripts.findIndex((s) => low.includes(s.href));
    assert.ok(scripts.slice(firstLow).every((s) => low.includes(s.href)));
  });

  it('every script of the build carries it, so no chunk a page imports later is compiled lazily', () => {
    const js = (fs.readdirSync(hubDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.js'));
    assert.ok(js.length > 2);
    for (const f of js) assert.ok(fs.readFileSync(path.join(hubDir, f), 'utf8').startsWith(`${COMPILE_HINT}\n`), f);
  });
});

describe('hub build: azure-devops-ui polyfills for browsers older than the targets left out', () => {
  const bundle = async (contents: string, plugins: esbuild.Plugin[]): Promise<string[]> => {
    const result = await esbuild.build({
      stdin: { contents, resolveDir: path.join(ROOT, 'hub', 'src'), loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      plugins,
    });
    return Object.keys(result.metafile.inputs);
  };
  /** The polyfill packages among a bundle's inputs. */
  const polyfillPackages = (inputs: string[]): string[] => [
    ...new Set(
      inputs
        .map((i) => /node_modules\/([^/]+)\//.exec(i)?.[1] ?? '')
        .filter((name) => POLYFILLS.some((p) => p.split('/')[0] === name)),
    ),
  ];

  it('CommonImports.js imports all four; bundled with the plugin, none of them is in the bundle', async () => {
    const common = "import 'azure-devops-ui/CommonImports';";
    assert.equal(polyfillPackages(await bundle(common, [])).length, 4);
    assert.deepEqual(polyfillPackages(await bundle(common, [noPolyfillsPlugin])), []);
  });

  it('only CommonImports.js loses them: the same package imported by other code is bundled', async () => {
    const inputs = await bundle("import 'intersection-observer';", [noPolyfillsPlugin]);
    assert.deepEqual(polyfillPackages(inputs), ['intersection-observer']);
  });
});

describe('hub build: React imported by ES modules is copied once, not once per module', () => {
  const bundle = async (plugins: esbuild.Plugin[]): Promise<string> => {
    const result = await esbuild.build({
      stdin: {
        contents: "export { Button } from 'azure-devops-ui/Button'; export { Table } from 'azure-devops-ui/Table';",
        resolveDir: path.join(ROOT, 'hub', 'src'),
        loader: 'js',
      },
      bundle: true,
      write: false,
      outdir: path.join(os.tmpdir(), 'mcdso-react-namespace'),
      loader: { '.css': 'empty', '.woff': 'empty', '.woff2': 'empty', '.svg': 'empty', '.png': 'empty' },
      format: 'esm',
      logLevel: 'silent',
      plugins,
    });
    return result.outputFiles.find((f) => f.path.endsWith('.js'))!.text;
  };
  const copies = (js: string): number => (js.match(/__toESM\(require_react\(\)/g) ?? []).length;

  it('azure-devops-ui components: a namespace copy of React per module without it, one with it', async () => {
    assert.ok(copies(await bundle([])) > 20);
    const js = await bundle([reactNamespacePlugin(ROOT)]);
    assert.equal(copies(js), 1);
  });

  it('the shared module re-exports every export of the bundled React by name', async () => {
    const result = await esbuild.build({
      stdin: { contents: "export * from 'react';", resolveDir: ROOT, loader: 'js' },
      bundle: true,
      write: false,
      format: 'esm',
      metafile: true,
      logLevel: 'silent',
      plugins: [reactNamespacePlugin(ROOT)],
    });
    const exported = Object.values(result.metafile.outputs)[0].exports.sort();
    assert.ok(exported.includes('createElement') && exported.includes('useLayoutEffect'));
    assert.deepEqual(exported, reactExports(ROOT).sort());
  });
});

describe('Promotions hub boot: ICU collation warmed while the first answers travel (Chromium)', function () {
  this.timeout(120_000);
  let stage: string;
  let preview: HubPreview;
  let browser: Browser;

  before(async () => {
    stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-hub-boot-'));
    await cachedHubBuild(stage);
    preview = await startHubPreview({ ...sampleData({ runs: 8 }), latencyMs: 50, hubDir: path.join(stage, 'hub') });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await preview?.stop();
    fs.rmSync(stage, { recursive: true, force: true });
  });

  it('after the first requests are sent, without waiting for the UI code (its chunk held back 1 s)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.route(/\/chunks\/mount-hub-[^/]+\.js$/, async (route) => {
        await new Promise((r) => setTimeout(r, 1000));
        await route.continue();
      });
      await page.goto(preview.url);
      await page.waitForSelector('[data-testid=matrix]', { timeout: 60_000 });
      const t = await page.evaluate(() => {
        const at = (name: string): number => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
        const api = performance
          .getEntriesByType('resource')
          .filter((e) => e.name.includes('/_apis/'))
          .map((e) => e.startTime);
        return { warm: at('mcd-collation-warm'), context: at('mcd-context'), ui: at('mcd-ui-loaded'), api };
      });
      // The first round (environments, pipelines, runs in progress, newest runs, the cache's index).
      const firstRound = t.api.filter((s) => s >= t.context && s <= t.warm);
      assert.ok(firstRound.length >= 5, `requests sent before the warm-up: ${JSON.stringify(t)}`);
      assert.ok(t.warm < t.ui, `warmed before the UI's code came: ${JSON.stringify(t)}`);
    } finally {
      await context.close();
    }
  });
});

import * as esbuild from 'esbuild';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BUILD_ROOT, ROOT } from '../devkit/project';
import { subsetIconFonts } from './subset-icons';
import { classVocabulary, pruneCss } from './prune-css';
import { lazyIntlPlugin } from './lazy-intl';
import { digestFiles, filesUnder } from './build-stamp';
import { noPolyfillsPlugin } from './no-polyfills';
import { reactNamespacePlugin } from './react-namespace';

/**
 * Bundles the hub's two pages (hub/src/hub-page.tsx, hub/src/run-tab-page.tsx) into
 * stageDir/hub with esbuild and writes their HTML with a strict Content-Security-Policy:
 * scripts and styles only from the extension's own files (no inline script, no eval, no
 * inline style), images/fonts local, REST only to Azure DevOps. Pipeline data is rendered as
 * text by React; the policy is the second line of defence.
 */
export const HUB_PAGES = [
  { entry: 'hub-page.tsx', name: 'hub', title: 'Promotions' },
  { entry: 'run-tab-page.tsx', name: 'run-tab', title: 'Promotions for this run' },
];

/** Azure DevOps Services hosts; Azure DevOps Server adds its own origin via MCDSO_HUB_CONNECT_SRC. */
const ADO_ORIGINS = [
  'https://dev.azure.com',
  'https://*.dev.azure.com',
  'https://*.visualstudio.com',
  'https://*.vsassets.io',
];

export function contentSecurityPolicy(extraConnect: string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${["'self'", ...ADO_ORIGINS, ...extraConnect].join(' ')}`,
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');
}

/**
 * V8's explicit compile hint (Chrome/Edge 136+; a plain comment elsewhere): every function of a file that starts
 * with it is compiled eagerly while the file streams in, on a background thread. Without it, each function the
 * first load calls (React's reconciler, azure-devops-ui's Table, the loader) is parsed a second time and compiled
 * on the main thread when first called, where the first matrix waits: a warm load's trace on the 2-core bench
 * machine showed 124 ms of main-thread V8.CompileCode before the first matrix, 26 ms with the hint. The hub's
 * scripts are its startup path: fetched for the first load, and most of what they hold runs in it.
 * https://v8.dev/blog/explicit-compile-hints
 */
export const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

/** The chunks a page preloads: what its boot script imports, then what the UI adds (bigger, needed later). */
export interface PagePreloads {
  boot: string[];
  ui: string[];
}

function page(name: string, title: string, csp: string, preload: PagePreloads): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '  <meta charset="utf-8">',
    `  <meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '  <meta name="referrer" content="no-referrer">',
    `  <title>${title}</title>`,
    `  <link rel="stylesheet" href="${name}.css">`,
    // A module (deferred: it runs once the document is parsed): the small boot script starts the data
    // load while the UI's chunk is fetched and compiled. Asked for first, before the preloads.
    `  <script type="module" src="${name}.js"></script>`,
    // Every chunk the page can need, fetched and compiled at once instead of import by import
    // (boot script → its shared chunks → the UI chunk → its chunks: a waterfall of round trips);
    // the boot script's own imports first. The UI's chunks at low priority: compiled eagerly (COMPILE_HINT),
    // the first to arrive take the few compile threads (two cores on the bench machine), and the boot
    // script, which sends the first requests, must not wait behind ~150 ms of compiling React and
    // azure-devops-ui (trace: boot 193 → 286 ms after navigation when they raced).
    ...preload.boot.map((href) => `  <link rel="modulepreload" href="${href}">`),
    ...preload.ui.map((href) => `  <link rel="modulepreload" href="${href}" fetchpriority="low">`),
    '</head>',
    '<body>',
    '  <div id="root"></div>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Returns esbuild's metafile: scripts/sbom.ts lists the npm packages the hub bundles from it.
 * `root`: another checkout's hub (bench/hub-load.ts builds a baseline to measure side by side).
 */
export interface BuildHubOptions {
  /** Keep azure-devops-ui's whole stylesheet (test/hub/css-prune.test.ts compares the two). Default true. */
  pruneCss?: boolean;
}

export async function buildHub(
  stageDir: string,
  root = ROOT,
  options: BuildHubOptions = {},
): Promise<esbuild.Metafile> {
  const outDir = path.join(stageDir, 'hub');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const extra = (process.env.MCDSO_HUB_CONNECT_SRC ?? '')
    .split(/\s+/)
    .filter((o) => /^https:\/\/[A-Za-z0-9.*:-]+$/.test(o));
  const csp = contentSecurityPolicy(extra);
  const result = await esbuild.build({
    entryPoints: Object.fromEntries(HUB_PAGES.map((p) => [p.name, path.join(root, 'hub', 'src', p.entry)])),
    outdir: outDir,
    bundle: true,
    platform: 'browser',
    target: ['chrome100', 'edge100', 'firefox100', 'safari15'],
    // ES modules split in chunks: the boot script (data layer) runs before React and azure-devops-ui
    // are even evaluated (hub-page.tsx imports the UI dynamically).
    format: 'esm',
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    // MCDSO_HUB_NO_MINIFY=1: readable names in CPU profiles (bench/hub-profile.ts HUB_PROFILE_CPU=1).
    minify: process.env.MCDSO_HUB_NO_MINIFY !== '1',
    legalComments: 'none',
    // The very first line of every script (esbuild writes its banner above everything else).
    banner: { js: COMPILE_HINT },
    sourcemap: false,
    tsconfig: path.join(root, 'hub', 'tsconfig.json'),
    loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.svg': 'file', '.png': 'file' },
    assetNames: 'assets/[name]-[hash]',
    define: { 'process.env.NODE_ENV': '"production"' },
    metafile: true,
    logLevel: 'warning',
    // azure-devops-ui's locale date formatters made on first use, not while the UI's code is evaluated;
    // its polyfills for browsers older than the targets above left out.
    plugins: [lazyIntlPlugin, noPolyfillsPlugin, reactNamespacePlugin(root)],
  });
  // esbuild's CSS bundle of an entry holds the CSS of everything it reaches, dynamic imports included.
  for (const p of HUB_PAGES) {
    const preload = moduleClosure(result.metafile, outDir, p.name);
    const html = page(p.name, p.title, csp, preload);
    fs.writeFileSync(path.join(outDir, `${p.name}.html`), html);
    // Only the rules the page's own scripts can match (scripts/prune-css.ts): less to parse and match.
    if (options.pruneCss !== false && process.env.MCDSO_HUB_NO_PRUNE !== '1') {
      const cssFile = path.join(outDir, `${p.name}.css`);
      const scripts = [`${p.name}.js`, ...preload.boot, ...preload.ui].map((f) =>
        fs.readFileSync(path.join(outDir, f), 'utf8'),
      );
      fs.writeFileSync(cssFile, pruneCss(fs.readFileSync(cssFile, 'utf8'), classVocabulary([html, ...scripts])));
    }
  }
  await subsetIconFonts(outDir);
  return result.metafile;
}

/**
 * The chunks an entry imports, transitively (paths relative to outDir). `boot`: what its static imports reach
 * (needed before the boot script runs), then what it imports dynamically to make its context (the SDK's chunk,
 * hub/src/ado: inside Azure DevOps, before the first request). `ui`: what the UI's dynamic import adds
 * (hub/src/ui: React, azure-devops-ui), needed once the first requests are out.
 */
export function moduleClosure(meta: esbuild.Metafile, outDir: string, entryName: string): PagePreloads {
  const rel = (p: string): string => path.relative(outDir, path.resolve(p)).split(path.sep).join('/');
  const byRel = new Map(Object.entries(meta.outputs).map(([p, o]) => [rel(p), o]));
  const seen = new Set<string>([`${entryName}.js`]);
  const closure = (from: string[], dynamic: boolean): string[] => {
    const found: string[] = [];
    const queue = [...from];
    while (queue.length) {
      for (const i of byRel.get(queue.shift()!)?.imports ?? []) {
        const dep = rel(i.path);
        if (i.external || !dep.endsWith('.js') || seen.has(dep)) continue;
        if (!dynamic && i.kind === 'dynamic-import') continue;
        seen.add(dep);
        found.push(dep);
        queue.push(dep);
      }
    }
    return found;
  };
  const statics = closure([`${entryName}.js`], false);
  const isUi = (chunk: string): boolean =>
    (byRel.get(chunk)?.entryPoint ?? '').split(path.sep).join('/').includes('hub/src/ui/');
  const dynamicOf = (files: string[]): string[] => [
    ...new Set(
      files.flatMap((f) =>
        (byRel.get(f)?.imports ?? []).filter((i) => i.kind === 'dynamic-import').map((i) => rel(i.path)),
      ),
    ),
  ];
  const roots = dynamicOf([`${entryName}.js`, ...statics]).filter((d) => !seen.has(d));
  const contextRoots = roots.filter((d) => !isUi(d));
  for (const d of contextRoots) seen.add(d);
  const context = [...contextRoots, ...closure(contextRoots, false)];
  const uiRoots = roots.filter(isUi);
  for (const d of uiRoots) seen.add(d);
  const ui = [...uiRoots, ...closure([...uiRoots, `${entryName}.js`, ...statics, ...context], true)];
  return { boot: [...statics, ...context], ui };
}

if (require.main === module) {
  // `node out/scripts/build-hub.js <dir>`: build only the hub (preview, quick iterations).
  buildHub(path.resolve(process.argv[2] ?? path.join(ROOT, 'build', 'hub-only'))).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

/** The environment variables buildHub reads. */
export const HUB_ENV = ['MCDSO_HUB_CONNECT_SRC', 'MCDSO_HUB_NO_MINIFY', 'MCDSO_HUB_NO_PRUNE'];

/**
 * What buildHub's output depends on: the hub's sources and tsconfig, this script and its plugins and helpers
 * (their compiled text), the locked dependency versions and the environment variables it reads.
 */
export function hubInputsHash(): string {
  const scripts = [
    'build-hub.js',
    'build-stamp.js',
    'subset-icons.js',
    'prune-css.js',
    'lazy-intl.js',
    'no-polyfills.js',
    'react-namespace.js',
  ];
  const files = [
    ...filesUnder(path.join(ROOT, 'hub')).map((f) => `hub/${f}`),
    ...scripts.map((f) => path.relative(ROOT, path.join(__dirname, f))),
    'package-lock.json',
  ];
  const env = HUB_ENV.map((name) => process.env[name] ?? '').join('\0');
  return digestFiles(ROOT, files, env).slice(0, 20);
}

/**
 * buildHub for tests: the same output in stageDir/hub, built once per content of its inputs
 * (hubInputsHash) under build/hub-cache and copied from there. Four test files each built the hub
 * (esbuild and the icon-font subsetter, ~2.5 s of CPU each); an edit to the hub changes the hash, so a
 * test never sees a stale hub. Parallel workers may build the same hash at once: each builds into its
 * own directory and renames it into place; whichever rename lands first is used.
 */
export async function cachedHubBuild(stageDir: string): Promise<void> {
  const cache = path.join(BUILD_ROOT, 'build', 'hub-cache');
  const built = path.join(cache, hubInputsHash());
  if (!fs.existsSync(built)) {
    const tmp = `${built}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await buildHub(tmp);
    try {
      fs.renameSync(tmp, built);
    } catch {
      fs.rmSync(tmp, { recursive: true, force: true }); // another worker's build landed first
    }
  }
  const outDir = path.join(stageDir, 'hub');
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.cpSync(path.join(built, 'hub'), outDir, { recursive: true });
}

import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildHub, hubInputsHash } from './build-hub';
import { BUILD_STAMP, filesUnder, isCurrent, metafileInputs, readStamp, writeStamp } from './build-stamp';
import { METAFILE_DIR, writeMetafiles } from './sbom';
import { ROOT, STAGE_DIR, TASK_NAMES, packageVersion } from '../devkit/project';

const OUTPUTS = [STAGE_DIR, METAFILE_DIR];

/**
 * What a build depends on besides its bundles' inputs: what it copies (task.json, images, manifest,
 * overview), the package versions, the compiled build scripts, and — as text — the hub's own inputs hash
 * (its sources, scripts and environment: hubInputsHash, which also keys the tests' hub cache) and the task
 * folders' listings (a new tasks/<Name>/lazy-*.ts is a new bundle).
 */
function fixedInputs(): { files: string[]; extra: string } {
  const rel = (dir: string): string[] => filesUnder(path.join(ROOT, dir)).map((f) => `${dir}/${f}`);
  const scripts = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.js'))
    .map((f) => path.relative(ROOT, path.join(__dirname, f)).split(path.sep).join('/'));
  const files = [
    'package.json',
    'package-lock.json',
    'vss-extension.json',
    'overview.md',
    path.relative(ROOT, require.resolve('../devkit/project')).split(path.sep).join('/'),
    ...scripts,
    ...rel('images'),
    ...TASK_NAMES.map((name) => `tasks/${name}/task.json`),
  ];
  const listings = TASK_NAMES.map((name) =>
    fs
      .readdirSync(path.join(ROOT, 'tasks', name))
      .sort()
      .join(','),
  );
  return { files, extra: JSON.stringify({ hub: hubInputsHash(), listings }) };
}

/**
 * Stages the extension in build/extension: one self-contained bundle per task next to its
 * task.json (versions taken from package.json), the hub, images and the manifest. The .vsix
 * is made from this folder only, so no sources or node_modules can leak into it.
 */
async function main(): Promise<void> {
  const fixed = fixedInputs();
  if (process.env.MCDSO_FULL_BUILD !== '1' && isCurrent(readStamp(BUILD_STAMP), ROOT, OUTPUTS, fixed.extra)) {
    console.log('build/extension is current: no input changed since it was built (MCDSO_FULL_BUILD=1 rebuilds)');
    return;
  }
  const version = packageVersion();
  const [major, minor, patch] = version.split('.').map(Number);
  fs.rmSync(BUILD_STAMP, { force: true });
  fs.rmSync(STAGE_DIR, { recursive: true, force: true });
  fs.mkdirSync(STAGE_DIR, { recursive: true });

  const sizes: string[] = [];
  const metafiles: Record<string, esbuild.Metafile> = {};
  await Promise.all(
    TASK_NAMES.map(async (name) => {
      const outDir = path.join(STAGE_DIR, 'tasks', name);
      const results = await bundleTask(name, outDir);
      results.forEach((r, i) => (metafiles[`${name}-${i}`] = r.metafile!));
      const bytes = results.map((r) => Object.values(r.metafile!.outputs).reduce((n, o) => n + o.bytes, 0));
      const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'tasks', name, 'task.json'), 'utf8'));
      manifest.version = { Major: major, Minor: minor, Patch: patch };
      fs.writeFileSync(path.join(outDir, 'task.json'), JSON.stringify(manifest, null, 2));
      fs.copyFileSync(path.join(ROOT, 'images', 'icon.png'), path.join(outDir, 'icon.png'));
      sizes.push(`${name}: ${bytes.map((b) => `${(b / 1024).toFixed(0)}`).join('+')} KiB`);
    }),
  );

  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'vss-extension.json'), 'utf8'));
  manifest.version = version;
  fs.writeFileSync(path.join(STAGE_DIR, 'vss-extension.json'), JSON.stringify(manifest, null, 2));
  fs.cpSync(path.join(ROOT, 'images'), path.join(STAGE_DIR, 'images'), { recursive: true });
  metafiles.hub = await buildHub(STAGE_DIR);
  // Kept outside the staged folder (not shipped): what the bundles contain, for the SBOM and licence check.
  writeMetafiles(metafiles);
  fs.copyFileSync(path.join(ROOT, 'overview.md'), path.join(STAGE_DIR, 'overview.md'));
  const inputs = [...fixed.files, ...metafileInputs(Object.values(metafiles), ROOT)];
  writeStamp(BUILD_STAMP, ROOT, inputs, OUTPUTS, fixed.extra);
  console.log(`bundled ${TASK_NAMES.length} tasks (${sizes.sort().join(', ')})`);
}

const COMMON: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  legalComments: 'none',
  sourcemap: false,
  metafile: true,
  logLevel: 'warning',
};

/**
 * A task's executor (tasks/<Name>/execute.ts, with the SDKs it needs) is a second bundle that
 * index.js requires only once the inputs are valid: parsing megabytes of SDK code on every start
 * would more than double the task's cold start, and a task failing on bad input needs none of it.
 */
const lazyExecutor: esbuild.Plugin = {
  name: 'lazy-executor',
  setup(build) {
    // The dynamic import resolves to a one-line module that require()s the separate bundle: esbuild turns
    // `await import()` of a bundled module into a lazy require, while an external `import()` would stay
    // one and send the file through Node's ESM loader (its initialisation plus a cjs-module-lexer pass
    // over the whole bundle cost ≈0.1–0.15 s on a loaded agent, measured with --cpu-prof on AcrPromote).
    const lazy = { namespace: 'lazy-require' };
    build.onResolve({ filter: /^\.\/execute$/ }, (args) =>
      path.basename(args.importer) === 'definition.ts' ? { ...lazy, path: './execute.js' } : undefined,
    );
    // tasks/<Name>/lazy-*.ts: SDK-heavy code only some runs need (AcrPromote: the Azure SDKs, for
    // import mode and ACR tokens only; OracleDbProvision: one bundle per backend), bundled apart and
    // loaded with `await import('./lazy-…')`.
    build.onResolve({ filter: /^\.\/lazy-[\w-]+$/ }, (args) => ({ ...lazy, path: `${args.path}.js` }));
    build.onLoad({ filter: /.*/, namespace: 'lazy-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/(execute|lazy-[\w-]+)\.js$/, namespace: 'lazy-require' }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};

/**
 * node-fetch 2 (oci-common's and @kubernetes/client-node's transport behind a proxy) takes `URL` from
 * `require('url').URL || require('whatwg-url').URL` (node-fetch/lib/index.js): on Node, always the
 * first. Bundled as it stands, whatwg-url and tr46 (≈300 KiB, tr46 builds its Unicode mapping table
 * at load) were parsed and initialised on every run of CanaryShift, KeyVaultToOci and
 * OracleDbProvision only to be ignored; node-fetch now gets Node's own URL under that name.
 */
const nodeUrlForNodeFetch: esbuild.Plugin = {
  name: 'node-url-for-node-fetch',
  setup(build) {
    build.onResolve({ filter: /^whatwg-url$/ }, (args) =>
      /[/\\]node_modules[/\\]node-fetch[/\\]/.test(args.importer)
        ? { path: 'whatwg-url', namespace: 'node-url' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'node-url' }, () => ({
      contents: "module.exports = { URL: require('node:url').URL };",
      loader: 'js',
    }));
  },
};

async function bundleTask(name: string, outDir: string): Promise<esbuild.BuildResult[]> {
  const entry = path.join(ROOT, 'tasks', name);
  const outputs: esbuild.BuildResult[] = [
    await esbuild.build({
      ...COMMON,
      entryPoints: [path.join(entry, 'index.ts')],
      outfile: path.join(outDir, 'index.js'),
      plugins: [lazyExecutor, nodeUrlForNodeFetch],
    }),
  ];
  if (fs.existsSync(path.join(entry, 'execute.ts'))) {
    outputs.push(
      await esbuild.build({
        ...COMMON,
        entryPoints: [path.join(entry, 'execute.ts')],
        outfile: path.join(outDir, 'execute.js'),
        plugins: [lazyExecutor, nodeUrlForNodeFetch],
      }),
    );
  }
  for (const lazy of fs.readdirSync(entry).filter((f) => /^lazy-[\w-]+\.ts$/.test(f))) {
    outputs.push(
      await esbuild.build({
        ...COMMON,
        entryPoints: [path.join(entry, lazy)],
        outfile: path.join(outDir, lazy.replace(/\.ts$/, '.js')),
        plugins: [nodeUrlForNodeFetch],
      }),
    );
  }
  // tasks/common/network/lazy-fetch.ts (undici, only behind the agent's proxy or certificates): every
  // task loads it through the runner, so each task folder gets its own copy.
  const network = path.join(ROOT, 'tasks', 'common', 'network', 'lazy-fetch.ts');
  outputs.push(await esbuild.build({ ...COMMON, entryPoints: [network], outfile: path.join(outDir, 'lazy-fetch.js') }));
  return outputs;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

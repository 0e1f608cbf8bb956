import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../devkit/project';
import { caPaths, ensureTestCa } from '../devkit/support/test-ca';
import { readFileTimes } from './file-times';

/**
 * Runs mocha with NODE_EXTRA_CA_CERTS set to the test CA: Node reads it only at start-up, so it
 * must be in mocha's environment (and is inherited by the tasks the tests spawn). Extra
 * arguments are passed to mocha, e.g. `npm test -- out/test/unit/**.test.js`; `--unit` runs
 * UNIT_TESTS, the inner loop (`npm run test:unit`).
 */

/**
 * Tests that need neither the packaged .vsix nor a service binary (registry, prometheus, skopeo,
 * chromium): pure planners, parsers and in-process emulators. Keep this list < 30 s on a loaded machine.
 */
export const UNIT_TESTS = [
  'out/test/unit/*.test.js',
  'out/test/acr/{registry-unit,shared-blobs}.test.js',
  'out/test/canary/{plan,routers}.test.js',
  'out/test/db/{plan,tns-cr}.test.js',
  'out/test/hub/{matrix,timeline-gates,loader,rest-client}.test.js',
  'out/test/kv/planner.test.js',
  'out/test/smoke/{assertions,check-secrets,jsonpath,junit,parse-checks,status-range}.test.js',
];

/**
 * The order until the files' own times are known (longestFirst, scripts/file-times.ts: a clean clone's first
 * run). The files that take longest, longest first (serial wall per file, hooks included: the demo's before
 * hook runs the whole demo; files that mostly wait on real clocks, such as the Retry-After and Prometheus
 * ones, hold a worker as long as busy ones and are listed by their wall time). Mocha's parallel runner hands
 * files to free workers in the order given, so these start first and the run ends on short files; in glob
 * order, security/rerun.test.js (~30 s) started near the end and one worker ran it alone.
 */
export const SLOW_FIRST = [
  'out/test/demo/demo.test.js',
  'out/test/security/rerun.test.js',
  'out/test/hub/hub-theme.test.js',
  'out/test/hub/hub-browser.test.js',
  'out/test/hub/css-prune.test.js',
  'out/test/reliability/keyvault-to-oci.test.js',
  'out/test/reliability/canary-shift.test.js',
  'out/test/kv/packaged.test.js',
  'out/test/reliability/oracle-db-provision.test.js',
  'out/test/smoke/packaged.test.js',
  'out/test/kv/leak-scan.test.js',
  'out/test/canary/prometheus-real.test.js',
  'out/test/agent/agent-proxy.test.js',
  'out/test/reliability/kv-lost-answers.test.js',
  'out/test/canary/blue-green-kill.test.js',
  'out/test/agent/kube-connections.test.js',
  'out/test/agent/hostile-services.test.js',
  'out/test/security/leak-oci.test.js',
  'out/test/canary/canary-run.test.js',
  'out/test/security/leak-http.test.js',
  'out/test/acr/verify.test.js',
  'out/test/hub/hub-in-host.test.js',
];

/** `files` (paths relative to ROOT) with SLOW_FIRST's in front, in its order; the rest keep theirs. */
export function slowFirst(files: string[]): string[] {
  const rank = (f: string): number => {
    const i = SLOW_FIRST.indexOf(f);
    return i < 0 ? SLOW_FIRST.length : i;
  };
  return files
    .map((f, i) => ({ f, i }))
    .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
    .map((x) => x.f);
}

/**
 * `files` longest first by their times in the runs so far (scripts/file-times.ts), once at least `cover` of
 * them were timed: files not timed yet (new ones) go first, in slowFirst order, since one of them may be long.
 * With fewer timed (a clean clone, or only a few files run so far), slowFirst's order.
 */
export function longestFirst(files: string[], times: Map<string, number>, cover = 0.9): string[] {
  const timed = files.filter((f) => times.has(f));
  if (timed.length < files.length * cover) return slowFirst(files);
  const untimed = slowFirst(files.filter((f) => !times.has(f)));
  return [...untimed, ...timed.sort((a, b) => times.get(b)! - times.get(a)! || a.localeCompare(b))];
}

/** Every out/test/**\/*.test.js, relative to ROOT, sorted (the order the glob gives). */
export function suiteFiles(dir = path.join(ROOT, 'out', 'test')): string[] {
  const found = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.test.js'));
  return found.map((f) => path.relative(ROOT, path.join(dir, f)).split(path.sep).join('/')).sort();
}

const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

/**
 * The whole suite runs its files in parallel worker processes (mocha --parallel): a good part of its
 * time is spent waiting on child processes, registries, Prometheus, Chromium and real clocks (a real
 * Prometheus scraping every second, Retry-After answers), so one worker more than there are cores keeps
 * the cores busy while a worker waits (2 cores: 3 jobs, 4:13 against 4:50 for 2). Every test already binds
 * port 0 and writes under mkdtemp, which is what makes files independent. MCDSO_TEST_JOBS=1 runs serially
 * (bisecting a flake); MCDSO_TEST_JOBS=2 is the former default.
 */
export function mochaArgs(
  argv: string[],
  env: NodeJS.ProcessEnv,
  cores: number,
  suite = ['--recursive', 'out/test/**/*.test.js'],
): string[] {
  const unit = argv.includes('--unit');
  const named = argv.filter((a) => a !== '--unit');
  const jobs = Number(env.MCDSO_TEST_JOBS ?? Math.max(2, cores + 1));
  // Named files replace .mocharc.json's spec instead of adding to it, so its flags are repeated here.
  const base = ['--no-config', '--timeout', '30000', '--forbid-only', '--forbid-pending'];
  if (unit) return [...base, ...UNIT_TESTS, ...named];
  const files = named.some((a) => /\.js$|\*/.test(a)) ? named : [...suite, ...named];
  // Each file's wall time is recorded (scripts/file-times.ts) for the next run's order.
  const parallel =
    jobs > 1 && !named.includes('--parallel')
      ? ['--require', 'out/scripts/file-times.js', '--parallel', '--jobs', String(jobs)]
      : [];
  return [...base, ...parallel, ...files];
}

if (require.main === module) {
  ensureTestCa(); // idempotent: lets `npm run test:unit` work in a fresh clone without `npm test`'s pretest.
  const order = longestFirst(suiteFiles(), readFileTimes());
  const args = mochaArgs(process.argv.slice(2), process.env, os.availableParallelism(), order);
  const result = spawnSync(process.execPath, [mocha, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPaths().cert },
  });
  process.exit(result.status ?? 1);
}

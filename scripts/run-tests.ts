import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../devkit/project';
import { caPaths, ensureTestCa } from '../devkit/support/test-ca';

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

const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

/**
 * The whole suite runs its files in parallel worker processes (mocha --parallel): about half of
 * its time is spent waiting on child processes, registries, Prometheus and Chromium, so one file per core
 * keeps both cores busy. Every test already binds port 0 and writes under mkdtemp,
 * which is what makes files independent. MCDSO_TEST_JOBS=1 runs serially (bisecting a flake).
 */
export function mochaArgs(argv: string[], env: NodeJS.ProcessEnv, cores: number): string[] {
  const unit = argv.includes('--unit');
  const named = argv.filter((a) => a !== '--unit');
  const jobs = Number(env.MCDSO_TEST_JOBS ?? Math.max(2, cores));
  // Named files replace .mocharc.json's spec instead of adding to it, so its flags are repeated here.
  const base = ['--no-config', '--timeout', '30000', '--forbid-only', '--forbid-pending'];
  if (unit) return [...base, ...UNIT_TESTS, ...named];
  const files = named.some((a) => /\.js$|\*/.test(a)) ? named : ['--recursive', 'out/test/**/*.test.js', ...named];
  const parallel = jobs > 1 && !named.includes('--parallel') ? ['--parallel', '--jobs', String(jobs)] : [];
  return [...base, ...parallel, ...files];
}

if (require.main === module) {
  ensureTestCa(); // idempotent: lets `npm run test:unit` work in a fresh clone without `npm test`'s pretest.
  const args = mochaArgs(process.argv.slice(2), process.env, os.availableParallelism());
  const result = spawnSync(process.execPath, [mocha, ...args], {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, NODE_EXTRA_CA_CERTS: caPaths().cert },
  });
  process.exit(result.status ?? 1);
}

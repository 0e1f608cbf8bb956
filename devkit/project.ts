import * as fs from 'node:fs';
import * as path from 'node:path';
import { TaskName } from '../tasks/common/ledger';

/** Paths and names shared by the build, the tests and the benchmarks. */
export const ROOT = path.resolve(__dirname, '..', '..');
export const TASK_NAMES: TaskName[] = ['AcrPromote', 'CanaryShift', 'SmokeTest', 'KeyVaultToOci', 'OracleDbProvision'];
/** MCDSO_BUILD_ROOT relocates build/ and dist/, so parallel builds (and tests) do not clobber each other. */
export const BUILD_ROOT = process.env.MCDSO_BUILD_ROOT ? path.resolve(process.env.MCDSO_BUILD_ROOT) : ROOT;
export const STAGE_DIR = path.join(BUILD_ROOT, 'build', 'extension');
export const DIST_DIR = path.join(BUILD_ROOT, 'dist');
/** The test CA (see devkit/support/test-ca.ts); NODE_EXTRA_CA_CERTS points here during npm test. */
export const TEST_CA_DIR = path.join(BUILD_ROOT, 'build', 'test-ca');

export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

export function vsixPath(): string {
  return path.join(DIST_DIR, `multicloud-devsecops-${packageVersion()}.vsix`);
}

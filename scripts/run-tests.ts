import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../devkit/project';
import { caPaths } from '../devkit/support/test-ca';

/**
 * Runs mocha with NODE_EXTRA_CA_CERTS set to the test CA: Node reads it only at start-up, so it
 * must be in mocha's environment (and is inherited by the tasks the tests spawn). Extra
 * arguments are passed to mocha, e.g. `npm test -- out/test/unit/**.test.js`.
 */
const mocha = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');
const files = process.argv.slice(2);
// Named files replace .mocharc.json's spec instead of adding to it.
const args = files.length ? ['--no-config', '--timeout', '30000', ...files] : [];
const result = spawnSync(process.execPath, [mocha, ...args], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: caPaths().cert },
});
process.exit(result.status ?? 1);

import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { ROOT } from '../../devkit/project';

/** The README's first command: the whole seed pipeline from the .vsix, then the hub, then Ctrl-C. */
describe('npm run demo', function () {
  this.timeout(240_000);

  it('runs the five tasks in pipeline order, serves the hub with their records, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, [path.join(ROOT, 'out', 'scripts', 'demo.js')], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setInterval(() => {
          const m = /Promotions hub \(preview\): (\S+)/.exec(out);
          if (m) {
            clearInterval(timer);
            resolve(m[1]);
          } else if (child.exitCode !== null) {
            clearInterval(timer);
            reject(new Error(`demo exited early:\n${out}`));
          }
        }, 100);
      });
      const order = [...out.matchAll(/^\d\/5 \[\w+\] (\w+):/gm)].map((m) => m[1]);
      assert.deepEqual(order, ['KeyVaultToOci', 'OracleDbProvision', 'AcrPromote', 'CanaryShift', 'SmokeTest']);
      assert.match(out, /5\/5 tasks succeeded; 5 promotion records written\./, out);
      assert.match(out, /outcome=promoted/);
      const page = await fetch(url);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /Content-Security-Policy/);
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0, 'Ctrl-C stops the hub and every stand-in, then exits 0');
  });
});

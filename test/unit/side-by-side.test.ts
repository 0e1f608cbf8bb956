import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../../devkit/project';

/** scripts/side-by-side.js: `npm test` lints while it packages and runs the suite, and must fail if either fails. */
describe('side-by-side npm scripts (npm test)', function () {
  this.timeout(30_000);
  const script = path.join(ROOT, 'scripts', 'side-by-side.js');
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mcdso-sbs-'));
    const scripts = {
      slow: 'node -e "setTimeout(()=>console.log(\'slow done\'),300)"',
      ok: 'node -e "console.log(\'ok done\')"',
      bad: 'node -e "console.error(\'bad says why\');process.exit(3)"',
      args: 'node -e "console.log(\'args:\', JSON.stringify(process.argv.slice(1)))"',
    };
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'sbs', version: '1.0.0', scripts }));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = (...names: string[]) => spawnSync(process.execPath, [script, ...names], { cwd: dir, encoding: 'utf8' });

  it('runs them concurrently and succeeds when all succeed, showing each output whole', () => {
    const r = run('slow', 'ok');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /slow done[\s\S]*ok done/, 'the held output comes after the live one');
  });

  it('fails naming the script that failed, whichever position it has, with its own output shown', () => {
    for (const order of [
      ['bad', 'ok'],
      ['ok', 'bad'],
    ]) {
      const r = run(...order);
      assert.equal(r.status, 1, `${order.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, /npm run bad failed \(exit code 3\)/);
      assert.match(`${r.stdout}${r.stderr}`, /bad says why/);
      assert.doesNotMatch(r.stderr, /npm run ok failed/);
    }
  });

  it('passes the arguments after -- to the first script only (npm test -- <files>)', () => {
    const r = run('args', 'args', '--', 'out/test/unit/a.test.js', '--grep', 'x y');
    assert.equal(r.status, 0, r.stderr);
    const seen = r.stdout.split('\n').filter((l) => l.startsWith('args:'));
    assert.deepEqual(seen, ['args: ["out/test/unit/a.test.js","--grep","x y"]', 'args: []']);
    assert.equal(run('args', '--').stdout.trim(), 'args: []');
  });

  it('refuses to run nothing', () => {
    assert.equal(run().status, 2);
  });
});

import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../devkit/project';
import { SLOW_FIRST, longestFirst, mochaArgs, slowFirst, suiteFiles } from '../../scripts/run-tests';
import { parseFileTimes } from '../../scripts/file-times';

describe('test runner arguments (scripts/run-tests.ts)', () => {
  const has = (args: string[], ...seq: string[]) => args.join(' ').includes(seq.join(' '));

  it('runs the whole suite in parallel, one job more than cores, with the forbid flags', () => {
    const args = mochaArgs([], {}, 2);
    assert.ok(has(args, '--parallel', '--jobs', '3'), args.join(' '));
    assert.ok(has(args, '--recursive', 'out/test/**/*.test.js'));
    assert.ok(args.includes('--forbid-only') && args.includes('--forbid-pending'));
    assert.ok(has(mochaArgs([], {}, 1), '--jobs', '2'), 'one core still overlaps the waits');
    assert.ok(has(mochaArgs([], {}, 8), '--jobs', '9'));
    assert.ok(has(mochaArgs([], { MCDSO_TEST_JOBS: '2' }, 2), '--jobs', '2'));
  });

  it('MCDSO_TEST_JOBS=1 runs serially; named files replace the default spec; extra flags pass through', () => {
    assert.ok(!mochaArgs([], { MCDSO_TEST_JOBS: '1' }, 2).includes('--parallel'));
    const named = mochaArgs(['out/test/acr/copy.test.js', '--grep', 'resume'], {}, 2);
    assert.ok(!named.includes('out/test/**/*.test.js'));
    assert.ok(has(named, 'out/test/acr/copy.test.js', '--grep', 'resume'));
    const grep = mochaArgs(['--grep', 'hub'], {}, 2);
    assert.ok(has(grep, 'out/test/**/*.test.js', '--grep', 'hub'), 'a bare --grep still runs the whole suite');
  });

  it('--unit runs the unit list serially (it is short; workers would cost more than they save)', () => {
    const args = mochaArgs(['--unit'], {}, 2);
    assert.ok(!args.includes('--parallel'));
    assert.ok(args.includes('out/test/unit/*.test.js'));
  });

  it('starts the slowest files first, in SLOW_FIRST order, and keeps the order of the others', () => {
    const files = ['out/test/a/x.test.js', SLOW_FIRST[2], 'out/test/b/y.test.js', SLOW_FIRST[0]];
    assert.deepEqual(slowFirst(files), [SLOW_FIRST[0], SLOW_FIRST[2], 'out/test/a/x.test.js', 'out/test/b/y.test.js']);
    const args = mochaArgs([], {}, 2, slowFirst(files));
    assert.ok(has(args, '--jobs', '3', SLOW_FIRST[0], SLOW_FIRST[2], 'out/test/a/x.test.js'), args.join(' '));
  });

  it('records the time of each file in parallel runs; once nine in ten were timed, starts the longest first', () => {
    assert.ok(has(mochaArgs([], {}, 2), '--require', 'out/scripts/file-times.js', '--parallel'));
    assert.ok(!mochaArgs([], { MCDSO_TEST_JOBS: '1' }, 2).includes('--require'), 'a serial run has one root for all');
    const times = parseFileTimes('900 out/test/a.test.js\nnoise\n5000 out/test/b.test.js\n100 out/test/a.test.js\n');
    assert.deepEqual(
      [...times],
      [
        ['out/test/a.test.js', 100],
        ['out/test/b.test.js', 5000],
      ],
    );
    const files = ['out/test/a.test.js', 'out/test/b.test.js', SLOW_FIRST[1], 'out/test/new.test.js'];
    times.set(SLOW_FIRST[1], 3000);
    // 3 of 4 timed: below nine in ten, so the hand-made order.
    assert.deepEqual(longestFirst(files, times), slowFirst(files));
    // Enough timed: the untimed (new) file first, then by time, longest first.
    assert.deepEqual(longestFirst(files, times, 0.75), [
      'out/test/new.test.js',
      'out/test/b.test.js',
      SLOW_FIRST[1],
      'out/test/a.test.js',
    ]);
  });

  it('SLOW_FIRST names existing test files, and the suite is every compiled .test.js under out/test', () => {
    for (const f of SLOW_FIRST) {
      const source = f.replace(/^out\//, '').replace(/\.js$/, '.ts');
      assert.ok(fs.existsSync(path.join(ROOT, source)), `${f}: no ${source} (renamed? update SLOW_FIRST)`);
    }
    const suite = suiteFiles();
    assert.ok(suite.includes('out/test/unit/run-tests.test.js'), suite.slice(0, 5).join(' '));
    assert.ok(suite.every((f) => /^out\/test\/.+\.test\.js$/.test(f)));
    assert.equal(new Set(slowFirst(suite)).size, suite.length);
  });
});

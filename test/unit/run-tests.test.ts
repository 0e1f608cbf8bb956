import { strict as assert } from 'node:assert';
import { mochaArgs } from '../../scripts/run-tests';

describe('test runner arguments (scripts/run-tests.ts)', () => {
  const has = (args: string[], ...seq: string[]) => args.join(' ').includes(seq.join(' '));

  it('runs the whole suite in parallel, one job per core and at least two, with the forbid flags', () => {
    const args = mochaArgs([], {}, 2);
    assert.ok(has(args, '--parallel', '--jobs', '2'), args.join(' '));
    assert.ok(has(args, '--recursive', 'out/test/**/*.test.js'));
    assert.ok(args.includes('--forbid-only') && args.includes('--forbid-pending'));
    assert.ok(has(mochaArgs([], {}, 1), '--jobs', '2'), 'one core still overlaps the waits');
    assert.ok(has(mochaArgs([], {}, 8), '--jobs', '8'));
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
});

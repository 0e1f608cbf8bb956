import { strict as assert } from 'node:assert';
import { isVisible } from '../../tasks/common/manifest';

describe('visibleRule evaluation', () => {
  const values: Record<string, string> = { action: 'run', trafficRouter: 'pod', target: 'ociApi' };
  const get = (n: string): string | undefined => values[n];
  const table: [string | undefined, boolean][] = [
    [undefined, true],
    ['', true],
    ['action = run', true],
    ['action = deploy', false],
    ['action = deploy || action = run', true],
    ['trafficRouter != pod', false],
    ['target = ociApi && action = run', true],
    ['target = ociApi && action = shift', false],
    ['action = RUN', true],
    ['missing = x', false],
    ['missing != x', true],
  ];
  for (const [rule, expected] of table) {
    it(`${JSON.stringify(rule)} → ${expected}`, () => assert.equal(isVisible(rule, get), expected));
  }
  it('rejects rules it cannot read instead of guessing', () => {
    assert.throws(() => isVisible('action ~ run', get), /Unsupported visibleRule/);
  });
});

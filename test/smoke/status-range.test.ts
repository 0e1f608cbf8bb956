import * as assert from 'node:assert/strict';
import { parseStatus, statusMatches } from '../../tasks/common/checks/status-range';

describe('SmokeTest status expectations', () => {
  const good: { given: unknown; text: string; yes: number[]; no: number[] }[] = [
    { given: 200, text: '200', yes: [200], no: [201, 500] },
    { given: '204', text: '204', yes: [204], no: [200] },
    { given: '2xx', text: '2xx', yes: [200, 204, 299], no: [199, 300] },
    { given: '5XX', text: '5xx', yes: [500, 503], no: [404] },
    { given: [200, 204], text: '200 or 204', yes: [200, 204], no: [201] },
    { given: ['2xx', 304], text: '2xx or 304', yes: [250, 304], no: [301] },
    { given: '200-204', text: '200-204', yes: [200, 204], no: [205] },
    { given: '401 - 403', text: '401-403', yes: [402], no: [400] },
  ];
  for (const c of good) {
    it(`${JSON.stringify(c.given)} accepts ${c.yes} and refuses ${c.no}`, () => {
      const parsed = parseStatus(c.given);
      assert.ok(parsed.ok);
      if (!parsed.ok) return;
      assert.equal(parsed.value.text, c.text);
      for (const s of c.yes) assert.ok(statusMatches(parsed.value, s), `${s}`);
      for (const s of c.no) assert.ok(!statusMatches(parsed.value, s), `${s}`);
    });
  }
  const bad: unknown[] = [
    '2xy',
    '7xx',
    '2xxx',
    600,
    99,
    200.5,
    '300-200',
    '200-700',
    [],
    [200, 'ok'],
    true,
    null,
    { min: 200 },
  ];
  for (const given of bad) {
    it(`rejects ${JSON.stringify(given)}`, () => {
      assert.equal(parseStatus(given).ok, false);
    });
  }
});

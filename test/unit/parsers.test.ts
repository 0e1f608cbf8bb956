import { strict as assert } from 'node:assert';
import { parseDuration } from '../../tasks/common/duration';
import { holds, parseCondition } from '../../tasks/CanaryShift/condition';
import { parseSteps } from '../../tasks/CanaryShift/steps';
import { parseSelection, targetName } from '../../tasks/KeyVaultToOci/selection';
import { isAclEntry } from '../../tasks/OracleDbProvision/options';
import { adminPasswordProblems, walletPasswordProblems } from '../../tasks/OracleDbProvision/password-rules';

describe('input parsers', () => {
  describe('durations', () => {
    const table: [string, number | undefined][] = [
      ['90', 90_000],
      ['90s', 90_000],
      ['5m', 300_000],
      ['1h', 3_600_000],
      ['1m30s', 90_000],
      ['250ms', 250],
      ['', undefined],
      ['5 m', undefined],
      ['-5s', undefined],
      ['5x', undefined],
      ['s', undefined],
      ['1.5s', undefined],
    ];
    for (const [text, ms] of table) it(`${JSON.stringify(text)} → ${ms}`, () => assert.equal(parseDuration(text), ms));
  });

  describe('canary steps', () => {
    it('parses weights, pauses and analysis in order', () => {
      const parsed = parseSteps('10, pause 60s, analysis\n25%,pause 2m, 100');
      assert.ok(parsed.ok);
      assert.deepEqual(parsed.value, [
        { kind: 'weight', weight: 10 },
        { kind: 'pause', ms: 60_000 },
        { kind: 'analysis' },
        { kind: 'weight', weight: 25 },
        { kind: 'pause', ms: 120_000 },
        { kind: 'weight', weight: 100 },
      ]);
    });
    const bad: [string, RegExp][] = [
      ['', /no steps/],
      ['101', /'101'/],
      ['12.5', /'12\.5'/],
      ['pause 0s', /not a duration/],
      ['pause soon', /not a duration/],
      ['promote', /'promote'\) is not/],
    ];
    for (const [text, error] of bad) {
      it(`rejects ${JSON.stringify(text)}`, () => {
        const parsed = parseSteps(text);
        assert.ok(!parsed.ok);
        assert.match(parsed.error, error);
      });
    }
  });

  describe('success conditions', () => {
    const table: [string, number, boolean][] = [
      ['result >= 0.99', 0.99, true],
      ['result >= 0.99', 0.98, false],
      ['result < 500', 499, true],
      ['result<500', 500, false],
      ['result == 0', 0, true],
      ['result != 0', 0, false],
      ['result > -1', 0, true],
      ['result <= 1.5', 1.5, true],
    ];
    for (const [text, value, expected] of table) {
      it(`${text} with ${value} → ${expected}`, () => {
        const parsed = parseCondition(text);
        assert.ok(parsed.ok);
        assert.equal(holds(parsed.value, value), expected);
      });
    }
    for (const bad of ['result ~ 1', 'x >= 1', 'result >= abc', 'result >= 1; process.exit()', '']) {
      it(`rejects ${JSON.stringify(bad)}`, () => assert.ok(!parseCondition(bad).ok));
    }
  });

  describe('Key Vault selections', () => {
    const parsed = parseSelection('db-*, api-key\nlegacy-secret => orders.legacy_v1\n');
    it('accepts globs, lists and mappings', () => assert.ok(parsed.ok));
    const rules = parsed.ok ? parsed.value : [];
    const table: [string, string | undefined][] = [
      ['db-password', 'db-password'],
      ['DB-Password', 'DB-Password'],
      ['api-key', 'api-key'],
      ['api-key2', undefined],
      ['legacy-secret', 'orders.legacy_v1'],
      ['other', undefined],
    ];
    for (const [kv, oci] of table) it(`${kv} → ${oci}`, () => assert.equal(targetName(rules, kv), oci));
    it('selects everything with *', () => {
      const all = parseSelection('*');
      assert.ok(all.ok);
      assert.equal(targetName(all.value, 'anything-at-all'), 'anything-at-all');
    });
    it('treats regex metacharacters in globs literally', () => {
      const p = parseSelection('a?c');
      assert.ok(p.ok);
      assert.equal(targetName(p.value, 'abc'), 'abc');
      assert.equal(targetName(p.value, 'abbc'), undefined);
    });
  });

  describe('Autonomous Database rules', () => {
    const passwords: [string, string[]][] = [
      ['Welcome-2026-Orders', []],
      ['short1A', ['has 7 characters (12 to 30 are required)']],
      ['alllowercase123', ['has no upper-case letter']],
      ['ALLUPPERCASE123', ['has no lower-case letter']],
      ['NoDigitsAtAllHere', ['has no digit']],
      ['Has"Quote12345', ['contains a double quote']],
      ['MyAdmin-Passw0rd', ["contains the word 'admin'"]],
    ];
    for (const [pw, problems] of passwords)
      it(`admin password ${pw.length} chars → ${problems.length} problems`, () =>
        assert.deepEqual(adminPasswordProblems(pw), problems));
    it('wallet passwords need 8+ characters with a letter and a non-letter', () => {
      assert.deepEqual(walletPasswordProblems('wallet#1'), []);
      assert.deepEqual(walletPasswordProblems('walletpw'), ['has no digit or special character']);
      assert.deepEqual(walletPasswordProblems('1234567'), ['has 7 characters (8 to 60 are required)', 'has no letter']);
    });
    const acl: [string, boolean][] = [
      ['203.0.113.7', true],
      ['198.51.100.0/24', true],
      ['2001:db8::/32', true],
      ['ocid1.vcn.oc1.eu-frankfurt-1.aaaa', true],
      ['ocid1.vcn.oc1.eu-frankfurt-1.aaaa;10.0.0.0/16', true],
      ['300.1.1.1', false],
      ['10.0.0.0/33', false],
      ['example.com', false],
      ['10.0.0.0/8/8', false],
    ];
    for (const [entry, ok] of acl) it(`ACL entry ${entry} → ${ok}`, () => assert.equal(isAclEntry(entry), ok));
  });
});

import { strict as assert } from 'node:assert';
import { SecretRegistry, derivedForms } from '../../tasks/common/secrets';

describe('secrets', () => {
  const cases: { name: string; value: string; mustInclude: string[] }[] = [
    { name: 'plain', value: 'hunter2-secret', mustInclude: ['hunter2-secret', Buffer.from('hunter2-secret').toString('base64')] },
    { name: 'percent and at', value: 'p%@ss', mustInclude: ['p%@ss', encodeURIComponent('p%@ss')] },
    { name: 'quotes and backslash', value: 'a"b\\c', mustInclude: ['a"b\\c', 'a\\"b\\\\c'] },
    { name: 'unicode', value: 'pässwörd✓', mustInclude: ['pässwörd✓', encodeURIComponent('pässwörd✓')] },
    { name: 'trailing newline', value: 'token-value\n', mustInclude: ['token-value', Buffer.from('token-value').toString('base64')] },
    { name: 'space in url form', value: 'two words', mustInclude: ['two%20words', 'two+words'] },
  ];
  for (const c of cases) {
    it(`derives the forms of a ${c.name} secret`, () => {
      const forms = derivedForms(c.value);
      for (const f of c.mustInclude) assert.ok(forms.includes(f), `missing form ${JSON.stringify(f)}`);
    });
  }

  it('registers each line of a PEM key but not its armour lines', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const sent: string[] = [];
    new SecretRegistry((v) => sent.push(v)).register(pem);
    assert.ok(sent.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'));
    assert.ok(sent.includes('BKcwggSjAgEAAoIBAQC7'));
    assert.ok(!sent.some((s) => /^-----(BEGIN|END) PRIVATE KEY-----$/.test(s)), 'armour lines alone would mask every PEM in the log');
    assert.ok(sent.includes(JSON.stringify(pem).slice(1, -1)), 'the JSON-escaped whole key is one line and is registered');
    assert.ok(!sent.some((s) => /[\r\n]/.test(s)), 'setsecret takes single lines only');
  });

  it('announces a form once however often it is registered', () => {
    const sent: string[] = [];
    const registry = new SecretRegistry((v) => sent.push(v));
    registry.register('same-secret');
    const count = sent.length;
    registry.register('same-secret');
    assert.equal(sent.length, count);
  });

  it('does not register forms shorter than 3 characters, which would mask ordinary text', () => {
    assert.deepEqual(derivedForms('p'), []);
    assert.ok(derivedForms('ab').every((f) => f.length >= 3));
  });

  it('redacts the longest form first, so no fragment survives', () => {
    const registry = new SecretRegistry(() => undefined);
    registry.register('abc');
    registry.register('abcdef-long');
    assert.equal(registry.redact('x abcdef-long y abc z'), 'x *** y *** z');
    assert.equal(registry.redact(`b64 ${Buffer.from('abcdef-long').toString('base64')}`), 'b64 ***');
  });

  it('ignores empty and undefined values', () => {
    const sent: string[] = [];
    const registry = new SecretRegistry((v) => sent.push(v));
    assert.equal(registry.register(''), '');
    assert.equal(registry.register(undefined), undefined);
    assert.equal(sent.length, 0);
  });
});

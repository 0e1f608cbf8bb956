import { strict as assert } from 'node:assert';
import { SecretRegistry, derivedForms, minSecretLength } from '../../tasks/common/secrets';

describe('secrets', () => {
  const cases: { name: string; value: string; mustInclude: string[] }[] = [
    {
      name: 'plain',
      value: 'hunter2-secret',
      mustInclude: ['hunter2-secret', Buffer.from('hunter2-secret').toString('base64')],
    },
    { name: 'percent and at', value: 'p%@ss', mustInclude: ['p%@ss', encodeURIComponent('p%@ss')] },
    { name: 'quotes and backslash', value: 'a"b\\c', mustInclude: ['a"b\\c', 'a\\"b\\\\c'] },
    { name: 'unicode', value: 'pässwörd✓', mustInclude: ['pässwörd✓', encodeURIComponent('pässwörd✓')] },
    {
      name: 'trailing newline',
      value: 'token-value\n',
      mustInclude: ['token-value', Buffer.from('token-value').toString('base64')],
    },
    { name: 'space in url form', value: 'two words', mustInclude: ['two%20words', 'two+words'] },
  ];
  for (const c of cases) {
    it(`derives the forms of a ${c.name} secret`, () => {
      const forms = derivedForms(c.value);
      for (const f of c.mustInclude) assert.ok(forms.includes(f), `missing form ${JSON.stringify(f)}`);
    });
  }

  it('registers each line of a PEM key but not its armour lines', () => {
    const pem =
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';
    const sent: string[] = [];
    new SecretRegistry((v) => sent.push(v)).register(pem);
    assert.ok(sent.includes('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'));
    assert.ok(sent.includes('BKcwggSjAgEAAoIBAQC7'));
    assert.ok(
      !sent.some((s) => /^-----(BEGIN|END) PRIVATE KEY-----$/.test(s)),
      'armour lines alone would mask every PEM in the log',
    );
    assert.ok(
      sent.includes(JSON.stringify(pem).slice(1, -1)),
      'the JSON-escaped whole key is one line and is registered',
    );
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

  it('masks secrets of any length, as the agent does by default (AZP_IGNORE_SECRETS_SHORTER_THAN=0)', () => {
    const sent: string[] = [];
    const registry = new SecretRegistry((v) => sent.push(v), minSecretLength(undefined));
    registry.register('p');
    assert.ok(sent.includes('p'), 'a one-character secret is announced to the agent');
    assert.equal(registry.redact('pin p'), '***in ***');
  });

  it('honours the agent knob AZP_IGNORE_SECRETS_SHORTER_THAN for its own records', () => {
    assert.equal(minSecretLength('4'), 4);
    assert.equal(minSecretLength('x'), 1);
    assert.deepEqual(derivedForms('abc', 4), []);
    assert.ok(derivedForms('abcd', 4).includes('abcd'));
  });

  it('ignores guessed credentials shorter than 4 characters but registers real secrets of any length', () => {
    const sent: string[] = [];
    const registry = new SecretRegistry((v) => sent.push(v));
    registry.registerGuess('pw');
    assert.equal(sent.length, 0);
    registry.registerGuess('hunter2');
    assert.ok(sent.includes('hunter2'));
  });

  it("registers every URL encoding the task can emit (' as %27 in a query, + for space in a form)", () => {
    const forms = derivedForms("it's (a) secret!");
    for (const f of [
      "it's%20(a)%20secret!",
      'it%27s%20(a)%20secret!',
      'it%27s+%28a%29+secret%21',
      'it%27s%20%28a%29%20secret%21',
    ]) {
      assert.ok(forms.includes(f), `missing ${f}`);
    }
    const url = new URL('https://h/x');
    url.searchParams.set('key', "it's (a) secret!");
    const registry = new SecretRegistry(() => undefined);
    registry.register("it's (a) secret!");
    assert.ok(!registry.redact(url.href).includes('secret'), registry.redact(url.href));
    url.search = `?key=${"it's (a) secret!"}`;
    assert.ok(!registry.redact(url.href).includes('secret'), registry.redact(url.href));
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

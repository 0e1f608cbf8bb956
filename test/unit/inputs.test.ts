import { strict as assert } from 'node:assert';
import { InputError } from '../../tasks/common/errors';
import { InputReader } from '../../tasks/common/inputs';
import { TaskManifest } from '../../tasks/common/manifest';
import { SecretRegistry } from '../../tasks/common/secrets';

const manifest: TaskManifest = {
  id: '00000000-0000-0000-0000-000000000000',
  name: 'Sample',
  friendlyName: 'Sample',
  version: { Major: 0, Minor: 1, Patch: 0 },
  inputs: [
    {
      name: 'mode',
      type: 'pickList',
      label: 'Mode',
      defaultValue: 'copy',
      required: true,
      options: { copy: 'Copy', import: 'Import' },
    },
    { name: 'name', type: 'string', label: 'Name', required: true },
    { name: 'weight', type: 'string', label: 'Weight', required: true, visibleRule: 'mode = import' },
    { name: 'count', type: 'string', label: 'Count', defaultValue: '4' },
    { name: 'flag', type: 'boolean', label: 'Flag', defaultValue: 'false' },
    { name: 'tags', type: 'multiLine', label: 'Tags' },
    { name: 'endpoint', type: 'string', label: 'Endpoint' },
    { name: 'password', type: 'string', label: 'Password' },
  ],
};

function reader(values: Record<string, string>, sent: string[] = []): InputReader {
  return new InputReader({ get: (n) => values[n] }, manifest, new SecretRegistry((v) => sent.push(v)));
}

function problems(r: InputReader): string {
  try {
    r.check();
    return '';
  } catch (err) {
    assert.ok(err instanceof InputError);
    return err.message;
  }
}

describe('InputReader', () => {
  it('applies task.json defaults and case-insensitive pickList values', () => {
    const r = reader({ name: 'x', mode: 'COPY' });
    assert.equal(r.pick('mode'), 'copy');
    assert.equal(r.number('count', { min: 1, max: 10, integer: true }), 4);
    assert.equal(r.boolean('flag'), false);
    assert.equal(problems(r), '');
  });

  it('requires an input only while its visibleRule holds', () => {
    const hidden = reader({ name: 'x', mode: 'copy' });
    hidden.optionalString('weight');
    assert.equal(problems(hidden), '');
    const shown = reader({ name: 'x', mode: 'import' });
    shown.optionalString('weight');
    assert.match(problems(shown), /input 'weight': is required/);
  });

  it('collects every problem before failing, each naming its input and a fix', () => {
    const r = reader({ mode: 'teleport', count: '99', flag: 'yes' });
    r.pick('mode');
    r.string('name');
    r.number('count', { min: 1, max: 10, integer: true });
    r.boolean('flag');
    const text = problems(r);
    assert.match(text, /^4 inputs are invalid/);
    assert.match(text, /input 'mode': 'teleport' is not one of the allowed values\. Use one of: copy, import\./);
    assert.match(text, /input 'name': is required/);
    assert.match(text, /input 'count': 99 is out of range\. Use a whole number from 1 to 10\./);
    assert.match(text, /input 'flag': 'yes' is not a boolean/);
  });

  it('rejects non-numbers and fractions where whole numbers are needed', () => {
    const r = reader({ name: 'x', count: '2.5' });
    assert.equal(r.optionalNumber('count', { min: 1, max: 10, integer: true }), undefined);
    assert.match(problems(r), /'2\.5' is not a whole number/);
    const r2 = reader({ name: 'x', count: '1e3' });
    r2.optionalNumber('count', { min: 1, max: 10000 });
    assert.match(problems(r2), /'1e3' is not a number/);
  });

  it('splits lists on commas and newlines and drops blanks', () => {
    assert.deepEqual(reader({ tags: 'a, b\n\nc,\r\nd' }).list('tags'), ['a', 'b', 'c', 'd']);
  });

  it('refuses URLs with credentials, registers the password and never echoes it', () => {
    const sent: string[] = [];
    const r = reader({ name: 'x', endpoint: 'https://user:s3cr%40t-pw@example.com/x' }, sent);
    assert.equal(r.url('endpoint'), undefined);
    const text = problems(r);
    assert.match(text, /contains credentials/);
    assert.ok(!text.includes('s3cr'), 'the password must not be echoed');
    assert.ok(sent.includes('s3cr@t-pw'), 'the decoded password is registered');
  });

  it('refuses URL schemes it was not asked for', () => {
    const r = reader({ name: 'x', endpoint: 'ftp://example.com' });
    r.url('endpoint', { schemes: ['https'] });
    assert.match(problems(r), /uses ftp\. Use https\./);
  });

  it('registers secrets as soon as they are read, untrimmed', () => {
    const sent: string[] = [];
    const r = reader({ password: ' pa ss \n' }, sent);
    assert.equal(r.secret('password'), ' pa ss \n');
    assert.ok(sent.includes(' pa ss '));
  });

  it('checks string rules by pattern or predicate, and length', () => {
    const r = reader({ name: 'UPPER', endpoint: 'x'.repeat(20) });
    r.string('name', { pattern: /^[a-z]+$/, expected: 'lower-case letters' });
    r.string('endpoint', { pattern: (v) => v.startsWith('x'), maxLength: 10 });
    const text = problems(r);
    assert.match(text, /'UPPER' is not valid\. Expected lower-case letters\./);
    assert.match(text, /is 20 characters long; at most 10/);
  });

  it('fails loudly on an input name that task.json does not declare', () => {
    assert.throws(() => reader({}).string('nmae'), /task\.json has no input named 'nmae'/);
  });
});

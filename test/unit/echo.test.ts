import { strict as assert } from 'node:assert';
import { ECHO_LIMIT, clipQuoted, embeddedCredentials, quote } from '../../tasks/common/echo';

describe('echoed values', () => {
  it('quotes short values whole and long ones cut at the limit with their length', () => {
    assert.equal(quote('web:1.0'), "'web:1.0'");
    const long = 'x'.repeat(120 * 1024);
    const q = quote(long);
    assert.ok(q.length < ECHO_LIMIT + 40, `${q.length}`);
    assert.match(q, /…' \(122880 characters\)$/);
  });
  it('shows control characters as escapes, on one line', () => {
    assert.equal(quote('a\r\nb\u0000'), "'a\\r\\nb\\u0000'");
  });
  it('cuts any long quoted run in a message built elsewhere', () => {
    const msg = `input 'x': '${'y'.repeat(5000)}' is not valid.`;
    assert.ok(clipQuoted(msg).length < 300);
    assert.equal(clipQuoted("input 'x': 'short' is fine"), "input 'x': 'short' is fine");
  });
  const cases: [string, string[]][] = [
    ['ci:hunter2@host/shop/web:1.0', ['hunter2', 'ci:hunter2']],
    ['https://admin:s3cr%27t@prom.example:9090', ['s3cr%27t', 'admin:s3cr%27t', "s3cr't"]],
    ['oci://robot:tok3n@registry.example/helm/web:1.4.2', ['tok3n', 'robot:tok3n']],
    [`repo:1.4.2@sha256:${'b'.repeat(64)}`, []],
    [`nginx:1.27@sha256:${'c'.repeat(64)}`, []],
    ['prod.azurecr.io/shop/web:1.4.2', []],
    ['https://web.shop.example/healthz', []],
  ];
  for (const [value, expected] of cases) {
    it(`finds the credentials in ${value.slice(0, 50)}`, () => {
      assert.deepEqual(embeddedCredentials(value), expected);
    });
  }
});

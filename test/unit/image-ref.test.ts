import { strict as assert } from 'node:assert';
import { formatImageRef, isLoopbackRegistry, parseImageRef } from '../../tasks/common/image-ref';

const D = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  const good: [string, object][] = [
    ['myacr.azurecr.io/app:1.2.3', { registry: 'myacr.azurecr.io', repository: 'app', tag: '1.2.3' }],
    [`myacr.azurecr.io/team/app@${D}`, { registry: 'myacr.azurecr.io', repository: 'team/app', digest: D }],
    [`fra.ocir.io/ns/app:v1@${D}`, { registry: 'fra.ocir.io', repository: 'ns/app', tag: 'v1', digest: D }],
    ['localhost:5000/a/b-c_d.e:latest', { registry: 'localhost:5000', repository: 'a/b-c_d.e', tag: 'latest' }],
    ['127.0.0.1:5001/charts/web:0.1.0', { registry: '127.0.0.1:5001', repository: 'charts/web', tag: '0.1.0' }],
    ['MyAcr.AzureCR.io/app:1', { registry: 'myacr.azurecr.io', repository: 'app', tag: '1' }],
  ];
  for (const [text, expected] of good) {
    it(`parses ${text}`, () => {
      const parsed = parseImageRef(text);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
      assert.deepEqual(parsed.value, { tag: undefined, digest: undefined, ...expected });
    });
  }

  const bad: [string, RegExp][] = [
    ['app:1.0', /no registry/],
    ['library/app:1.0', /'library' is not a registry host/],
    ['myacr.azurecr.io/App:1', /repository 'App' is not valid/],
    ['myacr.azurecr.io/app', /neither a tag nor a digest/],
    ['myacr.azurecr.io/app:-bad', /tag '-bad' is not valid/],
    ['myacr.azurecr.io/app@sha256:abc', /digest 'sha256:abc'/],
    ['myacr.azurecr.io/app//x:1', /repository 'app\/\/x' is not valid/],
    ['https://myacr.azurecr.io/app:1', /not a registry host/],
    ['myacr.azurecr.io/../etc:1', /repository '\.\.\/etc' is not valid/],
  ];
  for (const [text, error] of bad) {
    it(`rejects ${text}`, () => {
      const parsed = parseImageRef(text);
      assert.ok(!parsed.ok);
      assert.match(parsed.error, error);
    });
  }

  it('formats digests in preference to tags', () => {
    assert.equal(formatImageRef({ registry: 'r.io', repository: 'a', tag: 't', digest: D }), `r.io/a@${D}`);
    assert.equal(formatImageRef({ registry: 'r.io', repository: 'a', tag: 't' }), 'r.io/a:t');
  });

  const loopback: [string, boolean][] = [
    ['localhost:5000', true], ['127.0.0.1:5000', true], ['127.8.9.10', true], ['[::1]:5000', true],
    ['myacr.azurecr.io', false], ['10.0.0.1:5000', false], ['127.0.0.1.nip.io', false], ['localhost.evil.com', false],
  ];
  for (const [host, expected] of loopback) {
    it(`${host} ${expected ? 'may' : 'may not'} use plain HTTP`, () => assert.equal(isLoopbackRegistry(host), expected));
  }
});

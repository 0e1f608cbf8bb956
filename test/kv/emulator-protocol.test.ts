import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { ClientSecretCredential } from '@azure/identity';
import { OCI_TEST_KEY, OciTestKey, otherOciKey } from '../../devkit/support/oci-test-key';
import { issueCert } from '../../devkit/support/test-ca';
import { CLIENT_ID, CLIENT_SECRET, COMPARTMENT, KvWorld, startWorld } from '../../devkit/stand-ins/kv-world';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function request(
  url: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string; servername?: string },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: opts.method ?? 'GET', headers: opts.headers, ca: issueCert().ca, servername: opts.servername },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Signs like the OCI SDK (draft-cavage, rsa-sha256), with knobs to break one thing at a time. */
function ociSigned(
  url: string,
  method: string,
  body: string,
  o: { key?: OciTestKey; date?: Date; tamper?: string; headers?: string[] } = {},
): Promise<Reply> {
  const key = o.key ?? OCI_TEST_KEY;
  const u = new URL(url);
  const headers: Record<string, string> = { 'x-date': (o.date ?? new Date()).toUTCString(), host: u.host };
  if (method !== 'GET') {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
    headers['x-content-sha256'] = crypto.createHash('sha256').update(body).digest('base64');
  }
  const names =
    o.headers ??
    (method === 'GET'
      ? ['x-date', '(request-target)', 'host']
      : ['x-date', '(request-target)', 'host', 'content-type', 'content-length', 'x-content-sha256']);
  const signing = names
    .map((n) =>
      n === '(request-target)'
        ? `(request-target): ${method.toLowerCase()} ${u.pathname}${u.search}`
        : `${n}: ${headers[n]}`,
    )
    .join('\n');
  const signature = crypto.sign('sha256', Buffer.from(signing), key.privateKeyPem).toString('base64');
  headers.authorization = `Signature version="1",headers="${names.join(' ')}",keyId="${key.keyId}",algorithm="rsa-sha256",signature="${signature}"`;
  const sent = o.tamper ?? body;
  if (method !== 'GET') headers['content-length'] = String(Buffer.byteLength(sent));
  return request(url, { method, headers, body: method === 'GET' ? undefined : sent });
}

describe('KeyVaultToOci emulators check what the services check', function () {
  this.timeout(15_000);
  let world: KvWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  describe('OCI request signatures', () => {
    const list = (): string => `${world.oci.url}/20180608/secrets?compartmentId=${encodeURIComponent(COMPARTMENT)}`;
    const create = JSON.stringify({
      compartmentId: COMPARTMENT,
      vaultId: 'ocid1.vault.oc1..x',
      keyId: 'k',
      secretName: 'n',
      secretContent: { contentType: 'BASE64', content: 'eA==' },
    });
    const cases: { why: string; send: () => Promise<Reply>; status: number; message?: RegExp }[] = [
      { why: 'a correctly signed GET passes', send: () => ociSigned(list(), 'GET', ''), status: 200 },
      {
        why: 'a correctly signed POST reaches validation (404 unknown vault)',
        send: () => ociSigned(`${world.oci.url}/20180608/secrets`, 'POST', create),
        status: 404,
      },
      { why: 'no Authorization header', send: () => request(list(), {}), status: 401 },
      { why: 'a key OCI does not know', send: () => ociSigned(list(), 'GET', '', { key: otherOciKey() }), status: 401 },
      {
        why: 'a body changed after signing',
        send: () =>
          ociSigned(`${world.oci.url}/20180608/secrets`, 'POST', create, { tamper: create.replace('"n"', '"m"') }),
        status: 401,
        message: /x-content-sha256/,
      },
      {
        why: 'a POST whose signature skips the body headers',
        send: () =>
          ociSigned(`${world.oci.url}/20180608/secrets`, 'POST', create, {
            headers: ['x-date', '(request-target)', 'host'],
          }),
        status: 401,
        message: /content-type, content-length, x-content-sha256/,
      },
      {
        why: 'a date 10 minutes old',
        send: () => ociSigned(list(), 'GET', '', { date: new Date(Date.now() - 600_000) }),
        status: 401,
        message: /clock skew/,
      },
      {
        why: 'a signature without host',
        send: () => ociSigned(list(), 'GET', '', { headers: ['x-date', '(request-target)'] }),
        status: 401,
        message: /host/,
      },
    ];
    for (const c of cases) {
      it(c.why, async () => {
        const reply = await c.send();
        assert.equal(reply.status, c.status, reply.body);
        if (c.status === 401) {
          assert.equal(JSON.parse(reply.body).code, 'NotAuthenticated');
          assert.ok(reply.headers['opc-request-id']);
        }
        if (c.message) assert.match(JSON.parse(reply.body).message, c.message);
      });
    }
  });

  describe('Key Vault', () => {
    const token = async (scope = 'https://vault.azure.net/.default'): Promise<string> =>
      (
        await new ClientSecretCredential(world.entra.tenantId, CLIENT_ID, CLIENT_SECRET, {
          authorityHost: world.entra.authorityHost,
          disableInstanceDiscovery: true,
        }).getToken(scope)
      ).token;
    const kv = (path: string, headers: Record<string, string> = {}): Promise<Reply> =>
      request(`https://127.0.0.1:${world.kv.port}${path}`, { headers: { host: world.kv.hostname, ...headers } });

    it('challenges a request without a token (401 + WWW-Authenticate with authority and resource)', async () => {
      const reply = await kv('/secrets?api-version=7.5');
      assert.equal(reply.status, 401);
      assert.equal(
        reply.headers['www-authenticate'],
        `Bearer authorization="${world.entra.authorityHost}${world.entra.tenantId}", resource="https://vault.azure.net"`,
      );
    });
    it('refuses a token for another audience', async () => {
      const reply = await kv('/secrets?api-version=7.5', {
        authorization: `Bearer ${await token('https://management.azure.com/.default')}`,
      });
      assert.equal(reply.status, 401);
      assert.match(reply.body, /audience/);
    });
    it('requires api-version', async () => {
      const reply = await kv('/secrets', { authorization: `Bearer ${await token()}` });
      assert.equal(reply.status, 400);
      assert.equal(JSON.parse(reply.body).error.code, 'BadParameter');
    });
    it('refuses to read a disabled secret and pages with nextLink', async () => {
      for (const n of ['p1', 'p2', 'p3', 'p4']) world.kv.set(n, 'v');
      world.kv.set('off', 'v', { enabled: false });
      const auth = { authorization: `Bearer ${await token()}` };
      const off = await kv('/secrets/off?api-version=7.5', auth);
      assert.equal(off.status, 403);
      assert.equal(JSON.parse(off.body).error.innererror.code, 'SecretDisabled');
      const page = JSON.parse((await kv('/secrets?api-version=7.5', auth)).body);
      assert.equal(page.value.length, 3);
      assert.match(page.nextLink, /^https:\/\/kv-shop\.vault\.azure\.net\/secrets\?api-version=7\.5&\$skiptoken=3/);
    });
    it('GetKey answers a KeyBundle as keys.json defines it: public JWK (base64url), attributes in Unix seconds', async () => {
      const pair = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const exp = Math.floor(Date.now() / 1000) + 86_400;
      const { version, kid } = world.kv.setKey('cosign', pair.privateKey, { hsm: true, expiresOn: exp });
      const auth = { authorization: `Bearer ${await token()}` };
      for (const path of ['/keys/cosign?api-version=7.5', '/keys/cosign/?api-version=2025-07-01']) {
        const reply = await kv(path, auth);
        assert.equal(reply.status, 200, reply.body);
        const b = JSON.parse(reply.body);
        assert.equal(b.key.kid, `https://${world.kv.hostname}/keys/cosign/${version}`);
        assert.equal(b.key.kid, kid);
        assert.equal(b.key.kty, 'EC-HSM');
        assert.equal(b.key.crv, 'P-256');
        assert.deepEqual(b.key.key_ops, ['sign', 'verify']);
        assert.equal(b.key.d, undefined, 'never the private half');
        const jwk = pair.publicKey.export({ format: 'jwk' });
        assert.deepEqual([b.key.x, b.key.y], [jwk.x, jwk.y]);
        assert.equal(b.attributes.enabled, true);
        assert.equal(b.attributes.exp, exp);
        assert.equal(typeof b.attributes.created, 'number');
      }
      assert.equal((await kv(`/keys/cosign/${version}?api-version=7.5`, auth)).status, 200);
    });
    it('GetKey: 404 KeyNotFound for an unknown name or version; auth and api-version checked first', async () => {
      const auth = { authorization: `Bearer ${await token()}` };
      const missing = await kv('/keys/nope?api-version=7.5', auth);
      assert.equal(missing.status, 404);
      assert.equal(JSON.parse(missing.body).error.code, 'KeyNotFound');
      world.kv.setKey('versioned', crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
      const wrongVersion = await kv(`/keys/versioned/${'0'.repeat(32)}?api-version=7.5`, auth);
      assert.equal(JSON.parse(wrongVersion.body).error.code, 'KeyNotFound');
      assert.equal((await kv('/keys/versioned?api-version=7.5')).status, 401);
      assert.equal((await kv('/keys/versioned', auth)).status, 400);
      // A disabled key is still readable (only crypto operations are refused): callers check attributes.enabled.
      world.kv.updateKey('versioned', { enabled: false });
      const disabled = await kv('/keys/versioned?api-version=7.5', auth);
      assert.equal(disabled.status, 200);
      assert.equal(JSON.parse(disabled.body).attributes.enabled, false);
    });
    it('@azure/keyvault-keys reads a key through the challenge, the proxy and the real vault host name', async () => {
      const { KeyClient } = await import('@azure/keyvault-keys');
      const pair = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
      world.kv.setKey('rsa-key', pair.publicKey, { keyOps: ['verify'] });
      const saved = process.env.HTTPS_PROXY;
      process.env.HTTPS_PROXY = world.proxy.url;
      try {
        const credential = new ClientSecretCredential(world.entra.tenantId, CLIENT_ID, CLIENT_SECRET, {
          authorityHost: world.entra.authorityHost,
          disableInstanceDiscovery: true,
        });
        const key = await new KeyClient(world.kv.vaultUrl, credential).getKey('rsa-key');
        assert.equal(key.keyType, 'RSA');
        assert.deepEqual(key.keyOperations, ['verify']);
        const jwk = pair.publicKey.export({ format: 'jwk' });
        assert.equal(Buffer.from(key.key!.n!).toString('base64url'), jwk.n);
        assert.equal(key.properties.enabled, true);
        await assert.rejects(new KeyClient(world.kv.vaultUrl, credential).getKey('absent'), {
          statusCode: 404,
          code: 'KeyNotFound',
        });
      } finally {
        if (saved === undefined) delete process.env.HTTPS_PROXY;
        else process.env.HTTPS_PROXY = saved;
      }
    });
    it('throttles on demand with Retry-After', async () => {
      world.kv.throttle(1, 7);
      const reply = await kv('/secrets?api-version=7.5', { authorization: `Bearer ${await token()}` });
      assert.equal(reply.status, 429);
      assert.equal(reply.headers['retry-after'], '7');
    });
  });
});

import * as assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { parseKeyVaultKeyRef } from '../../tasks/AcrPromote/verify/key-vault-ref';
import { VaultKeyBundle, vaultVerifyKey } from '../../tasks/AcrPromote/verify/key-vault-key';

const V = '0123456789abcdef0123456789abcdef';

describe('cosignKeyVaultKey: Key Vault key references as cosign and the portal write them', () => {
  const ok: [string, string, { vaultUrl: string; name: string; version?: string; suffix: string }][] = [
    [
      "cosign's KMS URI (sigstore kms/azure README)",
      'azurekms://kv-sign.vault.azure.net/cosign',
      { vaultUrl: 'https://kv-sign.vault.azure.net', name: 'cosign', suffix: 'vault.azure.net' },
    ],
    [
      'KMS URI with a version',
      `azurekms://kv-sign.vault.azure.net/cosign/${V}`,
      { vaultUrl: 'https://kv-sign.vault.azure.net', name: 'cosign', version: V, suffix: 'vault.azure.net' },
    ],
    [
      'KMS URI with a trailing slash',
      'azurekms://kv-sign.vault.azure.net/cosign/',
      { vaultUrl: 'https://kv-sign.vault.azure.net', name: 'cosign', suffix: 'vault.azure.net' },
    ],
    [
      "the portal's key identifier",
      `https://kv-sign.vault.azure.net/keys/release-key/${V}`,
      { vaultUrl: 'https://kv-sign.vault.azure.net', name: 'release-key', version: V, suffix: 'vault.azure.net' },
    ],
    [
      'key identifier without version, upper-case host',
      'https://KV-Sign.vault.azure.net/keys/cosign',
      { vaultUrl: 'https://kv-sign.vault.azure.net', name: 'cosign', suffix: 'vault.azure.net' },
    ],
    [
      'Azure China',
      'azurekms://kv-cn.vault.azure.cn/cosign',
      { vaultUrl: 'https://kv-cn.vault.azure.cn', name: 'cosign', suffix: 'vault.azure.cn' },
    ],
    [
      'Azure US Government',
      'https://kv-gov.vault.usgovcloudapi.net/keys/cosign',
      { vaultUrl: 'https://kv-gov.vault.usgovcloudapi.net', name: 'cosign', suffix: 'vault.usgovcloudapi.net' },
    ],
    [
      'Managed HSM',
      'azurekms://hsm-sign.managedhsm.azure.net/cosign',
      { vaultUrl: 'https://hsm-sign.managedhsm.azure.net', name: 'cosign', suffix: 'managedhsm.azure.net' },
    ],
    [
      "Azure Stack: the connection's suffix",
      'azurekms://kv-stack.vault.local.azurestack.external/cosign',
      {
        vaultUrl: 'https://kv-stack.vault.local.azurestack.external',
        name: 'cosign',
        suffix: 'vault.local.azurestack.external',
      },
    ],
  ];
  for (const [why, text, want] of ok)
    it(`accepts ${why}`, () => {
      const r = parseKeyVaultKeyRef(text, ['vault.local.azurestack.external']);
      assert.ok(r.ok, r.ok ? '' : r.error);
      assert.equal(r.value.vaultUrl, want.vaultUrl);
      assert.equal(r.value.name, want.name);
      assert.equal(r.value.version, want.version);
      assert.equal(r.value.suffix, want.suffix);
    });

  const bad: [string, string, RegExp][] = [
    ['a vault name without suffix', 'azurekms://kv-sign/cosign', /not a Key Vault host/],
    ['no key name', 'azurekms://kv-sign.vault.azure.net', /azurekms:\/\/<vault>\.vault\.azure\.net\/<key-name>/],
    ['too many segments', `azurekms://kv-sign.vault.azure.net/a/${V}/x`, /azurekms:\/\/<vault>/],
    ['a secret identifier', 'https://kv-sign.vault.azure.net/secrets/cosign', /names a secret, not a key/],
    ['a certificate identifier', 'https://kv-sign.vault.azure.net/certificates/c', /names a certificate/],
    ['the vault URL only', 'https://kv-sign.vault.azure.net/', /keys\/<key-name>/],
    ['a key name with underscore', 'azurekms://kv-sign.vault.azure.net/cosign_key', /not a key name/],
    ['a short version', 'azurekms://kv-sign.vault.azure.net/cosign/abc', /not a key version/],
    ['a vault name starting with a digit', 'azurekms://1kv.vault.azure.net/cosign', /not a vault name/],
    ['another host', 'https://example.com/keys/cosign', /not a Key Vault host/],
    ['a query string', 'https://kv-sign.vault.azure.net/keys/cosign?api-version=7.5', /no query/],
    ['http', 'http://kv-sign.vault.azure.net/keys/cosign', /write azurekms:\/\//],
    ['a PEM key', '-----BEGIN PUBLIC KEY-----', /write azurekms:\/\//],
    ["cosign's other KMS schemes", 'awskms:///arn:aws:kms:us-east-1:1:key/x', /write azurekms:\/\//],
  ];
  for (const [why, text, error] of bad)
    it(`refuses ${why}`, () => {
      const r = parseKeyVaultKeyRef(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error, error);
    });
});

describe("cosignKeyVaultKey: a Key Vault key bundle's public half as a cosign verifying key", () => {
  const kid = `https://kv-sign.vault.azure.net/keys/cosign/${V}`;
  const ec = (curve: string): VaultKeyBundle => {
    const jwk = generateKeyPairSync('ec', { namedCurve: curve }).publicKey.export({ format: 'jwk' });
    return {
      id: kid,
      kty: 'EC',
      crv: jwk.crv,
      x: Buffer.from(jwk.x!, 'base64url'),
      y: Buffer.from(jwk.y!, 'base64url'),
      keyOps: ['sign', 'verify'],
      enabled: true,
    };
  };
  const rsa = (bits: number): VaultKeyBundle => {
    const jwk = generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({ format: 'jwk' });
    return { id: kid, kty: 'RSA-HSM', n: Buffer.from(jwk.n!, 'base64url'), e: Buffer.from(jwk.e!, 'base64url') };
  };
  const now = new Date('2026-06-01T00:00:00Z');
  const rows: [string, () => VaultKeyBundle, string | RegExp][] = [
    ['EC P-256', () => ec('P-256'), 'sha256'],
    ['EC-HSM P-384', () => ({ ...ec('P-384'), kty: 'EC-HSM' }), 'sha384'],
    ['EC P-521', () => ec('P-521'), 'sha512'],
    ['RSA-HSM 2048', () => rsa(2048), 'sha256'],
    ['RSA 3072', () => ({ ...rsa(3072), kty: 'RSA' }), 'sha384'],
    ['key_ops absent (no restriction)', () => ({ ...ec('P-256'), keyOps: undefined }), 'sha256'],
    ['disabled', () => ({ ...ec('P-256'), enabled: false }), /the key is disabled/],
    [
      'expired',
      () => ({ ...ec('P-256'), expiresOn: new Date('2026-05-31T00:00:00Z') }),
      /the key expired on 2026-05-31T00:00:00\.000Z/,
    ],
    ['not yet valid', () => ({ ...ec('P-256'), notBefore: new Date('2026-07-01T00:00:00Z') }), /not valid before/],
    ['sign only', () => ({ ...ec('P-256'), keyOps: ['sign'] }), /\(sign\) do not include verify/],
    ['secp256k1 (P-256K)', () => ({ ...ec('P-256'), crv: 'P-256K' }), /curve P-256K is not one cosign signs with/],
    ['RSA 1024', () => rsa(1024), /modulus of 1024 bits/],
    ['an AES key (oct-HSM)', () => ({ id: kid, kty: 'oct-HSM' }), /oct-HSM key/],
    ['EC without coordinates', () => ({ ...ec('P-256'), x: undefined }), /cannot be read/],
    [
      'a key type that tries a pipeline command (neutralised)',
      () => ({ id: kid, kty: '##vso[task.complete result=Succeeded]' }),
      /^it is a \?\?vso\?task\.complete result=Succeeded\? key/,
    ],
  ];
  for (const [why, make, want] of rows)
    it(`${typeof want === 'string' ? 'accepts' : 'refuses'} ${why}`, () => {
      const r = vaultVerifyKey(make(), now);
      if (typeof want === 'string') {
        assert.notEqual(typeof r, 'string', String(r));
        if (typeof r !== 'string') {
          assert.equal(r.hash, want);
          assert.equal(r.keyUrl, kid);
        }
      } else assert.match(String(r), want);
    });
});

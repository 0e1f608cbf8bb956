import { KeyObject, createPublicKey } from 'node:crypto';
import { untrusted } from './signature';

/**
 * The public half of a Key Vault key, as @azure/keyvault-keys hands over a KeyBundle (Key Vault REST spec,
 * azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.5/keys.json: KeyBundle
 * { key: JsonWebKey { kid, kty, key_ops, n, e, crv, x, y }, attributes: KeyAttributes { enabled, nbf, exp } };
 * examples/GetKey-example.json). Byte fields arrive decoded (base64url on the wire), dates as Date.
 */
export interface VaultKeyBundle {
  /** kid: https://<vault>/keys/<name>/<version>. */
  id?: string;
  kty?: string;
  crv?: string;
  keyOps?: string[];
  n?: Uint8Array;
  e?: Uint8Array;
  x?: Uint8Array;
  y?: Uint8Array;
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
}

/** A key cosign's signatures can be checked with: the key, the digest its signatures use, and its kid. */
export interface VaultVerifyKey {
  key: KeyObject;
  hash: 'sha256' | 'sha384' | 'sha512';
  /** The versioned key URL (kid), for the record. */
  keyUrl: string;
}

/**
 * The digest cosign signs with a Key Vault key: by curve / modulus (sigstore/sigstore
 * pkg/signature/kms/azure/client.go getKeyVaultHashFunc: P-256 ES256, P-384 ES384, P-521 ES512; RSA 2048 RS256,
 * 3072 RS384, 4096 SHA-512). EC signatures are stored as ASN.1 DER (signer.go converts Key Vault's r||s).
 */
const EC_HASH: Record<string, VaultVerifyKey['hash']> = { 'P-256': 'sha256', 'P-384': 'sha384', 'P-521': 'sha512' };
const RSA_HASH: Record<number, VaultVerifyKey['hash']> = { 2048: 'sha256', 3072: 'sha384', 4096: 'sha512' };

const b64u = (bytes: Uint8Array | undefined): string | undefined =>
  bytes ? Buffer.from(bytes).toString('base64url') : undefined;

/** The verifying key of a Key Vault key, or why it cannot be one (disabled, expired, no verify, unsupported). */
export function vaultVerifyKey(bundle: VaultKeyBundle, now: Date = new Date()): VaultVerifyKey | string {
  const keyUrl = bundle.id ?? '';
  if (bundle.enabled === false) return 'the key is disabled';
  if (bundle.expiresOn && bundle.expiresOn.getTime() <= now.getTime())
    return `the key expired on ${bundle.expiresOn.toISOString()}`;
  if (bundle.notBefore && bundle.notBefore.getTime() > now.getTime())
    return `the key is not valid before ${bundle.notBefore.toISOString()}`;
  // key_ops absent: no restriction (JsonWebKey.key_ops is optional in the spec).
  if (bundle.keyOps && !bundle.keyOps.includes('verify'))
    return `the key's permitted operations (${untrusted(bundle.keyOps.join(', ')) || 'none'}) do not include verify`;
  const kty = (bundle.kty ?? '').replace(/-HSM$/, '');
  if (kty === 'EC') {
    const hash = EC_HASH[bundle.crv ?? ''];
    if (!hash)
      return `its curve ${untrusted(bundle.crv ?? '(none)')} is not one cosign signs with (P-256, P-384, P-521)`;
    const jwk = { kty: 'EC', crv: bundle.crv, x: b64u(bundle.x), y: b64u(bundle.y) };
    return withKey(() => createPublicKey({ key: jwk, format: 'jwk' }), hash, keyUrl);
  }
  if (kty === 'RSA') {
    const key = withKey(
      () => createPublicKey({ key: { kty: 'RSA', n: b64u(bundle.n), e: b64u(bundle.e) }, format: 'jwk' }),
      'sha256',
      keyUrl,
    );
    if (typeof key === 'string') return key;
    const bits = key.key.asymmetricKeyDetails?.modulusLength ?? 0;
    const hash = RSA_HASH[bits];
    return hash ? { ...key, hash } : `its RSA modulus of ${bits} bits is not one cosign signs with (2048, 3072, 4096)`;
  }
  return `it is a ${untrusted(bundle.kty ?? 'typeless')} key; cosign verifies EC (P-256…) and RSA keys`;
}

function withKey(make: () => KeyObject, hash: VaultVerifyKey['hash'], keyUrl: string): VaultVerifyKey | string {
  try {
    return { key: make(), hash, keyUrl };
  } catch {
    return 'its public key (JWK) cannot be read';
  }
}

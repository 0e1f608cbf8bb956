/**
 * The keys half of the Key Vault emulator (keyvault.ts does auth, api-version, host and throttling first):
 * GetKey, `GET /keys/{key-name}/{key-version}` (version empty: the current one), as the REST spec defines it
 * (azure-rest-api-specs specification/keyvault/data-plane/Microsoft.KeyVault/stable/7.5/keys.json "GetKey",
 * KeyBundle = { key: JsonWebKey, attributes: KeyAttributes, tags?, managed? }; examples/GetKey-example.json).
 * Only public halves are held: JsonWebKey carries kid, kty (EC, EC-HSM, RSA, RSA-HSM), key_ops, crv/x/y or
 * n/e, base64url. Unknown name or version: 404 KeyNotFound. A disabled key is still returned (enabled: false):
 * Key Vault refuses crypto operations on it, not GetKey (ratify PR #1474 checks `enabled` for that reason);
 * callers must look at the attributes.
 *
 *   const { version, kid } = kv.setKey('cosign', publicKey, { keyOps: ['sign', 'verify'], expiresOn, hsm })
 *   kv.updateKey('cosign', { enabled: false })
 */
import * as crypto from 'node:crypto';

export interface KvKeyOptions {
  enabled?: boolean;
  /** Unix seconds, as on the wire (nbf, exp). */
  notBefore?: number;
  expiresOn?: number;
  /** key_ops; default: sign and verify, as `az keyvault key create --ops sign verify` writes them. */
  keyOps?: string[];
  /** An HSM-protected key: kty EC-HSM / RSA-HSM. */
  hsm?: boolean;
  tags?: Record<string, string>;
}

interface KeyVersion {
  version: string;
  jwk: crypto.JsonWebKey;
  opts: KvKeyOptions;
  created: number;
  updated: number;
}

type Send = (status: number, body: object) => void;

export interface KeyStore {
  setKey(name: string, key: crypto.KeyObject, opts?: KvKeyOptions): { version: string; kid: string };
  updateKey(name: string, opts: KvKeyOptions): void;
  /** Answers /keys/… requests; false when the path is not a keys path. */
  route(method: string, pathname: string, send: Send): boolean;
}

export function keyStore(vaultUrl: string): KeyStore {
  const keys = new Map<string, { display: string; versions: KeyVersion[] }>();
  const error = (code: string, message: string): object => ({ error: { code, message } });
  const bundle = (display: string, v: KeyVersion): object => {
    const hsm = v.opts.hsm ? '-HSM' : '';
    const { kty, crv, x, y, n, e } = v.jwk;
    return {
      key: {
        kid: `${vaultUrl}/keys/${display}/${v.version}`,
        kty: `${kty}${hsm}`,
        key_ops: v.opts.keyOps ?? ['sign', 'verify'],
        ...(kty === 'EC' ? { crv, x, y } : { n, e }),
      },
      attributes: {
        enabled: v.opts.enabled !== false,
        ...(v.opts.notBefore !== undefined ? { nbf: v.opts.notBefore } : {}),
        ...(v.opts.expiresOn !== undefined ? { exp: v.opts.expiresOn } : {}),
        created: v.created,
        updated: v.updated,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
        exportable: false,
      },
      tags: v.opts.tags ?? {},
    };
  };
  return {
    setKey(name, key, opts = {}) {
      // Only the public half ever leaves the emulator, as from the service.
      const jwk = (key.type === 'public' ? key : crypto.createPublicKey(key)).export({ format: 'jwk' });
      const now = Math.floor(Date.now() / 1000);
      const entry = keys.get(name.toLowerCase()) ?? { display: name, versions: [] };
      const version = crypto.randomBytes(16).toString('hex');
      entry.versions.push({ version, jwk, opts, created: now, updated: now });
      keys.set(name.toLowerCase(), entry);
      return { version, kid: `${vaultUrl}/keys/${entry.display}/${version}` };
    },
    updateKey(name, opts) {
      const latest = keys.get(name.toLowerCase())?.versions.at(-1);
      if (!latest) throw new Error(`no key ${name}`);
      Object.assign(latest.opts, opts);
      latest.updated = Math.floor(Date.now() / 1000);
    },
    route(method, pathname, send) {
      if (!/^\/keys(\/|$)/.test(pathname)) return false;
      if (method !== 'GET') {
        send(405, error('BadParameter', `${method} on keys is not emulated.`));
        return true;
      }
      const m = /^\/keys\/([0-9a-zA-Z-]{1,127})(?:\/([0-9a-fA-F]*))?\/?$/.exec(pathname);
      if (!m) {
        send(400, error('BadParameter', `The request URI contains an invalid key path: ${pathname}`));
        return true;
      }
      const entry = keys.get(m[1].toLowerCase());
      const v = entry && (m[2] ? entry.versions.find((x) => x.version === m[2].toLowerCase()) : entry.versions.at(-1));
      if (!entry || !v) {
        const id = m[2] ? `${m[1]}/${m[2]}` : m[1];
        send(
          404,
          error(
            'KeyNotFound',
            `A key with (name/id) ${id} was not found in this key vault. If you recently deleted this key you ` +
              'may be able to recover it using the correct recovery command. For help resolving this issue, ' +
              'please see https://go.microsoft.com/fwlink/?linkid=2125182',
          ),
        );
        return true;
      }
      send(200, bundle(entry.display, v));
      return true;
    },
  };
}

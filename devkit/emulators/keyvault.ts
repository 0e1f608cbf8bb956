/**
 * Azure Key Vault secrets data-plane emulator (HTTPS, test CA), for @azure/keyvault-secrets.
 *
 *   const kv = await startKeyVault({ entra, vaultName: 'kv-shop' });
 *   kv.set('db-password', 'value', { enabled, notBefore, expiresOn, contentType })
 *   kv.throttle(n, retryAfterSeconds)   // next n requests get 429 + Retry-After
 *   kv.hostname                         // kv-shop.vault.azure.net: reach it through the test CONNECT proxy
 *   kv.requests                         // method, path, status of every request
 *
 * Checks what the service checks: challenge-based auth (a request without a valid token gets 401 with
 * `WWW-Authenticate: Bearer authorization="{authority}/{tenant}", resource="https://vault.azure.net"`), token
 * audience, the api-version query parameter, the vault host name, and refuses reads of disabled secrets
 * (403 SecretDisabled). Lists page with nextLink ($skiptoken, maxresults ≤ 25).
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { EntraEmulator, validateBearer } from './entra';
import { issueCert } from '../support/test-ca';

export const KEY_VAULT_RESOURCE = 'https://vault.azure.net';
const API_VERSIONS = /^(7\.[0-6]|2025-07-01)(-preview)?$/;

export interface KvSecretAttributes {
  enabled?: boolean;
  /** Unix seconds, as on the wire. */
  notBefore?: number;
  expiresOn?: number;
  contentType?: string;
  tags?: Record<string, string>;
}

interface KvVersion {
  version: string;
  value: string;
  attributes: Required<Pick<KvSecretAttributes, 'enabled'>> & KvSecretAttributes & { created: number; updated: number };
}

export interface KeyVaultEmulator {
  url: string;
  port: number;
  hostname: string;
  vaultUrl: string;
  set(name: string, value: string, attrs?: KvSecretAttributes): void;
  remove(name: string): void;
  /** Changes the current version's attributes (as UpdateSecret does), e.g. { enabled: false }. */
  update(name: string, attrs: KvSecretAttributes): void;
  throttle(requests: number, retryAfterSeconds?: number): void;
  /** Client ids allowed to read (RBAC); default: any token from the emulator's tenant. */
  allowClients(ids: string[] | undefined): void;
  requests: { method: string; path: string; status: number }[];
  throttled: number;
  close(): Promise<void>;
}

export async function startKeyVault(opts: {
  entra: EntraEmulator;
  vaultName: string;
  pageSize?: number;
}): Promise<KeyVaultEmulator> {
  const hostname = `${opts.vaultName}.vault.azure.net`;
  const secrets = new Map<string, KvVersion[]>();
  /** Names are case-insensitive but keep the case they were created with. */
  const names = new Map<string, string>();
  let throttleLeft = 0;
  let retryAfter = 1;
  let allowed: string[] | undefined;
  const cert = issueCert({ names: ['*.vault.azure.net', 'localhost', '127.0.0.1'] });
  const server = https.createServer({ cert: cert.cert, key: cert.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const vaultUrl = `https://${hostname}`;
  const emu: KeyVaultEmulator = {
    url: `https://127.0.0.1:${port}`,
    port,
    hostname,
    vaultUrl,
    set(name, value, attrs = {}) {
      const now = Math.floor(Date.now() / 1000);
      const versions = secrets.get(name.toLowerCase()) ?? [];
      if (!versions.length) names.set(name.toLowerCase(), name);
      versions.push({
        version: crypto.randomBytes(16).toString('hex'),
        value,
        attributes: { enabled: true, ...attrs, created: now, updated: now },
      });
      secrets.set(name.toLowerCase(), versions);
    },
    remove: (name) => void secrets.delete(name.toLowerCase()),
    update(name, attrs) {
      const latest = secrets.get(name.toLowerCase())?.at(-1);
      if (!latest) throw new Error(`no secret ${name}`);
      Object.assign(latest.attributes, attrs, { updated: Math.floor(Date.now() / 1000) });
    },
    throttle(n, seconds = 1) {
      throttleLeft = n;
      retryAfter = seconds;
    },
    allowClients: (ids) => (allowed = ids),
    requests: [],
    throttled: 0,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const displayName = (key: string): string => names.get(key) ?? key;

  const attributesOf = (v: KvVersion): object => ({
    enabled: v.attributes.enabled,
    ...(v.attributes.notBefore !== undefined ? { nbf: v.attributes.notBefore } : {}),
    ...(v.attributes.expiresOn !== undefined ? { exp: v.attributes.expiresOn } : {}),
    created: v.attributes.created,
    updated: v.attributes.updated,
    recoveryLevel: 'Recoverable+Purgeable',
    recoverableDays: 90,
  });
  const error = (code: string, message: string, inner?: string): object => ({
    error: { code, message, ...(inner ? { innererror: { code: inner } } : {}) },
  });

  server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => {
      const u = new URL(req.url ?? '/', vaultUrl);
      const send = (status: number, body: object, headers: Record<string, string> = {}): void => {
        emu.requests.push({ method: req.method ?? '', path: u.pathname, status });
        res.writeHead(status, {
          'content-type': 'application/json; charset=utf-8',
          'x-ms-request-id': crypto.randomUUID(),
          'x-ms-keyvault-service-version': '1.9.2000.1',
          ...headers,
        });
        res.end(JSON.stringify(body));
      };
      const challenge = `Bearer authorization="${opts.entra.authorityHost}${opts.entra.tenantId}", resource="${KEY_VAULT_RESOURCE}"`;
      if ((req.headers.host ?? '').split(':')[0].toLowerCase() !== hostname) {
        return send(404, error('VaultNotFound', `No vault is served at host '${req.headers.host}'.`));
      }
      const auth = validateBearer(req.headers.authorization, KEY_VAULT_RESOURCE);
      if (!auth.ok) {
        const message = req.headers.authorization
          ? `AKV10000: Request is missing a valid Bearer token (${auth.reason}).`
          : 'AKV10000: Request is missing a Bearer or PoP token.';
        return send(401, error('Unauthorized', message), { 'www-authenticate': challenge });
      }
      if (auth.claims.tid !== opts.entra.tenantId)
        return send(401, error('Unauthorized', 'AKV10032: Invalid issuer.'), { 'www-authenticate': challenge });
      const apiVersion = u.searchParams.get('api-version');
      if (!apiVersion)
        return send(
          400,
          error('BadParameter', 'The request URI contains an invalid or missing api-version parameter.'),
        );
      if (!API_VERSIONS.test(apiVersion))
        return send(
          400,
          error(
            'BadParameter',
            `The specified version (${apiVersion}) is not recognized. Consider using the latest supported version (2025-07-01).`,
          ),
        );
      if (throttleLeft > 0) {
        throttleLeft--;
        emu.throttled++;
        return send(
          429,
          error(
            'Throttled',
            'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached',
          ),
          { 'retry-after': String(retryAfter) },
        );
      }
      if (allowed && !allowed.includes(String(auth.claims.appid))) {
        return send(
          403,
          error(
            'Forbidden',
            `Caller is not authorized to perform action on resource. Caller: appid=${auth.claims.appid}`,
            'ForbiddenByRbac',
          ),
        );
      }
      if (req.method !== 'GET') return send(405, error('BadParameter', `${req.method} is not emulated.`));

      if (u.pathname === '/secrets' || u.pathname === '/secrets/') {
        const max = Math.min(Number(u.searchParams.get('maxresults') ?? opts.pageSize ?? 25), opts.pageSize ?? 25);
        const start = Number(u.searchParams.get('$skiptoken') ?? 0);
        const keys = [...secrets.keys()].sort();
        const page = keys.slice(start, start + max).map((k) => {
          const latest = secrets.get(k)!.at(-1)!;
          return {
            id: `${vaultUrl}/secrets/${displayName(k)}`,
            attributes: attributesOf(latest),
            ...(latest.attributes.contentType ? { contentType: latest.attributes.contentType } : {}),
            tags: latest.attributes.tags ?? {},
          };
        });
        const next =
          start + max < keys.length
            ? `${vaultUrl}/secrets?api-version=${apiVersion}&$skiptoken=${start + max}&maxresults=${max}`
            : null;
        return send(200, { value: page, nextLink: next });
      }
      const m = /^\/secrets\/([0-9a-zA-Z-]+)(?:\/([0-9a-f]*))?\/?$/.exec(u.pathname);
      if (!m) return send(404, error('NotFound', `${u.pathname} is not a secrets path.`));
      const versions = secrets.get(m[1].toLowerCase());
      const v = versions && (m[2] ? versions.find((x) => x.version === m[2]) : versions.at(-1));
      if (!v)
        return send(
          404,
          error(
            'SecretNotFound',
            `A secret with (name/id) ${m[1]} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`,
          ),
        );
      if (!v.attributes.enabled)
        return send(403, error('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled'));
      return send(200, {
        value: v.value,
        id: `${vaultUrl}/secrets/${displayName(m[1].toLowerCase())}/${v.version}`,
        attributes: attributesOf(v),
        ...(v.attributes.contentType ? { contentType: v.attributes.contentType } : {}),
        tags: v.attributes.tags ?? {},
      });
    });
  });
  return emu;
}

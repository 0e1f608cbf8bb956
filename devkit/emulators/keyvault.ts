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
 *
 * SetSecret (PUT /secrets/{name}, body { value, contentType?, attributes?, tags? }) adds a version, with the
 * service's limits: name 1-127 letters, digits and hyphens; value a string of at most 25 KB; at most 15 tags,
 * names ≤ 512 and values ≤ 256 characters (Azure Key Vault service limits; REST "Set Secret", 7.x).
 *   kv.versions(name)                   // every version written, oldest first (tests count new versions)
 *
 * Keys (GetKey, public halves only): kv.setKey(name, publicKey, opts) / kv.updateKey — see keyvault-keys.ts.
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { EntraEmulator, validateBearer } from './entra';
import { issueCert } from '../support/test-ca';
import { KeyStore, keyStore } from './keyvault-keys';

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

export interface KeyVaultEmulator extends Pick<KeyStore, 'setKey' | 'updateKey'> {
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
  versions(
    name: string,
  ): { version: string; value: string; contentType?: string; tags: Record<string, string>; enabled: boolean }[];
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
  const keys = keyStore(vaultUrl);
  const emu: KeyVaultEmulator = {
    setKey: (name, key, o) => keys.setKey(name, key, o),
    updateKey: (name, o) => keys.updateKey(name, o),
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
    versions: (name) =>
      (secrets.get(name.toLowerCase()) ?? []).map((v) => ({
        version: v.version,
        value: v.value,
        contentType: v.attributes.contentType,
        tags: { ...(v.attributes.tags ?? {}) },
        enabled: v.attributes.enabled,
      })),
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
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
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
      if (keys.route(req.method ?? '', u.pathname, send)) return;
      if (req.method === 'PUT') return setSecret(u.pathname, rawBody, send);
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
  type Send = (status: number, body: object) => void;
  /** SetSecret: a new version with the given value and metadata, checked against the service's limits. */
  function setSecret(pathname: string, raw: string, send: Send): void {
    const m = /^\/secrets\/([^/]+)\/?$/.exec(pathname);
    if (!m) return send(405, error('BadParameter', 'PUT is allowed on /secrets/{name} only.'));
    const name = decodeURIComponent(m[1]);
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(name))
      return send(400, error('BadParameter', `The request URI contains an invalid name: ${name}`));
    let body: { value?: unknown; contentType?: unknown; attributes?: KvWireAttributes; tags?: Record<string, unknown> };
    try {
      body = JSON.parse(raw) as typeof body;
    } catch {
      return send(400, error('BadParameter', 'The request body is not valid JSON.'));
    }
    if (typeof body.value !== 'string')
      return send(400, error('BadParameter', "Property 'value' is required and must be a string."));
    if (Buffer.byteLength(body.value, 'utf8') > 25 * 1024)
      return send(400, error('BadParameter', 'Secret value exceeds the maximum allowed size of 25 KB.'));
    const tags = body.tags ?? {};
    const tagProblem =
      Object.keys(tags).length > 15
        ? 'A maximum of 15 tags is allowed.'
        : Object.entries(tags).find(([k, v]) => k.length > 512 || typeof v !== 'string' || v.length > 256)
          ? 'Tag names are limited to 512 and tag values to 256 characters.'
          : undefined;
    if (tagProblem) return send(400, error('BadParameter', tagProblem));
    const a = body.attributes ?? {};
    emu.set(name, body.value, {
      enabled: a.enabled !== false,
      notBefore: a.nbf,
      expiresOn: a.exp,
      contentType: typeof body.contentType === 'string' ? body.contentType : undefined,
      tags: tags as Record<string, string>,
    });
    const v = secrets.get(name.toLowerCase())!.at(-1)!;
    return send(200, {
      value: v.value,
      id: `${vaultUrl}/secrets/${displayName(name.toLowerCase())}/${v.version}`,
      attributes: attributesOf(v),
      ...(v.attributes.contentType ? { contentType: v.attributes.contentType } : {}),
      tags: v.attributes.tags ?? {},
    });
  }
  return emu;
}

interface KvWireAttributes {
  enabled?: boolean;
  nbf?: number;
  exp?: number;
}

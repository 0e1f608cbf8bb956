import { createSign, randomUUID, X509Certificate } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A Docker token server (distribution's "token" auth) for the Debian docker-registry in tests:
 * GET /token with Basic credentials (what Docker does), POST /token (OAuth2 password and
 * refresh_token grants) and ACR's POST /oauth2/exchange (Entra access token → refresh token).
 * Tokens are RS256 JWTs with the signing certificate in `x5c`, which the registry checks against
 * its rootcertbundle, with the issuer/audience/access claims the registry verifies.
 */
export interface TokenUser {
  password: string;
  /** Repository name (or '*') → actions granted, e.g. { '*': ['pull', 'push'] }. */
  access: Record<string, string[]>;
}

export interface TokenServerOptions {
  issuer: string;
  service: string;
  key: string;
  cert: string;
  users: Record<string, TokenUser>;
  /** Checks an Entra access token for /oauth2/exchange; returns the user it maps to, or undefined. */
  verifyAadToken?: (token: string) => Promise<string | undefined>;
  tokenLifetimeSeconds?: number;
}

export interface TokenServer {
  url: string;
  realm: string;
  requests: { method: string; path: string; scopes: string[]; user?: string; status: number }[];
  /** Registry accounts: reset or change a user's password to test rejected credentials. */
  users: Record<string, TokenUser>;
  close(): Promise<void>;
}

const ACR_REFRESH_USER = '00000000-0000-0000-0000-000000000000';

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

interface ScopeRequest {
  type: string;
  name: string;
  actions: string[];
}

export function parseScope(scope: string): ScopeRequest | undefined {
  // repository:name:actions, where name may itself contain a ':port' only for other types.
  const m = /^([a-z0-9]+)(?:\([^)]*\))?:(.+):([a-z_*,]+)$/.exec(scope);
  return m ? { type: m[1], name: m[2], actions: m[3].split(',') } : undefined;
}

export async function startRegistryTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const requests: TokenServer['requests'] = [];
  const refreshTokens = new Map<string, string>();
  const x5c = new X509Certificate(opts.cert).raw.toString('base64');
  const lifetime = opts.tokenLifetimeSeconds ?? 300;

  const sign = (user: string | undefined, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const grants = opts.users[user ?? '']?.access ?? {};
    const access = scopes
      .map(parseScope)
      .filter((s): s is ScopeRequest => !!s && s.type === 'repository')
      .map((s) => {
        const allowed = [...(grants[s.name] ?? []), ...(grants['*'] ?? [])];
        return {
          type: s.type,
          name: s.name,
          actions: s.actions.filter((a) => allowed.includes(a) || allowed.includes('*')),
        };
      })
      .filter((s) => s.actions.length > 0);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [x5c] };
    const claims = {
      iss: opts.issuer,
      sub: user ?? '',
      aud: opts.service,
      exp: now + lifetime,
      nbf: now - 5,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(opts.key);
    return `${input}.${b64url(signature)}`;
  };

  const basicUser = (req: http.IncomingMessage): { user?: string; ok: boolean } => {
    const auth = req.headers.authorization;
    if (!auth) return { ok: true };
    const m = /^Basic (.+)$/i.exec(auth);
    if (!m) return { ok: false };
    const text = Buffer.from(m[1], 'base64').toString('utf8');
    const i = text.indexOf(':');
    return passwordUser(text.slice(0, i), text.slice(i + 1));
  };

  const passwordUser = (user: string, password: string): { user?: string; ok: boolean } => {
    if (user === ACR_REFRESH_USER) {
      const mapped = refreshTokens.get(password);
      return mapped ? { user: mapped, ok: true } : { ok: false };
    }
    const u = opts.users[user];
    return u && u.password === password ? { user, ok: true } : { ok: false };
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const send = (status: number, body: unknown, user?: string, scopes: string[] = []): void => {
          requests.push({ method: req.method ?? '', path: url.pathname, scopes, user, status });
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const deny = (scopes: string[] = []): void =>
          send(401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }, undefined, scopes);

        if (url.pathname === '/token' && req.method === 'GET') {
          const scopes = url.searchParams
            .getAll('scope')
            .flatMap((s) => s.split(' '))
            .filter(Boolean);
          if (url.searchParams.get('service') !== opts.service)
            return send(400, { errors: [{ code: 'DENIED', message: 'unknown service' }] });
          const who = basicUser(req);
          if (!who.ok) return deny(scopes);
          const token = sign(who.user, scopes);
          return send(
            200,
            { token, access_token: token, expires_in: lifetime, issued_at: new Date().toISOString() },
            who.user,
            scopes,
          );
        }
        if ((url.pathname === '/token' || url.pathname === '/oauth2/token') && req.method === 'POST') {
          const scopes = form
            .getAll('scope')
            .flatMap((s) => s.split(' '))
            .filter(Boolean);
          if (form.get('service') !== opts.service)
            return send(400, { error: 'invalid_request', error_description: 'unknown service' });
          let who: { user?: string; ok: boolean };
          if (form.get('grant_type') === 'password')
            who = passwordUser(form.get('username') ?? '', form.get('password') ?? '');
          else if (form.get('grant_type') === 'refresh_token') {
            const mapped = refreshTokens.get(form.get('refresh_token') ?? '');
            who = mapped ? { user: mapped, ok: true } : { ok: false };
          } else return send(400, { error: 'unsupported_grant_type' });
          if (!who.ok) return send(401, { error: 'invalid_grant' }, undefined, scopes);
          return send(200, { access_token: sign(who.user, scopes), expires_in: lifetime }, who.user, scopes);
        }
        if (url.pathname === '/oauth2/exchange' && req.method === 'POST') {
          if (form.get('grant_type') !== 'access_token' || !form.get('access_token'))
            return send(400, { error: 'invalid_request' });
          if (form.get('service') !== opts.service)
            return send(400, { error: 'invalid_request', error_description: 'unknown service' });
          const user = opts.verifyAadToken ? await opts.verifyAadToken(form.get('access_token') ?? '') : undefined;
          if (!user)
            return send(401, { error: 'invalid_grant', error_description: 'the Entra access token was rejected' });
          const refresh = `acr-refresh-${randomUUID()}`;
          refreshTokens.set(refresh, user);
          return send(200, { refresh_token: refresh }, user);
        }
        return send(404, { error: 'not found' });
      })().catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    realm: `${url}/token`,
    requests,
    users: opts.users,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

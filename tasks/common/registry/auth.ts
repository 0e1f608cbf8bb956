import { TaskError } from '../errors';
import { HttpClient } from '../http';
import { isLoopbackRegistry } from '../image-ref';
import { Challenge, parseChallenge } from './challenge';
import { ACR_REFRESH_TOKEN_USER, RegistryCredentialSource } from './credentials';

export interface AuthDeps {
  http: HttpClient;
  /** Every token we receive is announced as a secret before it is used. */
  secrets: { register(value: string | undefined): string | undefined };
  now?: () => number;
  log?: (message: string) => void;
}

interface CachedToken {
  header: string;
  expiresAt: number;
}

/** Tokens are renewed this long before they expire, so a long blob upload does not start with a dying one. */
const RENEW_MARGIN_MS = 20_000;
/** The distribution token spec's default when a token server sends no expires_in. */
const DEFAULT_TOKEN_SECONDS = 60;

/**
 * Authenticates requests to one registry the way Docker does: first request anonymous, then
 * whatever the 401's challenge asks for — Basic, or a Bearer token from the realm (Basic
 * credentials at the realm, or ACR's refresh-token grant). Tokens are cached per scope set.
 */
export class RegistryAuth {
  private challenge?: Challenge;
  private readonly tokens = new Map<string, CachedToken>();
  /** Token requests in flight, so parallel requests for one scope set share one token. */
  private readonly pending = new Map<string, Promise<CachedToken>>();
  private acrRefresh?: Promise<string | undefined>;
  private readonly now: () => number;

  constructor(
    readonly host: string,
    readonly source: RegistryCredentialSource,
    private readonly deps: AuthDeps,
  ) {
    this.now = deps.now ?? Date.now;
    // The Basic header carries base64(user:password), a form the password's own forms do not cover.
    if (source.kind === 'basic')
      deps.secrets.register(Buffer.from(`${source.username}:${source.password}`).toString('base64'));
  }

  get label(): string {
    return this.source.label;
  }

  /** The Authorization header for a request needing `scopes`, once the registry has said how to authenticate. */
  async header(scopes: string[]): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') {
      if (this.source.kind === 'basic')
        return `Basic ${Buffer.from(`${this.source.username}:${this.source.password}`).toString('base64')}`;
      if (this.source.kind === 'acr') {
        const refresh = await this.refreshToken(c);
        if (refresh) this.deps.secrets.register(Buffer.from(`${ACR_REFRESH_TOKEN_USER}:${refresh}`).toString('base64'));
        return refresh ? `Basic ${Buffer.from(`${ACR_REFRESH_TOKEN_USER}:${refresh}`).toString('base64')}` : undefined;
      }
      return undefined;
    }
    if (c.scheme !== 'bearer')
      throw new TaskError(
        `Registry ${this.host} asks for '${c.scheme}' authentication, which is not supported (only Basic and Bearer tokens are).`,
      );
    const key = [...new Set(scopes)].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - RENEW_MARGIN_MS > this.now()) return cached.header;
    let inflight = this.pending.get(key);
    if (!inflight) {
      inflight = this.fetchToken(c, key ? key.split(' ') : []).finally(() => this.pending.delete(key));
      this.pending.set(key, inflight);
    }
    const token = await inflight;
    this.tokens.set(key, token);
    return token.header;
  }

  /**
   * Called with a 401. Returns true when asking again can succeed: the challenge was new to us,
   * or the token we sent was cached (it may have been revoked or expired early).
   */
  onUnauthorized(wwwAuthenticate: string | null, scopes: string[], sentHeader: string | undefined): boolean {
    const c = parseChallenge(wwwAuthenticate);
    if (!c) return false;
    const known = this.challenge;
    const changed =
      !known ||
      known.scheme !== c.scheme ||
      known.params.realm !== c.params.realm ||
      known.params.service !== c.params.service;
    this.challenge = c;
    // A request sent before we knew the challenge (a parallel first request) can now authenticate.
    if (changed || sentHeader === undefined) return true;
    const key = [...new Set(scopes)].sort().join(' ');
    const cached = this.tokens.get(key);
    if (cached && cached.header === sentHeader) {
      this.tokens.delete(key);
      return true;
    }
    return false;
  }

  private async fetchToken(c: Challenge, scopes: string[]): Promise<CachedToken> {
    const realm = c.params.realm;
    if (!realm) throw new TaskError(`Registry ${this.host} sent a Bearer challenge without a realm.`);
    const service = c.params.service ?? '';
    const realmUrl = new URL(realm);
    // Credentials never travel in clear text, whatever a registry's challenge says (loopback excepted, as for registries).
    if (realmUrl.protocol !== 'https:' && !(realmUrl.protocol === 'http:' && isLoopbackRegistry(realmUrl.host))) {
      throw new TaskError(
        `Registry ${this.host} sends clients to the token service ${realmUrl.origin}, which is not HTTPS; credentials were not sent.`,
        "Fix the registry's token realm configuration.",
      );
    }
    const started = this.now();
    let res: Response;
    if (this.source.kind === 'acr') {
      const refresh = await this.refreshToken(c);
      if (refresh) {
        const form = new URLSearchParams({ grant_type: 'refresh_token', service, refresh_token: refresh });
        for (const s of scopes) form.append('scope', s);
        res = await this.deps.http.fetch(realm, {
          method: 'POST',
          body: form.toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          idempotent: true,
        });
      } else res = await this.tokenGet(realm, service, scopes, undefined);
    } else {
      res = await this.tokenGet(realm, service, scopes, this.source.kind === 'basic' ? this.source : undefined);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.rejected(`its token service (${new URL(realm).host}) answered HTTP ${res.status}`);
    }
    if (!res.ok)
      throw new TaskError(
        `The token service of registry ${this.host} answered HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`,
      );
    const body = (await res.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token || body.access_token;
    if (!token) throw new TaskError(`The token service of registry ${this.host} answered without a token.`);
    this.deps.secrets.register(token);
    const seconds =
      typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    return { header: `Bearer ${token}`, expiresAt: started + seconds * 1000 };
  }

  private tokenGet(
    realm: string,
    service: string,
    scopes: string[],
    basic: { username: string; password: string } | undefined,
  ): Promise<Response> {
    const url = new URL(realm);
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (basic) {
      url.searchParams.set('account', basic.username);
      headers.authorization = `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}`;
    }
    return this.deps.http.fetch(url, { headers });
  }

  /** ACR: Entra access token → refresh token at /oauth2/exchange, once per run; undefined when the registry is not an ACR. */
  private refreshToken(c: Challenge): Promise<string | undefined> {
    if (this.source.kind !== 'acr') return Promise.resolve(undefined);
    const source = this.source;
    this.acrRefresh ??= (async () => {
      const origin = c.params.realm ? new URL(c.params.realm).origin : `https://${this.host}`;
      const entra = this.deps.secrets.register(await source.entraToken())!;
      const form = new URLSearchParams({
        grant_type: 'access_token',
        service: c.params.service ?? this.host,
        access_token: entra,
      });
      if (source.tenantId) form.set('tenant', source.tenantId);
      const res = await this.deps.http.fetch(`${origin}/oauth2/exchange`, {
        method: 'POST',
        body: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        idempotent: true,
      });
      if (res.status === 404) {
        // Not an ACR (a public source registry, say): continue anonymously, as docker pull would.
        await res.body?.cancel();
        this.deps.log?.(`${this.host} has no /oauth2/exchange endpoint; continuing anonymously`);
        return undefined;
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw this.rejected(`/oauth2/exchange refused its Entra token (HTTP ${res.status})`);
      }
      if (!res.ok)
        throw new TaskError(
          `ACR ${this.host} answered HTTP ${res.status} to /oauth2/exchange: ${(await res.text()).slice(0, 300)}`,
        );
      const refresh = ((await res.json()) as { refresh_token?: string }).refresh_token;
      if (!refresh) throw new TaskError(`ACR ${this.host} answered /oauth2/exchange without a refresh token.`);
      return this.deps.secrets.register(refresh);
    })();
    return this.acrRefresh;
  }

  /** The credentials themselves were refused: say which connection, and that nothing was changed by this call. */
  rejected(detail: string): TaskError {
    return new TaskError(
      `Registry ${this.host} rejected the credentials of ${this.source.label}: ${detail}.`,
      this.source.kind === 'acr'
        ? 'Give the service principal of the Azure connection the AcrPull/AcrPush role on the registry, or set a Docker Registry connection.'
        : this.source.kind === 'basic'
          ? 'Check the user name and password (or token) stored in that Docker Registry service connection.'
          : 'This registry needs credentials: set a Docker Registry service connection for it.',
    );
  }
}

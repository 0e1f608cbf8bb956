/**
 * Entra ID (v2.0 endpoint) emulator for @azure/identity / MSAL, served over HTTPS with the test CA.
 *
 * API:
 *   const entra = await startEntra();                  // 127.0.0.1, port 0
 *   entra.register({ clientId, clientSecret })        // and/or certificatePem, federated: true
 *   entra.authorityHost                                // put in the AzureRM endpoint's data.environmentAuthorityUrl
 *   entra.oidcRequestUri, entra.systemAccessToken      // SYSTEM_OIDCREQUESTURI / System.AccessToken for
 *                                                      // AzurePipelinesCredential (workload identity federation)
 *   validateBearer(req.headers.authorization, 'https://vault.azure.net')  // in any other emulator
 *   entra.requests / entra.issued                      // what clients asked for / got
 *
 * Routes (what MSAL calls with disableInstanceDiscovery):
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   tenant discovery
 *   GET  /{tenant}/discovery/v2.0/keys                      JWKS of the token signing key
 *   POST /{tenant}/oauth2/v2.0/token                        client_credentials with client_secret, or with a
 *        client_assertion: an RS256/PS256 JWT signed by a registered certificate (x5t / x5t#S256 header), or the
 *        Azure DevOps OIDC token (workload identity federation)
 *   POST /contoso/_apis/distributedtask/hubs/build/plans/{plan}/jobs/{job}/oidctoken?api-version=&serviceConnectionId=
 *        Azure DevOps' OIDC endpoint: Bearer System.AccessToken → { oidcToken }
 * Errors mimic the real service: AADSTS codes in error_description, 400/401 with error/error_codes.
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import type { Endpoint } from '../agent/agent-run';
import { issueCert } from '../support/test-ca';
import {
  ADO_ISSUER,
  FEDERATION_AUDIENCE,
  OIDC_KID,
  SIGNING,
  TOKEN_KID,
  TokenClaims,
  decodeJwt,
  signJwt,
  verifySignature,
} from './entra-tokens';

export { BearerResult, TokenClaims, validateBearer } from './entra-tokens';

export const DEFAULT_TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export interface EntraApp {
  clientId: string;
  tenantId?: string;
  clientSecret?: string;
  /** PEM certificate (a key may be in the same PEM; only the certificate is used). */
  certificatePem?: string;
  /** Trust the Azure DevOps OIDC token of this service connection id (workload identity federation). */
  federatedServiceConnectionId?: string;
}

class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly code: number,
    description: string,
  ) {
    super(`AADSTS${code}: ${description}`);
  }
}

export interface EntraEmulator {
  url: string;
  /** Authority host with trailing slash, as the AzureRM connection's environmentAuthorityUrl. */
  authorityHost: string;
  tenantId: string;
  oidcRequestUri: string;
  systemAccessToken: string;
  register(app: EntraApp): void;
  /** Token requests as received (form fields, secrets included): for assertions in tests. */
  requests: Record<string, string>[];
  issued: { clientId: string; tenantId: string; audience: string; method: 'secret' | 'certificate' | 'federated' }[];
  /** Fail the next n token requests with 503 (transient outage). */
  failNext(n: number): void;
  close(): Promise<void>;
}

/**
 * An AzureRM service connection (scheme ServicePrincipal, spnKey) as the agent passes it to a task, signing in at
 * this Entra emulator. `data` adds to the authority (subscriptionId, AzureKeyVaultDnsSuffix…).
 */
export function spnConnection(
  entra: EntraEmulator,
  clientId: string,
  secret: string,
  opts: { url?: string; data?: Record<string, string> } = {},
): Endpoint {
  return {
    url: opts.url ?? 'https://management.azure.com/',
    scheme: 'ServicePrincipal',
    auth: {
      tenantid: entra.tenantId,
      serviceprincipalid: clientId,
      serviceprincipalkey: secret,
      authenticationType: 'spnKey',
    },
    data: { environmentAuthorityUrl: entra.authorityHost, ...opts.data },
  };
}

/** The AKS AAD server application: Entra knows it in every tenant (kubelogin's default --server-id). */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function startEntra(opts: { tenantId?: string; resources?: string[] } = {}): Promise<EntraEmulator> {
  const tenantId = opts.tenantId ?? DEFAULT_TENANT;
  // Resources named by an application id (a GUID scope such as the AKS server app) must exist in the tenant.
  const knownResources = new Set([AKS_SERVER_APP_ID, ...(opts.resources ?? [])].map((r) => r.toLowerCase()));
  const apps: (EntraApp & { tenantId: string })[] = [];
  const systemAccessToken = `ado-job-token-${crypto.randomBytes(12).toString('hex')}`;
  let outages = 0;
  const cert = issueCert({ names: ['localhost', '127.0.0.1'] });
  const server = https.createServer({ cert: cert.cert, key: cert.key });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const emulator: EntraEmulator = {
    url,
    authorityHost: `${url}/`,
    tenantId,
    oidcRequestUri: `${url}/contoso/_apis/distributedtask/hubs/build/plans/plan-1/jobs/job-1/oidctoken`,
    systemAccessToken,
    register: (app) => apps.push({ ...app, tenantId: app.tenantId ?? tenantId }),
    requests: [],
    issued: [],
    failNext: (n) => (outages = n),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const tenants = (): Set<string> => new Set([tenantId, ...apps.map((a) => a.tenantId)]);
  const aadBody = (e: AadError): object => ({
    error: e.error,
    error_description: `${e.message}\r\nTrace ID: ${crypto.randomUUID()}\r\nCorrelation ID: ${crypto.randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
    error_codes: [e.code],
    timestamp: new Date().toISOString(),
    error_uri: `${url}/error?code=${e.code}`,
  });
  const tenantError = (t: string): AadError =>
    new AadError(
      400,
      'invalid_request',
      90002,
      `Tenant '${t}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
    );

  function oidcToken(query: URLSearchParams, auth: string | undefined): object {
    if (auth !== `Bearer ${systemAccessToken}`)
      throw Object.assign(new Error('TF400813: The user is not authorized to access this resource.'), { status: 401 });
    if (!query.get('api-version'))
      throw Object.assign(new Error('No api-version was supplied for the POST request.'), { status: 400 });
    const sc = query.get('serviceConnectionId') ?? '';
    if (!apps.some((a) => a.federatedServiceConnectionId === sc))
      throw Object.assign(new Error(`Service connection ${sc} not found or not authorized for this pipeline.`), {
        status: 400,
      });
    const now = Math.floor(Date.now() / 1000);
    return {
      oidcToken: signJwt(
        {
          iss: ADO_ISSUER,
          sub: `sc://contoso/shop/${sc}`,
          aud: FEDERATION_AUDIENCE,
          iat: now,
          nbf: now,
          exp: now + 600,
        },
        OIDC_KID,
      ),
    };
  }

  function authenticate(
    app: EntraApp,
    form: URLSearchParams,
    tokenEndpoint: string,
  ): 'secret' | 'certificate' | 'federated' {
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (!app.clientSecret || secret !== app.clientSecret) {
        throw new AadError(
          401,
          'invalid_client',
          7000215,
          `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
        );
      }
      return 'secret';
    }
    if (assertion === null)
      throw new AadError(
        401,
        'invalid_client',
        7000218,
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
      );
    if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer') {
      throw new AadError(
        400,
        'invalid_request',
        50027,
        "Invalid client_assertion_type; expected 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
      );
    }
    const jwt = decodeJwt(assertion);
    if (!jwt) throw new AadError(400, 'invalid_request', 50027, 'JWT token is invalid or malformed.');
    const p = jwt.payload as Record<string, string | number>;
    const now = Math.floor(Date.now() / 1000);
    if (typeof p.exp !== 'number' || p.exp < now - 300 || (typeof p.nbf === 'number' && p.nbf > now + 300)) {
      throw new AadError(401, 'invalid_client', 700024, 'Client assertion is not within its valid time range.');
    }
    if (jwt.header.kid === OIDC_KID || p.iss === ADO_ISSUER) {
      const sc = String(p.sub ?? '').replace(/^sc:\/\/contoso\/shop\//, '');
      if (
        !verifySignature(jwt, SIGNING.publicKey) ||
        p.aud !== FEDERATION_AUDIENCE ||
        !app.federatedServiceConnectionId ||
        sc !== app.federatedServiceConnectionId
      ) {
        throw new AadError(
          400,
          'invalid_request',
          70021,
          `No matching federated identity record found for presented assertion. Assertion Issuer: '${p.iss}'. Assertion Subject: '${p.sub}'. Assertion Audience: '${p.aud}'.`,
        );
      }
      return 'federated';
    }
    const der = app.certificatePem ? new crypto.X509Certificate(app.certificatePem).raw : undefined;
    const x5t = jwt.header['x5t#S256'] ? ['sha256', jwt.header['x5t#S256']] : ['sha1', jwt.header.x5t];
    if (!der || !x5t[1] || crypto.createHash(String(x5t[0])).update(der).digest('base64url') !== x5t[1]) {
      throw new AadError(
        401,
        'invalid_client',
        700027,
        `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${x5t[1]}']`,
      );
    }
    if (!verifySignature(jwt, new crypto.X509Certificate(app.certificatePem!).publicKey)) {
      throw new AadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.');
    }
    if (p.aud !== tokenEndpoint || p.iss !== app.clientId || p.sub !== app.clientId || !p.jti) {
      throw new AadError(
        401,
        'invalid_client',
        700023,
        `Invalid audience or issuer in client assertion; expected audience '${tokenEndpoint}' and issuer/subject '${app.clientId}'.`,
      );
    }
    return 'certificate';
  }

  function token(tenant: string, form: URLSearchParams): object {
    emulator.requests.push(Object.fromEntries(form));
    if (outages > 0) {
      outages--;
      throw new AadError(503, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.');
    }
    if (!tenants().has(tenant)) throw tenantError(tenant);
    if (form.get('grant_type') !== 'client_credentials') {
      throw new AadError(
        400,
        'unsupported_grant_type',
        70003,
        `The app requested an unsupported grant type '${form.get('grant_type')}'.`,
      );
    }
    const clientId = form.get('client_id') ?? '';
    const app = apps.find((a) => a.clientId === clientId && a.tenantId === tenant);
    if (!app) {
      throw new AadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      );
    }
    const scope = (form.get('scope') ?? '').split(' ').find((s) => s.endsWith('/.default'));
    if (!scope) {
      throw new AadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${form.get('scope')} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      );
    }
    const method = authenticate(app, form, `${url}/${tenant}/oauth2/v2.0/token`);
    const audience = scope.slice(0, -'/.default'.length);
    if (GUID.test(audience) && !knownResources.has(audience.toLowerCase())) {
      throw new AadError(
        400,
        'invalid_resource',
        500011,
        `The resource principal named ${audience} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
      );
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: audience,
      iss: `https://sts.windows.net/${tenant}/`,
      tid: tenant,
      appid: clientId,
      sub: clientId,
      oid: clientId,
      idtyp: 'app',
      ver: '1.0',
      iat: now,
      nbf: now,
      exp: now + 3599,
    };
    emulator.issued.push({ clientId, tenantId: tenant, audience, method });
    return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: signJwt(claims, TOKEN_KID) };
  }

  function discovery(tenant: string): object {
    if (!tenants().has(tenant)) throw tenantError(tenant);
    const base = `${url}/${tenant}`;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      issuer: `${base}/v2.0`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
    };
  }

  server.on('request', (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const u = new URL(req.url ?? '/', url);
      const send = (status: number, body: object): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(JSON.stringify(body));
      };
      try {
        let m: RegExpExecArray | null;
        if (req.method === 'POST' && /\/oidctoken$/.test(u.pathname))
          return send(200, oidcToken(u.searchParams, req.headers.authorization));
        if (req.method === 'GET' && (m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(u.pathname)))
          return send(200, discovery(m[1]));
        if (req.method === 'GET' && /^\/[^/]+\/discovery\/v2\.0\/keys$/.test(u.pathname)) {
          return send(200, {
            keys: [{ kty: 'RSA', use: 'sig', kid: TOKEN_KID, ...SIGNING.publicKey.export({ format: 'jwk' }) }],
          });
        }
        if (req.method === 'POST' && (m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(u.pathname))) {
          if (!/application\/x-www-form-urlencoded/i.test(req.headers['content-type'] ?? '')) {
            throw new AadError(
              400,
              'invalid_request',
              900144,
              "The request body must contain the following parameter: 'grant_type'.",
            );
          }
          return send(200, token(m[1], new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
        }
        return send(404, { error: 'not_found', error_description: `${req.method} ${u.pathname} is not emulated` });
      } catch (err) {
        if (err instanceof AadError) return send(err.status, aadBody(err));
        const status = (err as { status?: number }).status ?? 500;
        return send(status, { message: (err as Error).message, typeKey: 'UnauthorizedRequestException' });
      }
    });
  });
  return emulator;
}

/**
 * The kube emulator's bearer-token authenticator, for the three kinds of cluster the tasks meet:
 * - a static token (a service account's; the connection's own token or kubeconfig);
 * - AKS with Microsoft Entra ID integration: an Entra access token whose audience is the AKS server
 *   application (guard/webhook checks signature, expiry and aud; learn.microsoft.com/azure/aks/
 *   enable-authentication-microsoft-entra-id and Azure/kubelogin's token, audience = --server-id);
 * - OKE: the token of `oci ce cluster generate-token` (oracle/oci-cli containerengine_cli_extended.py
 *   generate_token): base64url of https://containerengine.<region>.oraclecloud.com/cluster_request/<cluster>
 *   ?authorization=<OCI signature>&date=<date>. The cluster re-verifies that presigned request with the
 *   key's public key (OCI HTTP signature over date, (request-target), host), and checks the region, the
 *   cluster id and the age of the date (5 minutes, OCI's clock-skew window; the CLI refreshes after 4).
 * Anything else is a 401 with the reason kept for the test's request log (the server says only Unauthorized).
 */
import { IncomingMessage } from 'node:http';
import { validateBearer } from '../entra-tokens';
import { verifyOciSignature } from '../oci-signature';

export interface OkeClusterAuth {
  clusterId: string;
  region: string;
  /** keyId (tenancy/user/fingerprint) → public key PEM of the API keys allowed to use the cluster. */
  keys: Record<string, string>;
  /** The cluster's clock (tests move it to make a token too old). */
  now?: () => number;
}

export interface KubeAuthnOptions {
  token: string;
  /** Entra ID integration: accept Entra tokens for this audience (the AKS server app id). */
  entraAudience?: string;
  oke?: OkeClusterAuth;
}

export type AuthnResult = { ok: true; user: string } | { ok: false; reason: string };

export function authenticateKube(header: string | undefined, opts: KubeAuthnOptions): AuthnResult {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!m) return { ok: false, reason: 'no bearer token' };
  const token = m[1];
  if (token === opts.token) return { ok: true, user: 'system:serviceaccount:static' };
  const reasons: string[] = ['not the static token'];
  if (opts.entraAudience) {
    const v = validateBearer(header, opts.entraAudience);
    if (v.ok) return { ok: true, user: `aad:${String(v.claims.oid ?? v.claims.sub)}` };
    reasons.push(`Entra: ${v.reason}`);
  }
  if (opts.oke) {
    const v = verifyOkeToken(token, opts.oke);
    if (v.ok) return v;
    reasons.push(`OKE: ${v.reason}`);
  }
  return { ok: false, reason: reasons.join('; ') };
}

export function verifyOkeToken(token: string, oke: OkeClusterAuth): AuthnResult {
  let url: URL;
  try {
    url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'not a base64url-encoded URL' };
  }
  const host = `containerengine.${oke.region}.oraclecloud.com`;
  if (url.protocol !== 'https:' || url.host !== host)
    return { ok: false, reason: `presigned for ${url.host}, not ${host} (another region?)` };
  if (url.pathname !== `/cluster_request/${oke.clusterId}`)
    return { ok: false, reason: `presigned for ${url.pathname}, not this cluster` };
  const authorization = url.searchParams.get('authorization');
  const date = url.searchParams.get('date');
  if (!authorization || !date) return { ok: false, reason: 'the authorization or date parameter is missing' };
  // The presigned request, as it was signed: GET of the path with the date and host headers.
  const request = { method: 'GET', url: url.pathname, headers: { authorization, date, host } };
  const check = verifyOciSignature(request as unknown as IncomingMessage, Buffer.alloc(0), {
    keys: oke.keys,
    now: oke.now,
  });
  return check.ok ? { ok: true, user: `oke:${check.user}` } : { ok: false, reason: check.message };
}

/** A kubeconfig user as AKS's listClusterUserCredential?format=exec returns it for Entra-enabled clusters. */
export function kubeloginUser(tenantId: string, serverId: string): Record<string, unknown> {
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'kubelogin',
      args: [
        'get-token',
        '--environment',
        'AzurePublicCloud',
        '--server-id',
        serverId,
        '--client-id',
        '80faf920-1908-4b52-b5ef-a8e7bedfc67a',
        '--tenant-id',
        tenantId,
        '--login',
        'devicecode',
      ],
      env: null,
      installHint: 'kubelogin is not installed which is required to connect to AAD enabled cluster.',
      provideClusterInfo: false,
    },
  };
}

/** A kubeconfig user as `oci ce cluster create-kubeconfig` writes it. */
export function okeUser(clusterId: string, region: string): Record<string, unknown> {
  return {
    exec: {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      command: 'oci',
      args: ['ce', 'cluster', 'generate-token', '--cluster-id', clusterId, '--region', region],
      env: [],
    },
  };
}

import { createPrivateKey, sign } from 'node:crypto';
import type { OciConnection } from './oci';

/**
 * The OKE cluster token `oci ce cluster generate-token --cluster-id … --region …` prints, without the
 * CLI (oracle/oci-cli services/container_engine/src/oci_cli_container_engine/containerengine_cli_extended.py,
 * generate_token): a GET of https://containerengine.<region>.oraclecloud.com/cluster_request/<cluster id>
 * signed with the user's API key (OCI HTTP signature over date, (request-target) and host, the Python
 * SDK's signer), then that URL with the authorization and date headers moved into its query string,
 * base64url-encoded with padding (urlsafe_b64encode). The CLI tells clients to refresh after 4 minutes.
 *
 * Signed here with node:crypto rather than oci-common's DefaultRequestSigner: that signer always signs
 * x-date, which a token carrying only `authorization` and `date` (what OKE reads) could not reproduce.
 */
export const OKE_TOKEN_REFRESH_MS = 4 * 60_000;

export interface OkeTokenRequest {
  clusterId: string;
  region: string;
}

export interface OkeToken {
  token: string;
  /** When the CLI would have clients ask again. */
  refreshAt: number;
}

export function okeClusterRequestUrl(req: OkeTokenRequest): URL {
  return new URL(`https://containerengine.${req.region}.oraclecloud.com/cluster_request/${req.clusterId}`);
}

export function generateOkeToken(conn: OciConnection, req: OkeTokenRequest, now: number = Date.now()): OkeToken {
  const url = okeClusterRequestUrl(req);
  const date = new Date(now).toUTCString();
  const signingString = [`date: ${date}`, `(request-target): get ${url.pathname}`, `host: ${url.host}`].join('\n');
  const key = createPrivateKey({ key: conn.privateKey, format: 'pem', passphrase: conn.passphrase });
  const signature = sign('sha256', Buffer.from(signingString), key).toString('base64');
  const authorization =
    `Signature version="1",headers="date (request-target) host",` +
    `keyId="${conn.tenancy}/${conn.user}/${conn.fingerprint}",algorithm="rsa-sha256",signature="${signature}"`;
  // URLSearchParams encodes as application/x-www-form-urlencoded, as requests' `params` does in the CLI.
  url.search = new URLSearchParams({ authorization, date }).toString();
  const token = Buffer.from(url.toString(), 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  return { token, refreshAt: now + OKE_TOKEN_REFRESH_MS };
}

import { createPrivateKey } from 'node:crypto';
import type { SimpleAuthenticationDetailsProvider } from 'oci-common';
import { embeddedCredentials, quote } from '../echo';
import { EndpointAccessor } from '../host';
import { InputReader, urlSyntaxProblem } from '../inputs';
import { ocidProblem } from '../ocid';
import { REGION_NAME, findRegion } from '../oci-regions';

/** The extension's OCI service connection type (vss-extension.json contributes it under this name). */
export const OCI_ENDPOINT_TYPE = 'multicloud-devsecops-oci';

export interface OciConnection {
  tenancy: string;
  user: string;
  fingerprint: string;
  privateKey: string;
  passphrase?: string;
  region: string;
  /** Optional API endpoint override (private endpoint, proxy, emulator); else the region's public endpoints. */
  endpoint?: string;
}

/** The OCID shape for a resource-type pattern (see ../ocid.ts for the parser tasks use to validate inputs). */
export const OCID = (kind: string): RegExp =>
  new RegExp(`^ocid1\\.${kind}\\.oc\\d+\\.[a-z0-9-]*\\.(?:[a-z0-9]+\\.)?[a-z0-9]+$`);
const FINGERPRINT = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i;
/** The connection type's only authentication scheme is basic (vss-extension.json), which the agent names so. */
const SCHEME = 'usernamepassword';
const PEM_KEY = /-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+-----END (RSA |ENCRYPTED )?PRIVATE KEY-----/;

export function readOciConnection(
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
): OciConnection | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const problems: string[] = [];
  // Non-secret fields are connection data (vss-extension.json), so the agent does not mask them;
  // connections saved before that kept them in the auth scheme, which is still read.
  const field = (key: string): string => (endpoints.data(id, key) || endpoints.authParam(id, key) || '').trim();
  const tenancy = field('tenancy');
  const user = field('user');
  const fingerprint = field('fingerprint');
  const regionField = field('region');
  // Keys are registered before they are validated: a validation message never quotes them.
  const privateKey = inputs.secrets.register(endpoints.authParam(id, 'privateKey')) ?? '';
  const passphrase = inputs.secrets.register(endpoints.authParam(id, 'passphrase')) || undefined;
  const scheme = (endpoints.scheme(id) ?? '').trim();
  if (scheme.toLowerCase() !== SCHEME) {
    inputs.problem(
      inputName,
      `service connection '${id}' has the authorization scheme ${quote(scheme || 'none')}, which is not an OCI API key connection.`,
      'Select a connection of type "Oracle Cloud Infrastructure (API key)".',
    );
    return undefined;
  }
  // A region key (fra) is accepted for its identifier (eu-frankfurt-1), as the OCI CLI accepts it.
  const region = findRegion(regionField)?.name ?? regionField.toLowerCase();
  const ocid = (value: string, type: string): void => {
    const p = ocidProblem(value, { types: [type], example: `ocid1.${type}.oc1..aaaa…`, connectionRegion: region });
    if (p) problems.push(`${type} ${p[0].replace(/\.$/, '')}`);
  };
  ocid(tenancy, 'tenancy');
  ocid(user, 'user');
  if (!FINGERPRINT.test(fingerprint))
    problems.push(`fingerprint ${quote(fingerprint)} is not an MD5 key fingerprint (16 hex pairs joined by ':')`);
  if (!REGION_NAME.test(region))
    problems.push(
      `region ${quote(regionField)} is not a region identifier such as eu-frankfurt-1 (or a key such as fra)`,
    );
  const keyProblem = privateKeyProblem(privateKey, passphrase);
  if (keyProblem) problems.push(keyProblem);
  const endpoint = endpoints.data(id, 'apiEndpoint')?.trim() || undefined;
  if (endpoint) {
    // Connection data is not masked by the agent: a password typed into the URL is registered before it is quoted.
    for (const credential of embeddedCredentials(endpoint)) inputs.secrets.registerGuess(credential);
    const syntax = urlSyntaxProblem(endpoint);
    if (syntax) problems.push(`API endpoint override ${syntax.replace(/\.$/, '')}`);
    else if (!/^https:\/\/[^/\s@]+(\/.*)?$/.test(endpoint))
      problems.push(`API endpoint override ${quote(endpoint)} is not an https URL without credentials`);
  }
  if (problems.length) {
    inputs.problem(
      inputName,
      `service connection '${id}': ${problems.join('; ')}.`,
      'Edit the OCI connection with the values from the OCI console (Profile → API keys → configuration file preview).',
    );
    return undefined;
  }
  return { tenancy, user, fingerprint, privateKey, passphrase, region, endpoint };
}

/**
 * Whether the key can sign: a PEM private key, decrypted with the passphrase when it is encrypted.
 * Checked here so a wrong passphrase fails at validation, naming the connection, instead of at the
 * first signed request. Never quotes the key or the passphrase.
 */
function privateKeyProblem(pem: string, passphrase: string | undefined): string | undefined {
  if (!PEM_KEY.test(pem)) return 'the private key is not a PEM private key';
  const encrypted = /ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) return 'the private key is encrypted but no passphrase is set';
  try {
    createPrivateKey({ key: pem, format: 'pem', passphrase: encrypted ? passphrase : undefined });
    return undefined;
  } catch {
    return encrypted
      ? 'the passphrase does not decrypt the private key'
      : 'the private key cannot be read (damaged PEM)';
  }
}

/** An oci-common signer for the connection; the SDK is loaded only by tasks that call OCI. */
export async function createOciAuthProvider(conn: OciConnection): Promise<SimpleAuthenticationDetailsProvider> {
  const common = await import('oci-common');
  // Regions newer than the SDK are still usable: register them in the commercial realm.
  const region = common.Region.fromRegionId(conn.region) ?? common.Region.register(conn.region, common.Realm.OC1);
  return new common.SimpleAuthenticationDetailsProvider(
    conn.tenancy,
    conn.user,
    conn.fingerprint,
    conn.privateKey,
    conn.passphrase ?? null,
    region,
  );
}

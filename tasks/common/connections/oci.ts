import type { SimpleAuthenticationDetailsProvider } from 'oci-common';
import { EndpointAccessor } from '../host';
import { InputReader } from '../inputs';

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

export const OCID = (kind: string): RegExp => new RegExp(`^ocid1\\.${kind}\\.[a-z0-9-]+\\.[a-z0-9-]*\\.[a-z0-9]+$`);
const FINGERPRINT = /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/i;
const REGION = /^[a-z]{2,}-[a-z]+-\d+$/;
const PEM_KEY = /-----BEGIN (RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]+-----END (RSA |ENCRYPTED )?PRIVATE KEY-----/;

export function readOciConnection(inputs: InputReader, endpoints: EndpointAccessor, inputName: string): OciConnection | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const problems: string[] = [];
  // Non-secret fields are connection data (vss-extension.json), so the agent does not mask them;
  // connections saved before that kept them in the auth scheme, which is still read.
  const field = (key: string): string => (endpoints.data(id, key) || endpoints.authParam(id, key) || '').trim();
  const tenancy = field('tenancy');
  const user = field('user');
  const fingerprint = field('fingerprint');
  const region = field('region');
  // Keys are registered before they are validated: a validation message never quotes them.
  const privateKey = inputs.secrets.register(endpoints.authParam(id, 'privateKey')) ?? '';
  const passphrase = inputs.secrets.register(endpoints.authParam(id, 'passphrase')) || undefined;
  if (!OCID('tenancy').test(tenancy)) problems.push(`tenancy '${tenancy}' is not a tenancy OCID (ocid1.tenancy.oc1..…)`);
  if (!OCID('user').test(user)) problems.push(`user '${user}' is not a user OCID (ocid1.user.oc1..…)`);
  if (!FINGERPRINT.test(fingerprint)) problems.push(`fingerprint '${fingerprint}' is not an MD5 key fingerprint (16 hex pairs joined by ':')`);
  if (!REGION.test(region)) problems.push(`region '${region}' is not a region identifier such as eu-frankfurt-1`);
  if (!PEM_KEY.test(privateKey)) problems.push('the private key is not a PEM private key');
  if (/ENCRYPTED/.test(privateKey) && !passphrase) problems.push('the private key is encrypted but no passphrase is set');
  const endpoint = endpoints.data(id, 'apiEndpoint')?.trim() || undefined;
  if (endpoint && !/^https:\/\/[^/\s@]+(\/.*)?$/.test(endpoint)) problems.push(`API endpoint override '${endpoint}' is not an https URL`);
  if (problems.length) {
    inputs.problem(inputName, `service connection '${id}': ${problems.join('; ')}.`, 'Edit the OCI connection with the values from the OCI console (Profile → API keys → configuration file preview).');
    return undefined;
  }
  return { tenancy, user, fingerprint, privateKey, passphrase, region, endpoint };
}

/** An oci-common signer for the connection; the SDK is loaded only by tasks that call OCI. */
export async function createOciAuthProvider(conn: OciConnection): Promise<SimpleAuthenticationDetailsProvider> {
  const common = await import('oci-common');
  // Regions newer than the SDK are still usable: register them in the commercial realm.
  const region = common.Region.fromRegionId(conn.region) ?? common.Region.register(conn.region, common.Realm.OC1);
  return new common.SimpleAuthenticationDetailsProvider(conn.tenancy, conn.user, conn.fingerprint, conn.privateKey, conn.passphrase ?? null, region);
}

import { endpointFromManifest } from '../agent/manifest-endpoint';
/**
 * The OCI API signing key used by every OCI emulator and test: generated once and kept beside the test CA
 * (devkit/support/cached-key.ts, never committed), with its MD5 fingerprint and the OCIDs of its tenancy and user.
 *
 *   OCI_TEST_KEY.{privateKeyPem, publicKeyPem, fingerprint, tenancy, user, region, keyId}
 *   ociEndpoint(apiEndpoint)   → the extension's OCI service connection as the agent passes it
 *                                (runTaskLikeAgent's `endpoints` / RecordingHost)
 *   otherOciKey()              → a second, unregistered key pair (for "wrong key" tests)
 */
import * as crypto from 'node:crypto';
import { Endpoint } from '../agent/agent-run';
import { cachedRsaKey } from './cached-key';

export interface OciTestKey {
  privateKeyPem: string;
  publicKeyPem: string;
  /** MD5 of the DER public key, as OCI shows it under Profile → API keys. */
  fingerprint: string;
  tenancy: string;
  user: string;
  region: string;
  /** The keyId OCI expects in the Authorization header: tenancy/user/fingerprint. */
  keyId: string;
}

/** MD5 fingerprint of a public key, colon-separated like `openssl rsa -pubout -outform DER | openssl md5 -c`. */
export function ociFingerprint(publicKey: crypto.KeyObject | string): string {
  const key =
    typeof publicKey === 'string'
      ? crypto.createPublicKey(publicKey)
      : publicKey.type === 'public'
        ? publicKey
        : crypto.createPublicKey(publicKey);
  const der = key.export({ type: 'spki', format: 'der' });
  return crypto.createHash('md5').update(der).digest('hex').match(/../g)!.join(':');
}

function makeKey(keyName: string, tenancy: string, user: string): OciTestKey {
  const { privateKey, publicKey } = cachedRsaKey(keyName);
  const fingerprint = ociFingerprint(publicKey);
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint,
    tenancy,
    user,
    region: 'eu-frankfurt-1',
    keyId: `${tenancy}/${user}/${fingerprint}`,
  };
}

export const OCI_TEST_KEY: OciTestKey = makeKey(
  'oci-test-key',
  'ocid1.tenancy.oc1..aaaaaaaamcdsotesttenancy0001',
  'ocid1.user.oc1..aaaaaaaamcdsotestuser0001',
);

let other: OciTestKey | undefined;
export function otherOciKey(): OciTestKey {
  other ??= makeKey('oci-other-key', OCI_TEST_KEY.tenancy, OCI_TEST_KEY.user);
  return other;
}

/** The extension's OCI connection (basic scheme → UsernamePassword at run time) pointing at an emulator. */
export function ociEndpoint(apiEndpoint?: string, key: OciTestKey = OCI_TEST_KEY): Endpoint {
  // Split into data and credentials exactly as vss-extension.json declares the connection type.
  const values: Record<string, string> = {
    tenancy: key.tenancy,
    user: key.user,
    fingerprint: key.fingerprint,
    region: key.region,
    privateKey: key.privateKeyPem,
  };
  if (apiEndpoint) values.apiEndpoint = apiEndpoint;
  return endpointFromManifest('multicloud-devsecops-oci', values, 'https://cloud.oracle.com');
}

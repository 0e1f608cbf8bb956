import { Endpoint } from '../../devkit/agent/agent-run';
import { cachedRsaPem } from '../../devkit/support/cached-key';

/** Service connections shaped as the agent passes them, with fake but well-formed values. */
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const CLIENT = '0e2c7a0d-3e5b-4a8e-9c51-1f2b3c4d5e6f';

export function azureRm(secret = 'spn-secret-value-1'): Endpoint {
  return {
    url: 'https://management.azure.com/',
    scheme: 'ServicePrincipal',
    auth: { tenantid: TENANT, serviceprincipalid: CLIENT, serviceprincipalkey: secret, authenticationType: 'spnKey' },
    data: {
      subscriptionId: '11111111-2222-3333-4444-555555555555',
      environmentAuthorityUrl: 'https://login.microsoftonline.com/',
    },
  };
}

let pem: string | undefined;
export function testPrivateKey(): string {
  pem ??= cachedRsaPem('blackbox-fixture');
  return pem;
}

export function oci(overrides: Record<string, string> = {}): Endpoint {
  return {
    url: 'https://cloud.oracle.com',
    scheme: 'UsernamePassword',
    auth: {
      tenancy: 'ocid1.tenancy.oc1..aaaaaaaatenancy',
      user: 'ocid1.user.oc1..aaaaaaaauser',
      fingerprint: '20:3b:97:13:55:1c:5b:0d:d3:37:d8:50:4e:c5:3a:34',
      region: 'eu-frankfurt-1',
      privateKey: testPrivateKey(),
      ...overrides,
    },
  };
}

export function kubeconfig(): Endpoint {
  const config = [
    'apiVersion: v1',
    'kind: Config',
    'current-context: c',
    'clusters: [{name: k, cluster: {server: "https://127.0.0.1:6443"}}]',
    'users: [{name: u, user: {token: kube-token-value-9}}]',
    'contexts: [{name: c, context: {cluster: k, user: u}}]',
  ].join('\n');
  return {
    url: 'https://127.0.0.1:6443',
    scheme: 'Kubernetes',
    auth: { kubeconfig: config },
    data: { authorizationType: 'Kubeconfig' },
  };
}

export function dockerRegistry(registry: string, username = 'ci', password = 'registry-pass-1'): Endpoint {
  return {
    url: `https://${registry}`,
    scheme: 'UsernamePassword',
    auth: { registry: `https://${registry}`, username, password },
  };
}

export const D = `sha256:${'b'.repeat(64)}`;
export const VAULT = 'ocid1.vault.oc1.eu-frankfurt-1.aaaaaaaavault';
export const KEY = 'ocid1.key.oc1.eu-frankfurt-1.aaaaaaaakey';
export const COMPARTMENT = 'ocid1.compartment.oc1..aaaaaaaacompartment';

import { createPrivateKey } from 'node:crypto';
import { Endpoint } from '../../../devkit/agent/agent-run';
import { TaskName } from '../../../tasks/common/ledger';
import { COMPARTMENT, D, KEY, VAULT, azureRm, kubeconfig, oci, testPrivateKey } from '../fixtures';

/** One bad input (or connection) on top of otherwise valid inputs, and the input the error must name. */
export interface Row {
  task: TaskName;
  why: string;
  /** Replaces base inputs; '{L}' stands for the recording listener's port. */
  inputs: Record<string, string>;
  /** Replaces the base connections. */
  endpoints?: Record<string, Endpoint>;
  secretVariables?: Record<string, string>;
  /** The input the message must name: "input '<name>'". */
  input: string;
  /** More of the message, when the wording is ours to keep (other helpers' messages: input name only). */
  error?: RegExp;
  /** A credential in the inputs that must not appear in any output line. */
  secret?: string;
}

/** Valid inputs per task, every endpoint pointing at the recording listener ('{L}'). */
export const BASE: Record<TaskName, { inputs: Record<string, string>; endpoints: Record<string, Endpoint> }> = {
  AcrPromote: {
    inputs: { sourceImage: '127.0.0.1:{L}/shop/web:1.4.2', targetRegistry: 'localhost:{L}' },
    endpoints: {},
  },
  CanaryShift: {
    // Steps without analysis: the valid control then reaches the kube API and nothing else.
    inputs: {
      kubernetesServiceConnection: 'aks',
      namespace: 'shop',
      action: 'run',
      deployment: 'web',
      service: 'web',
      image: `prod.azurecr.io/shop/web@${D}`,
      route: 'web',
      steps: '10, 50, 100',
    },
    endpoints: { aks: kubeconfig() },
  },
  SmokeTest: {
    inputs: {
      baseUrl: 'http://127.0.0.1:{L}',
      checks: '- name: health\n  path: /healthz\n  expect: { status: 200 }\n',
    },
    endpoints: {},
  },
  KeyVaultToOci: {
    inputs: {
      azureSubscription: 'azure',
      keyVaultName: 'shop-kv',
      secrets: 'db-*',
      ociConnection: 'oci',
      compartmentId: COMPARTMENT,
      vaultId: VAULT,
      keyId: KEY,
    },
    endpoints: { azure: azureRm(), oci: oci() },
  },
  OracleDbProvision: {
    inputs: {
      target: 'ociApi',
      action: 'ensure',
      ociConnection: 'oci',
      compartmentId: COMPARTMENT,
      displayName: 'orders',
      dbName: 'ORDERS',
    },
    endpoints: { oci: oci() },
  },
};

/** Points a connection at the listener: OCI API endpoint, Azure ARM and authority, kube server. */
export function pointAtListener(ep: Endpoint, port: number): Endpoint {
  const here = `https://127.0.0.1:${port}`;
  const auth = { ...(ep.auth ?? {}) };
  const data = { ...(ep.data ?? {}) };
  let url = ep.url;
  if ('tenancy' in auth && data.apiEndpoint === undefined) data.apiEndpoint = here;
  if ('serviceprincipalid' in auth) {
    url = `${here}/`;
    data.environmentAuthorityUrl ??= `${here}/`;
  }
  if (auth.kubeconfig) {
    auth.kubeconfig = auth.kubeconfig.replace('https://127.0.0.1:6443', here);
    url = here;
  }
  return { ...ep, url, auth, data };
}

export function fill(value: string, port: number): string {
  return value.split('{L}').join(String(port));
}

/** The test key, encrypted with a passphrase, as `openssl pkcs8 -topk8 -v2 aes-256-cbc` writes it. */
export function encryptedKey(passphrase: string): string {
  return createPrivateKey(testPrivateKey())
    .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    .toString();
}

/** OCIDs as the console shows them: vault and key OCIDs carry a region key and an extra segment. */
export const U = 'aaaaaaaa7xtyhu7tbdmgfkdzyvyxmqxzr5znphjokbxxm6ccwszi4cbtkl2a';
export const VAULT_IAD = `ocid1.vault.oc1.iad.bbpozmd6aaeug.abuwcljr${U}`;
export const KEY_IAD = `ocid1.key.oc1.iad.bbpozmd6aaeug.abuwcljr${U}`;
export const VAULT_FRA_KEYFORM = `ocid1.vault.oc1.fra.bbpozmd6aaeug.abtheljs${U}`;
export const BIG = 'x'.repeat(120 * 1024);

import type { TokenCredential } from '@azure/core-auth';
import { quote } from '../echo';
import { TaskError, errorMessage } from '../errors';
import { HttpClient } from '../http';
import { SecretRegistry } from '../secrets';
import { KubernetesConnection } from './kubernetes';

/**
 * The cluster credentials of an AKS managed cluster through ARM, as the REST reference describes
 * (azure-rest-api-specs specification/containerservice/resource-manager/Microsoft.ContainerService/aks/stable,
 * managedClusters.json: POST …/managedClusters/{name}/listClusterUserCredential (or
 * listClusterAdminCredential) → CredentialResults { kubeconfigs: [{ name, value: base64 kubeconfig }] }).
 * Microsoft's tasks call the same operation (azure-pipelines-tasks azure-arm-rest azure-arm-aks-service.ts
 * getClusterCredential). It is one POST: @azure/arm-containerservice would add its generated models and
 * mappers for the whole AKS API to the bundle of every Kubernetes task (the .vsix is at its 4 MB budget),
 * so the call goes through the task's HttpClient (agent proxy and CA, retries honouring Retry-After).
 */
export const AKS_API_VERSION = '2024-09-01';

type Aks = Extract<KubernetesConnection, { kind: 'aks' }>;

export interface AksEnv {
  http: HttpClient;
  secrets: SecretRegistry;
}

export async function fetchAksKubeconfig(conn: Aks, credential: TokenCredential, env: AksEnv): Promise<string> {
  const { cluster, azure } = conn;
  const operation = conn.admin ? 'listClusterAdminCredential' : 'listClusterUserCredential';
  const path = [
    'subscriptions',
    cluster.subscriptionId,
    'resourceGroups',
    cluster.resourceGroup,
    'providers/Microsoft.ContainerService/managedClusters',
    cluster.name,
    operation,
  ]
    .map((p) => (p.includes('/') ? p : encodeURIComponent(p)))
    .join('/');
  const url = new URL(path, azure.resourceManagerUrl);
  url.searchParams.set('api-version', AKS_API_VERSION);
  // format=exec: an Entra-enabled cluster's user kubeconfig names kubelogin, whose token kube-exec.ts mints.
  if (!conn.admin) url.searchParams.set('format', 'exec');
  const where = `AKS cluster '${cluster.name}' (resource group '${cluster.resourceGroup}', subscription ${cluster.subscriptionId}) of Kubernetes connection '${conn.connectionId}'`;
  let token: string;
  try {
    const t = await credential.getToken(azure.armScope);
    if (!t) throw new Error('no token returned');
    token = t.token;
  } catch (err) {
    throw new TaskError(
      `Azure connection '${azure.connectionId}' got no ARM token to read the credentials of ${where}: ${errorMessage(err)}`,
      "Check the Azure Resource Manager connection's tenant, client id and secret (or federation).",
    );
  }
  env.secrets.register(token);
  const res = await env.http.fetch(url, {
    method: 'POST',
    // A read despite the verb: safe to repeat on 429/5xx.
    idempotent: true,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '',
  });
  const text = await res.text();
  if (!res.ok) throw armFailure(res.status, text, where, conn);
  let value: string | undefined;
  try {
    const body = JSON.parse(text) as { kubeconfigs?: { name?: string; value?: string }[] };
    value = body.kubeconfigs?.find((k) => k.value)?.value;
  } catch {
    value = undefined;
  }
  if (!value)
    throw new TaskError(
      `ARM returned no kubeconfig for ${where}.`,
      'Check that the cluster is running (az aks show) and try again.',
    );
  const kubeconfig = Buffer.from(value, 'base64').toString('utf8');
  env.secrets.register(kubeconfig);
  return kubeconfig;
}

function armFailure(status: number, text: string, where: string, conn: Aks): TaskError {
  let code = `HTTP ${status}`;
  let message: string;
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
    code = e?.code ?? code;
    message = e?.message ?? '';
  } catch {
    message = text;
  }
  // The service's words, clipped; the host neutralises them before they reach the log.
  const said = `ARM ${quote(code, 80)}${message ? `: ${quote(message, 300)}` : ''}`;
  if (status === 404)
    return new TaskError(
      `${where} was not found (${said}).`,
      'Check the cluster, resource group and subscription of the Kubernetes connection (az aks list -o table).',
    );
  if (status === 401 || status === 403) {
    const role = conn.admin
      ? 'Azure Kubernetes Service Cluster Admin Role'
      : 'Azure Kubernetes Service Cluster User Role';
    return new TaskError(
      `Azure connection '${conn.azure.connectionId}' may not read the credentials of ${where} (${said}).`,
      `Assign the connection's identity the ${role} on the cluster.`,
    );
  }
  return new TaskError(
    `Reading the credentials of ${where} failed (${said}).`,
    'Check the cluster in the Azure portal.',
  );
}

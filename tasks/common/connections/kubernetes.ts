import { EndpointAccessor } from '../host';
import { InputReader } from '../inputs';
import type { AzureRmConnection } from './azure-rm';
import type { OciConnection } from './oci';

/**
 * Connections that can mint cluster credentials for the exec users of a kubeconfig (kube-exec.ts):
 * the AzureRM connection replaces `kubelogin get-token`, the OCI connection `oci ce cluster generate-token`.
 * The agent hands a task only the endpoints its own connectedService inputs name, so both come from task
 * inputs (azureSubscriptionEndpoint, ociConnection), never from ids stored inside another connection.
 */
export interface KubeCredentialSources {
  azure?: AzureRmConnection;
  oci?: OciConnection;
  /** The task's input for `azure`; undefined when the task offers none (AKS then needs a stored token). */
  azureInput?: string;
}

export type KubernetesConnection = { connectionId: string; sources: KubeCredentialSources } & (
  | { kind: 'kubeconfig'; kubeconfig: string; context?: string }
  | { kind: 'serviceAccount'; server: string; token: string; caData?: string; skipTlsVerify: boolean }
  | { kind: 'aks'; cluster: AksClusterRef; admin: boolean; azure: AzureRmConnection }
);

/** An AKS managed cluster, as ARM names it. */
export interface AksClusterRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

type Reader = (
  id: string,
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
  sources: KubeCredentialSources,
) => KubernetesConnection | undefined;

/** The data.authorizationType values of the Kubernetes service connection, lower-cased. */
const READERS: Record<string, Reader> = {
  kubeconfig: readKubeconfig,
  serviceaccount: readServiceAccount,
  azuresubscription: readAzureSubscription,
};

/** Reads a Kubernetes service connection (Kubeconfig, Service Account or Azure Subscription authorization). */
export function readKubernetesConnection(
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
  sources: KubeCredentialSources = {},
): KubernetesConnection | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const type = (
    endpoints.data(id, 'authorizationType') ??
    endpoints.authParam(id, 'authorizationType') ??
    'Kubeconfig'
  ).toLowerCase();
  const reader = READERS[type];
  if (reader) return reader(id, inputs, endpoints, inputName, sources);
  inputs.problem(
    inputName,
    `authorization type '${type}' of service connection '${id}' is not supported.`,
    'Use a Kubeconfig, Service Account or Azure Subscription Kubernetes connection.',
  );
  return undefined;
}

function readKubeconfig(
  id: string,
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
  sources: KubeCredentialSources,
): KubernetesConnection | undefined {
  const kubeconfig = endpoints.authParam(id, 'kubeconfig');
  if (!kubeconfig) {
    inputs.problem(
      inputName,
      `service connection '${id}' has no kubeconfig.`,
      'Edit the Kubernetes connection and paste the cluster kubeconfig.',
    );
    return undefined;
  }
  const context = endpoints.authParam(id, 'clusterContext') || undefined;
  return { kind: 'kubeconfig', connectionId: id, sources, kubeconfig, context };
}

/**
 * Token and CA as the connection stores them. An Azure Subscription connection created by Azure DevOps
 * carries a service account it made in the cluster the same way, which Microsoft's tasks read alike
 * (azure-pipelines-tasks kubernetes-common kubectlutility.ts: "ServiceAccount" || "AzureSubscription"
 * → createKubeconfig from apiToken and serviceAccountCertificate).
 */
function readServiceAccount(
  id: string,
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
  sources: KubeCredentialSources,
): KubernetesConnection | undefined {
  const server = endpoints.url(id);
  const encoded = endpoints.authParam(id, 'apiToken');
  if (!server || !encoded) {
    inputs.problem(
      inputName,
      `service connection '${id}' lacks the server URL or the service account token.`,
      'Edit the Kubernetes connection and fill in both.',
    );
    return undefined;
  }
  inputs.secrets.register(encoded);
  // The service connection stores the token base64-encoded, as a Secret's data does.
  const token = inputs.secrets.register(Buffer.from(encoded, 'base64').toString('utf8')) as string;
  const caData = endpoints.authParam(id, 'serviceAccountCertificate') || undefined;
  const skipTlsVerify = (endpoints.data(id, 'acceptUntrustedCerts') ?? '').toLowerCase() === 'true';
  return { kind: 'serviceAccount', connectionId: id, sources, server, token, caData, skipTlsVerify };
}

const CLUSTER_ID =
  /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/providers\/microsoft\.containerservice\/managedclusters\/([^/]+)\/?$/i;

/** data.clusterId as Azure DevOps stores it (terraform-provider-azuredevops resource_serviceendpoint_kubernetes.go). */
export function parseAksClusterId(clusterId: string): AksClusterRef | undefined {
  const m = CLUSTER_ID.exec(clusterId.trim());
  return m ? { subscriptionId: m[1], resourceGroup: m[2], name: m[3] } : undefined;
}

/**
 * The Azure Subscription type: data.clusterId (/subscriptions/…/resourcegroups/…/managedClusters/…),
 * data.clusterAdmin, data.azureSubscriptionId; auth azureTenantId/azureEnvironment. Connections that also
 * carry a service account token use it; the others reach the cluster through ARM with the AzureRM
 * connection of the azureSubscriptionEndpoint input (kube-aks.ts), as KubernetesManifest@1 does with its
 * azureSubscriptionEndpoint/azureResourceGroup/kubernetesCluster/useClusterAdmin inputs, which the
 * connection's data may also hold under those names.
 */
function readAzureSubscription(
  id: string,
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
  sources: KubeCredentialSources,
): KubernetesConnection | undefined {
  if (endpoints.authParam(id, 'apiToken') && endpoints.url(id))
    return readServiceAccount(id, inputs, endpoints, inputName, sources);
  const data = (key: string): string => (endpoints.data(id, key) ?? '').trim();
  const byId = data('clusterId') ? parseAksClusterId(data('clusterId')) : undefined;
  const resourceGroup = byId?.resourceGroup ?? data('azureResourceGroup');
  const name = byId?.name ?? data('kubernetesCluster');
  const subscriptionId = byId?.subscriptionId ?? (data('azureSubscriptionId') || sources.azure?.subscriptionId || '');
  if (!resourceGroup || !name || !subscriptionId) {
    inputs.problem(
      inputName,
      `service connection '${id}' is an Azure Subscription connection without a cluster: clusterId ${JSON.stringify(data('clusterId'))} is not /subscriptions/<id>/resourcegroups/<group>/providers/Microsoft.ContainerService/managedClusters/<name>.`,
      'Re-create the Kubernetes connection with its Azure Subscription, resource group and cluster selected.',
    );
    return undefined;
  }
  if (!sources.azure) {
    const what = `service connection '${id}' is an Azure Subscription connection to AKS cluster '${name}' and holds no cluster credentials`;
    if (sources.azureInput)
      inputs.problem(
        inputName,
        `${what}; the task fetches them from ARM with an Azure Resource Manager connection.`,
        `Set ${sources.azureInput} to an Azure Resource Manager connection allowed to list the cluster credentials (Azure Kubernetes Service Cluster User Role).`,
      );
    else
      inputs.problem(
        inputName,
        `${what}, and this task does not read them from ARM.`,
        'Use a Kubeconfig connection (az aks get-credentials --admin, or a kubeconfig with a service account token) or a Service Account connection.',
      );
    return undefined;
  }
  const admin = ['true', '1', 'yes'].includes((data('clusterAdmin') || data('useClusterAdmin')).toLowerCase());
  return {
    kind: 'aks',
    connectionId: id,
    sources,
    cluster: { subscriptionId, resourceGroup, name },
    admin,
    azure: sources.azure,
  };
}

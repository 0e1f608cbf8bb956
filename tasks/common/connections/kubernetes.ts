import type { KubeConfig } from '@kubernetes/client-node';
import { TaskError } from '../errors';
import { EndpointAccessor } from '../host';
import { InputReader } from '../inputs';
import { SecretRegistry } from '../secrets';

export type KubernetesConnection =
  | { kind: 'kubeconfig'; kubeconfig: string; context?: string }
  | { kind: 'serviceAccount'; server: string; token: string; caData?: string; skipTlsVerify: boolean };

/** Reads a Kubernetes service connection (Kubeconfig or Service Account authorization). */
export function readKubernetesConnection(inputs: InputReader, endpoints: EndpointAccessor, inputName: string): KubernetesConnection | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const type = (endpoints.data(id, 'authorizationType') ?? endpoints.authParam(id, 'authorizationType') ?? 'Kubeconfig').toLowerCase();
  if (type === 'kubeconfig') {
    const kubeconfig = endpoints.authParam(id, 'kubeconfig');
    if (!kubeconfig) {
      inputs.problem(inputName, `service connection '${id}' has no kubeconfig.`, 'Edit the Kubernetes connection and paste the cluster kubeconfig.');
      return undefined;
    }
    return { kind: 'kubeconfig', kubeconfig, context: endpoints.authParam(id, 'clusterContext') || undefined };
  }
  if (type === 'serviceaccount') {
    const server = endpoints.url(id);
    const encoded = endpoints.authParam(id, 'apiToken');
    if (!server || !encoded) {
      inputs.problem(inputName, `service connection '${id}' lacks the server URL or the service account token.`, 'Edit the Kubernetes connection and fill in both.');
      return undefined;
    }
    inputs.secrets.register(encoded);
    // The service connection stores the token base64-encoded, as a Secret's data does.
    const token = inputs.secrets.register(Buffer.from(encoded, 'base64').toString('utf8')) as string;
    const caData = endpoints.authParam(id, 'serviceAccountCertificate') || undefined;
    const skipTlsVerify = (endpoints.data(id, 'acceptUntrustedCerts') ?? '').toLowerCase() === 'true';
    return { kind: 'serviceAccount', server, token, caData, skipTlsVerify };
  }
  inputs.problem(inputName, `authorization type '${type}' of service connection '${id}' is not supported.`, 'Use a Kubeconfig or Service Account Kubernetes connection (for AKS, a kubeconfig from az aks get-credentials).');
  return undefined;
}

/** Builds a client-node KubeConfig; the library is loaded only by tasks that talk to a cluster. */
export async function createKubeConfig(conn: KubernetesConnection, secrets: SecretRegistry): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  if (conn.kind === 'kubeconfig') {
    try {
      kc.loadFromString(conn.kubeconfig);
    } catch {
      throw new TaskError('The kubeconfig of the Kubernetes connection is not valid YAML or JSON.', 'Paste a kubeconfig as produced by kubectl config view --raw.');
    }
    if (conn.context) kc.setCurrentContext(conn.context);
  } else {
    kc.loadFromOptions({
      clusters: [{ name: 'cluster', server: conn.server, caData: conn.caData, skipTLSVerify: conn.skipTlsVerify }],
      users: [{ name: 'task', token: conn.token }],
      contexts: [{ name: 'task', cluster: 'cluster', user: 'task' }],
      currentContext: 'task',
    });
  }
  for (const user of kc.getUsers()) {
    secrets.register(user.token);
    secrets.register(user.password);
    if (user.keyData) {
      secrets.register(user.keyData);
      secrets.register(Buffer.from(user.keyData, 'base64').toString('utf8'));
    }
  }
  if (!kc.getCurrentCluster()) throw new TaskError('The Kubernetes connection selects no cluster.', 'Set current-context in the kubeconfig or the connection\'s cluster context.');
  return kc;
}

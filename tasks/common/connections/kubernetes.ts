import { EndpointAccessor } from '../host';
import { InputReader } from '../inputs';

export type KubernetesConnection =
  | { kind: 'kubeconfig'; kubeconfig: string; context?: string }
  | { kind: 'serviceAccount'; server: string; token: string; caData?: string; skipTlsVerify: boolean };

/** Reads a Kubernetes service connection (Kubeconfig or Service Account authorization). */
export function readKubernetesConnection(
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
): KubernetesConnection | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const type = (
    endpoints.data(id, 'authorizationType') ??
    endpoints.authParam(id, 'authorizationType') ??
    'Kubeconfig'
  ).toLowerCase();
  if (type === 'kubeconfig') {
    const kubeconfig = endpoints.authParam(id, 'kubeconfig');
    if (!kubeconfig) {
      inputs.problem(
        inputName,
        `service connection '${id}' has no kubeconfig.`,
        'Edit the Kubernetes connection and paste the cluster kubeconfig.',
      );
      return undefined;
    }
    return { kind: 'kubeconfig', kubeconfig, context: endpoints.authParam(id, 'clusterContext') || undefined };
  }
  if (type === 'serviceaccount') {
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
    return { kind: 'serviceAccount', server, token, caData, skipTlsVerify };
  }
  inputs.problem(
    inputName,
    `authorization type '${type}' of service connection '${id}' is not supported.`,
    'Use a Kubeconfig or Service Account Kubernetes connection (for AKS, a kubeconfig from az aks get-credentials).',
  );
  return undefined;
}

import { EndpointAccessor } from '../host';
import { quote } from '../echo';
import { InputReader } from '../inputs';
import { AzureRmConnection } from './azure-rm';

/**
 * The schemes a Docker Registry service connection carries: UsernamePassword (Others, Docker Hub),
 * ServicePrincipal (Azure Container Registry), and for ACR with Entra identities
 * WorkloadIdentityFederation and ManagedServiceIdentity (azure-pipelines-tasks
 * common-npm-packages docker-common registryauthenticationprovider).
 */
const DOCKER_SCHEMES = ['usernamepassword', 'serviceprincipal', 'workloadidentityfederation', 'managedserviceidentity'];

/** A Docker Registry service connection: where and with which Basic credentials to ask for tokens. */
export interface RegistryCredentials {
  /** host[:port], no scheme. */
  registry: string;
  username?: string;
  password?: string;
  /**
   * An "Azure Container Registry" connection with workload identity federation or managed identity:
   * no password at all; an Entra token (for the connection's own identity) is exchanged for an ACR
   * refresh token, as Docker@2's ACR token provider does.
   */
  azure?: AzureRmConnection;
}

const ENTRA_SCHEMES: Record<string, 'workloadIdentity' | 'managedIdentity'> = {
  workloadidentityfederation: 'workloadIdentity',
  managedserviceidentity: 'managedIdentity',
};

/** The identity of an ACR-type Docker Registry connection that authenticates through Entra. */
function entraIdentity(
  endpoints: EndpointAccessor,
  id: string,
  kind: 'workloadIdentity' | 'managedIdentity',
): AzureRmConnection {
  const param = (k: string): string => (endpoints.authParam(id, k) ?? endpoints.data(id, k) ?? '').trim();
  const authorityHost = endpoints.data(id, 'environmentAuthorityUrl') || 'https://login.microsoftonline.com/';
  const resourceId =
    endpoints.data(id, 'activeDirectoryServiceEndpointResourceId') || 'https://management.core.windows.net/';
  return {
    connectionId: id,
    tenantId: param('tenantid'),
    clientId: param('serviceprincipalid'),
    subscriptionId: param('subscriptionId') || undefined,
    auth: { kind },
    resourceManagerUrl: endpoints.data(id, 'resourceManagerUrl') || 'https://management.azure.com/',
    authorityHost: authorityHost.endsWith('/') ? authorityHost : `${authorityHost}/`,
    armScope: `${resourceId.endsWith('/') ? resourceId : `${resourceId}/`}.default`,
  };
}

/** "https://myacr.azurecr.io/v1/" → "myacr.azurecr.io"; Docker Hub's legacy URL maps to its API host. */
export function registryHost(value: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  const host = new URL(withScheme).host.toLowerCase();
  return host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

export function readDockerRegistryConnection(
  inputs: InputReader,
  endpoints: EndpointAccessor,
  inputName: string,
): RegistryCredentials | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const scheme = endpoints.scheme(id) ?? 'UsernamePassword';
  if (!DOCKER_SCHEMES.includes(scheme.toLowerCase())) {
    inputs.problem(
      inputName,
      `service connection '${id}' has the authorization scheme ${quote(scheme)}, which a Docker Registry connection never has.`,
      'Select a Docker Registry connection (Others, Docker Hub or Azure Container Registry).',
    );
    return undefined;
  }
  const entra = ENTRA_SCHEMES[scheme.toLowerCase()];
  if (entra) {
    const registry = endpoints.authParam(id, 'loginServer') ?? endpoints.data(id, 'loginServer') ?? endpoints.url(id);
    const azure = entraIdentity(endpoints, id, entra);
    if (entra === 'workloadIdentity' && (!azure.tenantId || !azure.clientId)) {
      inputs.problem(
        inputName,
        `service connection '${id}' uses workload identity federation but has no tenant or service principal id.`,
        'Re-create the Azure Container Registry connection.',
      );
      return undefined;
    }
    if (!registry) {
      inputs.problem(
        inputName,
        `service connection '${id}' has no login server.`,
        'Edit the connection and pick the registry (e.g. myacr.azurecr.io).',
      );
      return undefined;
    }
    return { registry: registryHost(registry), azure };
  }
  // ACR-type Docker connections hold a service principal, which ACR accepts as Basic credentials.
  const spn = scheme.toLowerCase() === 'serviceprincipal';
  const registry = endpoints.authParam(id, spn ? 'loginServer' : 'registry') ?? endpoints.url(id);
  const username = endpoints.authParam(id, spn ? 'serviceprincipalid' : 'username');
  const password = inputs.secrets.register(endpoints.authParam(id, spn ? 'serviceprincipalkey' : 'password'));
  if (!registry) {
    inputs.problem(
      inputName,
      `service connection '${id}' has no registry URL.`,
      'Edit the Docker Registry connection and set its registry (e.g. myacr.azurecr.io).',
    );
    return undefined;
  }
  let host: string;
  try {
    host = registryHost(registry);
  } catch {
    inputs.problem(
      inputName,
      `registry '${registry}' of service connection '${id}' is not a host or URL.`,
      'Use a value such as myacr.azurecr.io.',
    );
    return undefined;
  }
  if ((username && !password) || (!username && password)) {
    inputs.problem(
      inputName,
      `service connection '${id}' has a ${username ? 'user name without a password' : 'password without a user name'}.`,
      'Set both, or neither for anonymous pulls.',
    );
  }
  return { registry: host, username: username || undefined, password: password || undefined };
}

import { EndpointAccessor } from '../host';
import { quote } from '../echo';
import { InputReader } from '../inputs';

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
}

/** "https://myacr.azurecr.io/v1/" → "myacr.azurecr.io"; Docker Hub's legacy URL maps to its API host. */
export function registryHost(value: string): string {
  const withScheme = /^[a-z]+:\/\//i.test(value) ? value : `https://${value}`;
  const host = new URL(withScheme).host.toLowerCase();
  return host === 'index.docker.io' ? 'registry-1.docker.io' : host;
}

export function readDockerRegistryConnection(inputs: InputReader, endpoints: EndpointAccessor, inputName: string): RegistryCredentials | undefined {
  const id = inputs.connection(inputName);
  if (!id) return undefined;
  const scheme = endpoints.scheme(id) ?? 'UsernamePassword';
  if (!DOCKER_SCHEMES.includes(scheme.toLowerCase())) {
    inputs.problem(inputName, `service connection '${id}' has the authorization scheme ${quote(scheme)}, which a Docker Registry connection never has.`, 'Select a Docker Registry connection (Others, Docker Hub or Azure Container Registry).');
    return undefined;
  }
  // ACR-type Docker connections hold a service principal, which ACR accepts as Basic credentials.
  const spn = scheme.toLowerCase() === 'serviceprincipal';
  const registry = endpoints.authParam(id, spn ? 'loginServer' : 'registry') ?? endpoints.url(id);
  const username = endpoints.authParam(id, spn ? 'serviceprincipalid' : 'username');
  const password = inputs.secrets.register(endpoints.authParam(id, spn ? 'serviceprincipalkey' : 'password'));
  if (!registry) {
    inputs.problem(inputName, `service connection '${id}' has no registry URL.`, 'Edit the Docker Registry connection and set its registry (e.g. myacr.azurecr.io).');
    return undefined;
  }
  let host: string;
  try {
    host = registryHost(registry);
  } catch {
    inputs.problem(inputName, `registry '${registry}' of service connection '${id}' is not a host or URL.`, 'Use a value such as myacr.azurecr.io.');
    return undefined;
  }
  if ((username && !password) || (!username && password)) {
    inputs.problem(inputName, `service connection '${id}' has a ${username ? 'user name without a password' : 'password without a user name'}.`, 'Set both, or neither for anonymous pulls.');
  }
  return { registry: host, username: username || undefined, password: password || undefined };
}

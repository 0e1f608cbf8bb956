import type { KubeConfig, User } from '@kubernetes/client-node';
import type { TokenCredential } from '@azure/core-auth';
import { TaskError, errorMessage } from '../errors';
import { SecretRegistry } from '../secrets';
import { KubernetesConnection } from './kubernetes';
import { generateOkeToken } from './oke-token';

/**
 * Kubeconfig users whose credentials come from a client-side plugin the agent does not have: AKS's
 * `kubelogin get-token` (and the legacy `auth-provider: azure`), OKE's `oci ce cluster generate-token`.
 * Each is recognised by one entry of EXEC_PLUGINS and replaced by a user whose bearer token the task
 * mints itself from the matching service connection, refreshed before it runs out.
 */

/** The AKS AAD server application (Microsoft Entra ID integration): the audience of kubelogin's tokens. */
export const AKS_SERVER_APP_ID = '6dae42f8-4368-4678-94ff-3960e28e3630';
const PROVIDER = 'multicloud-devsecops-connection-token';
/** client-node's Authenticator (not exported from its index). */
type Authenticator = Parameters<KubeConfig['addAuthenticator']>[0];

export interface TokenSource {
  /** Who minted the token for whom: quoted when the cluster refuses it. */
  describe: string;
  token(): Promise<{ token: string; refreshAt: number }>;
}

export interface ExecEnv {
  conn: KubernetesConnection;
  secrets: SecretRegistry;
  azureCredential?: () => Promise<TokenCredential>;
}

interface ExecPlugin {
  matches(user: User): boolean;
  source(user: User, env: ExecEnv): TokenSource;
}

interface ExecSpec {
  command?: string;
  args?: string[];
}

const execOf = (user: User): ExecSpec => (user.exec ?? {}) as ExecSpec;
const commandName = (user: User): string =>
  (execOf(user).command ?? '')
    .split(/[\\/]/)
    .pop()!
    .replace(/\.exe$/i, '');

/** `--name value` or `--name=value` among exec args. */
export function argValue(args: string[], name: string): string | undefined {
  for (const [i, a] of args.entries()) {
    if (a === name) return args[i + 1];
    if (a.startsWith(`${name}=`)) return a.slice(name.length + 1);
  }
  return undefined;
}

const kubelogin: ExecPlugin = {
  matches: (user) =>
    (commandName(user) === 'kubelogin' && (execOf(user).args ?? [])[0] === 'get-token') ||
    (user.authProvider as { name?: string } | undefined)?.name === 'azure',
  source(user, env) {
    const args = execOf(user).args ?? [];
    const config = (user.authProvider as { config?: Record<string, string> } | undefined)?.config ?? {};
    const serverId = argValue(args, '--server-id') ?? config['apiserver-id'] ?? AKS_SERVER_APP_ID;
    const azure = env.conn.kind === 'aks' ? env.conn.azure : env.conn.sources.azure;
    if (!azure || !env.azureCredential)
      throw new TaskError(
        `The kubeconfig of Kubernetes connection '${env.conn.connectionId}' gets its token from kubelogin (Microsoft Entra ID), which the agent does not run.`,
        env.conn.sources.azureInput
          ? `Set ${env.conn.sources.azureInput} to an Azure Resource Manager connection whose identity may use the cluster.`
          : 'Use a kubeconfig with a service account token or a client certificate (az aks get-credentials --admin).',
      );
    const makeCredential = env.azureCredential;
    return {
      describe: `an Entra token for audience ${serverId} from Azure connection '${azure.connectionId}' (Kubernetes connection '${env.conn.connectionId}')`,
      async token() {
        let t;
        try {
          t = await (await makeCredential()).getToken(`${serverId}/.default`);
        } catch (err) {
          throw new TaskError(
            `Azure connection '${azure.connectionId}' got no Entra token for the AKS server application ${serverId} (Kubernetes connection '${env.conn.connectionId}'): ${errorMessage(err)}`,
            'Check the server id in the kubeconfig (kubelogin --server-id) and the Azure connection.',
          );
        }
        if (!t) throw new TaskError(`Azure connection '${azure.connectionId}' returned no token.`);
        return { token: t.token, refreshAt: t.refreshAfterTimestamp ?? t.expiresOnTimestamp - 5 * 60_000 };
      },
    };
  },
};

const oke: ExecPlugin = {
  matches: (user) =>
    commandName(user) === 'oci' && (execOf(user).args ?? []).slice(0, 3).join(' ') === 'ce cluster generate-token',
  source(user, env) {
    const args = execOf(user).args ?? [];
    const clusterId = argValue(args, '--cluster-id');
    const oci = env.conn.sources.oci;
    if (!oci)
      throw new TaskError(
        `The kubeconfig of Kubernetes connection '${env.conn.connectionId}' gets its token from the OCI CLI (oci ce cluster generate-token), which the agent does not run.`,
        'Set ociConnection to the OCI connection whose API key may use the cluster; the task signs the token itself.',
      );
    if (!clusterId)
      throw new TaskError(
        `The kubeconfig of Kubernetes connection '${env.conn.connectionId}' runs oci ce cluster generate-token without --cluster-id.`,
        'Paste the kubeconfig as oci ce cluster create-kubeconfig writes it.',
      );
    // --region overrides the profile's region in the CLI; the connection's region is the profile's.
    const region = argValue(args, '--region') ?? oci.region;
    return {
      describe: `an OKE token for cluster ${clusterId} in ${region} signed with the OCI connection's key ${oci.fingerprint} (Kubernetes connection '${env.conn.connectionId}')`,
      token: () => Promise.resolve(generateOkeToken(oci, { clusterId, region })),
    };
  },
};

export const EXEC_PLUGINS: Record<'kubelogin' | 'oke', ExecPlugin> = { kubelogin, oke };

/** Bearer tokens for the replaced users, cached until the refresh time. */
class ConnectionTokenAuthenticator implements Authenticator {
  private readonly cache = new Map<string, { token: string; refreshAt: number }>();
  constructor(
    private readonly sources: Map<string, TokenSource>,
    private readonly secrets: SecretRegistry,
  ) {}
  isAuthProvider(user: User): boolean {
    return (user.authProvider as { name?: string } | undefined)?.name === PROVIDER;
  }
  async applyAuthentication(user: User, opts: { headers?: unknown }): Promise<void> {
    const source = this.sources.get(user.name);
    if (!source) return;
    let cached = this.cache.get(user.name);
    if (!cached || Date.now() >= cached.refreshAt) {
      cached = await source.token();
      this.secrets.register(cached.token);
      this.cache.set(user.name, cached);
    }
    const headers = (opts.headers ?? {}) as Record<string, string>;
    headers.Authorization = `Bearer ${cached.token}`;
    opts.headers = headers;
  }
}

/**
 * Replaces every exec (or azure auth-provider) user a plugin recognises; other users are left to
 * client-node. Returns what the current user's token is, for the message of a 401.
 */
export function replaceExecUsers(kc: KubeConfig, env: ExecEnv): string | undefined {
  const sources = new Map<string, TokenSource>();
  const users = kc.getUsers().map((user) => {
    const plugin = Object.values(EXEC_PLUGINS).find((p) => p.matches(user));
    if (!plugin) return user;
    sources.set(user.name, plugin.source(user, env));
    const replaced: User = { name: user.name, authProvider: { name: PROVIDER, config: {} } };
    return replaced;
  });
  if (!sources.size) return undefined;
  kc.addAuthenticator(new ConnectionTokenAuthenticator(sources, env.secrets));
  kc.loadFromOptions({
    clusters: kc.getClusters(),
    users,
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  const current = kc.getCurrentUser()?.name;
  return current ? sources.get(current)?.describe : undefined;
}

import * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import type { TokenCredential } from '@azure/core-auth';
import { TaskError } from '../errors';
import { HttpClient } from '../http';
import { AgentNetwork, DIRECT } from '../network/agent-network';
import { kubeClusterNetwork } from '../network/client-options';
import { SecretRegistry } from '../secrets';
import type { AzureRmConnection } from './azure-rm';
import { fetchAksKubeconfig } from './kube-aks';
import { replaceExecUsers } from './kube-exec';
import { KubernetesConnection } from './kubernetes';

/*
 * Only executors import this module (index.js must not load client-node). The named static
 * import lets esbuild drop the API groups and models a task does not use, about 2 MB a bundle.
 */

/**
 * A KubeConfig that also says what credentials the cluster is shown, for the message of a 401
 * ("the cluster refused <authHint>"); createKubeClient reads it.
 */
export class TaskKubeConfig extends KubeConfig {
  authHint?: string;
  /** One keep-alive agent per set of TLS options (see applySecurityAuthentication). */
  private readonly agents = new Map<string, https.Agent>();

  /**
   * client-node 1.x makes a new https.Agent for every API call (config.js applySecurityAuthentication →
   * createAgent), so every call is a new TCP connection, TLS handshake and OpenSSL context, as kubectl never
   * does. The agent it made is swapped for a kept-alive one with the same TLS options (CA, client cert,
   * servername, rejectUnauthorized), so a run's calls share connections. Proxy agents (a cluster's
   * proxy-url, the agent's proxy) are left as client-node made them.
   */
  override async applySecurityAuthentication(
    context: Parameters<KubeConfig['applySecurityAuthentication']>[0],
  ): Promise<void> {
    await super.applySecurityAuthentication(context);
    const made = context.getAgent();
    if (!made || made.constructor !== https.Agent) return;
    const o = made.options;
    // client-node decodes caData into a new Buffer per call: compared as text, not as JSON arrays of bytes.
    const text = (v: unknown): string =>
      Buffer.isBuffer(v)
        ? v.toString('latin1')
        : Array.isArray(v)
          ? v.map(text).join('\u0001')
          : typeof v === 'object' && v !== null
            ? JSON.stringify(v)
            : String(v);
    const key = [o.ca, o.cert, o.key, o.pfx, o.passphrase, o.rejectUnauthorized, o.servername].map(text).join('\u0000');
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new https.Agent({ ...o, keepAlive: true });
      this.agents.set(key, agent);
    }
    context.setAgent(agent);
  }
}

/** What building a KubeConfig may need besides the connection: ARM and Entra calls for AKS. */
export interface KubeConfigEnv {
  secrets: SecretRegistry;
  network?: AgentNetwork;
  /** The task's HTTP client (agent proxy, retries); required for AKS through ARM. */
  http?: HttpClient;
  /**
   * Entra credentials for an AzureRM connection (azure-rm.ts createAzureCredential): passed by the tasks
   * that offer AKS through ARM, so the others do not bundle @azure/identity.
   */
  azureCredential?: (conn: AzureRmConnection) => Promise<TokenCredential>;
}

type Builder = (
  conn: KubernetesConnection,
  env: KubeConfigEnv,
  azure: () => Promise<TokenCredential>,
) => Promise<TaskKubeConfig>;

function fromYaml(text: string, context: string | undefined, connectionId: string): TaskKubeConfig {
  const kc = new TaskKubeConfig();
  try {
    kc.loadFromString(text);
  } catch {
    throw new TaskError(
      `The kubeconfig of Kubernetes connection '${connectionId}' is not valid YAML or JSON.`,
      'Paste a kubeconfig as produced by kubectl config view --raw.',
    );
  }
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** One way to a KubeConfig per kind of connection (kubernetes.ts reads them). */
const BUILDERS: Record<KubernetesConnection['kind'], Builder> = {
  kubeconfig: (conn) => {
    const c = conn as Extract<KubernetesConnection, { kind: 'kubeconfig' }>;
    return Promise.resolve(fromYaml(c.kubeconfig, c.context, c.connectionId));
  },
  serviceAccount: (conn) => {
    const c = conn as Extract<KubernetesConnection, { kind: 'serviceAccount' }>;
    const kc = new TaskKubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'cluster', server: c.server, caData: c.caData, skipTLSVerify: c.skipTlsVerify }],
      users: [{ name: 'task', token: c.token }],
      contexts: [{ name: 'task', cluster: 'cluster', user: 'task' }],
      currentContext: 'task',
    });
    return Promise.resolve(kc);
  },
  aks: async (conn, env, azure) => {
    const c = conn as Extract<KubernetesConnection, { kind: 'aks' }>;
    if (!env.http) throw new Error('AKS connections need the task HTTP client');
    return fromYaml(
      await fetchAksKubeconfig(c, await azure(), { http: env.http, secrets: env.secrets }),
      undefined,
      c.connectionId,
    );
  },
};

/** Builds a client-node KubeConfig for the connection, registering every credential it holds. */
export async function createKubeConfig(conn: KubernetesConnection, env: KubeConfigEnv): Promise<TaskKubeConfig> {
  const network = env.network ?? DIRECT;
  const azureConn = conn.kind === 'aks' ? conn.azure : conn.sources.azure;
  let credential: Promise<TokenCredential> | undefined;
  const azure = (): Promise<TokenCredential> => {
    if (!azureConn || !env.azureCredential) throw new Error('no Azure credential for this Kubernetes connection');
    return (credential ??= env.azureCredential(azureConn));
  };
  const kc = await BUILDERS[conn.kind](conn, env, azure);
  for (const user of kc.getUsers()) {
    env.secrets.register(user.token);
    env.secrets.register(user.password);
    if (user.keyData) {
      env.secrets.register(user.keyData);
      env.secrets.register(Buffer.from(user.keyData, 'base64').toString('utf8'));
    }
  }
  const authHint = replaceExecUsers(kc, {
    conn,
    secrets: env.secrets,
    azureCredential: azureConn && env.azureCredential ? azure : undefined,
  });
  // The agent's proxy (bypass list honoured per server) and CA go into every cluster entry, which
  // client-node turns into its proxy agent and TLS options.
  const clusters = kc.getClusters().map((c) => ({ ...c, ...kubeClusterNetwork(network, c.server, c.caData) }));
  kc.loadFromOptions({
    clusters,
    users: kc.getUsers(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
  });
  if (!kc.getCurrentCluster())
    throw new TaskError(
      `The Kubernetes connection '${conn.connectionId}' selects no cluster.`,
      "Set current-context in the kubeconfig or the connection's cluster context.",
    );
  kc.authHint = authHint ?? `the credentials of Kubernetes connection '${conn.connectionId}'`;
  return kc;
}

import { KubeConfig } from '@kubernetes/client-node';
import { TaskError } from '../errors';
import { AgentNetwork, DIRECT } from '../network/agent-network';
import { kubeClusterNetwork } from '../network/client-options';
import { SecretRegistry } from '../secrets';
import { KubernetesConnection } from './kubernetes';

/*
 * Only executors import this module (index.js must not load client-node). The named static
 * import lets esbuild drop the API groups and models a task does not use, about 2 MB a bundle.
 */

/** Builds a client-node KubeConfig for the connection, registering every credential it holds. */
export async function createKubeConfig(
  conn: KubernetesConnection,
  secrets: SecretRegistry,
  network: AgentNetwork = DIRECT,
): Promise<KubeConfig> {
  const kc = new KubeConfig();
  if (conn.kind === 'kubeconfig') {
    try {
      kc.loadFromString(conn.kubeconfig);
    } catch {
      throw new TaskError(
        'The kubeconfig of the Kubernetes connection is not valid YAML or JSON.',
        'Paste a kubeconfig as produced by kubectl config view --raw.',
      );
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
      'The Kubernetes connection selects no cluster.',
      "Set current-context in the kubeconfig or the connection's cluster context.",
    );
  return kc;
}

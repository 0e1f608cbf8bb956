import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { AgentNetwork, configured, proxyFor, proxyUrlWithCredentials } from './agent-network';
import { agentFor } from './node-agents';

/**
 * What each kind of client needs from the agent's network settings (agent-network.ts): a fetch for
 * our own HTTP client (registries, Prometheus, ARM polling), Node agents for node:http users and
 * the OCI SDK (oci-common switches to node-fetch when httpOptions carries an agent), the Azure SDK
 * pipeline's proxyOptions/tlsOptions, and client-node's cluster proxy-url and CA.
 */

/**
 * @azure/core-rest-pipeline / @azure/identity options: a per-call policy that gives every request the
 * Node agent for its URL (proxy per the bypass list, the agent's CA and client certificate). The
 * pipeline's own proxyOptions cannot be combined with TLS settings (core-rest-pipeline ignores
 * certificates when a proxy is set), and a request that carries an agent skips its proxy policy.
 */
export function azurePipelineOptions(net: AgentNetwork): {
  additionalPolicies?: { position: 'perCall'; policy: PipelinePolicy }[];
} {
  if (!configured(net)) return {};
  const policy: PipelinePolicy = {
    name: 'agentNetwork',
    sendRequest: (request, next) => {
      if (!request.agent) {
        // One agent per origin (node-agents.ts), decided on the origin alone as before.
        const agent = agentFor(net, new URL(request.url).origin);
        if (agent) request.agent = agent;
      }
      return next(request);
    },
  };
  return { additionalPolicies: [{ position: 'perCall', policy }] };
}

/** client-node cluster fields: proxy-url (with credentials) and the agent's CA added to the cluster's own. */
export function kubeClusterNetwork(
  net: AgentNetwork,
  server: string,
  clusterCaData?: string,
): { proxyUrl?: string; caData?: string; skipTLSVerify?: boolean } {
  const proxy = proxyFor(net, server);
  // A TLS-inspecting proxy re-signs the API server's certificate: trust its CA next to the cluster's
  // own (or next to Node's roots when the cluster has none).
  const extraCa = net.ca ? net.ca[net.ca.length - 1] : undefined;
  const own = clusterCaData ? Buffer.from(clusterCaData, 'base64').toString('utf8') : net.ca?.slice(0, -1).join('\n');
  const ca = [own, extraCa].filter(Boolean).join('\n');
  return {
    ...(proxy ? { proxyUrl: proxyUrlWithCredentials(proxy) } : {}),
    ...(extraCa ? { caData: Buffer.from(ca).toString('base64') } : {}),
    ...(net.skipCertValidation ? { skipTLSVerify: true } : {}),
  };
}

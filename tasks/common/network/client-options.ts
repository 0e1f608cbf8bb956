import { AgentNetwork, proxyFor, proxyUrlWithCredentials } from './agent-network';

/**
 * What each kind of client needs from the agent's network settings (agent-network.ts): a fetch for
 * our own HTTP client (registries, Prometheus, ARM polling), Node agents for node:http users and
 * the OCI SDK (oci-common switches to node-fetch when httpOptions carries an agent), the Azure SDK
 * pipeline's proxyOptions/tlsOptions, and client-node's cluster proxy-url and CA.
 */

/** @azure/core-rest-pipeline / @azure/identity options for a client of `endpoint`. */
export function azurePipelineOptions(net: AgentNetwork, endpoint: string): {
  proxyOptions?: { host: string; port: number; username?: string; password?: string };
  tlsOptions?: { ca?: string[]; cert?: string; key?: string; pfx?: Buffer; passphrase?: string };
} {
  const proxy = proxyFor(net, endpoint);
  const tls = { ...(net.ca ? { ca: net.ca } : {}), ...(net.clientCert ?? {}) };
  return {
    ...(proxy
      ? {
          proxyOptions: {
            host: `${proxy.url.protocol}//${proxy.url.hostname}`,
            port: Number(proxy.url.port || (proxy.url.protocol === 'https:' ? 443 : 80)),
            username: proxy.username,
            password: proxy.password,
          },
        }
      : {}),
    ...(Object.keys(tls).length ? { tlsOptions: tls } : {}),
  };
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

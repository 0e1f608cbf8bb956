import * as http from 'node:http';
import * as https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { Agent, Dispatcher, ProxyAgent, fetch as undiciFetch } from 'undici';
import { AgentNetwork, proxyAuthorizationHeader, proxyFor, proxyUrlWithCredentials, tlsOptions } from './agent-network';

/**
 * What each kind of client needs from the agent's network settings (agent-network.ts): a fetch for
 * our own HTTP client (registries, Prometheus, ARM polling), Node agents for node:http users and
 * the OCI SDK (oci-common switches to node-fetch when httpOptions carries an agent), the Azure SDK
 * pipeline's proxyOptions/tlsOptions, and client-node's cluster proxy-url and CA.
 */
function configured(net: AgentNetwork): boolean {
  return !!(net.proxy || net.ca || net.clientCert || net.skipCertValidation);
}

/** A fetch that goes through the proxy (bypass list honoured per URL) and trusts the agent's CA. */
export function agentFetch(net: AgentNetwork): typeof fetch {
  if (!configured(net)) return fetch;
  const connect = tlsOptions(net);
  const direct = new Agent({ connect });
  const proxied = net.proxy
    ? new ProxyAgent({
        uri: net.proxy.url.href,
        token: proxyAuthorizationHeader(net.proxy),
        requestTls: connect,
        proxyTls: connect,
      })
    : undefined;
  const pick = (url: string): Dispatcher => (proxied && proxyFor(net, url) ? proxied : direct);
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return undiciFetch(input as never, { ...(init as object), dispatcher: pick(url) } as never) as unknown as Promise<Response>;
  }) as typeof fetch;
}

/** A Node agent for requests to `target` (node:http/https, node-fetch, the OCI SDK); undefined = Node's default. */
export function agentFor(net: AgentNetwork, target: string | URL): http.Agent | undefined {
  if (!configured(net)) return undefined;
  const url = new URL(typeof target === 'string' ? target : target.href);
  const proxy = proxyFor(net, url);
  const tlsOpts = tlsOptions(net);
  if (proxy) {
    // An https:// proxy is itself verified with the same roots.
    const proxyRequestOptions = { ca: net.ca, rejectUnauthorized: !net.skipCertValidation };
    const options = { keepAlive: true, proxy: proxyUrlWithCredentials(proxy), ...tlsOpts, proxyRequestOptions };
    return url.protocol === 'https:' ? new HttpsProxyAgent(options) : new HttpProxyAgent(options);
  }
  return url.protocol === 'https:' ? new https.Agent({ keepAlive: true, ...tlsOpts }) : undefined;
}

/** OCI SDK ClientConfiguration.httpOptions for a client of `endpoint`. */
export function ociHttpOptions(net: AgentNetwork, endpoint: string): { agent: http.Agent } | undefined {
  const agent = agentFor(net, endpoint);
  return agent ? { agent } : undefined;
}

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

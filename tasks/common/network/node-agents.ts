import * as http from 'node:http';
import * as https from 'node:https';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { AgentNetwork, configured, proxyFor, proxyUrlWithCredentials, tlsOptions } from './agent-network';

/** Node agents from the agent's settings, for node:http users and the OCI SDK (which then sends with node-fetch). */
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

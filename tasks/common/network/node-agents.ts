import type * as http from 'node:http';
import type * as Https from 'node:https';
import type * as Hpagent from 'hpagent';
import { AgentNetwork, configured, proxyFor, proxyUrlWithCredentials, tlsOptions } from './agent-network';

/**
 * Node agents made from one AgentNetwork, by origin. An agent owns the keep-alive sockets (and TLS
 * sessions) to its origin: a new one per request would open a new connection, and a new TLS handshake,
 * every time. Keyed weakly by the network settings, so a task's agents live as long as its settings do.
 */
const agentsByNetwork = new WeakMap<AgentNetwork, Map<string, http.Agent | undefined>>();

/**
 * The Node agent for requests to `target` (node:http/https, node-fetch, the OCI SDK, the Azure SDK
 * pipeline); undefined = Node's default. One agent per origin, shared by every caller with these settings;
 * the proxy is chosen (bypass list) on the first URL seen for that origin.
 */
export function agentFor(net: AgentNetwork, target: string | URL): http.Agent | undefined {
  if (!configured(net)) return undefined;
  const url = new URL(typeof target === 'string' ? target : target.href);
  let agents = agentsByNetwork.get(net);
  if (!agents) agentsByNetwork.set(net, (agents = new Map()));
  if (!agents.has(url.origin)) agents.set(url.origin, newAgent(net, url));
  return agents.get(url.origin);
}

/**
 * node:https (with node:tls) and hpagent are required only here, once the agent's settings ask for them: a
 * static import would make every task load TLS at start, ≈10 ms on a loaded agent even for plain-HTTP
 * registries (measured in bench/acr-copy; esbuild must keep a CommonJS import's side effects, so it cannot
 * drop an unused one).
 */
function newAgent(net: AgentNetwork, url: URL): http.Agent | undefined {
  const proxy = proxyFor(net, url);
  const tlsOpts = tlsOptions(net);
  if (proxy) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
    const { HttpProxyAgent, HttpsProxyAgent } = require('hpagent') as typeof Hpagent;
    // An https:// proxy is itself verified with the same roots.
    const proxyRequestOptions = { ca: net.ca, rejectUnauthorized: !net.skipCertValidation };
    const options = { keepAlive: true, proxy: proxyUrlWithCredentials(proxy), ...tlsOpts, proxyRequestOptions };
    return url.protocol === 'https:' ? new HttpsProxyAgent(options) : new HttpProxyAgent(options);
  }
  if (url.protocol !== 'https:') return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const https = require('node:https') as typeof Https;
  return new https.Agent({ keepAlive: true, ...tlsOpts });
}

/** OCI SDK ClientConfiguration.httpOptions for a client of `endpoint`. */
export function ociHttpOptions(net: AgentNetwork, endpoint: string): { agent: http.Agent } | undefined {
  const agent = agentFor(net, endpoint);
  return agent ? { agent } : undefined;
}

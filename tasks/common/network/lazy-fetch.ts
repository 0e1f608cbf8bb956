import { Agent, Dispatcher, ProxyAgent, fetch as undiciFetch } from 'undici';
import { AgentNetwork, configured, proxyAuthorizationHeader, proxyFor, tlsOptions } from './agent-network';

/*
 * Bundled apart (scripts/build.ts, like tasks/<Name>/lazy-*.ts): undici is loaded only by runs
 * behind a proxy or with agent certificates, never on every task start.
 */

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
  return (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    return undiciFetch(input, { ...(init as object), dispatcher: pick(url) });
  };
}

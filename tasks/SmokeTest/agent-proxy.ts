import { TaskHost } from '../common/host';
import { SecretRegistry } from '../common/secrets';
import { ProxySettings, proxyAuthorization } from '../common/checks';

/**
 * The agent's proxy configuration (what task-lib's getHttpProxyConfiguration reads), with the
 * password taken from the secret variables (never through getVariable, which logs values) and
 * every form of the credentials registered before the first request.
 */
export function readAgentProxy(host: TaskHost, secretVariables: Map<string, string>, secrets: SecretRegistry): ProxySettings | undefined {
  const text = host.variable('Agent.ProxyUrl')?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    host.warn(`Agent.ProxyUrl is not a URL; the checks go direct.`);
    return undefined;
  }
  if (url.protocol !== 'http:') {
    host.warn(`Agent.ProxyUrl uses ${url.protocol.replace(':', '')}; only http:// proxies are supported, so the checks go direct.`);
    return undefined;
  }
  const username = host.variable('Agent.ProxyUsername') || decodeURIComponent(url.username) || undefined;
  const password = secretVariables.get('AGENT_PROXYPASSWORD') ?? (url.password ? decodeURIComponent(url.password) : undefined);
  secrets.register(password);
  url.username = '';
  url.password = '';
  const bypass: RegExp[] = [];
  let list: unknown = [];
  try {
    list = JSON.parse(host.variable('Agent.ProxyBypassList') || '[]');
  } catch {
    host.warn('Agent.ProxyBypassList is not a JSON list; no URL bypasses the proxy.');
  }
  for (const entry of Array.isArray(list) ? list : []) {
    try {
      bypass.push(new RegExp(String(entry), 'i'));
    } catch {
      host.warn(`Agent.ProxyBypassList entry '${String(entry)}' is not a regular expression; it is ignored.`);
    }
  }
  const proxy: ProxySettings = { url, username, password, bypass };
  const auth = proxyAuthorization(proxy);
  if (auth && password) {
    secrets.register(auth);
    secrets.register(auth.slice('Basic '.length));
  }
  return proxy;
}

import * as fs from 'node:fs';
import type * as tls from 'node:tls';
import { TaskHost } from '../host';
import { SecretRegistry } from '../secrets';

/**
 * The agent's proxy and certificate settings, read once, in the one form every client is built from.
 * Names and semantics as task-lib reads them (azure-pipelines-task-lib node/task.ts
 * getHttpProxyConfiguration / getHttpCertConfiguration) and as the agent sets them
 * (azure-pipelines-agent src/Agent.Sdk/AgentWebProxy.cs; Agent.CAInfo, Agent.ClientCert*,
 * Agent.SkipCertValidation in src/Agent.Sdk/TaskPlugin.cs): Agent.ProxyUrl (AGENT_PROXYURL),
 * Agent.ProxyUsername, Agent.ProxyPassword (a secret variable: SECRET_AGENT_PROXYPASSWORD),
 * Agent.ProxyBypassList (a JSON list of regular expressions tested, ignoring case, against the whole
 * request URL). The agent sets no HTTPS_PROXY; nothing here reads it.
 */
export interface AgentProxySettings {
  url: URL;
  username?: string;
  password?: string;
  bypass: RegExp[];
}

export interface AgentNetwork {
  proxy?: AgentProxySettings;
  /** Trusted roots: Node's own plus Agent.CAInfo (a TLS-inspecting proxy's CA); undefined = Node's defaults. */
  ca?: string[];
  /** Agent.ClientCert/ClientCertKey (PEM files) or ClientCertArchive (PKCS#12), with Agent.ClientCertPassword. */
  clientCert?: { cert?: string; key?: string; pfx?: Buffer; passphrase?: string };
  /** Agent.SkipCertValidation: the agent was configured with --sslskipcertvalidation. */
  skipCertValidation: boolean;
}

export const DIRECT: AgentNetwork = { skipCertValidation: false };

export function configured(net: AgentNetwork): boolean {
  return !!(net.proxy || net.ca || net.clientCert || net.skipCertValidation);
}

/**
 * The fetch our HttpClient uses: Node's own when the agent has no proxy or certificate settings,
 * else undici through the proxy (bypass list per URL) with the agent's CA, loaded on first use.
 */
export function networkFetch(net: AgentNetwork): typeof fetch {
  if (!configured(net)) return fetch;
  let loaded: Promise<typeof fetch> | undefined;
  return async (input: string | URL | Request, init?: RequestInit) => {
    loaded ??= import('./lazy-fetch').then((m) => m.agentFetch(net));
    return (await loaded)(input, init);
  };
}

/** The proxy for a request URL, or undefined when there is none or the bypass list matches. */
export function proxyFor(net: AgentNetwork, target: string | URL): AgentProxySettings | undefined {
  const href = typeof target === 'string' ? target : target.href;
  if (!net.proxy) return undefined;
  return net.proxy.bypass.some((re) => re.test(href)) ? undefined : net.proxy;
}

/** The proxy URL with its credentials, for clients that take only a URL (client-node's proxy-url). */
export function proxyUrlWithCredentials(proxy: AgentProxySettings): string {
  const u = new URL(proxy.url.href);
  if (proxy.username) u.username = encodeURIComponent(proxy.username);
  if (proxy.password) u.password = encodeURIComponent(proxy.password);
  return u.href;
}

export function proxyAuthorizationHeader(proxy: AgentProxySettings): string | undefined {
  if (!proxy.username) return undefined;
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`;
}

/** TLS options for Node's https/tls and for SDKs that take them (ca, cert, key, pfx, passphrase). */
export function tlsOptions(net: AgentNetwork): tls.SecureContextOptions & { rejectUnauthorized?: boolean } {
  return {
    ...(net.ca ? { ca: net.ca } : {}),
    ...(net.clientCert ?? {}),
    ...(net.skipCertValidation ? { rejectUnauthorized: false } : {}),
  };
}

function readFile(host: TaskHost, variable: string, problems: string[]): Buffer | undefined {
  const file = host.variable(variable)?.trim();
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch {
    problems.push(`${variable} names '${file}', which cannot be read`);
    return undefined;
  }
}

function readProxy(host: TaskHost, secrets: SecretRegistry, problems: string[]): AgentProxySettings | undefined {
  const text = host.variable('Agent.ProxyUrl')?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push(`Agent.ProxyUrl '${text}' is not a URL; requests go direct`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push(`Agent.ProxyUrl uses ${url.protocol}; only http(s) proxies are supported, so requests go direct`);
    return undefined;
  }
  const username = host.variable('Agent.ProxyUsername') || decodeURIComponent(url.username) || undefined;
  const password =
    host.variable('Agent.ProxyPassword') || (url.password ? decodeURIComponent(url.password) : undefined);
  url.username = '';
  url.password = '';
  let list: unknown = [];
  try {
    list = JSON.parse(host.variable('Agent.ProxyBypassList') || '[]');
  } catch {
    problems.push('Agent.ProxyBypassList is not a JSON list; no URL bypasses the proxy');
  }
  const bypass: RegExp[] = [];
  for (const entry of Array.isArray(list) ? list : []) {
    try {
      bypass.push(new RegExp(String(entry), 'i'));
    } catch {
      problems.push(`Agent.ProxyBypassList entry '${String(entry)}' is not a regular expression; it is ignored`);
    }
  }
  const proxy: AgentProxySettings = { url, username, password, bypass };
  // The password and every form it travels in are secrets before the first request.
  if (password) {
    secrets.register(password);
    const auth = proxyAuthorizationHeader(proxy);
    if (auth) {
      secrets.register(auth);
      secrets.register(auth.slice('Basic '.length));
    }
    secrets.register(proxyUrlWithCredentials(proxy));
  }
  return proxy;
}

/** Reads the settings; what cannot be used is reported through `warn` and left out. */
export function readAgentNetwork(
  host: TaskHost,
  secrets: SecretRegistry,
  warn: (m: string) => void = (m) => host.warn(m),
): AgentNetwork {
  const problems: string[] = [];
  const proxy = readProxy(host, secrets, problems);
  const caFile = readFile(host, 'Agent.CAInfo', problems);
  // node:tls only with a CA file: every task reads these settings, most runs have none.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy; import() would use the ESM loader
  const roots = (): readonly string[] => (require('node:tls') as typeof tls).rootCertificates;
  const ca = caFile ? [...roots(), caFile.toString('utf8')] : undefined;
  let clientCert: AgentNetwork['clientCert'];
  const cert = readFile(host, 'Agent.ClientCert', problems);
  if (cert) {
    const passphrase = secrets.register(host.variable('Agent.ClientCertPassword')) || undefined;
    const key = readFile(host, 'Agent.ClientCertKey', problems);
    const pfx = readFile(host, 'Agent.ClientCertArchive', problems);
    clientCert = pfx ? { pfx, passphrase } : { cert: cert.toString('utf8'), key: key?.toString('utf8'), passphrase };
  }
  const skipCertValidation = (host.variable('Agent.SkipCertValidation') ?? '').toLowerCase() === 'true';
  for (const p of problems) warn(`${p}.`);
  return { proxy, ca, clientCert, skipCertValidation };
}

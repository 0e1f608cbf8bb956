import * as http from 'node:http';
import * as https from 'node:https';
import { isIP } from 'node:net';
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';

/**
 * The agent's web proxy (Agent.ProxyUrl, credentials, bypass list), applied the way task-lib's
 * getHttpProxyConfiguration does: a bypass entry is a case-insensitive regular expression tested
 * against the whole request URL. HTTPS goes through a CONNECT tunnel, so TLS (and the
 * certificate checks) stays end to end; plain HTTP is sent to the proxy in absolute form.
 */
export interface ProxySettings {
  url: URL;
  username?: string;
  password?: string;
  bypass: RegExp[];
}

export function proxyFor(target: URL, proxy: ProxySettings | undefined): ProxySettings | undefined {
  if (!proxy) return undefined;
  return proxy.bypass.some((re) => re.test(target.href)) ? undefined : proxy;
}

/** The Proxy-Authorization value; the caller registers it as a secret. */
export function proxyAuthorization(proxy: ProxySettings): string | undefined {
  if (!proxy.username) return undefined;
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`;
}

function proxyPort(proxy: ProxySettings): number {
  return Number(proxy.url.port || (proxy.url.protocol === 'https:' ? 443 : 80));
}

type Created = (err: Error | null, stream: Duplex) => void;

/**
 * An https.Agent whose sockets are CONNECT tunnels through the proxy: the keep-alive pool and
 * the TLS handshake (SNI, verification against the trusted CAs) are Node's own.
 */
export class TunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxySettings,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  // Node's Agent accepts a socket returned later through the callback.
  createConnection(args: http.ClientRequestArgs, callback?: Created): undefined {
    const options = args as tls.ConnectionOptions & { host: string; port: number };
    const done: Created = callback ?? (() => undefined);
    const authority = `${options.host}:${options.port}`;
    const auth = proxyAuthorization(this.proxy);
    const req = http.request({
      host: this.proxy.url.hostname,
      port: proxyPort(this.proxy),
      method: 'CONNECT',
      path: authority,
      headers: { Host: authority, ...(auth ? { 'Proxy-Authorization': auth } : {}) },
      agent: false,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        done(
          Object.assign(
            new Error(`the proxy ${this.proxy.url.origin} answered ${res.statusCode} to CONNECT ${authority}`),
            { code: 'EPROXY' },
          ),
          socket,
        );
        return;
      }
      done(
        null,
        tls.connect({
          ...options,
          socket,
          servername: options.servername ?? (isIP(options.host) ? undefined : options.host),
        }),
      );
    });
    req.once('error', (err) => done(err, req.socket as Duplex));
    req.end();
    return undefined;
  }
}

/** Request options that send a plain-HTTP request to the proxy in absolute form. */
export function viaHttpProxy(proxy: ProxySettings, target: URL, headers: Record<string, string>): http.RequestOptions {
  const auth = proxyAuthorization(proxy);
  return {
    host: proxy.url.hostname,
    port: proxyPort(proxy),
    path: target.href,
    headers: { Host: target.host, ...headers, ...(auth ? { 'Proxy-Authorization': auth } : {}) },
  };
}

import * as http from 'node:http';
import * as https from 'node:https';
import * as tls from 'node:tls';
import { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { ProxySettings, TunnelAgent, proxyFor, viaHttpProxy } from './proxy';
import { CertificateInfo, HttpExchange } from './types';

/**
 * One HTTP exchange with node:http/https rather than fetch: certificate checks need the TLS
 * socket's peer certificate, which fetch hides. Trust is Node's own (system CAs plus
 * NODE_EXTRA_CA_CERTS); verification is never switched off.
 */
export interface RequestSpec {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  followRedirects: boolean;
  signal?: AbortSignal;
}

export type TransportKind = 'unreachable' | 'timeout' | 'tls';

/** The request got no HTTP response: distinct from a response that failed its expectations. */
export class TransportError extends Error {
  constructor(
    readonly kind: TransportKind,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

export type Requester = (spec: RequestSpec) => Promise<HttpExchange>;

/** Bodies beyond this are read (to time the response) but not kept. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const MAX_REDIRECTS = 10;
/** Credentials (and a virtual-host override) must not follow a redirect to another origin, as with curl and fetch. */
const ORIGIN_BOUND_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'host'];

function classify(err: NodeJS.ErrnoException): TransportError {
  const code = err.code ?? '';
  if (
    /^(ERR_TLS|ERR_SSL|EPROTO$|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code) ||
    /certificate/i.test(err.message)
  ) {
    return new TransportError('tls', `TLS handshake failed: ${err.message}${code ? ` (${code})` : ''}`, code);
  }
  return new TransportError(
    'unreachable',
    `${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`,
    code,
  );
}

function certificateOf(socket: unknown): CertificateInfo | undefined {
  if (!(socket instanceof TLSSocket)) return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.valid_to) return undefined;
  const cn = (v: unknown): string => (Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : '');
  return {
    subject: cn(peer.subject?.CN) || socket.servername || '',
    issuer: cn(peer.issuer?.CN),
    validTo: new Date(peer.valid_to),
  };
}

export interface NodeRequester {
  request: Requester;
  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void;
}

/** Methods a client may repeat on its own (RFC 9110 §9.2.2): a second one has the effect of one. */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

export const isIdempotent = (method: string): boolean => IDEMPOTENT.has(method.toUpperCase());

interface Agents {
  http: http.Agent;
  https: https.Agent;
  tunnel?: TunnelAgent;
}

function agentsFor(pool: http.AgentOptions, proxy?: ProxySettings): Agents {
  return {
    http: new http.Agent(pool),
    https: new https.Agent(pool),
    tunnel: proxy ? new TunnelAgent(proxy, pool) : undefined,
  };
}

export function createNodeRequester(opts: {
  maxSockets: number;
  proxy?: ProxySettings;
  tls?: tls.SecureContextOptions;
}): NodeRequester {
  // Keep-alive: a smoke run calls one service many times; a handshake per check would dominate.
  const reused = agentsFor({ keepAlive: true, maxSockets: opts.maxSockets, ...opts.tls }, opts.proxy);
  // A request that must not be repeated gets a connection of its own: on a reused keep-alive socket a reset
  // cannot tell "the server closed it while idle, before our request" from "the server processed it, then the
  // connection died", so resending it there is how one POST reached a service twice (RFC 9110 §9.2.2, RFC 9112
  // §9.3.1). No socket limit here: a pool at its limit hands a finished socket to the next queued request;
  // the workers already bound how many requests are in flight.
  const fresh = agentsFor({ keepAlive: false, ...opts.tls }, opts.proxy);
  const once = (spec: RequestSpec, deadline: number, retryReset: boolean): Promise<HttpExchange> =>
    new Promise<HttpExchange>((resolve, reject) => {
      const agents = isIdempotent(spec.method) ? reused : fresh;
      const started = performance.now();
      const isHttps = spec.url.protocol === 'https:';
      const lib = isHttps ? https : http;
      const headers: Record<string, string> = { 'User-Agent': 'multicloud-devsecops-smoketest', ...spec.headers };
      if (spec.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(spec.body));
      if (!isIdempotent(spec.method)) {
        // Hop-by-hop, ours to set: the server closes this connection after its answer, nothing reuses it.
        for (const k of Object.keys(headers)) if (k.toLowerCase() === 'connection') delete headers[k];
        headers.Connection = 'close';
      }
      // A Host header (testing an ingress by IP) also names the TLS server: SNI and certificate check.
      const host = Object.entries(headers)
        .find(([k]) => k.toLowerCase() === 'host')?.[1]
        .replace(/:\d+$/, '');
      const tlsName = isHttps && host ? { servername: host } : {};
      const proxy = proxyFor(spec.url, opts.proxy);
      const common = { method: spec.method, signal: spec.signal };
      const req = !proxy
        ? lib.request(spec.url, { ...common, headers, agent: isHttps ? agents.https : agents.http, ...tlsName })
        : isHttps
          ? https.request(spec.url, { ...common, headers, agent: agents.tunnel, ...tlsName })
          : http.request({ ...common, ...viaHttpProxy(proxy, spec.url, headers), agent: agents.http });
      let settled = false;
      const done = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const remaining = Math.max(1, deadline - Date.now());
      const timer = setTimeout(() => {
        done(() => reject(new TransportError('timeout', `no complete response within ${spec.timeoutMs} ms`)));
        req.destroy();
      }, remaining);
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (spec.signal?.aborted) return done(() => reject(spec.signal!.reason));
        // A keep-alive socket the server closed just as we reused it: resend once, but only a request whose
        // repetition is harmless, since the server may also have processed it before the reset.
        if (retryReset && req.reusedSocket && err.code === 'ECONNRESET' && isIdempotent(spec.method)) {
          return done(() => void once(spec, deadline, false).then(resolve, reject));
        }
        done(() => reject(classify(err)));
      });
      req.on('response', (res) => {
        const certificate = isHttps ? certificateOf(res.socket) : undefined;
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept < MAX_BODY_BYTES) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('error', (err: NodeJS.ErrnoException) => done(() => reject(classify(err))));
        res.on('end', () => {
          const flat: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers))
            if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
          done(() =>
            resolve({
              status: res.statusCode ?? 0,
              headers: flat,
              body: Buffer.concat(chunks),
              durationMs: performance.now() - started,
              certificate,
              url: spec.url.href,
            }),
          );
        });
      });
      req.end(spec.body);
    });

  const request: Requester = async (spec) => {
    const deadline = Date.now() + spec.timeoutMs;
    let current = spec;
    let total = 0;
    for (let hop = 0; ; hop++) {
      const ex = await once(current, deadline, true);
      total += ex.durationMs;
      const location = ex.headers.location;
      if (!spec.followRedirects || ![301, 302, 303, 307, 308].includes(ex.status) || !location)
        return { ...ex, durationMs: total };
      if (hop >= MAX_REDIRECTS)
        throw new TransportError(
          'unreachable',
          `more than ${MAX_REDIRECTS} redirects, last to ${new URL(location, current.url).origin}`,
        );
      const next = new URL(location, current.url);
      const toGet = ex.status === 303 || ((ex.status === 301 || ex.status === 302) && current.method === 'POST');
      const headers = { ...current.headers };
      if (next.origin !== current.url.origin) {
        for (const h of Object.keys(headers)) if (ORIGIN_BOUND_HEADERS.includes(h.toLowerCase())) delete headers[h];
      }
      if (toGet) for (const h of Object.keys(headers)) if (h.toLowerCase() === 'content-type') delete headers[h];
      current = {
        ...current,
        url: next,
        headers,
        method: toGet ? 'GET' : current.method,
        body: toGet ? undefined : current.body,
      };
    }
  };

  return {
    request,
    close: () => {
      for (const agents of [reused, fresh]) {
        agents.http.destroy();
        agents.https.destroy();
        agents.tunnel?.destroy();
      }
    },
  };
}

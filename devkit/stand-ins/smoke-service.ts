import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';

/**
 * A small service with the behaviours smoke checks meet after a deploy: healthy JSON, slow
 * answers, 500s, a flaky start, redirects, and an endpoint that echoes request headers (so a
 * leak test can prove that an echoed secret is masked). Listens on 127.0.0.1, port 0.
 */
export interface TestService {
  url: string;
  /** Requests served, by path. */
  hits: Map<string, number>;
  /** Headers of the last request, by path. */
  lastHeaders: Map<string, http.IncomingHttpHeaders>;
  /** Most requests in progress at once: proves the concurrency limit. */
  maxInFlight(): number;
  close(): Promise<void>;
}

export interface ServiceOptions {
  tls?: { cert: string; key: string };
  /**
   * /flaky answers 503 until this long after its first request: counted from the first poll, not from start, so
   * "starts late" holds however long the caller (a task process on a loaded agent) takes to get going.
   */
  readyAfterMs?: number;
  /** Added to every answer: a fixed latency for the benchmark. */
  latencyMs?: number;
  /** Bearer token /auth accepts. */
  token?: string;
}

export const HEALTH = {
  status: 'UP',
  version: '1.2.3',
  uptime: 42,
  checks: [
    { name: 'db', ok: true },
    { name: 'cache', ok: true },
  ],
  'build.id': 'b-7',
};

export async function startService(opts: ServiceOptions = {}): Promise<TestService> {
  let firstPoll: number | undefined;
  const hits = new Map<string, number>();
  const lastHeaders = new Map<string, http.IncomingHttpHeaders>();
  let inFlight = 0;
  let maxInFlight = 0;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.on('close', () => inFlight--);
    const url = new URL(req.url ?? '/', 'http://x');
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    lastHeaders.set(url.pathname, req.headers);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
        const reply = (): void => {
          res.writeHead(status, { 'Content-Type': type, 'X-Service-Version': '1.2.3', ...headers });
          res.end(text);
        };
        if (opts.latencyMs) setTimeout(reply, opts.latencyMs);
        else reply();
      };
      const p = url.pathname;
      if (p === '/healthz' || p === '/api/healthz') return send(200, HEALTH);
      if (p === '/slow')
        return void setTimeout(() => send(200, 'slow but fine'), Number(url.searchParams.get('ms') ?? 500));
      if (p === '/error') return send(500, 'internal error: database connection refused');
      if (p === '/flaky') {
        firstPoll ??= Date.now();
        return Date.now() - firstPoll >= (opts.readyAfterMs ?? 0)
          ? send(200, { ready: true })
          : send(503, 'starting up');
      }
      // Fails the first n requests (per ?key=), then answers 200: for retries.
      if (p === '/fail-first') {
        const key = `fail-first:${url.searchParams.get('key') ?? ''}`;
        const n = (hits.get(key) ?? 0) + 1;
        hits.set(key, n);
        return n <= Number(url.searchParams.get('n') ?? 1) ? send(502, 'bad gateway') : send(200, 'ok now');
      }
      if (p === '/echo') {
        // Counted per ?key= too, so a test can tell which request reached the service twice.
        const key = url.searchParams.get('key');
        if (key !== null) hits.set(`echo:${key}`, (hits.get(`echo:${key}`) ?? 0) + 1);
        return send(200, { method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      }
      if (p === '/auth')
        return req.headers.authorization === `Bearer ${opts.token}`
          ? send(200, { user: 'pipeline' })
          : send(401, 'unauthorized');
      if (p === '/redirect') return send(302, '', { Location: '/healthz' });
      if (p === '/redirect-away') return send(302, '', { Location: String(url.searchParams.get('to')) });
      send(404, 'not found');
    });
  };
  const server = opts.tls
    ? https.createServer({ cert: opts.tls.cert, key: opts.tls.key }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    hits,
    lastHeaders,
    maxInFlight: () => maxInFlight,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind, note it, close. */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

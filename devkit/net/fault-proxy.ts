import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';
import { seededRandom } from '../support/seeded-random';

/**
 * A reverse proxy that sits in front of an emulator or registry and injects faults the way real
 * clouds produce them: 429 with and without Retry-After, 503, connection resets (before the
 * request reaches the service, or after it was processed — the case that causes duplicate
 * creates), and slow responses. Seeded, so a failing run can be replayed.
 */
export interface FaultRates {
  throttle?: number;
  throttleWithRetryAfter?: number;
  unavailable?: number;
  resetBefore?: number;
  resetAfter?: number;
  slow?: number;
  slowMs?: number;
  /** The Retry-After value sent with throttleWithRetryAfter (seconds). */
  retryAfterSeconds?: number;
}

export type FaultKind = 'throttle' | 'throttleWithRetryAfter' | 'unavailable' | 'resetBefore' | 'resetAfter' | 'slow';

export interface FaultProxy {
  url: string;
  injected: Record<FaultKind, number>;
  forwarded: number;
  /** Requests by method and path, to count e.g. duplicate creates. */
  log: { method: string; path: string; fault?: FaultKind }[];
  setRates(rates: FaultRates): void;
  close(): Promise<void>;
}

export interface FaultProxyOptions {
  target: string;
  tls?: boolean;
  /** Certificate to serve with tls (default: the test CA's localhost/127.0.0.1 leaf), e.g. one for *.vault.azure.net. */
  cert?: { cert: string; key: string };
  /** Forward the client's Host header unchanged (signed by OCI clients, checked by Key Vault) instead of the target's. */
  preserveHost?: boolean;
  rates?: FaultRates;
  seed?: number;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(opts.target);
  const random = seededRandom(opts.seed ?? 42);
  let rates: FaultRates = opts.rates ?? {};
  const injected: Record<FaultKind, number> = {
    throttle: 0,
    throttleWithRetryAfter: 0,
    unavailable: 0,
    resetBefore: 0,
    resetAfter: 0,
    slow: 0,
  };
  const state = { forwarded: 0 };
  const log: FaultProxy['log'] = [];

  const pick = (): FaultKind | undefined => {
    let roll = random();
    for (const kind of Object.keys(injected) as FaultKind[]) {
      const rate = rates[kind] ?? 0;
      if (roll < rate) return kind;
      roll -= rate;
    }
    return undefined;
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const fault = pick();
    log.push({ method: req.method ?? 'GET', path: req.url ?? '/', fault });
    if (fault) injected[fault]++;
    if (fault === 'resetBefore') return void req.socket.destroy();
    if (fault === 'throttle' || fault === 'throttleWithRetryAfter' || fault === 'unavailable') {
      req.resume();
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (fault === 'throttleWithRetryAfter') headers['retry-after'] = String(rates.retryAfterSeconds ?? 1);
      res.writeHead(fault === 'unavailable' ? 503 : 429, headers);
      return void res.end(
        JSON.stringify({
          code: fault === 'unavailable' ? 'ServiceUnavailable' : 'TooManyRequests',
          message: 'injected by the fault proxy',
        }),
      );
    }
    const forward = (): void => {
      const client = target.protocol === 'https:' ? https : http;
      const upstream = client.request(
        {
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: opts.preserveHost ? req.headers : { ...req.headers, host: target.host },
        },
        (up) => {
          state.forwarded++;
          if (fault === 'resetAfter') {
            // The service has done the work; the client never hears of it.
            up.resume();
            return void up.on('end', () => req.socket.destroy());
          }
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    };
    if (fault === 'slow') setTimeout(forward, rates.slowMs ?? 1500);
    else forward();
  };

  const server = opts.tls ? https.createServer({ ...(opts.cert ?? issueCert()) }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    injected,
    get forwarded() {
      return state.forwarded;
    },
    log,
    setRates: (r) => (rates = r),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import { issueCert } from '../support/test-ca';

/**
 * A reverse proxy that faults exactly the requests a script picks: 'lose' forwards the request and
 * resets the connection once the service has answered (the work is done, the client never hears of
 * it); 'throttle' answers 429 without Retry-After. Deterministic companions of the seeded fault proxy.
 */
export type Scripted = 'lose' | 'throttle' | undefined;

export interface ScriptedFront {
  url: string;
  port: number;
  faulted: string[];
  close(): Promise<void>;
}

export async function startScriptedFront(opts: {
  target: string;
  tls?: boolean;
  cert?: { cert: string; key: string };
  preserveHost?: boolean;
  script: (req: http.IncomingMessage) => Scripted;
}): Promise<ScriptedFront> {
  const faulted: string[] = [];
  const t = new URL(opts.target);
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const action = opts.script(req);
    if (action) faulted.push(`${action} ${req.method} ${req.url}`);
    if (action === 'throttle') {
      req.resume();
      res.writeHead(429, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ code: 'TooManyRequests', message: 'scripted throttle' }));
    }
    const client = t.protocol === 'https:' ? https : http;
    const up = client.request(
      {
        hostname: t.hostname,
        port: t.port,
        method: req.method,
        path: req.url,
        headers: opts.preserveHost ? req.headers : { ...req.headers, host: t.host },
      },
      (upRes) => {
        if (action === 'lose') {
          upRes.resume();
          return void upRes.on('end', () => req.socket.destroy());
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', () => req.socket.destroy());
    req.pipe(up);
  };
  const server = opts.tls ? https.createServer({ ...(opts.cert ?? issueCert()) }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    faulted,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A script that faults only the first request matching the test. */
export function firstOnly(
  action: Exclude<Scripted, undefined>,
  test: (req: http.IncomingMessage) => boolean,
): (req: http.IncomingMessage) => Scripted {
  let done = false;
  return (req) => {
    if (done || !test(req)) return undefined;
    done = true;
    return action;
  };
}

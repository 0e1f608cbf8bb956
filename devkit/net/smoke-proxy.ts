import * as http from 'node:http';
import * as net from 'node:net';
import { AddressInfo } from 'node:net';
import { spliceTunnel } from './connect-tunnel';

/**
 * A forward proxy like Squid on an agent's network: CONNECT tunnels for HTTPS, absolute-form
 * requests for HTTP, Basic Proxy-Authorization required when credentials are given.
 */
export interface TestProxy {
  url: string;
  /** "CONNECT host:port" and "GET http://…" lines, in order. */
  seen: string[];
  close(): Promise<void>;
}

export async function startProxy(credentials?: { username: string; password: string }): Promise<TestProxy> {
  const seen: string[] = [];
  const expected = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : undefined;
  const authorized = (req: http.IncomingMessage): boolean =>
    !expected || req.headers['proxy-authorization'] === expected;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (!authorized(req)) {
      res.writeHead(407, { 'Proxy-Authenticate': 'Basic realm="proxy"' }).end();
      return;
    }
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(target, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    if (!authorized(req)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="proxy"\r\n\r\n');
      return;
    }
    const [host, port] = (req.url ?? '').split(':');
    spliceTunnel(client, head, host, Number(port), sockets);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
